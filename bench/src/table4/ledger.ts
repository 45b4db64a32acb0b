import type { TokenIssuer } from '@energysale/service';

import type { Fixture } from './prepare';

interface Page {
  records: { id: string; createdAt: string; status: string; stage: string }[];
  bookmark: string;
}

/** An order of a run as the ledger holds it. */
export interface LedgerOrder {
  readonly id: string;
  readonly createdAt: string;
  readonly status: string;
  readonly stage: string;
}

/**
 * Every order of the run's virtual users on the ledger whose id starts with `prefix` (default: the
 * run's own orders), listed per user through the service as the exchange sees them, one entry per
 * record listed (an order listed twice appears twice).
 */
export async function runOrders(tokens: TokenIssuer, baseUrl: string, fixture: Fixture, prefix = `${fixture.runId}-`): Promise<LedgerOrder[]> {
  const exchange = tokens.issue({ org: 'exchange', user: 'exchange1' });
  const found: LedgerOrder[] = [];
  for (const user of fixture.users) {
    const [msp, name] = user.handle.split('/');
    let bookmark = '';
    do {
      const url = `${baseUrl}/participants/${msp ?? ''}/${name ?? ''}/orders?pageSize=100${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`;
      const response = await fetch(url, { headers: { authorization: `Bearer ${exchange}` }, signal: AbortSignal.timeout(60_000) });
      if (!response.ok) throw new Error(`listing the orders of ${user.handle}: ${response.status} ${await response.text()}`);
      const page = (await response.json()) as Page;
      for (const { id, createdAt, status, stage } of page.records) if (id.startsWith(prefix)) found.push({ id, createdAt, status, stage });
      bookmark = page.records.length === 0 ? '' : page.bookmark;
    } while (bookmark !== '');
  }
  return found;
}

/**
 * The add-order requests the ledger committed in a window: this run's orders (not the preloaded
 * ones) whose transaction time lies in [fromMs, toMs]. An order is on the ledger only if its
 * transaction committed as valid, so this is the count of VALID add-order transactions, to compare
 * with the load generator's successes.
 */
export async function countOrders(tokens: TokenIssuer, baseUrl: string, fixture: Fixture, fromMs: number, toMs: number): Promise<number> {
  const orders = await runOrders(tokens, baseUrl, fixture);
  return orders.filter((o) => {
    const at = Date.parse(o.createdAt);
    const user = fixture.users.find((u) => o.id.startsWith(`${fixture.runId}-${u.user}-`));
    return user !== undefined && at >= fromMs && at <= toMs;
  }).length;
}
