/**
 * The retail contract's whole lifecycle (PAPER.md §2, Table 1) through the retail service, one order
 * per iteration: the user declares, the retailer confirms, the user confirms, the exchange approves,
 * the user and then the retailer sign, the exchange starts execution, the retailer disputes and the
 * exchange resolves. Each step is taken by its own identity in a group of its own, so the summary
 * shows each step's latency, and is checked against the state the chaincode's transition table
 * gives (chaincode/src/orders/lifecycle.ts), as in service/src/routes/routes.live.test.ts.
 * teardown() reads every order back: `orders_in_final_state` proves the ledger holds each of them
 * resolved.
 *
 *   npm run bench -- run bench/scenarios/lifecycle.ts --env USERS=30 --env ITERATIONS=1
 */
import { check, fail, group, sleep, type Options } from '@energysale/bench/script';
import execution from '@energysale/bench/script/execution';
import http from '@energysale/bench/script/http';
import { Counter, Rate } from '@energysale/bench/script/metrics';
import network, { type VirtualUser } from '@energysale/bench/script/network';

import { auth, declareOrder, envNumber, newRunId, orderId, orderOf, postJson, readOrder, reviewMode, userOfVu, type MarketSetup, type Order } from './lib/retail';

/** Enrolled users, and VUs: one user each. */
const USERS = envNumber('USERS', 30);
/** Orders each VU takes through the lifecycle. */
const ITERATIONS = envNumber('ITERATIONS', 1);

export const options: Options = {
  scenarios: {
    lifecycle: { executor: 'per-vu-iterations', vus: USERS, iterations: ITERATIONS, maxDuration: '10m' },
  },
  thresholds: {
    // Every step's final answer, and every order on the ledger. The only failed requests expected are
    // stale endorsements, tried again (stale_endorsements counts them).
    checks: ['rate==1'],
    http_req_failed: ['rate<0.05'],
    orders_in_final_state: ['rate==1'],
  },
  // Enrolling users with the CA takes a few seconds per ten.
  setupTimeout: '5m',
  teardownTimeout: '5m',
};

/** One sample per order the run meant to make: 1 when the ledger holds it in the final state. */
const inFinalState = new Rate('orders_in_final_state');
/**
 * A step refused because the peer that endorsed it had not yet committed the previous step (the
 * service acknowledged that one once its own org's peer had): 409 with the order still in the
 * previous state. The client tries again (at most STALE_RETRIES times, 200 ms apart); each retry is
 * counted here, by step, and its time is in the step's latency.
 */
const staleEndorsements = new Counter('stale_endorsements');
const STALE_RETRIES = 5;

type Actor = 'user' | 'retailer' | 'exchange';

/** A state of Table 1: process stage, operation status and who acts next. */
interface State {
  readonly stage: string;
  readonly status: string;
  readonly next: Order['nextOperator'];
}

interface Step {
  /** The group, and so the summary's row: the action, and its actor where two take it. */
  readonly name: string;
  /** The route: POST /orders/:id/<action>. */
  readonly action: string;
  readonly by: Actor;
  /** Steps that take a reason send {reason} (service/src/routes/orders.ts STEPS). */
  readonly reason?: string;
  readonly after: State;
}

/** After the declaration (review after confirmation, the normal flow). */
const DECLARED: State = { stage: 'drafting', status: 'submitted', next: 'retailer' };
/** In execution, supervised by the exchange: after it starts execution, and again once it resolved a dispute. */
const EXECUTING: State = { stage: 'execution', status: 'executing', next: 'exchange' };

/** The steps after the declaration, in order, with the state each leaves (chaincode TRANSITIONS). */
const STEPS: readonly Step[] = [
  { name: 'confirm-retailer', action: 'confirm', by: 'retailer', after: { stage: 'drafting', status: 'confirmed', next: 'user' } },
  { name: 'confirm-user', action: 'confirm', by: 'user', after: { stage: 'review', status: 'pending', next: 'exchange' } },
  { name: 'approve', action: 'approve', by: 'exchange', after: { stage: 'signing', status: 'pending', next: 'user' } },
  { name: 'sign-user', action: 'sign', by: 'user', after: { stage: 'signing', status: 'pending', next: 'retailer' } },
  { name: 'sign-retailer', action: 'sign', by: 'retailer', after: { stage: 'signing', status: 'signed', next: 'exchange' } },
  { name: 'start-execution', action: 'start-execution', by: 'exchange', after: EXECUTING },
  { name: 'dispute', action: 'dispute', by: 'retailer', reason: 'meter reading', after: { stage: 'frozen', status: 'disputed', next: 'exchange' } },
  { name: 'resolve', action: 'resolve', by: 'exchange', reason: 'reading corrected', after: EXECUTING },
];

/** A finished order: resolved, back in execution, its history the declaration and every step (unlike one just started). */
const FINAL = EXECUTING;
const FINAL_HISTORY = 1 + STEPS.length;

/** The chaincode refused the step seeing the order still in the state before it (chaincode/src/orders/lifecycle.ts's message). */
function isStale(status: number, body: string | null, before: State): boolean {
  return status === 409 && (body ?? '').includes('ILLEGAL_TRANSITION') && (body ?? '').includes(`is ${before.status} in ${before.stage}:`);
}

const describe = (s: State): string => `${s.stage}/${s.status}, next ${s.next ?? 'nobody'}`;
const isIn = (order: Order | undefined, s: State): boolean => order?.stage === s.stage && order.status === s.status && order.nextOperator === s.next;

