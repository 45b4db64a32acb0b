/**
 * `@energysale/bench/script/network`: this platform's network for scripts: the retail service's
 * URL, virtual users enrolled with an org's CA (each with its service token), the tokens of the
 * network's own identities, and the retailer and package the Table 4 tests declare orders against.
 */
import { peerOrg } from '@energysale/network';

import { enrollVirtualUsers, orderTerms as benchmarkTerms, retailFixture, type VirtualUser } from '../../table4/prepare';
import { currentRun, ScriptContextError, type ScriptNetwork } from '../runtime/context';

export type { VirtualUser };

function networkOf(what: string): ScriptNetwork {
  const network = currentRun(`network.${what}`).network;
  if (network === undefined) throw new ScriptContextError(`network.${what}: this run has no network (bring it up with \`npm run network -- up\`)`);
  return network;
}

/** The retail service's base URL (nginx in front of the service instances), e.g. http://127.10.0.1:8080. */
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

const network = { baseUrl, token, mspId, enrollUsers, retailer, orderTerms };
export default network;
