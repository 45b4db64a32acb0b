import type { LedgerOrder } from '../table4/ledger';

/*
 * Reconciling a load with the ledger: every order the service acknowledged (201) must be on the
 * ledger, once, in the state a new order has; an unacknowledged one may or may not be (a write can
 * commit after its client gave up), which is counted, not judged.
 */

export interface Reconciliation {
  /** Acknowledged orders not on the ledger: the bar is none. */
  readonly lost: readonly string[];
  /** Orders listed more than once. */
  readonly duplicated: readonly string[];
  /** Acknowledged orders on the ledger in another state than submitted/drafting. */
  readonly wrongState: readonly string[];
  /** Orders whose request failed but which committed all the same. */
  readonly unacknowledgedCommitted: number;
  /** Orders on the ledger that no request of the load sent. */
  readonly unknown: readonly string[];
  /** Distinct orders of the load the ledger lists. */
  readonly listed: number;
}

export function reconcile(outcomes: readonly { readonly id: string; readonly status: number }[], onLedger: readonly LedgerOrder[]): Reconciliation {
  const listed = new Map<string, LedgerOrder[]>();
  for (const order of onLedger) listed.set(order.id, [...(listed.get(order.id) ?? []), order]);
  const acknowledged = new Set(outcomes.filter((o) => o.status === 201).map((o) => o.id));
  const sent = new Set(outcomes.map((o) => o.id));
  return {
    lost: [...acknowledged].filter((id) => !listed.has(id)),
    duplicated: [...listed].filter(([, list]) => list.length > 1).map(([id]) => id),
    wrongState: [...acknowledged].filter((id) => listed.get(id)?.some((o) => o.status !== 'submitted' || o.stage !== 'drafting')),
    unacknowledgedCommitted: [...sent].filter((id) => !acknowledged.has(id) && listed.has(id)).length,
    unknown: [...listed.keys()].filter((id) => !sent.has(id)),
    listed: listed.size,
  };
}
