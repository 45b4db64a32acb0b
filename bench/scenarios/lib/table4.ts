/**
 * What Table 4's two tests share as scripts, and so what the Table 4 reproduction, its tuning
 * ladder, the regression gate and the capacity sweep run (bench/src/script/benchmark.ts):
 *
 * - USERS virtual users (30), each its own enrolled identity, in a closed loop for DURATION; or,
 *   with RATE, an open model: RATE iterations a second (constant-arrival-rate) spread over USERS
 *   pre-allocated VUs, at most MAX_VUS (default USERS) in flight, the rest dropped;
 * - after a WARMUP scenario (k6's way of a warm-up: a scenario before the measured one, whose
 *   figures stay apart; WARMUP=0s for none);
 * - through the retail service over HTTP, or with VIA=gateway the same chaincode calls straight to
 *   the Fabric Gateway (no nginx or service: the harness ceiling);
 * - the paper's figures as thresholds on the measured scenario, and the fixture (a harness that
 *   prepared one names its file in __ENV.TABLE4_FIXTURE).
 */
import type { Options, Scenario } from '@energysale/bench/script';
import fabric from '@energysale/bench/script/fabric';
import network, { type Fixture, type VirtualUser } from '@energysale/bench/script/network';

import { declareOrder, envNumber, readOrder } from './retail';

export const USERS = envNumber('USERS', 30);

/** How the requests reach Fabric. */
export const VIA = viaOf(__ENV.VIA);

function viaOf(raw: string | undefined): 'http' | 'gateway' {
  if (raw === undefined || raw === '' || raw === 'http') return 'http';
  if (raw === 'gateway') return 'gateway';
  throw new TypeError(`__ENV.VIA=${raw}: http or gateway`);
}

/** The status of a successful declaration: the service's 201 Created, the gateway's 200. */
export const CREATED = VIA === 'http' ? 201 : 200;

/** The executor of both the warm-up and the measured scenario, for `duration`. */
function load(duration: string): Scenario {
  if (__ENV.RATE === undefined || __ENV.RATE === '') return { executor: 'constant-vus', vus: USERS, duration };
  return { executor: 'constant-arrival-rate', rate: envNumber('RATE', 0), timeUnit: '1s', duration, preAllocatedVUs: USERS, maxVUs: envNumber('MAX_VUS', USERS) };
}

export function table4Options(test: 'add_order' | 'order_query'): Options {
  const warmup = __ENV.WARMUP ?? '30s';
  // Every request the measured scenario starts is answered or times out (60 s) before it stops: none is left out.
  const measured: Scenario = { ...load(__ENV.DURATION ?? '10m'), gracefulStop: '61s', tags: { test } };
  const scenarios: Record<string, Scenario> = /^0+(ms|s|m|h)?$/.test(warmup)
    ? { [test]: measured }
    : { warmup: { ...load(warmup), gracefulStop: '0s' }, [test]: { ...measured, startTime: warmup } };
  return { scenarios, thresholds: network.paperThresholds(test, VIA === 'http' ? 'http' : 'fabric'), setupTimeout: '5m' };
}

export interface Table4Data {
  readonly fixture: Fixture;
  readonly baseUrl: string;
}

export async function table4Setup(preloadOrdersPerUser: number): Promise<Table4Data> {
  const fixture = await network.table4Fixture({ users: USERS, preloadOrdersPerUser });
  return { fixture, baseUrl: VIA === 'http' ? network.baseUrl() : '' };
}

/** What both paths answer: a status and a JSON body. */
export interface Answer {
  readonly status: number;
  json(): unknown;
}

/** Declares order `id` as `user` (Table 4's body: the retailer's package, the benchmark's terms). */
export function declare(data: Table4Data, user: VirtualUser, id: string): Promise<Answer> {
  const { fixture } = data;
  if (VIA === 'http') return declareOrder({ baseUrl: data.baseUrl, seller: fixture.seller, packageId: fixture.packageId }, user, id, 'Table 4 add order');
  const declaration = { id, packageId: fixture.packageId, content: 'Table 4 add order', seller: fixture.seller };
  return fabric.submit({ org: fixture.org, user: user.user, ...fabric.calls.declareOrder(fixture.org, declaration, network.orderTerms()), tags: { name: 'DeclareOrder' } });
}

/** Reads order `id` as `user` (an evaluate: one peer, no consensus). */
export function read(data: Table4Data, user: VirtualUser, id: string): Promise<Answer> {
  if (VIA === 'http') return readOrder(data.baseUrl, user.token, id);
  return fabric.evaluate({ org: data.fixture.org, user: user.user, ...fabric.calls.readOrder(id), tags: { name: 'ReadOrder' } });
}
