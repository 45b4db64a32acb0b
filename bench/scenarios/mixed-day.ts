/**
 * A mixed day on the retail service: declarations arrive at a rate that ramps up, holds and ramps
 * down (open model: they come whether or not the platform keeps up), each followed by ten reads of
 * the user's own orders; beside them the regulator audits the trade results at a low constant rate.
 * The defaults last about 30 s, for CI; every rate and duration can be raised with --env.
 *
 *   npm run bench -- run bench/scenarios/mixed-day.ts --env PEAK_RATE=5 --env HOLD=120
 */
import { check, fail, group, type Options } from '@energysale/bench/script';
import execution from '@energysale/bench/script/execution';
import http from '@energysale/bench/script/http';
import network from '@energysale/bench/script/network';

import { auth, declareOrder, envNumber, newRunId, orderId, orderOf, readOrder, userOfVu, type MarketSetup } from './lib/retail';

/** Enrolled users, and the most VUs the declarations may take. */
const USERS = envNumber('USERS', 20);
/** Declarations per second at the start, at the peak; seconds of ramp up, hold and ramp down. */
const START_RATE = envNumber('START_RATE', 1);
const PEAK_RATE = envNumber('PEAK_RATE', 2);
const RAMP_UP = envNumber('RAMP_UP', 10);
const HOLD = envNumber('HOLD', 10);
const RAMP_DOWN = envNumber('RAMP_DOWN', 10);
/** Reads after each declaration. */
const READS = envNumber('READS', 10);
/** The regulator's audits per minute, and the trade results each reads. */
const AUDITS_PER_MIN = envNumber('AUDITS_PER_MIN', 12);
const AUDIT_PAGE_SIZE = envNumber('AUDIT_PAGE_SIZE', 50);
/** p(95) limits of each scenario's requests, ms (a declaration is a ledger write: endorse, order, commit). */
const P95_DECLARATIONS_MS = envNumber('P95_DECLARATIONS_MS', 3000);
const P95_AUDIT_MS = envNumber('P95_AUDIT_MS', 2000);

export const options: Options = {
  scenarios: {
    declarations: {
      executor: 'ramping-arrival-rate',
      startRate: START_RATE,
      timeUnit: '1s',
      stages: [
        { duration: `${RAMP_UP}s`, target: PEAK_RATE },
        { duration: `${HOLD}s`, target: PEAK_RATE },
        { duration: `${RAMP_DOWN}s`, target: 0 },
      ],
      // An iteration (a commit and ten reads) takes a few seconds: a few VUs per declaration a second.
      preAllocatedVUs: Math.max(1, Math.min(USERS, Math.ceil(PEAK_RATE * 3))),
      maxVUs: Math.max(1, USERS),
    },
    audit: {
      executor: 'constant-arrival-rate',
      exec: 'audit',
      rate: AUDITS_PER_MIN,
      timeUnit: '1m',
      duration: `${RAMP_UP + HOLD + RAMP_DOWN}s`,
      preAllocatedVUs: 1,
      maxVUs: 2,
    },
  },
  thresholds: {
    checks: ['rate==1'],
    http_req_failed: ['rate==0'],
    'http_req_duration{scenario:declarations}': [`p(95)<${P95_DECLARATIONS_MS}`],
    'http_req_duration{scenario:audit}': [`p(95)<${P95_AUDIT_MS}`],
  },
  setupTimeout: '5m',
};

interface Setup extends MarketSetup {
  readonly regulatorToken: string;
}

export async function setup(): Promise<Setup> {
  const baseUrl = network.baseUrl();
  const users = await network.enrollUsers('consumer', USERS, { prefix: 'md', role: 'consumer' });
  const { seller, packageId } = await network.retailer(`md-pkg-${Date.now()}`, 'mixed day package');
  // The regulator: a client identity of the exchange's CA, read-only (network/src/topology/energysale.ts).
  return { runId: newRunId('md'), baseUrl, users, seller, packageId, regulatorToken: network.token('exchange', 'regulator1') };
}

/**
 * The orders each VU declared (the newest last): a VU's own, so reads need no memory shared
 * between VUs (in k6 each VU has its own module; here one module serves them all, hence the key).
 */
const declaredBy = new Map<number, string[]>();

/** A user declares an order, then reads its own orders, newest first. */
export default async function (data: Setup): Promise<void> {
  const vu = execution.vu.idInTest;
  const user = userOfVu(data.users);
  const id = orderId(data.runId, vu, execution.vu.iterationInScenario);

  await group('declare', async () => {
    const res = await declareOrder(data, user, id, 'mixed day');
    const order = orderOf(res);
    const ok = check(res, {
      'declared (201)': (r) => r.status === 201,
      'is the order sent, submitted': () => order?.id === id && order.status === 'submitted' && order.buyer.handle === user.handle,
    });
    if (!ok) fail(`declare ${id}: ${res.status} ${res.body ?? res.error}`);
  });
  // The last READS orders are enough to read from; older ones are dropped to bound memory.
  const mine = [...(declaredBy.get(vu) ?? []), id].slice(-Math.max(1, READS));
  declaredBy.set(vu, mine);

  await group('read', async () => {
    for (let i = 0; i < READS; i++) {
      const want = mine[mine.length - 1 - (i % mine.length)] ?? id;
      const res = await readOrder(data.baseUrl, user.token, want);
      const order = orderOf(res);
      check(res, {
        'read (200)': (r) => r.status === 200,
        'is the order asked for, with its terms': () => order?.id === want && order.terms !== undefined,
      });
    }
  });
}

interface TradeResults {
  readonly rows: readonly Record<string, unknown>[];
  readonly fetched: number;
}

/** The regulator reads a page of trade results: every agreed order, without quantity or price (PAPER.md §5.2). */
export async function audit(data: Setup): Promise<void> {
  const res = await http.get(`${data.baseUrl}/trade-results?pageSize=${AUDIT_PAGE_SIZE}`, auth(data.regulatorToken, 'GET /trade-results'));
  const page = res.status === 200 ? (res.json() as TradeResults) : undefined;
  check(res, {
    'trade results (200)': (r) => r.status === 200,
    'a page of rows': () => Array.isArray(page?.rows) && typeof page.fetched === 'number',
    'no quantity or price for the regulator': () => page?.rows.every((row) => !('tradePrice' in row) && !('quantityMWh' in row)) === true,
  });
}
