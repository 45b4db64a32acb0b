import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { StartedTestServer } from '../../testing/http-server';
import { ScriptCompileError } from '../loader';
import { rawSamples, rederive } from '../report';
import type { MetricStore } from './metrics';
import { EXIT, runScript, type ScriptRunOptions, type ScriptRunResult } from './run';

/*
 * The runner end to end against a local HTTP server: each executor's schedule as it ran (iterations,
 * VUs over time), thresholds in k6's object form with abortOnFail, gracefulStop, errors in
 * iterations, type errors, setup/teardown/handleSummary, test.abort, and the report's raw samples.
 */

const HEADER = `
import http from '@energysale/bench/script/http';
import { check, sleep } from '@energysale/bench/script';
import exec from '@energysale/bench/script/execution';
`;

function count(store: MetricStore, metric: string, filter: Record<string, string> = {}): number {
  return store.select(metric, filter).reduce((n, s) => n + s.values.reduce((a, b) => a + b, 0), 0);
}

function maxOf(store: MetricStore, metric: string): number {
  return Math.max(0, ...store.select(metric).flatMap((s) => s.values));
}

void describe('runScript: executors, thresholds and the script lifecycle', () => {
  let dir: string;
  let server: StartedTestServer;
  let failing: StartedTestServer;
  let n = 0;

  const script = async (body: string): Promise<string> => {
    const file = path.join(dir, `s${n++}.ts`);
    await writeFile(file, `${HEADER}\nconst BASE = ${JSON.stringify(server.url)};\nconst FAILING = ${JSON.stringify(failing.url)};\nvoid FAILING; void BASE; void check; void sleep; void exec; void http;\n${body}`);
    return file;
  };
  const run = async (body: string, options: ScriptRunOptions = {}): Promise<ScriptRunResult> => runScript(await script(body), { log: () => undefined, ...options });

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'script-run-'));
    server = await StartedTestServer.start({ delayMs: 5 });
    failing = await StartedTestServer.start({ delayMs: 1, status: 500 });
  });
  after(async () => {
    await server.stop();
    await failing.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('shared-iterations: exactly `iterations` in all, over `vus` VUs', async () => {
    const r = await run(`
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 3, iterations: 10 } } };
export default async function () { const res = await http.get(BASE + '/x'); check(res, { ok: (x) => x.status === 200 }); }`);
    assert.equal(r.exitCode, EXIT.ok);
    assert.equal(count(r.store, 'iterations'), 10);
    assert.equal(count(r.store, 'http_reqs'), 10);
    assert.equal(maxOf(r.store, 'vus_max'), 3);
  });

  it('per-vu-iterations: each VU runs its own `iterations`', async () => {
    const r = await run(`
const seen: Record<number, number> = {};
export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 3, iterations: 4 } } };
export default async function () { await http.get(BASE + '/x'); seen[exec.vu.idInTest] = (seen[exec.vu.idInTest] ?? 0) + 1; }
export function teardown() { if (JSON.stringify(seen) !== '{"1":4,"2":4,"3":4}') throw new Error('per VU: ' + JSON.stringify(seen)); }`);
    assert.equal(count(r.store, 'iterations'), 12);
  });

  it('constant-vus: `vus` VUs loop for `duration`', async () => {
    const started = Date.now();
    const r = await run(`
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '1s' } } };
export default async function () { await http.get(BASE + '/x'); await sleep(0.1); }`);
    const took = Date.now() - started;
    const iterations = count(r.store, 'iterations');
    // 2 VUs × ~1 s / ~0.1 s per iteration
    assert.ok(iterations >= 12 && iterations <= 22, `${iterations} iterations`);
    assert.equal(maxOf(r.store, 'vus'), 2);
    assert.ok(took < 4_000, `took ${took} ms`);
  });

  it('ramping-vus: the VU count follows the stages up and down', async () => {
    const seenVus: number[] = [];
    const r = await run(
      `
export const options = { scenarios: { s: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '1s', target: 4 }, { duration: '1s', target: 0 }], gracefulRampDown: '0s' } } };
export default async function () { await sleep(0.05); }`,
      { onProgress: (p) => seenVus.push(p.vus) },
    );
    assert.equal(maxOf(r.store, 'vus_max'), 4);
    assert.ok(Math.max(...seenVus) >= 3, `VUs seen each second: ${seenVus.join(',')}`);
    assert.equal(seenVus.at(-1), 0);
    assert.ok(count(r.store, 'iterations') > 20);
  });

  it('constant-arrival-rate: rate × duration iterations, none dropped, first request timed from its schedule', async () => {
    const r = await run(`
export const options = { scenarios: { s: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1s', preAllocatedVUs: 2, maxVUs: 10 } } };
export default async function () { await http.get(BASE + '/x'); }`);
    assert.equal(count(r.store, 'iterations'), 20);
    assert.equal(count(r.store, 'dropped_iterations'), 0);
  });

  it('ramping-arrival-rate: the integral of the rate; dropped_iterations when maxVUs are all busy', async () => {
    const ramp = await run(`
export const options = { scenarios: { s: { executor: 'ramping-arrival-rate', startRate: 0, stages: [{ duration: '2s', target: 10 }], preAllocatedVUs: 1, maxVUs: 5 } } };
export default async function () { await http.get(BASE + '/x'); }`);
    assert.equal(count(ramp.store, 'iterations'), 10);
    const busy = await run(`
export const options = { scenarios: { s: { executor: 'constant-arrival-rate', rate: 20, duration: '1s', preAllocatedVUs: 1, maxVUs: 2 } } };
export default async function () { await sleep(0.5); }`);
    const dropped = count(busy.store, 'dropped_iterations');
    const done = count(busy.store, 'iterations');
    assert.ok(dropped >= 12, `${dropped} dropped`);
    assert.equal(done + dropped, 20);
    assert.ok(done <= 6, `${done} iterations`);
  });

  it('externally-controlled: VUs changed while it runs', async () => {
    const seen: number[] = [];
    const r = await run(
      `
export const options = { scenarios: { s: { executor: 'externally-controlled', vus: 1, maxVUs: 5, duration: '2s' } } };
export default async function () { await sleep(0.05); }`,
      {
        onControl: (_name, control) => {
          setTimeout(() => {
            control.setVus(4);
          }, 300);
          setTimeout(() => {
            assert.throws(() => { control.setVus(6); }, RangeError);
          }, 400);
        },
        onProgress: (p) => {
          seen.push(p.vus);
        },
      },
    );
    assert.equal(maxOf(r.store, 'vus_max'), 4);
    assert.ok(seen.includes(4), `VUs: ${seen.join(',')}`);
  });

  it('gracefulStop: iterations still running past it are interrupted, not counted', async () => {
    const started = Date.now();
    const r = await run(`
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '300ms', gracefulStop: '200ms' } } };
export default async function () { await sleep(5); }`);
    assert.ok(Date.now() - started < 2_000);
    assert.equal(count(r.store, 'iterations'), 0);
  });

  it('thresholds in the object form: abortOnFail stops the run early with exit 99', async () => {
    const started = Date.now();
    const r = await run(`
export const options = {
  scenarios: { s: { executor: 'constant-vus', vus: 2, duration: '20s' } },
  thresholds: { http_req_failed: [{ threshold: 'rate==0', abortOnFail: true, delayAbortEval: '1s' }], http_req_duration: ['p(95)<10000'] },
};
export default async function () { await http.get(FAILING + '/boom'); await sleep(0.05); }`);
    const took = Date.now() - started;
    assert.equal(r.exitCode, EXIT.thresholdsFailed);
    assert.match(r.abortReason ?? '', /abortOnFail/);
    assert.ok(took >= 1_000 && took < 8_000, `took ${took} ms`);
    assert.equal(r.thresholds.http_req_failed?.ok, false);
    assert.equal(r.thresholds.http_req_duration?.ok, true);
  });

  it('a failed string threshold gives 99 after a whole run; met ones 0', async () => {
    const failed = await run(`
export const options = { iterations: 3, thresholds: { 'http_req_duration{scenario:default}': ['max<0.001'], checks: ['rate==1'] } };
export default async function () { check(await http.get(BASE + '/x'), { ok: (r) => r.status === 200 }); }`);
    assert.equal(failed.exitCode, EXIT.thresholdsFailed);
    assert.equal(failed.thresholds['http_req_duration{scenario:default}']?.ok, false);
    assert.equal(failed.thresholds.checks?.ok, true);
  });

  it('an iteration that throws counts an error and the run goes on', async () => {
    const lines: string[] = [];
    const r = await run(
      `
export const options = { scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 10 } }, thresholds: { iteration_errors: ['count<5'] } };
export default async function () { if (exec.scenario.iterationInTest % 3 === 0) throw new Error('thrown on purpose'); await http.get(BASE + '/x'); }`,
      { log: (line) => lines.push(line) },
    );
    assert.equal(count(r.store, 'iteration_errors'), 4);
    assert.equal(count(r.store, 'iterations'), 10);
    assert.equal(count(r.store, 'http_reqs'), 6);
    assert.equal(r.exitCode, EXIT.ok);
    assert.ok(lines.some((l) => /thrown on purpose/.test(l) && /s\d+\.ts:\d+/.test(l)), lines.join('\n'));
  });

  it('a type error stops the run before anything runs, with the compiler message and line', async () => {
    const file = await script(`
export default async function () {
  const res = await http.get(BASE);
  const status: string = res.status;
  void status;
}`);
    await assert.rejects(
      () => runScript(file),
      (error: unknown) => {
        assert.ok(error instanceof ScriptCompileError);
        assert.match(error.diagnostics, /\(12,9\): error TS2322: Type 'number' is not assignable to type 'string'/);
        return true;
      },
    );
  });

  it('setup data reaches every iteration; teardown and handleSummary run; custom metrics and groups are summarised', async () => {
    const r = await run(`
import { Trend, Counter, Rate, Gauge } from '@energysale/bench/script/metrics';
import { group } from '@energysale/bench/script';
const t = new Trend('step_time', true); const c = new Counter('things'); const ok = new Rate('good'); const g = new Gauge('level');
export const options = { vus: 2, iterations: 6, thresholds: { things: ['count==12'], good: ['rate==1'], 'group_duration{group:::step}': ['count==6'] } };
export function setup() { return { word: 'hello', base: BASE }; }
export default async function (data: { word: string; base: string }) {
  await group('step', async () => { const res = await http.get(data.base + '/' + data.word); t.add(res.timings.duration); });
  c.add(2); ok.add(data.word === 'hello'); g.add(__VU);
}
export function teardown(data: { word: string }) { if (data.word !== 'hello') throw new Error('no setup data'); }
export function handleSummary(data: { metrics: Record<string, unknown> }) { return { stdout: 'metrics: ' + Object.keys(data.metrics).length }; }`);
    assert.equal(r.exitCode, EXIT.ok, JSON.stringify(r.thresholds));
    assert.match(r.handleSummary?.stdout ?? '', /^metrics: \d+$/);
    assert.equal(r.data.metrics.step_time?.contains, 'time');
    assert.equal(r.data.root_group.groups[0]?.name, 'step');
    assert.ok(r.data.metrics['http_req_duration{group:::step}'] !== undefined);
  });

  it('test.abort() stops the run with 108', async () => {
    const r = await run(`
export const options = { scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '10s' } } };
export default async function () { await sleep(0.05); if (exec.scenario.iterationInTest === 3) exec.test.abort('enough'); }`);
    assert.equal(r.exitCode, EXIT.scriptAborted);
    assert.match(r.abortReason ?? '', /enough/);
  });

  it('the summary is derived again, figure for figure, from the raw samples a report keeps', async () => {
    const r = await run(`
export const options = { scenarios: { a: { executor: 'shared-iterations', vus: 2, iterations: 8 }, b: { executor: 'constant-arrival-rate', rate: 10, duration: '500ms', preAllocatedVUs: 2 } }, thresholds: { 'http_reqs{scenario:a}': ['count==8'] } };
export default async function () { check(await http.get(BASE + '/x'), { ok: (x) => x.status === 200 }); }`);
    const raw = JSON.parse(JSON.stringify(rawSamples(r))) as ReturnType<typeof rawSamples>;
    const options = { scenarios: Object.fromEntries(r.scenarios.map((s) => [s.name, s.source])), thresholds: { 'http_reqs{scenario:a}': ['count==8'] } };
    const again = rederive(raw, { options, summary: r.data });
    for (const name of ['http_reqs', 'iterations', 'checks', 'http_reqs{scenario:a}']) {
      assert.deepEqual(again.metrics[name]?.values.count ?? again.metrics[name]?.values.rate, r.data.metrics[name]?.values.count ?? r.data.metrics[name]?.values.rate, name);
    }
    const p95 = (d: typeof r.data): number => d.metrics.http_req_duration?.values['p(95)'] ?? Number.NaN;
    assert.ok(Math.abs(p95(again) - p95(r.data)) < 0.01);
  });
});
