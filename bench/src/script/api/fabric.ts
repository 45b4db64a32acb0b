/**
 * `@energysale/bench/script/fabric`: chaincode calls straight to the Fabric Gateway as a named
 * enrolled identity, with no HTTP, nginx or service in the way (the service's own Fabric client).
 * Each call is a `fabric_reqs` / `fabric_req_duration` / `fabric_req_failed` sample.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { declareOrderCall, readOrderCall, type Call, type OrderDeclaration, type TradeTerms } from '@energysale/service';

import { GatewayEngine, type GatewayMode } from '../../engine/gateway';
import { contextTags, currentCall, currentRun, IterationInterrupted, ScriptContextError, throwIfInterrupted, type RunContext } from '../runtime/context';

export interface FabricCall {
  /** The caller's org key ('consumer', 'retailer', 'exchange') and enrolled user name. */
  readonly org: string;
  readonly user: string;
  /** The chaincode: default the retail one; another deployed beside it by name (`network deploy --name`, bench ceiling's `calibration`). */
  readonly chaincode?: string;
  /** The contract in the chaincode; default 'orders'. */
  readonly contract?: string;
  readonly fn: string;
  readonly args?: readonly string[];
  readonly transient?: Readonly<Record<string, string>>;
  /** MSP ids that must endorse (private data writes). */
  readonly endorsingOrgs?: readonly string[];
  /** Added to the call's samples. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface FabricResponse {
  /** 200, or the service's status for the error (4xx refused by the chaincode, 503 invalidated, ...). */
  readonly status: number;
  /** '' or "<status> <CODE>: detail". */
  readonly error: string;
  /** The chaincode's result (or the problem body) as text. */
  readonly body: string;
  /** Ms from sending to the answer (for a submit: endorsed, ordered and committed). */
  readonly duration: number;
  json(): unknown;
}

const ENGINE_KEY = 'fabric.gateway';

function engineOf(run: RunContext): GatewayEngine {
  let engine = run.resources.get(ENGINE_KEY) as GatewayEngine | undefined;
  if (engine === undefined) {
    const network = run.network;
    if (network === undefined) throw new ScriptContextError('fabric: this run has no network (bring it up with `npm run network -- up`)');
    engine = GatewayEngine.open(network.topology, network.layout);
    run.resources.set(ENGINE_KEY, engine);
  }
  return engine;
}

async function invoke(mode: GatewayMode, request: FabricCall): Promise<FabricResponse> {
  const run = currentRun(`fabric.${mode.toLowerCase()}`);
  const call = currentCall();
  if (call === undefined) throw new ScriptContextError('fabric calls are made in setup(), an iteration or teardown()');
  throwIfInterrupted(call);
  const engine = engineOf(run);
  const chaincodeCall: Call = {
    ...(request.chaincode !== undefined && { chaincode: request.chaincode }),
    contract: request.contract ?? 'orders',
    fn: request.fn,
    args: [...(request.args ?? [])],
    ...(request.transient && { transient: { ...request.transient } }),
    ...(request.endorsingOrgs && { endorsingOrgs: [...request.endorsingOrgs] }),
  };
  const lag = call.startLagMs;
  call.startLagMs = 0;
  const startMs = Date.now();
  const started = performance.now();
  const interrupted = new Promise<never>((_, reject) => {
    call.signal.addEventListener('abort', () => {
      reject(new IterationInterrupted('the iteration was interrupted during a Fabric call'));
    }, { once: true });
  });
  interrupted.catch(() => undefined);
  const answer = await Promise.race([engine.invoke(mode, request.org, request.user, chaincodeCall), interrupted]);
  const duration = performance.now() - started + lag;
  const tags = {
    ...contextTags(run, call),
    mode,
    ...(request.chaincode !== undefined && { chaincode: request.chaincode }),
    contract: chaincodeCall.contract,
    fn: chaincodeCall.fn,
    org: request.org,
    status: String(answer.status),
    ...request.tags,
  };
  run.store.addAll(
    [
      ['fabric_reqs', 1],
      ['fabric_req_duration', duration],
      ['fabric_req_failed', answer.status === 200 ? 0 : 1],
    ],
    tags,
    startMs,
  );
  const body = answer.body.toString('utf8');
  return { status: answer.status, error: answer.error ?? '', body, duration, json: () => JSON.parse(body) as unknown };
}

/** Endorses, orders and waits for the commit of a transaction. */
export function submit(request: FabricCall): Promise<FabricResponse> {
  return invoke('SUBMIT', request);
}

/** Asks one peer (no ordering, nothing written). */
export function evaluate(request: FabricCall): Promise<FabricResponse> {
  return invoke('EVALUATE', request);
}

/** The retail contract's calls the service makes, for scripts that go straight to the gateway. */
export const calls = {
  /**
   * DeclareOrder by a user of `org`: the terms private to the parties, endorsed by the exchange and
   * the user's org; without a salt, a random one hides the terms behind their public hash.
   */
  declareOrder(org: string, declaration: OrderDeclaration, terms: Omit<TradeTerms, 'salt'> & { readonly salt?: string }): Omit<FabricCall, 'org' | 'user'> {
    const network = currentRun('fabric.calls.declareOrder').network;
    if (network === undefined) throw new ScriptContextError('fabric.calls: this run has no network');
    return declareOrderCall(network.topology, org, declaration, { ...terms, salt: terms.salt ?? randomBytes(16).toString('hex') });
  },
  readOrder(id: string): Omit<FabricCall, 'org' | 'user'> {
    return readOrderCall(id);
  },
};

const fabric = { submit, evaluate, calls };
export default fabric;
