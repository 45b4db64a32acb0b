import { randomBytes } from 'node:crypto';

import type { Topology } from '@energysale/network';
import { declareOrderCall, readOrderCall, type OrderDeclaration } from '@energysale/service';

import { gatewayRequest } from '../engine/gateway';
import type { Options, Response, ScenarioCommon } from '../scenario';
import type { Fixture, VirtualUser } from './prepare';
import { orderTerms } from './prepare';
import type { Profile } from './profiles';
import { PAPER_TABLE_4 } from '../report/schema';

/**
 * Thresholds are the contract: falling below the paper's own figures fails the run (exit 99). On
 * the requests' metrics (`http_req_*`), or the Fabric calls' (`fabric_req_*`) for a script that goes
 * straight to the gateway.
 */
export function paperThresholds(scenario: 'add_order' | 'order_query', via: 'http' | 'fabric' = 'http'): Record<string, string[]> {
  const paper = PAPER_TABLE_4[scenario];
  const tag = `{scenario:${scenario}}`;
  return {
    [`${via}_req_duration${tag}`]: [`avg<=${paper.avgLatencyS * 1000}`],
    // k6's Counter rate is per second; the paper's throughput is per minute.
    [`${via}_reqs${tag}`]: [`rate>=${(paper.throughputTxPerMin / 60).toFixed(4)}`],
    [`${via}_req_failed${tag}`]: ['rate==0'],
    [`checks${tag}`]: ['rate==1'],
  };
}

const json = (res: Response): Record<string, unknown> => res.json() as Record<string, unknown>;

/** What a test sends and checks, whatever its executor: the requests of each virtual user and their checks. */
export type Requests = Pick<ScenarioCommon, 'exec' | 'checks' | 'tags'>;

/**
 * How the requests reach Fabric: over HTTP through nginx and the retail service (vegeta), or as
 * the same chaincode calls straight to the Fabric Gateway from the benchmark (the harness ceiling:
 * what the service costs is the difference).
 */
export type Path = { readonly kind: 'http'; readonly baseUrl: string } | { readonly kind: 'gateway'; readonly topology: Topology };

function userOf(fixture: Fixture, vu: number): VirtualUser {
  const user = fixture.users[vu - 1];
  if (!user) throw new Error(`no virtual user ${vu}`);
  return user;
}

/** The order a virtual user declares at an iteration: an id of its own, so users never collide. */
function declaration(fixture: Fixture, user: VirtualUser, iteration: number): OrderDeclaration {
  return { id: `${fixture.runId}-${user.user}-${iteration}`, packageId: fixture.packageId, content: 'Table 4 add order', seller: fixture.seller };
}

/** The id of the order a request declares or reads, whichever path it took. */
function sentOrderId(path: Path, res: Response): string {
  const body = JSON.parse(String(res.request.body ?? '{}')) as { id?: string; args?: string[] };
  if (path.kind === 'http') return body.id ?? res.request.url.slice(res.request.url.lastIndexOf('/') + 1);
  const [first = ''] = body.args ?? [];
  return first.startsWith('{') ? ((JSON.parse(first) as { id: string }).id) : first;
}

/**
 * "Add order" (PAPER.md §7): each virtual user declares orders, one after another, each with its own
 * identity and order ids of its own, so users never collide. Every order is a ledger write: endorse
 * (exchange and the user's org, private terms), order, commit.
 */
export function addOrderRequests(path: Path, fixture: Fixture): Requests {
  const ok = path.kind === 'http' ? 201 : 200;
  return {
    tags: { test: 'add_order' },
    exec: (vu, iteration) => {
      const user = userOf(fixture, vu);
      const order = declaration(fixture, user, iteration);
      if (path.kind === 'gateway') {
        const salt = randomBytes(16).toString('hex');
        return gatewayRequest('SUBMIT', fixture.org, user.user, declareOrderCall(path.topology, fixture.org, order, { ...orderTerms(), salt }));
      }
      return {
        method: 'POST',
        url: `${path.baseUrl}/orders`,
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...order, terms: orderTerms() }),
      };
    },
    checks: {
      [`order created (${ok})`]: (res) => res.status === ok,
      'the order is the one sent, submitted': (res) => {
        const order = json(res);
        return order.id === sentOrderId(path, res) && order.status === 'submitted' && order.stage === 'drafting';
      },
    },
  };
}

/** "Order query": each virtual user reads its own orders by id (evaluate, no consensus). */
export function orderQueryRequests(path: Path, fixture: Fixture): Requests {
  return {
    tags: { test: 'order_query' },
    exec: (vu, iteration) => {
      const user = userOf(fixture, vu);
      const ids = fixture.preloaded[vu - 1] ?? [];
      const id = ids[iteration % Math.max(1, ids.length)];
      if (id === undefined) throw new Error(`virtual user ${vu} has no preloaded order`);
      if (path.kind === 'gateway') return gatewayRequest('EVALUATE', fixture.org, user.user, readOrderCall(id));
      return { method: 'GET', url: `${path.baseUrl}/orders/${id}`, headers: { authorization: `Bearer ${user.token}` } };
    },
    checks: {
      'order read (200)': (res) => res.status === 200,
      'the order asked for, with its terms': (res) => {
        const order = json(res);
        return order.id === sentOrderId(path, res) && typeof order.terms === 'object';
      },
    },
  };
}

/** Table 4's closed loop: the profile's users, warm-up and measured window, the paper's figures as thresholds. */
function table4Options(name: 'add_order' | 'order_query', requests: Requests, profile: Profile): Options {
  return {
    scenarios: { [name]: { executor: 'constant-vus', vus: profile.users, duration: profile.duration, warmup: profile.warmup, ...requests } },
    thresholds: paperThresholds(name),
  };
}

export function addOrderOptions(baseUrl: string, profile: Profile, fixture: Fixture): Options {
  return table4Options('add_order', addOrderRequests({ kind: 'http', baseUrl }, fixture), profile);
}

export function orderQueryOptions(baseUrl: string, profile: Profile, fixture: Fixture): Options {
  return table4Options('order_query', orderQueryRequests({ kind: 'http', baseUrl }, fixture), profile);
}