interface Setup extends MarketSetup {
  readonly retailerToken: string;
  readonly exchangeToken: string;
  /** The VUs and iterations per VU the run makes: teardown() finds the orders from them. */
  readonly vus: number;
  readonly iterations: number;
}

/**
 * The VUs and iterations per VU the run will make, from the options it resolved: the command
 * line's --vus/--iterations replace the scenario with shared iterations, whose orders cannot be
 * found again by VU and iteration unless one VU makes them all.
 */
function plannedOrders(): { vus: number; iterations: number } {
  const scenarios = Object.values((execution.test.options as Options).scenarios ?? {});
  const [only] = scenarios;
  if (scenarios.length === 1 && only?.executor === 'per-vu-iterations') return { vus: only.vus ?? 1, iterations: only.iterations ?? 1 };
  if (scenarios.length === 1 && only?.executor === 'shared-iterations' && (only.vus ?? 1) === 1) return { vus: 1, iterations: only.iterations ?? 1 };
  throw new Error('lifecycle.ts finds its orders by VU and iteration: set --env USERS=… --env ITERATIONS=… rather than --vus/--iterations (or --vus 1)');
}

export async function setup(): Promise<Setup> {
  const planned = plannedOrders();
  const baseUrl = network.baseUrl();
  const exchangeToken = network.token('exchange', 'exchange1');
  // The steps above are the normal flow; with review at submission the exchange approves first.
  const mode = await reviewMode(baseUrl, exchangeToken);
  if (mode !== 'after-confirmation') throw new Error(`the review mode is ${mode}: lifecycle.ts follows the flow with review after confirmation`);
  const users = await network.enrollUsers('consumer', USERS, { prefix: 'lc', role: 'consumer' });
  const runId = newRunId('lc');
  const { seller, packageId, retailerToken } = await network.retailer(`lc-pkg-${Date.now()}`, 'lifecycle benchmark package');
  return { runId, baseUrl, users, seller, packageId, retailerToken, exchangeToken, ...planned };
}

/** One order through every step; a step that fails ends the iteration (the next would be illegal). */
export default async function (data: Setup): Promise<void> {
  const user = userOfVu(data.users);
  const id = orderId(data.runId, execution.vu.idInTest, execution.vu.iterationInScenario);
  const tokens: Readonly<Record<Actor, string>> = { user: user.token, retailer: data.retailerToken, exchange: data.exchangeToken };

  await group('declare', async () => {
    const res = await declareOrder(data, user, id, 'lifecycle benchmark');
    const order = orderOf(res);
    const ok = check(res, {
      'declared (201)': (r) => r.status === 201,
      [`is ${describe(DECLARED)}`]: () => order?.id === id && isIn(order, DECLARED),
    });
    if (!ok) fail(`declare ${id}: ${res.status} ${res.body ?? res.error}`);
  });

  for (const [i, step] of STEPS.entries()) {
    const before = STEPS[i - 1]?.after ?? DECLARED;
    await group(step.name, async () => {
      const url = `${data.baseUrl}/orders/${id}/${step.action}`;
      const params = auth(tokens[step.by], `POST /orders/:id/${step.action}`);
      // A step without a reason takes no body at all (an empty JSON body is refused).
      const send = () => (step.reason === undefined ? http.post(url, null, params) : postJson(url, { reason: step.reason }, params));
      let res = await send();
      for (let retry = 0; retry < STALE_RETRIES && isStale(res.status, res.body, before); retry++) {
        staleEndorsements.add(1, { step: step.name });
        await sleep(0.2);
        res = await send();
      }
      const order = orderOf(res);
      const ok = check(res, {
        [`${step.action} by the ${step.by} (200)`]: (r) => r.status === 200,
        [`is ${describe(step.after)}`]: () => order?.id === id && isIn(order, step.after),
      });
      if (!ok) fail(`${step.name} of ${id}: ${res.status} ${res.body ?? res.error}`);
    });
  }
}

/** Reads every order the run meant to make, as its user, and counts those in the final state. */
export async function teardown(data: Setup): Promise<void> {
  const wanted: { id: string; user: VirtualUser }[] = [];
  for (let vu = 1; vu <= data.vus; vu++) {
    const user = data.users[(vu - 1) % Math.max(1, data.users.length)];
    if (user === undefined) return;
    for (let iteration = 0; iteration < data.iterations; iteration++) wanted.push({ id: orderId(data.runId, vu, iteration), user });
  }
  // A missing order is an answer here (404): orders_in_final_state counts it, http_req_failed does not.
  const params = { responseCallback: http.expectedStatuses(200, 404), tags: { phase: 'teardown' } };
  const BATCH = 20;
  let final = 0;
  for (let i = 0; i < wanted.length; i += BATCH) {
    const chunk = wanted.slice(i, i + BATCH);
    const answers = await Promise.all(chunk.map((w) => readOrder(data.baseUrl, w.user.token, w.id, params)));
    for (const res of answers) {
      const order = orderOf(res);
      const ok = res.status === 200 && isIn(order, FINAL) && order?.historyLength === FINAL_HISTORY;
      inFinalState.add(ok);
      if (ok) final += 1;
    }
  }
  console.log(`teardown: ${final} of ${wanted.length} orders are ${describe(FINAL)} with ${FINAL_HISTORY} history entries`);
}
