import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { Actor, peerOrg, peers, type NativeNetwork } from '@energysale/network';
import type { TokenIssuer } from '@energysale/service';

import type { Fixture } from '../table4/prepare';
import { orderTerms } from '../table4/prepare';
import { apiCall, bearer } from '../table4/api';

/*
 * Private data (PAPER.md §4, §5.2): an order's agreed terms live in the parties' collection. Its
 * parties read them; the exchange's review view and the regulator's view carry no quantity, price
 * or salt; a user who is no party is refused; the peers of orgs outside the collection do not hold
 * the values even for a party who asks them; and the hash on the public ledger verifies the true
 * terms and not forged ones.
 */

export interface PrivacyCheck {
  readonly check: string;
  readonly passed: boolean;
  readonly detail: string;
}

type Terms = Record<'quantityMWh' | 'tradePrice' | 'settlementPrice' | 'salt', string>;

/** MSP ids of the terms collection's members, from the collection config deployed with the chaincode. */
export function collectionMembers(): Set<string> {
  const file = join(dirname(require.resolve('@energysale/chaincode/package.json')), 'collections.json');
  const collections = JSON.parse(readFileSync(file, 'utf8')) as { name: string; policy: string }[];
  return new Set(collections.flatMap((c) => [...c.policy.matchAll(/'([\w-]+)\.member'/g)].map((m) => m[1] ?? '')));
}

export async function runPrivacyChecks(network: NativeNetwork, fixture: Fixture, tokens: TokenIssuer, baseUrl: string, log: (line: string) => void): Promise<PrivacyCheck[]> {
  const { topology, layout } = network;
  const [party, outsider] = fixture.users;
  if (!party || !outsider) throw new Error('the fixture has no two users');
  const token = {
    party: party.token,
    seller: tokens.issue({ org: 'retailer', user: 'retailer1' }),
    exchange: tokens.issue({ org: 'exchange', user: 'exchange1' }),
    regulator: tokens.issue({ org: 'exchange', user: 'regulator1' }),
    outsider: outsider.token,
  };
  const id = `${fixture.runId}-private`;
  const declaredTerms = orderTerms();
  const declared = await apiCall(baseUrl, bearer(token.party), 'POST', '/orders', { id, packageId: fixture.packageId, content: 'private terms', seller: fixture.seller, terms: declaredTerms });
  if (declared.status !== 201 && declared.status !== 200) throw new Error(`declaring ${id}: ${declared.status} ${declared.text}`);
  const mine = await apiCall(baseUrl, bearer(token.party), 'GET', `/orders/${id}`);
  const terms = mine.json['terms'] as Terms | undefined;
  if (!terms) throw new Error(`the party's read of ${id} carries no terms: ${mine.text}`);
  const secrets = Object.values(terms);
  const leaked = (text: string): string[] => [...secrets.filter((v) => text.includes(v)), ...(text.includes('"terms"') ? ['"terms"'] : [])];
  // Every term declared comes back as declared (the service adds the salt that hides them).
  const differing = (Object.keys(declaredTerms) as (keyof typeof declaredTerms)[]).filter((name) => terms[name] !== declaredTerms[name]);
  const checks: PrivacyCheck[] = [
    { check: 'the buyer reads back the terms it declared', passed: mine.status === 200 && differing.length === 0, detail: `${mine.status}${differing.length > 0 ? `, differing: ${differing.join(', ')}` : ''}` },
  ];

  const seller = await apiCall(baseUrl, bearer(token.seller), 'GET', `/orders/${id}`);
  checks.push({ check: 'the seller reads the same terms', passed: seller.status === 200 && JSON.stringify(seller.json['terms']) === JSON.stringify(terms), detail: `${seller.status}` });
  for (const who of ['exchange', 'regulator'] as const) {
    const view = await apiCall(baseUrl, bearer(token[who]), 'GET', `/orders/${id}`);
    const found = leaked(view.text);
    checks.push({ check: `the ${who}'s view carries no quantity, price or salt`, passed: view.status === 200 && found.length === 0, detail: `${view.status}${found.length > 0 ? `, shows ${found.join(', ')}` : ''}` });
  }
  const other = await apiCall(baseUrl, bearer(token.outsider), 'GET', `/orders/${id}`);
  checks.push({ check: 'a user who is no party is refused', passed: other.status === 403 && leaked(other.text).length === 0, detail: `${other.status}` });

  // The buyer asks each peer of the orgs outside the collection directly, at that peer's gateway.
  const members = collectionMembers();
  for (const peer of peers(topology).filter((p) => !members.has(p.org.mspId))) {
    const actor = Actor.connect(topology, layout, fixture.org, party.user, { peer: peer.id });
    try {
      const answer = await actor.evaluate('orders', 'ReadOrder', [id], { orgs: [peer.org.mspId] }).then(
        (text) => ({ passed: leaked(text).length === 0, detail: `answered${leaked(text).length > 0 ? ` with ${leaked(text).join(', ')}` : ' without terms'}` }),
        // Refused by the chaincode (NOT_FOUND: no terms on this peer) or by the peer itself (it holds only the hash).
        (error: unknown) => {
          const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
          const why = /NOT_FOUND: [^"]*|private data matching public hash version is not available[^."]*/.exec(message)?.[0];
          return { passed: why !== undefined, detail: `refused: ${(why ?? message).slice(0, 200)}` };
        },
      );
      checks.push({ check: `${peer.id} (outside the collection) holds no terms, asked by the buyer`, ...answer });
    } finally {
      actor.close();
    }
  }

  const verify = async (claimed: Terms): Promise<unknown> => (await apiCall(baseUrl, bearer(token.regulator), 'POST', `/orders/${id}/verify`, { terms: claimed })).json['matches'];
  const truth = await verify(terms);
  checks.push({ check: 'the hash on the public ledger verifies the true terms', passed: truth === true, detail: `matches: ${String(truth)}` });
  const forged = await verify({ ...terms, tradePrice: (Number(terms.tradePrice) - 1).toFixed(2) });
  checks.push({ check: 'and not forged ones', passed: forged === false, detail: `matches: ${String(forged)}` });
  log(`privacy: ${checks.filter((c) => c.passed).length}/${checks.length} checks hold (${peerOrg(topology, fixture.org).mspId} buyer, order ${id})`);
  return checks;
}
