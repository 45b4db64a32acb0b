import { chaincodeErrorOf, endorseUntilAgreed } from '../client/errors';
import { connectGateway, type GatewayConnection, type SigningIdentity } from '../client/gateway';
import { ledgerHeight } from '../fabric/metrics';
import type { StateLayout } from '../state/layout';
import { peers, type Topology } from '../topology';
import { sleep } from '../util/retry';

export interface CallOptions {
  readonly transient?: Record<string, string>;
  /** MSP ids whose peers must endorse (or evaluate); the gateway's own choice when absent. */
  readonly orgs?: readonly string[];
}

/** A user of the live network: calls transactions with its own identity through its org's gateway. */
export class Actor {
  private constructor(
    private readonly topology: Topology,
    private readonly connection: GatewayConnection,
  ) {}

  /**
   * `user` of `org` through the gateway of the org's first peer, or of `options.peer` (an id); signing
   * as `options.signing` instead of the user's own enrollment, when given (see connectGateway).
   */
  static connect(topology: Topology, layout: StateLayout, org: string, user: string, options: { signing?: SigningIdentity; peer?: string } = {}): Actor {
    return new Actor(topology, connectGateway(topology, layout, { org, user, ...options }));
  }

  private contract(name: string) {
    return this.connection.gateway.getNetwork(this.topology.channel.name).getContract(this.topology.chaincode.name, name);
  }

  private static proposalOptions(args: readonly string[], options: CallOptions) {
    return {
      arguments: [...args],
      ...(options.transient ? { transientData: options.transient } : {}),
      ...(options.orgs ? { endorsingOrganizations: [...options.orgs] } : {}),
    };
  }

  /**
   * Endorse, order and commit; resolves with the result once the transaction is valid and every
   * running peer has its block, so that the next call, whoever endorses it, sees this one's writes
   * (the gateway reports the commit of its own peer only: CI once saw a call right after a
   * declaration endorsed by two peers still without it, NOT_FOUND). A refusal by the chaincode
   * rejects with a ChaincodeError carrying its code. Endorsers that disagree (a peer a block behind
   * the write just before) are asked again.
   */
  async submit(contract: string, fn: string, args: readonly string[] = [], options: CallOptions = {}): Promise<string> {
    const result = await Actor.coded(endorseUntilAgreed(() => this.contract(contract).submit(fn, Actor.proposalOptions(args, options))));
    await this.peersCaughtUp();
    return result;
  }

  /** Resolves once every peer that answers has as many blocks as the furthest one had when called (bounded to 30 s; a stopped peer is left out). */
  private async peersCaughtUp(): Promise<void> {
    const channel = this.topology.channel.name;
    const heights = (): Promise<(number | undefined)[]> => Promise.all(peers(this.topology).map((p) => ledgerHeight(p, channel).catch(() => undefined)));
    const target = Math.max(0, ...(await heights()).map((h) => h ?? 0));
    const deadline = Date.now() + 30_000;
    while ((await heights()).some((h) => h !== undefined && h < target)) {
      if (Date.now() > deadline) throw new Error(`${channel}: a peer is still below height ${String(target)} after 30 s`);
      await sleep(100);
    }
  }

  async evaluate(contract: string, fn: string, args: readonly string[] = [], options: CallOptions = {}): Promise<string> {
    return Actor.coded(this.contract(contract).evaluate(fn, Actor.proposalOptions(args, options)));
  }

  private static async coded(call: Promise<Uint8Array>): Promise<string> {
    try {
      return Buffer.from(await call).toString('utf8');
    } catch (error) {
      throw chaincodeErrorOf(error) ?? error;
    }
  }

  async submitJson<T>(contract: string, fn: string, args: readonly string[] = [], options: CallOptions = {}): Promise<T> {
    return JSON.parse(await this.submit(contract, fn, args, options)) as T;
  }

  async evaluateJson<T>(contract: string, fn: string, args: readonly string[] = [], options: CallOptions = {}): Promise<T> {
    return JSON.parse(await this.evaluate(contract, fn, args, options)) as T;
  }

  close(): void {
    this.connection.close();
  }
}
