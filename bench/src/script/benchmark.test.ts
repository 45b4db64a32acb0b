import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ProgressMetrics } from '../progress/metrics';
import { testFigures } from '../table4/load';
import type { Fixture } from '../table4/prepare';
import { StartedTestServer } from '../testing/http-server';
import { runScriptTest, ScriptTestError, TABLE4_SCRIPTS, table4Test } from './benchmark';
import { ScriptLifecycleError } from './runtime/run';

/*
 * A script as a benchmark's test, against a local HTTP server: the fixture handed over in the file
 * __ENV.TABLE4_FIXTURE names, the warm-up and measured scenarios as one test's records (the
 * report's derivation reads them), each scenario's model and iterations, the exit code of a failed
 * threshold, and a script that stops the run as an error.
 */

const FIXTURE: Fixture = { runId: 'r1', org: 'consumer', users: [], seller: 'RetailerOrgMSP/retailer1', packageId: 'p1', preloaded: [] };

void describe('runScriptTest: a script as one test of a benchmark', () => {
  let dir: string;
  let server: StartedTestServer;
  let n = 0;
  const script = async (body: string): Promise<string> => {
    const file = path.join(dir, `t${n++}.ts`);
    await writeFile(file, `import http from '@energysale/bench/script/http';\nimport { check } from '@energysale/bench/script';\nimport { readFileSync } from 'node:fs';\nconst BASE = ${JSON.stringify(server.url)};\nvoid readFileSync; void check;\n${body}`);
    return file;
  };
  const context = { log: () => undefined, metrics: new ProgressMetrics() };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'script-test-'));
    server = await StartedTestServer.start({ delayMs: 5 });
  });
  after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('hands the fixture over, keeps the warm-up apart and gives the report its records', async () => {
    const file = await script(`
export const options = {
  scenarios: {
    warmup: { executor: 'constant-vus', vus: 2, duration: '1s', gracefulStop: '0s' },
    m: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '2s', preAllocatedVUs: 2, maxVUs: 4, startTime: '1s' },
  },
  thresholds: { 'checks{scenario:m}': ['rate==1'] },
};
export function setup() { return JSON.parse(readFileSync(__ENV.TABLE4_FIXTURE ?? '', 'utf8')); }
export default async function (fixture: { runId: string }) {
  const res = await http.get(BASE + '/orders/' + fixture.runId + '?n=' + __ENV.N);
  check(res, { 'the fixture reached the iteration': () => fixture.runId === 'r1' && __ENV.N === '7' });
}`);
    const run = await runScriptTest({ script: file, scenario: 'm', warmup: 'warmup', env: { N: '7' }, fixture: FIXTURE }, context);
    assert.equal(run.exitCode, 0);
    assert.deepEqual(run.models, { warmup: 'closed', m: 'open' });
    assert.equal(run.iterations.m, 40);
    const [records] = run.records;
    assert.ok(records);
    assert.equal(records.requests.filter((r) => r.phase === 'measured').length, 40);
    assert.ok(records.requests.some((r) => r.phase === 'warmup'), 'no warm-up request kept');
    const { measured, warmUp, window } = testFigures(run, 'm');
    assert.equal(measured.successes, 40);
    assert.ok(warmUp !== null && warmUp.successes > 0);
    assert.ok(Math.abs(window.durationS - 2) < 0.01, `window ${window.durationS} s`);
  });

  it('returns a failed threshold as exit 99, and throws when the script stops the run', async () => {
    const failing = await script(`
export const options = { scenarios: { m: { executor: 'shared-iterations', vus: 1, iterations: 3 } }, thresholds: { http_reqs: ['count>100'] } };
export default async function () { await http.get(BASE + '/x'); }`);
    assert.equal((await runScriptTest({ script: failing, scenario: 'm', env: {} }, context)).exitCode, 99);
    const broken = await script(`
export const options = { scenarios: { m: { executor: 'shared-iterations', vus: 1, iterations: 1 } } };
export function setup() { throw new Error('no fixture'); }
export default async function () { await http.get(BASE + '/x'); }`);
    await assert.rejects(runScriptTest({ script: broken, scenario: 'm', env: {} }, context), (error: unknown) => error instanceof ScriptLifecycleError && /no fixture/.test(error.message));
    // A script that aborts its run (exit 108) measured nothing to report: an error, not figures.
    const aborting = await script(`
import exec from '@energysale/bench/script/execution';
export const options = { scenarios: { m: { executor: 'shared-iterations', vus: 1, iterations: 5 } } };
export default async function () { await http.get(BASE + '/x'); exec.test.abort('stop here'); }`);
    await assert.rejects(runScriptTest({ script: aborting, scenario: 'm', env: {} }, context), (error: unknown) => error instanceof ScriptTestError && /exited 108: .*stop here/.test(error.message));
  });

  it('sets up a Table 4 test: its script, scenarios, load and fixture, Fabric metrics for the gateway path', () => {
    const test = table4Test('add_order', { users: 8, duration: '20s', warmup: '5s' }, FIXTURE, { RATE: '12', VIA: 'gateway' });
    assert.equal(test.script, TABLE4_SCRIPTS.add_order);
    assert.deepEqual([test.scenario, test.warmup, test.requests], ['add_order', 'warmup', 'fabric']);
    assert.deepEqual(test.env, { USERS: '8', DURATION: '20s', WARMUP: '5s', RATE: '12', VIA: 'gateway' });
    assert.equal(table4Test('order_query', { users: 30, duration: '1m', warmup: '0s' }, FIXTURE).requests, 'http');
  });
});

