import type { Options, Response, ScenarioCommon } from '../scenario';
import type { Fixture } from './prepare';
import { orderTerms } from './prepare';
import type { Profile } from './profiles';
import { PAPER_TABLE_4 } from '../report/schema';

/** Thresholds are the contract: falling below the paper's own figures fails the run (exit 99). */
function paperThresholds(scenario: 'add_order' | 'order_query'): Record<string, string[]> {
  const paper = PAPER_TABLE_4[scenario];
  const tag = `{scenario:${scenario}}`;
  return {
    [`http_req_duration${tag}`]: [`avg<=${paper.avgLatencyS * 1000}`],
    // k6's Counter rate is per second; the paper's throughput is per minute.
    [`http_reqs${tag}`]: [`rate>=${(paper.throughputTxPerMin / 60).toFixed(4)}`],
    [`http_req_failed${tag}`]: ['rate==0'],
    [`checks${tag}`]: ['rate==1'],
  };
}

const json = (res: Response): Record<string, unknown> => res.json() as Record<string, unknown>;

/** What a test sends and checks, whatever its executor: the requests of each virtual user and their checks. */
export type Requests = Pick<ScenarioCommon, 'exec' | 'checks' | 'tags'>;

/**
 * "Add order" (PAPER.md §7): each virtual user declares orders, one after another, each with its own
 * identity and order ids of its own, so users never collide. Every order is a ledger write: endorse
 * (exchange and the user's org, private terms), order, commit.
 */
export function addOrderRequests(baseUrl: string, fixture: Fixture): Requests {
  return {
    tags: { test: 'add_order' },
    exec: (vu, iteration) => {
      const user = fixture.users[vu - 1];
      if (!user) throw new Error(`no virtual user ${vu}`);
      const id = `${fixture.runId}-${user.user}-${iteration}`;
      return {
        method: 'POST',
        url: `${baseUrl}/orders`,
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id, packageId: fixture.packageId, content: 'Table 4 add order', seller: fixture.seller, terms: orderTerms() }),
      };
    },
    checks: {
      'order created (201)': (res) => res.status === 201,
      'the order is the one sent, submitted': (res) => {
        const sent = JSON.parse(String(res.request.body)) as { id: string };
        const order = json(res);
        return order.id === sent.id && order.status === 'submitted' && order.stage === 'drafting';
      },
    },
  };
}

/** "Order query": each virtual user reads its own orders by id (evaluate, no consensus). */
export function orderQueryRequests(baseUrl: string, fixture: Fixture): Requests {
  return {
    tags: { test: 'order_query' },
    exec: (vu, iteration) => {
      const user = fixture.users[vu - 1];
      const ids = fixture.preloaded[vu - 1] ?? [];
      const id = ids[iteration % Math.max(1, ids.length)];
      if (!user || id === undefined) throw new Error(`virtual user ${vu} has no preloaded order`);
      return { method: 'GET', url: `${baseUrl}/orders/${id}`, headers: { authorization: `Bearer ${user.token}` } };
    },
    checks: {
      'order read (200)': (res) => res.status === 200,
      'the order asked for, with its terms': (res) => {
        const order = json(res);
        return res.request.url.endsWith(`/orders/${String(order.id)}`) && typeof order.terms === 'object';
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
  return table4Options('add_order', addOrderRequests(baseUrl, fixture), profile);
}

export function orderQueryOptions(baseUrl: string, profile: Profile, fixture: Fixture): Options {
  return table4Options('order_query', orderQueryRequests(baseUrl, fixture), profile);
}
