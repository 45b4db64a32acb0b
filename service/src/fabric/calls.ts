import { peerOrg, type Topology } from '@energysale/network';

import type { Invocation } from './client';

/** A chaincode call without its caller: what a route (or a load generator) asks the Fabric client to run. */
export type Call = Omit<Invocation, 'user'>;

export interface OrderDeclaration {
  readonly id: string;
  readonly packageId: string;
  readonly packageVersion?: number;
  readonly content: string;
  readonly seller: string;
}

export interface TradeTerms {
  readonly quantityMWh: string;
  readonly tradePrice: string;
  readonly settlementPrice: string;
  /** Hides the terms behind their public hash (at least 16 characters). */
  readonly salt: string;
}

/**
 * Declaring an order (PAPER.md §5.2): the declaration on the ledger, the terms in the transient map
 * (the private collection of the two parties keeps them; the ledger only their salted hash), endorsed
 * by the exchange and the user's own org (PAPER.md §4: the exchange endorses the parties' private
 * step too). The service's POST /orders and the benchmark's direct Fabric Gateway mode both send this.
 */
export function declareOrderCall(topology: Topology, userOrgKey: string, declaration: OrderDeclaration, terms: TradeTerms): Call {
  const userMsp = peerOrg(topology, userOrgKey).mspId;
  const exchangeMsp = topology.peerOrgs.find((o) => o.role === 'exchange')?.mspId ?? userMsp;
  return {
    contract: 'orders',
    fn: 'DeclareOrder',
    args: [JSON.stringify(declaration)],
    transient: { terms: JSON.stringify(terms) },
    endorsingOrgs: [...new Set([exchangeMsp, userMsp])],
  };
}

/** Reading one order as the caller may see it (the parties: with its terms). */
export function readOrderCall(id: string): Call {
  return { contract: 'orders', fn: 'ReadOrder', args: [id] };
}
