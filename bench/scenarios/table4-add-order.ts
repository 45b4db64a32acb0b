/**
 * Table 4's "add order" (PAPER.md §7) as a script: USERS virtual users (30), closed loop, each
 * declaring orders of its own one after another (endorse by the exchange and the user's org with
 * private terms, order, commit), after a warm-up scenario. The paper's figures are the thresholds.
 * The Table 4 reproduction, the gate and the capacity sweep run it (lib/table4.ts: RATE, VIA).
 *
 *   npm run bench -- run bench/scenarios/table4-add-order.ts --env DURATION=10m
 */
import { check } from '@energysale/bench/script';
import execution from '@energysale/bench/script/execution';

import { orderOf, userOfVu } from './lib/retail';
import { CREATED, declare, table4Options, table4Setup, type Table4Data } from './lib/table4';

export const options = table4Options('add_order');

export function setup(): Promise<Table4Data> {
  return table4Setup(0);
}

export default async function (data: Table4Data): Promise<void> {
  const user = userOfVu(data.fixture.users);
  // Ids of the user's own: the run's, the scenario's, the VU's and its iteration's.
  const id = `${data.fixture.runId}-${execution.scenario.name}-${user.user}-${execution.vu.idInTest}-${execution.vu.iterationInScenario}`;
  const res = await declare(data, user, id);
  check(res, {
    [`order created (${CREATED})`]: (r) => r.status === CREATED,
    'the order is the one sent, submitted': (r) => {
      const order = orderOf(r);
      return order?.id === id && order.status === 'submitted' && order.stage === 'drafting';
    },
  });
}
