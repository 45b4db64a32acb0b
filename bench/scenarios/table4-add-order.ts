/**
 * Table 4's "add order" (PAPER.md §7) as a script: USERS virtual users (30), closed loop, each
 * declaring orders of its own one after another (endorse by the exchange and the user's org with
 * private terms, order, commit), after a warm-up scenario. The paper's figures are the thresholds.
 *
 *   npm run bench -- run bench/scenarios/table4-add-order.ts --env DURATION=10m
 */
import { check } from '@energysale/bench/script';
import execution from '@energysale/bench/script/execution';
import network, { type Fixture } from '@energysale/bench/script/network';

import { declareOrder, envNumber, orderOf, userOfVu } from './lib/retail';

const USERS = envNumber('USERS', 30);
const WARMUP = __ENV.WARMUP ?? '30s';
const DURATION = __ENV.DURATION ?? '10m';

export const options = {
  scenarios: {
    warmup: { executor: 'constant-vus', vus: USERS, duration: WARMUP, gracefulStop: '0s' },
    add_order: { executor: 'constant-vus', vus: USERS, duration: DURATION, startTime: WARMUP, tags: { test: 'add_order' } },
  },
  thresholds: network.paperThresholds('add_order'),
  setupTimeout: '5m',
};

interface Data {
  readonly fixture: Fixture;
  readonly baseUrl: string;
}

export async function setup(): Promise<Data> {
  return { fixture: await network.table4Fixture({ users: USERS, preloadOrdersPerUser: 0 }), baseUrl: network.baseUrl() };
}

export default async function (data: Data): Promise<void> {
  const user = userOfVu(data.fixture.users);
  // Ids of the user's own: the run's, the scenario's, the VU's and its iteration's.
  const id = `${data.fixture.runId}-${execution.scenario.name}-${user.user}-${execution.vu.idInTest}-${execution.vu.iterationInScenario}`;
  const res = await declareOrder({ baseUrl: data.baseUrl, seller: data.fixture.seller, packageId: data.fixture.packageId }, user, id, 'Table 4 add order');
  check(res, {
    'order created (201)': (r) => r.status === 201,
    'the order is the one sent, submitted': (r) => {
      const order = orderOf(r);
      return order?.id === id && order.status === 'submitted' && order.stage === 'drafting';
    },
  });
}
