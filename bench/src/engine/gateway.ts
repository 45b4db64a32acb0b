import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';

import type { StateLayout, Topology } from '@energysale/network';
import { classify, FabricClient, loadIdentity, type Call, type UserIdentity } from '@energysale/service';

import { EngineError, type Attack, type AttackReport, type EngineRequest, type LoadEngine } from './engine';
import { pace, type Sent } from './pacing';

/*
 * The harness's direct Fabric Gateway mode: the same scenarios, executors and thresholds, with no
 * HTTP, nginx or retail service in the way. Each request is a chaincode call made from this process
 * with the service's own Fabric client (one gRPC connection per peer, a Gateway per user signing
 * with the user's key), so what the service adds is the difference between the two modes.
 *
 * A Fabric call is written as an engine request:
 *   SUBMIT|EVALUATE fabric-gateway://<org key>/<user>/<contract>/<function>
 *   body: JSON {"args": [...], "transient": {...}, "endorsingOrgs": [...], "chaincode": "..."}
 * (chaincode: one deployed beside the retail one; absent, the retail chaincode)
 * and answered like the service answers it: 200 with the chaincode's result, or the service's
 * status and problem code for the error (a refusal 4xx, an invalidated transaction 503, ...).
 */

export const GATEWAY_SCHEME = 'fabric-gateway:';

export type GatewayMode = 'SUBMIT' | 'EVALUATE';

/** One chaincode call of one user, as the gateway engine's request. */
export function gatewayRequest(mode: GatewayMode, org: string, user: string, call: Call): EngineRequest {
  const body = JSON.stringify({
    args: call.args ?? [],
    ...(call.transient && { transient: call.transient }),
    ...(call.endorsingOrgs && { endorsingOrgs: call.endorsingOrgs }),
    ...(call.chaincode !== undefined && { chaincode: call.chaincode }),
  });
  return { method: mode, url: `${GATEWAY_SCHEME}//${encodeURIComponent(org)}/${encodeURIComponent(user)}/${encodeURIComponent(call.contract)}/${encodeURIComponent(call.fn)}`, body };
}

/** The call an engine request stands for; an EngineError when it is not one. */
export function parseGatewayRequest(request: EngineRequest): { mode: GatewayMode; org: string; user: string; call: Call } {
  const match = /^fabric-gateway:\/\/([^/]+)\/([^/]+)\/([^/]+)\/([^/?#]+)$/.exec(request.url);
  if (!match || (request.method !== 'SUBMIT' && request.method !== 'EVALUATE')) {
    throw new EngineError(`not a Fabric Gateway request: ${request.method} ${request.url} (expected SUBMIT|EVALUATE fabric-gateway://<org>/<user>/<contract>/<function>)`);
  }
  const [, org, user, contract, fn] = match.map((part) => decodeURIComponent(part));
  const text = request.body === undefined ? '{}' : typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8');
  const body = JSON.parse(text) as { args?: string[]; transient?: Record<string, string>; endorsingOrgs?: string[]; chaincode?: string };
  return {
    mode: request.method,
    org: org ?? '',
    user: user ?? '',
    call: {
      ...(body.chaincode !== undefined && { chaincode: body.chaincode }),
      contract: contract ?? '',
      fn: fn ?? '',
      args: body.args ?? [],
      ...(body.transient && { transient: body.transient }),
      ...(body.endorsingOrgs && { endorsingOrgs: body.endorsingOrgs }),
    },
  };
}

/**
 * The version of the gateway client the engine calls Fabric with: the service's FabricClient's, as
 * the service package resolves it (bench's own copy, 1.5.0, is Caliper's connector's).
 */
export function gatewayVersion(): string {
  const manifest = require.resolve('@hyperledger/fabric-gateway/package.json', { paths: [dirname(require.resolve('@energysale/service'))] });
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

export class GatewayEngine implements LoadEngine {
  readonly name = 'fabric-gateway';
  readonly schemes = [GATEWAY_SCHEME];
  private readonly identities = new Map<string, UserIdentity>();

  constructor(
    private readonly client: Pick<FabricClient, 'submit' | 'evaluate' | 'close'>,
    private readonly identity: (org: string, user: string) => UserIdentity,
  ) {}

  /** The engine on a network's state: the service's Fabric client, the users' enrolled identities. */
  static open(topology: Topology, layout: StateLayout): GatewayEngine {
    return new GatewayEngine(new FabricClient(topology, layout), (org, user) => loadIdentity(topology, layout, org, user));
  }

  version(): Promise<string> {
    return Promise.resolve(`@hyperledger/fabric-gateway ${gatewayVersion()}`);
  }

  private userOf(org: string, user: string): UserIdentity {
    const key = `${org}/${user}`;
    let identity = this.identities.get(key);
    if (!identity) {
      identity = this.identity(org, user);
      this.identities.set(key, identity);
    }
    return identity;
  }

  private async send(request: EngineRequest): Promise<Sent> {
    const { mode, org, user, call } = parseGatewayRequest(request);
    const bytesSent = request.body === undefined ? 0 : Buffer.byteLength(request.body);
    const { status, error, body } = await this.invoke(mode, org, user, call);
    return { status, error, bytesSent, bytesReceived: body.length, body, headers: {} };
  }

  /**
   * One chaincode call as `user` of `org`, answered like the service answers it: 200 with the
   * chaincode's result, or the service's status with a problem body {status, code, detail}.
   */
  async invoke(mode: GatewayMode, org: string, user: string, call: Call): Promise<{ status: number; error: string | undefined; body: Buffer }> {
    try {
      const invocation = { ...call, user: this.userOf(org, user) };
      const result = mode === 'SUBMIT' ? (await this.client.submit(invocation)).result : await this.client.evaluate(invocation);
      return { status: 200, error: undefined, body: Buffer.from(result) };
    } catch (error) {
      const { status, code, detail } = classify(error);
      return { status, error: `${status} ${code}: ${detail}`, body: Buffer.from(JSON.stringify({ status, code, detail })) };
    }
  }

  attack<R extends EngineRequest>(attack: Attack<R>): Promise<AttackReport> {
    return pace(attack, (request) => this.send(request));
  }

  /** Closes the gRPC connections (in-flight calls finish first). */
  close(): Promise<void> {
    return this.client.close();
  }
}
