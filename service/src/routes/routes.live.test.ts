import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

import { currentTemplate, ledgerHeight, NativeNetwork, peers, StateLayout, stateTopology } from '@energysale/network';

import { buildApp } from '../app';

const topology = stateTopology().topology;
const network = new NativeNetwork(topology, new StateLayout());
const run = Date.now().toString(36);
const year = new Date().getUTCFullYear();
type Who = 'exchange' | 'consumer' | 'retailer' | 'regulator';
const users: Record<Who, { org: string; user: string }> = {
  exchange: { org: 'exchange', user: 'exchange1' },
  consumer: { org: 'consumer', user: 'consumer1' },
  retailer: { org: 'retailer', user: 'retailer1' },
  regulator: { org: 'exchange', user: 'regulator1' },
};

const template = (id: string, extra: Record<string, unknown> = {}) => currentTemplate(id, 'route test template', extra);
const terms = { quantityMWh: '321.5', tradePrice: '399.90', settlementPrice: '390.10' };

/** Ledger height on one peer: a request that wrote nothing leaves it unchanged. */
async function height(): Promise<number> {
  const [peer] = peers(topology);
  assert.ok(peer);
  return (await ledgerHeight(peer, topology.channel.name)) ?? -1;
}

void describe('retail service routes (live network, app.inject)', { timeout: 600_000 }, () => {
  let app: FastifyInstance;
  let seller: string;
  const call = async (who: Who | null, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<LightMyRequestResponse> => {
    const headers = who ? { authorization: `Bearer ${app.tokens.issue(users[who])}` } : {};
    return app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  };
  const ok = async (who: Who, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, status = 200): Promise<Record<string, unknown>> => {
    const res = await call(who, method, url, payload);
    assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
    return res.json<Record<string, unknown>>();
  };
  const problem = async (who: Who | null, method: 'GET' | 'POST' | 'PUT', url: string, payload: unknown, status: number, code: string): Promise<void> => {
    const res = await call(who, method, url, payload);
    assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(res.json<{ code: string }>().code, code, res.body);
  };

  before(async () => {
    app = await buildApp({ logger: false });
    for (const who of Object.keys(users) as Who[]) await ok(who, 'POST', '/participants/me');
    seller = String((await ok('retailer', 'GET', '/participants/me')).handle);
  });
  after(async () => {
    await app.close();
  });

  void it('echoes the caller\'s request id (how the load generator matches responses), and makes one for a caller without', async () => {
    const given = await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'rid-42' } });
    assert.equal(given.headers['x-request-id'], 'rid-42');
    const made = await app.inject({ method: 'GET', url: '/health/live' });
    assert.match(String(made.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  void it('serves participants: register, read own, read by handle', async () => {
    const me = await ok('consumer', 'GET', '/participants/me');
    assert.equal(me.role, 'consumer');
    const [msp, name] = seller.split('/');
    assert.equal((await ok('consumer', 'GET', `/participants/${msp ?? ''}/${name ?? ''}`)).role, 'retailer');
  });

  void it('serves templates: create 201, update to version 2, read latest, versions, one version, query', async () => {
    const id = `rt-${run}`;
    assert.equal((await ok('retailer', 'POST', '/templates', template(id), 201)).version, 1);
    assert.equal((await ok('retailer', 'PUT', `/templates/${id}`, template(id, { name: 'renamed' }))).version, 2);
    assert.equal((await ok('consumer', 'GET', `/templates/${id}`)).name, 'renamed');
    const versions = (await call('regulator', 'GET', `/templates/${id}/versions`)).json<unknown[]>();
    assert.equal(versions.length, 2);
    assert.equal((await ok('exchange', 'GET', `/templates/${id}/versions/1`)).name, 'route test template');
    const page = await ok('consumer', 'GET', '/templates?region=Jiangsu&marketStage=monthly&pageSize=100');
    assert.ok((page.records as { id: string }[]).some((t) => t.id === id));
  });

  void it('runs an order through every step of the flow, with filing, views, history, verification and export', async () => {
    const pkg = `rt-flow-${run}`;
    await ok('retailer', 'POST', '/templates', template(pkg), 201);
    const id = `rt-order-${run}`;
    const created = await ok('consumer', 'POST', '/orders', { id, packageId: pkg, content: 'baseload', seller, terms }, 201);
    assert.deepEqual([created.stage, created.status], ['drafting', 'submitted']);
    await ok('retailer', 'POST', `/orders/${id}/confirm`);
    await ok('consumer', 'POST', `/orders/${id}/confirm`);
    await ok('exchange', 'POST', `/orders/${id}/approve`);
    await ok('consumer', 'POST', `/orders/${id}/contract-text`, { text: `contract ${id}` });
    await ok('retailer', 'POST', `/orders/${id}/contract-text`, { text: `contract ${id}` });
    const ciphertext = randomBytes(32).toString('base64');
    assert.equal(((await ok('exchange', 'POST', `/orders/${id}/filing`, { ciphertext })).filed as { filedBy: string }).filedBy, 'ExchangeOrgMSP/exchange1');
    assert.equal((await ok('regulator', 'GET', `/orders/${id}/filing`)).ciphertext, ciphertext);
    await ok('consumer', 'POST', `/orders/${id}/sign`);
    await ok('retailer', 'POST', `/orders/${id}/sign`);
    await ok('exchange', 'POST', `/orders/${id}/start-execution`);
    await ok('retailer', 'POST', `/orders/${id}/dispute`, { reason: 'meter' });
    await ok('exchange', 'POST', `/orders/${id}/resolve`, { reason: 'corrected' });
    const expired = await ok('exchange', 'POST', `/orders/${id}/expire`);
    assert.deepEqual([expired.stage, expired.status], ['execution', 'expired']);

    const mine = await ok('consumer', 'GET', `/orders/${id}`);
    const agreed = mine.terms as Record<string, string>;
    assert.equal(agreed.tradePrice, terms.tradePrice);
    const review = await call('exchange', 'GET', `/orders/${id}`);
    assert.ok(!review.body.includes(terms.tradePrice) && !review.body.includes('"terms"'), review.body);
    const history = (await call('regulator', 'GET', `/orders/${id}/history`)).json<{ action: string }[]>();
    assert.deepEqual(history.map((h) => h.action), ['declare', 'confirm', 'confirm', 'approve', 'sign', 'sign', 'start-execution', 'dispute', 'resolve', 'expire']);
    assert.equal((await ok('regulator', 'POST', `/orders/${id}/verify`, { terms: agreed })).matches, true);
    const [msp, name] = seller.split('/');
    const listed = await ok('retailer', 'GET', `/participants/${msp ?? ''}/${name ?? ''}/orders?pageSize=100`);
    assert.ok((listed.records as { id: string }[]).some((o) => o.id === id));
    const exported = await ok('consumer', 'GET', '/trade-results?pageSize=100');
    assert.ok((exported.rows as { orderId: string }[]).some((r) => r.orderId === id));
    assert.equal((await ok('consumer', 'GET', '/config/review-mode')).mode, 'after-confirmation');
    assert.equal((await ok('exchange', 'PUT', '/config/review-mode', { mode: 'after-confirmation' })).mode, 'after-confirmation');
  });

  void it('rejects, cancels and deletes orders', async () => {
    const pkg = `rt-rej-${run}`;
    await ok('retailer', 'POST', '/templates', template(pkg), 201);
    for (const suffix of ['a', 'b']) {
      await ok('consumer', 'POST', '/orders', { id: `rt-${suffix}-${run}`, packageId: pkg, content: 'peak', seller, terms }, 201);
    }
    assert.equal((await ok('retailer', 'POST', `/orders/rt-a-${run}/reject`, { reason: 'no capacity' })).status, 'rejected');
    assert.equal((await ok('consumer', 'POST', `/orders/rt-b-${run}/cancel`, { reason: 'changed plans' })).status, 'cancelled');
    assert.equal((await ok('consumer', 'POST', `/orders/rt-a-${run}/delete`)).status, 'deleted');
  });

  void it('maps each refusal to its status with a problem body, and a refused request writes nothing', async () => {
    const pkg = `rt-err-${run}`;
    await ok('retailer', 'POST', '/templates', template(pkg), 201);
    const id = `rt-err-${run}`;
    await ok('consumer', 'POST', '/orders', { id, packageId: pkg, content: 'base', seller, terms }, 201);
    const before = await height();
    await problem('consumer', 'POST', '/templates', { id: 'x' }, 400, 'INVALID_REQUEST');
    await problem('retailer', 'POST', '/templates', template(`${pkg}-bad`, { validFrom: `${year}-06-01`, validTo: `${year}-01-01` }), 400, 'INVALID_ARGUMENT');
    await problem(null, 'POST', '/participants/me', undefined, 401, 'UNAUTHORIZED');
    const forged = await app.inject({ method: 'GET', url: '/participants/me', headers: { authorization: 'Bearer Y29uc3VtZXIvY29uc3VtZXIx.AAAA' } });
    assert.equal(forged.statusCode, 401);
    await problem('consumer', 'POST', '/templates', template(`${pkg}-x`), 403, 'FORBIDDEN_ROLE');
    await problem('regulator', 'POST', `/orders/${id}/reject`, { reason: 'x' }, 403, 'FORBIDDEN_ROLE');
    await problem('consumer', 'GET', '/orders/does-not-exist', undefined, 404, 'NOT_FOUND');
    await problem('exchange', 'POST', `/orders/${id}/start-execution`, undefined, 409, 'ILLEGAL_TRANSITION');
    await problem('consumer', 'POST', '/orders', { id, packageId: pkg, content: 'other content', seller, terms }, 409, 'CONFLICT');
    await problem('consumer', 'GET', '/no/such/route', undefined, 404, 'NOT_FOUND');
    assert.equal(await height(), before, 'a refused request changed the ledger');
  });

  void it('times every write by phase: endorse + submit + commit never exceed the request', async () => {
    const sum = async (name: string, labels: Record<string, string>): Promise<number> => {
      const text = (await call(null, 'GET', '/metrics')).body;
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const phases = async (): Promise<number> =>
      (await sum('retail_fabric_write_phase_seconds_sum', { phase: 'endorse' })) +
      (await sum('retail_fabric_write_phase_seconds_sum', { phase: 'submit' })) +
      (await sum('retail_fabric_write_phase_seconds_sum', { phase: 'commit' }));
    const route = { route: '/participants/me', method: 'POST' };
    const [p0, r0] = [await phases(), await sum('retail_http_request_duration_seconds_sum', route)];
    await ok('retailer', 'POST', '/participants/me');
    const [p1, r1] = [await phases(), await sum('retail_http_request_duration_seconds_sum', route)];
    assert.ok(p1 - p0 > 0, 'no phase was timed');
    assert.ok(p1 - p0 <= r1 - r0, `phases ${p1 - p0} s > request ${r1 - r0} s`);
    for (const phase of ['endorse', 'submit', 'commit']) {
      assert.ok((await sum('retail_fabric_write_phase_seconds_count', { phase })) > 0, phase);
    }
    const metrics = (await call(null, 'GET', '/metrics')).body;
    assert.match(metrics, /retail_fabric_submissions_in_flight 0/);
    assert.match(metrics, /retail_errors_total\{code="FORBIDDEN_ROLE"\} [1-9]/);
  });

  void it('keeps serving when a peer of the caller’s org is down (gateway failover)', async () => {
    const victim = peers(topology).find((p) => p.org.key === 'consumer');
    assert.ok(victim);
    await network.supervisor.stop([victim.id]);
    try {
      assert.equal((await ok('consumer', 'POST', '/participants/me')).role, 'consumer');
      assert.equal((await ok('consumer', 'GET', '/participants/me')).role, 'consumer');
      assert.match((await call(null, 'GET', '/metrics')).body, new RegExp(`retail_fabric_failovers_total\\{peer="${victim.id.replace(/\./g, '\\.')}"\\} [1-9]`));
      assert.equal((await call(null, 'GET', '/health/ready')).statusCode, 200);
    } finally {
      await network.up(() => undefined);
    }
  });

  void it('publishes a valid OpenAPI document that lists every route it serves', async () => {
    const doc = (await call(null, 'GET', '/openapi.json')).json<{ paths: Record<string, Record<string, unknown>> }>();
    // The validator is an ES module; this workspace compiles to CommonJS.
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const result = await new Validator().validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors));
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })));
    for (const { method, path } of documented) {
      assert.ok(app.hasRoute({ method: method, url: path.replace(/\{(\w+)\}/g, ':$1') }), `${method} ${path} is documented but not served`);
    }
    // participants 3, templates 6, orders 18 (10 lifecycle steps), filing 3, health 2; /metrics and /openapi.json are not API routes.
    assert.equal(documented.length, 32, documented.map((r) => `${r.method} ${r.path}`).join('\n'));
  });
});
