import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { runCommand } from './command';
import type { MetricStore } from './runtime/metrics';
import { EXIT } from './runtime/run';

/*
 * `bench run` on the running network (the shared test network in CI): the example scripts under
 * bench/scenarios/ (the whole retail lifecycle of 30 users, the gateway script, the mixed day), and
 * every executor against the retail service in one run.
 */

const scenarios = path.resolve(__dirname, '..', '..', 'scenarios');

function total(store: MetricStore, metric: string, filter: Record<string, string> = {}): number {
  return store.select(metric, filter).reduce((n, s) => n + s.values.reduce((a, b) => a + b, 0), 0);
}

void describe('bench run on the network', () => {
  let dir: string;
  const lines: string[] = [];
  const command = (script: string, env: Record<string, string> = {}) =>
    runCommand({ script, env, overrides: {}, noService: false, reportsDir: dir, log: (line) => lines.push(line) });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bench-run-live-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('drives 30 users through the whole lifecycle, every check passing, every order in its final state on the ledger', async () => {
    const { exitCode, result, reportDir } = await command(path.join(scenarios, 'lifecycle.ts'), { USERS: '30', ITERATIONS: '1' });
    assert.equal(exitCode, EXIT.ok, `${JSON.stringify(result.thresholds, null, 1)}\n${lines.slice(-20).join('\n')}`);
    assert.equal(result.data.metrics.checks?.values.fails, 0);
    assert.equal(result.data.metrics.orders_in_final_state?.values.passes, 30);
    assert.equal(total(result.store, 'iterations'), 30);
    for (const step of ['declare', 'confirm-retailer', 'confirm-user', 'approve', 'sign-user', 'sign-retailer', 'start-execution', 'dispute', 'resolve']) {
      assert.ok(result.data.metrics[`http_req_duration{group:::${step}}`] !== undefined, `latency of step ${step}`);
    }
    assert.ok(reportDir !== undefined);
    const html = await readFile(path.join(reportDir, 'run.html'), 'utf8');
    assert.match(html, /<svg/);
  });

  it('runs every executor against the service, several scenarios in one run, each from its startTime', async () => {
    const file = path.join(dir, 'executors.ts');
    await writeFile(
      file,
      `
import http from '@energysale/bench/script/http';
import { check } from '@energysale/bench/script';
import network from '@energysale/bench/script/network';
export const options = {
  scenarios: {
    shared: { executor: 'shared-iterations', vus: 2, iterations: 10 },
    perVu: { executor: 'per-vu-iterations', vus: 2, iterations: 3, startTime: '200ms' },
    constant: { executor: 'constant-vus', vus: 2, duration: '2s' },
    ramping: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '1s', target: 3 }, { duration: '1s', target: 0 }], gracefulRampDown: '1s' },
    arrival: { executor: 'constant-arrival-rate', rate: 10, duration: '2s', preAllocatedVUs: 2, maxVUs: 5, startTime: '500ms' },
    ramp: { executor: 'ramping-arrival-rate', startRate: 2, stages: [{ duration: '2s', target: 10 }], preAllocatedVUs: 2, maxVUs: 5 },
  },
  thresholds: { checks: ['rate==1'], http_req_failed: ['rate==0'], 'iterations{scenario:shared}': ['count==10'], 'iterations{scenario:perVu}': ['count==6'] },
};
export function setup() { return { url: network.baseUrl() + '/health/live' }; }
export default async function (data: { url: string }) {
  const res = await http.get(data.url, { tags: { name: 'health' } });
  check(res, { live: (r) => r.status === 200 && (r.json() as { status: string }).status === 'live' });
}`,
    );
    const { exitCode, result } = await command(file);
    assert.equal(exitCode, EXIT.ok, JSON.stringify(result.thresholds, null, 1));
    assert.equal(total(result.store, 'iterations', { scenario: 'arrival' }), 20);
    assert.equal(total(result.store, 'iterations', { scenario: 'ramp' }), 12);
    assert.equal(total(result.store, 'dropped_iterations'), 0);
    assert.ok(total(result.store, 'iterations', { scenario: 'ramping' }) > 0);
    assert.ok(total(result.store, 'iterations', { scenario: 'constant' }) > 0);
  });

  it('changes the VUs of an externally-controlled scenario through the control API', async () => {
    const file = path.join(dir, 'external.ts');
    await writeFile(
      file,
      `
import http from '@energysale/bench/script/http';
import { sleep } from '@energysale/bench/script';
import network from '@energysale/bench/script/network';
export const options = { scenarios: { ext: { executor: 'externally-controlled', vus: 1, maxVUs: 4, duration: '4s' } } };
export function setup() { return { url: network.baseUrl() + '/health/live' }; }
export default async function (data: { url: string }) { await http.get(data.url); await sleep(0.1); }`,
    );
    const seen: number[] = [];
    const { monitoring, StateLayout, stateTopology } = await import('@energysale/network');
    const address = monitoring(stateTopology(new StateLayout()).topology).harness.endpoint;
    // Once the run answers on its control API (after the service tier started), 3 VUs.
    const scaler = (async () => {
      for (let i = 0; i < 120; i++) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const status = await fetch(`http://${address}/v1/status`).then((r) => r.json() as Promise<{ data: { attributes: { status: string } } }>, () => undefined);
        if (status?.data.attributes.status !== 'running') continue;
        const r = await fetch(`http://${address}/v1/status`, { method: 'PATCH', body: JSON.stringify({ data: { attributes: { vus: 3 } } }) });
        seen.push(r.status, ((await r.json()) as { data: { attributes: { vus: number } } }).data.attributes.vus);
        return;
      }
    })();
    const { exitCode, result } = await command(file);
    await scaler;
    assert.equal(exitCode, EXIT.ok);
    assert.deepEqual(seen, [200, 3]);
    assert.equal(Math.max(...result.store.select('vus_max').flatMap((s) => s.values)), 3);
  });

  it('runs the gateway script straight to Fabric and the mixed day through the service', async () => {
    const gateway = await command(path.join(scenarios, 'gateway.ts'), { VUS: '2', DURATION: '5s' });
    assert.equal(gateway.exitCode, EXIT.ok, JSON.stringify(gateway.result.thresholds, null, 1));
    assert.ok(total(gateway.result.store, 'fabric_reqs') >= 4);
    const mixed = await command(path.join(scenarios, 'mixed-day.ts'));
    assert.equal(mixed.exitCode, EXIT.ok, JSON.stringify(mixed.result.thresholds, null, 1));
    assert.ok(total(mixed.result.store, 'iterations', { scenario: 'audit' }) > 0);
  });
});
