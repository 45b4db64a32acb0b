import type { TokenIssuer } from '@energysale/service';

import type { Fixture } from './prepare';

interface Page {
  records: { id: string; createdAt: string }[];
  bookmark: string;
}

/**
 * The add-order requests the ledger committed in a window: this run's orders (not the preloaded
 * ones) whose transaction time lies in [fromMs, toMs], listed per user through the service as the
 * exchange sees them. An order is on the ledger only if its transaction committed as valid, so this
 * is the count of VALID add-order transactions, to compare with the load generator's successes.
 */
export async function countOrders(tokens: TokenIssuer, baseUrl: string, fixture: Fixture, fromMs: number, toMs: number): Promise<number> {
  const exchange = tokens.issue({ org: 'exchange', user: 'exchange1' });
  let count = 0;
  for (const user of fixture.users) {
    const [msp, name] = user.handle.split('/');
    let bookmark = '';
    do {
      const url = `${baseUrl}/participants/${msp ?? ''}/${name ?? ''}/orders?pageSize=100${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`;
      const response = await fetch(url, { headers: { authorization: `Bearer ${exchange}` }, signal: AbortSignal.timeout(60_000) });
      if (!response.ok) throw new Error(`listing the orders of ${user.handle}: ${response.status} ${await response.text()}`);
      const page = (await response.json()) as Page;
      for (const order of page.records) {
        const at = Date.parse(order.createdAt);
        if (order.id.startsWith(`${fixture.runId}-${user.user}-`) && at >= fromMs && at <= toMs) count++;
      }
      bookmark = page.records.length === 0 ? '' : page.bookmark;
    } while (bookmark !== '');
  }
  return count;
}
