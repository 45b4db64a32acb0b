/**
 * What the scenario scripts share: numbers from `__ENV`, the retail service's requests with a
 * bearer token, order ids, and the order as the service (or the chaincode) returns it. A local
 * module: the runner compiles it with the script that imports it.
 */
import execution from '@energysale/bench/script/execution';
import http, { type Params, type Response } from '@energysale/bench/script/http';
import network, { type VirtualUser } from '@energysale/bench/script/network';

/** `__ENV[name]` as a non-negative number, else `fallback`; anything else stops the script at load. */
export function envNumber(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`__ENV.${name}=${raw} is not a non-negative number`);
  return value;
}

/** A run's own prefix for order and package ids (ids are at most 64 characters). */
export function newRunId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}`;
}

/** The order a VU declares at an iteration: unique in the run, and found again from these three alone. */
export function orderId(runId: string, vu: number, iteration: number): string {
  return `${runId}-v${vu}-i${iteration}`;
}

/** The enrolled user the calling VU acts as (VU ids run from 1; more VUs than users share them). */
export function userOfVu(users: readonly VirtualUser[]): VirtualUser {
  const user = users[(execution.vu.idInTest - 1) % Math.max(1, users.length)];
  if (user === undefined) throw new Error('setup() enrolled no users');
  return user;
}

/** Request parameters with the caller's token; `name` tags every request of an endpoint alike (one series, not one per id). */
export function auth(token: string, name: string, extra: Params = {}): Params {
  return { ...extra, headers: { authorization: `Bearer ${token}`, ...extra.headers }, tags: { name, ...extra.tags } };
}

/** A JSON body with its content type (the http module sends an object form-encoded, as k6 does). */
export function postJson(url: string, body: unknown, params: Params): Promise<Response> {
  return http.post(url, JSON.stringify(body), { ...params, headers: { ...params.headers, 'content-type': 'application/json' } });
}

/** What an order declaration refers to: the retail service, the retailer and its package. */
export interface Market {
  readonly baseUrl: string;
  readonly seller: string;
  readonly packageId: string;
}

/** What a script's setup() hands its iterations: the market, the run's id and the users it enrolled. */
export interface MarketSetup extends Market {
  readonly runId: string;
  readonly users: VirtualUser[];
}

/** POST /orders as `user`: the body Table 4 declares ({id, packageId, content, seller, terms}). */
export function declareOrder(market: Market, user: VirtualUser, id: string, content: string): Promise<Response> {
  const body = { id, packageId: market.packageId, content, seller: market.seller, terms: network.orderTerms() };
  return postJson(`${market.baseUrl}/orders`, body, auth(user.token, 'POST /orders'));
}

/** GET /orders/:id as the holder of `token`. */
export function readOrder(baseUrl: string, token: string, id: string, params: Params = {}): Promise<Response> {
  return http.get(`${baseUrl}/orders/${id}`, auth(token, 'GET /orders/:id', params));
}

/** The order record (chaincode orders/model.ts OrderRecord); `terms` only in its parties' view. */
export interface Order {
  readonly id: string;
  readonly packageId: string;
  readonly stage: string;
  readonly status: string;
  /** Who must act next; null at an end. */
  readonly nextOperator: 'exchange' | 'retailer' | 'user' | null;
  readonly operator: string;
  readonly operatorId: string;
  readonly historyLength: number;
  readonly buyer: { readonly handle: string };
  readonly seller: { readonly handle: string };
  readonly terms?: { readonly quantityMWh: string; readonly tradePrice: string; readonly settlementPrice: string };
}

/** The order a response carries, or undefined when its body is no JSON object (an error, a timeout). */
export function orderOf(res: { json(): unknown }): Order | undefined {
  try {
    const value = res.json();
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Order) : undefined;
  } catch {
    return undefined;
  }
}

/** The service's GET /config/review-mode: the flow the steps follow depends on it (chaincode orders/lifecycle.ts). */
export async function reviewMode(baseUrl: string, token: string): Promise<string> {
  const res = await http.get(`${baseUrl}/config/review-mode`, auth(token, 'GET /config/review-mode'));
  const mode = res.status === 200 ? (res.json('mode') as string | undefined) : undefined;
  if (mode === undefined) throw new Error(`GET /config/review-mode: ${res.status} ${res.body ?? res.error}`);
  return mode;
}
