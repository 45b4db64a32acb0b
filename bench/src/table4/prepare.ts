import { randomBytes } from 'node:crypto';

import { currentTemplate, enrollUsers, locateToolchain, peerOrg, virtualUserNames, type ParticipantRole, type StateLayout, type Topology } from '@energysale/network';

import type { TokenIssuer } from '@energysale/service';

import { apiCall, bearer } from './api';

export interface VirtualUser {
  readonly user: string;
  readonly handle: string;
  readonly token: string;
}

export interface Fixture {
  readonly runId: string;
  /** The org of the virtual users (their identities are under its key in the state). */
  readonly org: string;
  readonly users: readonly VirtualUser[];
  readonly seller: string;
  readonly packageId: string;
  /** Orders written before the query test, by user index. */
  readonly preloaded: readonly (readonly string[])[];
}

export class PreparationError extends Error {
  override readonly name = 'PreparationError';
}

async function call(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const answer = await apiCall(baseUrl, bearer(token), method, path, body);
  if (answer.status < 200 || answer.status >= 300) throw new PreparationError(`${method} ${path}: ${answer.status} ${answer.text}`);
  return JSON.parse(answer.text) as unknown;
}

/** Runs `fn` over `items`, `concurrency` at a time. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await fn(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Everything the two tests need, through the service like any client: the virtual users (each its
 * own identity enrolled with ConsumerOrg's CA, registered on chain), a retailer, a package
 * template, and the orders the query test reads.
 */
export async function prepare(
  topology: Topology,
  layout: StateLayout,
  tokens: TokenIssuer,
  baseUrl: string,
  options: { users: number; preloadOrdersPerUser: number; log: (line: string) => void },
): Promise<Fixture> {
  const runId = `t4${Date.now().toString(36)}`;
  const consumers = peerOrg(topology, 'consumer');
  const users = await enrollVirtualUsers(topology, layout, tokens, baseUrl, { orgKey: consumers.key, role: 'consumer', prefix: 'vu', count: options.users, log: options.log });
  const { seller, packageId } = await retailFixture(tokens, baseUrl, `${runId}-pkg`, 'Table 4 benchmark package');
  options.log(`writing ${users.length * options.preloadOrdersPerUser} orders for the query test`);
  const preloaded: string[][] = users.map(() => []);
  await pool(users, 10, async (u, i) => {
    for (let k = 0; k < options.preloadOrdersPerUser; k++) {
      const id = `${runId}-pre-${u.user}-${k}`;
      await call(baseUrl, u.token, 'POST', '/orders', { id, packageId, content: 'preloaded for the query test', seller, terms: orderTerms() });
      preloaded[i]?.push(id);
    }
  });
  return { runId, org: consumers.key, users, seller, packageId, preloaded };
}

/**
 * Virtual users through the service like any client: each its own identity enrolled with the org's
 * CA (names `<prefix>0001`, ...; enrolling again reuses an identity), given a service token, and
 * registered on chain.
 */
export async function enrollVirtualUsers(
  topology: Topology,
  layout: StateLayout,
  tokens: TokenIssuer,
  baseUrl: string,
  options: { orgKey: string; role: ParticipantRole; prefix: string; count: number; log: (line: string) => void },
): Promise<VirtualUser[]> {
  const org = peerOrg(topology, options.orgKey);
  const names = virtualUserNames(options.prefix, options.count);
  options.log(`enrolling ${names.length} virtual users with ${org.name}'s CA`);
  await enrollUsers(await locateToolchain(), layout, topology, org.key, names, options.role);
  const users = names.map((user) => ({ user, handle: `${org.mspId}/${user}`, token: tokens.issue({ org: org.key, user }) }));
  options.log('registering participants on chain');
  await pool(users, 10, async (u) => {
    await call(baseUrl, u.token, 'POST', '/participants/me');
  });
  return users;
}

/** A retailer registered on chain (retailer1) and a package template of it: what orders are declared against. */
export async function retailFixture(tokens: TokenIssuer, baseUrl: string, packageId: string, title: string): Promise<{ seller: string; packageId: string; retailerToken: string }> {
  const retailerToken = tokens.issue({ org: 'retailer', user: 'retailer1' });
  const seller = ((await call(baseUrl, retailerToken, 'POST', '/participants/me')) as { handle: string }).handle;
  await call(baseUrl, retailerToken, 'POST', '/templates', currentTemplate(packageId, title));
  return { seller, packageId, retailerToken };
}

/** Agreed terms of a benchmark order; the salt is the service's (derived from the order). */
export function orderTerms(): { quantityMWh: string; tradePrice: string; settlementPrice: string } {
  const price = 380 + (randomBytes(1)[0] ?? 0) / 10;
  return { quantityMWh: '100.0', tradePrice: price.toFixed(2), settlementPrice: (price - 5).toFixed(2) };
}
