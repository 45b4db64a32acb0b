/**
 * Declarations straight to the Fabric Gateway, with no nginx or retail service in the way: each
 * iteration submits DeclareOrder as an enrolled user (its terms in the transient map, endorsed by
 * the exchange and the user's org) and reads the order back as that user. Beside the same load
 * through the service, it shows what the service costs (the harness ceiling of Table 4).
 *
 *   npm run bench -- run bench/scenarios/gateway.ts --env VUS=10 --env DURATION=1m
 */

import { check, fail, group, type Options } from '@energysale/bench/script';
import execution from '@energysale/bench/script/execution';
import fabric from '@energysale/bench/script/fabric';
import network, { type VirtualUser } from '@energysale/bench/script/network';

import { envNumber, newRunId, orderId, orderOf, userOfVu } from './lib/retail';

/** Closed loop: VUs, each its own enrolled user, declaring for DURATION. */
const VUS = envNumber('VUS', 5);
const DURATION = __ENV.DURATION ?? '20s';

export const options: Options = {
  scenarios: {
    gateway: { executor: 'constant-vus', vus: VUS, duration: DURATION },
  },
  thresholds: {
    checks: ['rate==1'],
    fabric_req_failed: ['rate==0'],
  },
  setupTimeout: '5m',
};

interface Setup {
  readonly runId: string;
  readonly users: VirtualUser[];
  readonly seller: string;
  readonly packageId: string;
}

export async function setup(): Promise<Setup> {
  // Enrolment and the package go through the service once; the iterations do not.
  const users = await network.enrollUsers('consumer', VUS, { prefix: 'gw', role: 'consumer' });
  const { seller, packageId } = await network.retailer(`gw-pkg-${Date.now()}`, 'gateway benchmark package');
  return { runId: newRunId('gw'), users, seller, packageId };
}

export default async function (data: Setup): Promise<void> {
  const user = userOfVu(data.users);
  const id = orderId(data.runId, execution.vu.idInTest, execution.vu.iterationInScenario);
  const declaration = { id, packageId: data.packageId, content: 'gateway benchmark', seller: data.seller };
  // Straight to the chaincode the terms need a salt (the service adds one); calls.declareOrder draws one.
  const terms = network.orderTerms();
  const caller = { org: 'consumer', user: user.user };

  await group('declare', async () => {
    const res = await fabric.submit({ ...caller, ...fabric.calls.declareOrder('consumer', declaration, terms), tags: { name: 'DeclareOrder' } });
    const order = orderOf(res);
    const ok = check(res, {
      'committed (200)': (r) => r.status === 200,
      'is the order sent, submitted by the user to the retailer': () =>
        order?.id === id && order.status === 'submitted' && order.buyer.handle === user.handle && order.seller.handle === data.seller,
    });
    if (!ok) fail(`DeclareOrder ${id}: ${res.status} ${res.error}`);
  });

  await group('read', async () => {
    const res = await fabric.evaluate({ ...caller, ...fabric.calls.readOrder(id), tags: { name: 'ReadOrder' } });
    const order = orderOf(res);
    check(res, {
      'read (200)': (r) => r.status === 200,
      'is the order declared, with its terms': () =>
        order?.id === id && order.packageId === data.packageId && order.terms?.tradePrice === terms.tradePrice && order.terms.quantityMWh === terms.quantityMWh,
    });
  });
}
