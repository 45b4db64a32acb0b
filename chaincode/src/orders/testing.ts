import type { Context } from 'fabric-contract-api';

import { stableStringify } from '../json';
import { FakeLedger, fakeContext, type FakeCaller, type FakeOptions } from '../testing/fake-context';
import { OrderContract } from './contract';
import type { Action, OrderState, ReviewMode } from './lifecycle';
import type { OrderRecord } from './model';

/** The cast of the order tests: the order's own parties, strangers of the same roles, the exchange, the regulator. */
export const cast = {
  buyer: { mspId: 'ConsumerOrgMSP', role: 'consumer', id: 'x509::/OU=client/CN=consumer1::/CN=ca.consumerorg' },
  otherConsumer: { mspId: 'ConsumerOrgMSP', role: 'consumer', id: 'x509::/OU=client/CN=consumer2::/CN=ca.consumerorg' },
  seller: { mspId: 'RetailerOrgMSP', role: 'retailer', id: 'x509::/OU=client/CN=retailer1::/CN=ca.retailerorg' },
  otherRetailer: { mspId: 'RetailerOrgMSP', role: 'retailer', id: 'x509::/OU=client/CN=retailer2::/CN=ca.retailerorg' },
  exchange: { mspId: 'ExchangeOrgMSP', role: 'exchange', id: 'x509::/OU=client/CN=exchange1::/CN=ca.exchangeorg' },
  regulator: { mspId: 'ExchangeOrgMSP', role: 'regulator', id: 'x509::/OU=client/CN=regulator1::/CN=ca.exchangeorg' },
} as const satisfies Record<string, FakeCaller>;

export const t0 = new Date('2025-06-01T08:00:00.000Z');

export const terms = { quantityMWh: '1234.567', tradePrice: '387.65', settlementPrice: '381.05', salt: 'a-salt-of-16+chars' };

/** Calls the contract's transaction for `action` on order `id`. */
export function act(contract: OrderContract, action: Exclude<Action, 'declare'>, ctx: Context, id: string): Promise<string> {
  switch (action) {
    case 'confirm':
      return contract.ConfirmOrder(ctx, id);
    case 'approve':
      return contract.ApproveOrder(ctx, id);
    case 'reject':
      return contract.RejectOrder(ctx, id, 'not acceptable');
    case 'sign':
      return contract.SignOrder(ctx, id);
    case 'start-execution':
      return contract.StartExecution(ctx, id);
    case 'expire':
      return contract.ExpireOrder(ctx, id);
    case 'dispute':
      return contract.DisputeOrder(ctx, id, 'meter readings differ');
    case 'resolve':
      return contract.ResolveDispute(ctx, id, 'readings corrected');
    case 'cancel':
      return contract.CancelOrder(ctx, id, 'changed plans');
    case 'delete':
      return contract.DeleteOrder(ctx, id);
  }
}

/** An order of `cast.buyer` with `cast.seller`, written straight into the ledger in `state`. */
export function seedOrder(ledger: FakeLedger, id: string, state: OrderState, mode: ReviewMode = 'after-confirmation'): OrderRecord {
  const order: OrderRecord = {
    ...state,
    id,
    packageId: 'pkg-1',
    packageVersion: 1,
    content: 'baseload, 2025-07',
    buyer: { handle: 'ConsumerOrgMSP/consumer1', mspId: 'ConsumerOrgMSP' },
    buyerType: 'power-user',
    seller: { handle: 'RetailerOrgMSP/retailer1', mspId: 'RetailerOrgMSP' },
    reviewMode: mode,
    operator: 'user',
    operatorId: 'ConsumerOrgMSP/consumer1',
    refreshTime: t0.toISOString(),
    createdAt: t0.toISOString(),
    termsHash: '0'.repeat(64),
    historyLength: 1,
  };
  const ctx = fakeContext(ledger, cast.buyer, t0);
  ledger.state.set(ctx.stub.createCompositeKey('order', [id]), stableStringify(order));
  return order;
}

export function ctxOf(ledger: FakeLedger, caller: FakeCaller, at = t0, options: FakeOptions = {}): Context {
  return fakeContext(ledger, caller, at, options);
}
