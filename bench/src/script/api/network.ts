/**
 * `@energysale/bench/script/network`: this platform's network for scripts: the retail service's
 * URL, virtual users enrolled with an org's CA (each with its service token), the tokens of the
 * network's own identities, and the retailer and package the Table 4 tests declare orders against.
 */
import { enrollUsers as enrollWithCa, locateToolchain, peerOrg, virtualUserNames } from '@energysale/network';

import { readFileSync } from 'node:fs';

import { enrollVirtualUsers, orderTerms as benchmarkTerms, prepare, retailFixture, type Fixture, type VirtualUser } from '../../table4/prepare';
import { paperThresholds as table4Thresholds } from '../../table4/scenarios';
import { currentRun, ScriptContextError, type ScriptNetwork } from '../runtime/context';

export type { Fixture, VirtualUser };

/** The environment variable naming a fixture file a harness prepared (its users, retailer, package and preloaded orders). */
export const FIXTURE_ENV = 'TABLE4_FIXTURE';

function networkOf(what: string): ScriptNetwork {
  const network = currentRun(`network.${what}`).network;
  if (network === undefined) throw new ScriptContextError(`network.${what}: this run has no network (bring it up with \`npm run network -- up\`)`);
  return network;
}

/** The retail service's base URL (nginx in front of the service instances). */
export function baseUrl(): string {
  const url = networkOf('baseUrl').baseUrl;
  if (url === undefined) throw new ScriptContextError('network.baseUrl: the run started no service (--no-service); pass the URL with --env');
  return url;
}

/** The service's bearer token for an identity the network already has (e.g. 'exchange'/'exchange1', 'retailer'/'retailer1'). */
export function token(org: string, user: string): string {
  const network = networkOf('token');
  return network.tokens.issue({ org: peerOrg(network.topology, org).key, user });
}

/** The MSP id of an org ('exchange' → ExchangeOrgMSP). */
export function mspId(org: string): string {
  return peerOrg(networkOf('mspId').topology, org).mspId;
}

export interface EnrollOptions {
  /** Names are `<prefix>0001`, ... (default 'vu'); the same prefix again reuses the identities. */
  readonly prefix?: string;
  /** The participant role of the identities (default: the org's role). */
  readonly role?: 'exchange' | 'retailer' | 'consumer' | 'regulator';
}

/**
 * `count` users of `org`, each enrolled with the org's CA, given a service token and registered on
 * chain (POST /participants/me). Call it in setup(): it takes a few seconds per ten users.
 */
export async function enrollUsers(org: string, count: number, options: EnrollOptions = {}): Promise<VirtualUser[]> {
  const network = networkOf('enrollUsers');
  const spec = peerOrg(network.topology, org);
  return enrollVirtualUsers(network.topology, network.layout, network.tokens, baseUrl(), {
    orgKey: spec.key,
    role: options.role ?? spec.role,
    prefix: options.prefix ?? 'vu',
    count,
    log: () => undefined,
  });
}

/**
 * `count` users of `org`, each enrolled with the org's CA and nothing more: no service, no
 * participant on chain (a chaincode other than the retail one knows no participants). With the
 * prefix 'vu' and the org 'consumer' they are Table 4's users. For scripts that go straight to the
 * gateway (`bench run --no-service`); their tokens are issued but no service checks them.
 */
export async function enrollIdentities(org: string, count: number, options: EnrollOptions = {}): Promise<VirtualUser[]> {
  const network = networkOf('enrollIdentities');
  const spec = peerOrg(network.topology, org);
  const names = virtualUserNames(options.prefix ?? 'vu', count);
  await enrollWithCa(await locateToolchain(), network.layout, network.topology, spec.key, names, options.role ?? spec.role);
  return names.map((user) => ({ user, handle: `${spec.mspId}/${user}`, token: network.tokens.issue({ org: spec.key, user }) }));
}

export interface RetailFixture {
  /** The retailer's handle, e.g. RetailerOrgMSP/retailer1: an order's `seller`. */
  readonly seller: string;
  readonly packageId: string;
  readonly retailerToken: string;
}

/** retailer1 registered on chain and a package template of it, with id `packageId` (new ids publish new templates). */
export function retailer(packageId: string, title = 'benchmark package'): Promise<RetailFixture> {
  const network = networkOf('retailer');
  return retailFixture(network.tokens, baseUrl(), packageId, title);
}

/** The trade terms Table 4's orders carry (quantity, trade and settlement price). */
export function orderTerms(): { quantityMWh: string; tradePrice: string; settlementPrice: string } {
  return benchmarkTerms();
}

/**
 * What Table 4's tests need: `users` consumer users (each its own identity), the retailer and its
 * package, and `preloadOrdersPerUser` orders of each user for the query test. A harness that
 * prepared one already names its file in __ENV.TABLE4_FIXTURE (so two engines share it); else it is
 * made here.
 */
export async function table4Fixture(options: { users: number; preloadOrdersPerUser: number }): Promise<Fixture> {
  const file = currentRun('network.table4Fixture').env[FIXTURE_ENV];
  if (file !== undefined && file !== '') return JSON.parse(readFileSync(file, 'utf8')) as Fixture;
  const network = networkOf('table4Fixture');
  return prepare(network.topology, network.layout, network.tokens, baseUrl(), { ...options, log: () => undefined });
}

/**
 * The paper's Table 4 figures as thresholds on a scenario named after the test (avg latency,
 * throughput, no failure, every check): on `http_req_*`, or on `fabric_req_*` with via 'fabric'.
 */
export function paperThresholds(test: 'add_order' | 'order_query', via: 'http' | 'fabric' = 'http'): Record<string, string[]> {
  return table4Thresholds(test, via);
}

const network = { baseUrl, token, mspId, enrollUsers, enrollIdentities, retailer, orderTerms, table4Fixture, paperThresholds };
export default network;
