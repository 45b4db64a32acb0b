/**
 * The ceiling (issue 28): what Fabric itself allows on this machine, with the least a chaincode can
 * do. USERS virtual users (30, as Table 4), each its own enrolled identity, in a closed loop straight
 * to the Fabric Gateway (no nginx or service) against the `calibration` chaincode
 * (bench/calibration/chaincode, deployed by `bench ceiling`):
 *   TEST=evaluate  a no-op read (Noop): the evaluate round trip alone;
 *   TEST=write     a blind write of one key (Put), unique per iteration: endorse, order, commit.
 * A WARMUP scenario first (its figures apart; WARMUP=0s for none), then the measured scenario,
 * named after the test, for DURATION. `bench ceiling` runs both and the CPU of each process group.
 *
 *   npm run bench -- run bench/scenarios/ceiling.ts --no-service --env TEST=write --env DURATION=30s
 */
import { check, type Options, type Scenario } from '@energysale/bench/script';
import execution from '@energysale/bench/script/execution';
import fabric from '@energysale/bench/script/fabric';
import network, { type VirtualUser } from '@energysale/bench/script/network';

import { envNumber, newRunId, userOfVu } from './lib/retail';

/** The chaincode `bench ceiling` deploys, and its one contract. */
const CHAINCODE = 'calibration';

export const TEST = testOf(__ENV.TEST);
const USERS = envNumber('USERS', 30);
/** Table 4's users: consumer users `vu0001`, ... (enrolled again, an identity already there is reused). */
const ORG = 'consumer';

function testOf(raw: string | undefined): 'evaluate' | 'write' {
  if (raw === undefined || raw === '' || raw === 'evaluate') return 'evaluate';
  if (raw === 'write') return 'write';
  throw new TypeError(`__ENV.TEST=${raw}: evaluate or write`);
}

function scenarios(): Record<string, Scenario> {
  const warmup = __ENV.WARMUP ?? '10s';
  const load = (duration: string): Scenario => ({ executor: 'constant-vus', vus: USERS, duration });
  // Every call the measured scenario starts is answered or times out before it stops: none is left out.
  const measured: Scenario = { ...load(__ENV.DURATION ?? '1m'), gracefulStop: '61s', tags: { test: TEST } };
  if (/^0+(ms|s|m|h)?$/.test(warmup)) return { [TEST]: measured };
  return { warmup: { ...load(warmup), gracefulStop: '0s' }, [TEST]: { ...measured, startTime: warmup } };
}

export const options: Options = {
  scenarios: scenarios(),
  // No figure to reach: a ceiling is what it is. Every call must succeed for it to be one.
  thresholds: { [`fabric_req_failed{scenario:${TEST}}`]: ['rate==0'], [`checks{scenario:${TEST}}`]: ['rate==1'] },
  setupTimeout: '5m',
};

interface Data {
  readonly runId: string;
  readonly users: readonly VirtualUser[];
}

export async function setup(): Promise<Data> {
  return { runId: newRunId('cl'), users: await network.enrollIdentities(ORG, USERS) };
}

export default async function (data: Data): Promise<void> {
  const caller = { org: ORG, user: userOfVu(data.users).user, chaincode: CHAINCODE, contract: CHAINCODE };
  if (TEST === 'evaluate') {
    const res = await fabric.evaluate({ ...caller, fn: 'Noop', tags: { name: 'Noop' } });
    check(res, { 'evaluated (200)': (r) => r.status === 200 });
    return;
  }
  // The run's, the scenario's, the VU's and its iteration's: no two writes share a key.
  const key = `${data.runId}-${execution.scenario.name}-${execution.vu.idInTest}-${execution.vu.iterationInScenario}`;
  const res = await fabric.submit({ ...caller, fn: 'Put', args: [key, '1'], tags: { name: 'Put' } });
  check(res, { 'committed (200)': (r) => r.status === 200 });
}
