import type { Context } from 'fabric-contract-api';

import { ContractError } from '../errors';
import { authorize, handleOf, ROLES, type Caller, type Role } from '../identity';
import { OPERATOR_ROLE, type Operator } from './lifecycle';
import type { OrderRecord } from './model';

/** The Table 1 operator a role acts as; undefined for the regulator, who never acts. */
export function operatorOf(role: Role): Operator | undefined {
  return (Object.keys(OPERATOR_ROLE) as Operator[]).find((op) => OPERATOR_ROLE[op] === role);
}

/** The order's own party the caller is, if any: its user (buyer) or its retailer (seller). */
export function partyOf(order: OrderRecord, caller: Caller): 'user' | 'retailer' | undefined {
  const handle = handleOf(caller);
  if (caller.role === 'consumer' && order.buyer.handle === handle) return 'user';
  if (caller.role === 'retailer' && order.seller.handle === handle) return 'retailer';
  return undefined;
}

export type Viewer = { readonly caller: Caller; readonly party: 'user' | 'retailer' | undefined };

/**
 * Who may look at an order: its two parties, the exchange and the regulator (PAPER.md §4: each
 * participant has its own view). Another user or retailer is refused, as if the order were theirs
 * to see it would leak who trades with whom.
 */
export function authorizeViewer(ctx: Context, order: OrderRecord, action: string): Viewer {
  const caller = authorize(ctx.clientIdentity, ROLES, action);
  const party = partyOf(order, caller);
  if (party === undefined && caller.role !== 'exchange' && caller.role !== 'regulator') {
    throw new ContractError('FORBIDDEN_ROLE', `${handleOf(caller)} is not a party to order '${order.id}'`);
  }
  return { caller, party };
}
