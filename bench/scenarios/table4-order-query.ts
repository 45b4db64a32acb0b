/**
 * Table 4's "order query" (PAPER.md §7) as a script: USERS virtual users (30), closed loop, each
 * reading its own preloaded orders by id (an evaluate: no consensus), after a warm-up scenario whose
 * figures are kept apart. The paper's figures are the thresholds (exit 99 below them). The Table 4
 * reproduction, the gate and the capacity sweep run it (lib/table4.ts: RATE, VIA).
 *
 *   npm run bench -- run bench/scenarios/table4-order-query.ts --env DURATION=10m
 */
import { check } from '@energysale/bench/script';
import execution from '@energysale/bench/script/execution';

import { envNumber, orderOf, userOfVu } from './lib/retail';
import { read, table4Options, table4Setup, type Table4Data } from './lib/table4';

export const options = table4Options('order_query');

export function setup(): Promise<Table4Data> {
  return table4Setup(envNumber('PRELOAD', 1));
}

export default async function (data: Table4Data): Promise<void> {
  const user = userOfVu(data.fixture.users);
  const ids = data.fixture.preloaded[data.fixture.users.indexOf(user)] ?? [];
  const id = ids[execution.vu.iterationInScenario % Math.max(1, ids.length)];
  if (id === undefined) throw new Error(`${user.user} has no preloaded order`);
  const res = await read(data, user, id);
  check(res, {
    'order read (200)': (r) => r.status === 200,
    'the order asked for, with its terms': (r) => {
      const order = orderOf(r);
      return order?.id === id && typeof order.terms === 'object';
    },
  });
}
