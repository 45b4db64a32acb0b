/**
 * Table 4's "order query" (PAPER.md §7) as a script: USERS virtual users (30), closed loop, each
 * reading its own preloaded orders by id (an evaluate: no consensus), after a warm-up scenario whose
 * figures are kept apart. The paper's figures are the thresholds (exit 99 below them).
 *
 *   npm run bench -- run bench/scenarios/table4-order-query.ts --env DURATION=10m
 */
import { check } from '@energysale/bench/script';
import execution from '@energysale/bench/script/execution';
import network, { type Fixture } from '@energysale/bench/script/network';

import { envNumber, orderOf, readOrder, userOfVu } from './lib/retail';

const USERS = envNumber('USERS', 30);
const WARMUP = __ENV.WARMUP ?? '30s';
const DURATION = __ENV.DURATION ?? '10m';

export const options = {
  scenarios: {
    warmup: { executor: 'constant-vus', vus: USERS, duration: WARMUP, gracefulStop: '0s' },
    order_query: { executor: 'constant-vus', vus: USERS, duration: DURATION, startTime: WARMUP, tags: { test: 'order_query' } },
  },
  thresholds: network.paperThresholds('order_query'),
  setupTimeout: '5m',
};

interface Data {
  readonly fixture: Fixture;
  readonly baseUrl: string;
}

export async function setup(): Promise<Data> {
  return { fixture: await network.table4Fixture({ users: USERS, preloadOrdersPerUser: envNumber('PRELOAD', 1) }), baseUrl: network.baseUrl() };
}

export default async function (data: Data): Promise<void> {
  const user = userOfVu(data.fixture.users);
  const ids = data.fixture.preloaded[data.fixture.users.indexOf(user)] ?? [];
  const id = ids[execution.vu.iterationInScenario % Math.max(1, ids.length)];
  if (id === undefined) throw new Error(`${user.user} has no preloaded order`);
  const res = await readOrder(data.baseUrl, user.token, id);
  check(res, {
    'order read (200)': (r) => r.status === 200,
    'the order asked for, with its terms': (r) => {
      const order = orderOf(r);
      return order?.id === id && typeof order.terms === 'object';
    },
  });
}
