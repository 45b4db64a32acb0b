import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { VegetaEngine } from '../engine/vegeta';
import { StartedTestServer } from '../testing/http-server';
import { ThresholdSyntaxError } from './errors';
import { run } from './run';
import type { Summary } from './summary';
import type { Progress } from './types';

interface Echo {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

void describe('run() with vegeta against a local server', () => {
  let engine: VegetaEngine;
  let dir: string;
  const servers: StartedTestServer[] = [];
  const serve = async (delayMs: number): Promise<StartedTestServer> => {
    const server = await StartedTestServer.start({ delayMs });
    servers.push(server);
    return server;
  };

  before(async () => {
    engine = await VegetaEngine.locate();
    dir = await mkdtemp(path.join(os.tmpdir(), 'bench-run-'));
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  void it('closed loop: N VUs keep at most N requests in flight, each with its own credentials; warm-up apart', async () => {
    const server = await serve(20);
    const summaryPath = path.join(dir, 'closed', 'summary.json');
    const progress: Progress[] = [];
    const { summary, exitCode } = await run(
      {
        scenarios: {
          users: {
            executor: 'constant-vus',
            vus: 4,
            duration: '1500ms',
            warmup: '500ms',
            tags: { kind: 'read' },
            exec: (vu, iteration) => ({
              method: 'POST',
              url: `${server.url}/vu/${vu}/${iteration}`,
              headers: { authorization: `Bearer token-${vu}` },
              body: JSON.stringify({ vu, iteration }),
            }),
            checks: {
              'own credentials': (res) => (res.json() as Echo).headers['authorization'] === `Bearer token-${res.vu}`,
              'status 200': (res) => res.status === 200,
            },
          },
        },
        thresholds: {
          'checks{scenario:users}': ['rate==1'],
          'http_req_duration{kind:read}': ['p(95)<1000', 'min>=15'],
        },
        summaryPath,
      },
      { engine, onProgress: (p) => progress.push(p) },
    );

    assert.ok(server.maxInFlight <= 4 && server.maxInFlight >= 2, `max in flight ${server.maxInFlight}`);
    const pairs = new Set<string>();
    for (const seen of server.seen) {
      const [, vu, iteration] = /^\/vu\/(\d+)\/(\d+)$/.exec(seen.path) ?? [];
      assert.equal(seen.headers.authorization, `Bearer token-${vu ?? '?'}`);
      assert.equal(seen.body, JSON.stringify({ vu: Number(vu), iteration: Number(iteration) }));
      pairs.add(`${vu ?? ''}/${iteration ?? ''}`);
    }
    assert.equal(pairs.size, server.seen.length, 'every (vu, iteration) once');

    const users = summary.scenarios['users'];
    assert.ok(users?.warmup);
    assert.equal(users.measured.requests + users.warmup.requests, server.seen.length);
    assert.ok(users.warmup.requests > 10 && users.measured.requests > users.warmup.requests);
    assert.equal(users.measured.window.durationS, 1.5);
    assert.equal(users.warmup.window.durationS, 0.5);
    assert.deepEqual(users.measured.checks, {
      'own credentials': { passes: users.measured.requests, fails: 0 },
      'status 200': { passes: users.measured.requests, fails: 0 },
    });
    assert.equal(users.measured.successRate, 1);
    assert.equal(users.measured.expectedIterations, null);
    assert.equal(summary.metrics.http_reqs.count, users.measured.requests);
    assert.equal(summary.metrics.iterations.count, users.measured.requests);
    // The server answers after 20 ms (a Node.js timer may fire a little early): milliseconds, not ns or s.
    assert.ok((summary.metrics.http_req_duration.min ?? 0) >= 15);
    assert.ok(summary.metrics.data_sent.count > 0 && summary.metrics.data_received.count > 0);
    assert.equal(exitCode, 0);
    assert.equal(summary.thresholds['http_req_duration{kind:read}']?.ok, true);

    const written = JSON.parse(await readFile(summaryPath, 'utf8')) as Summary;
    assert.deepEqual(written.config.scenarios['users']?.checks, ['own credentials', 'status 200']);
    const series = written.scenarios['users']?.series ?? [];
    assert.deepEqual(
      series.map((p) => p.t),
      [-1, 0, 1],
    );
    assert.equal(
      series.reduce((n, p) => n + p.requests, 0),
      server.seen.length,
    );
    assert.ok(series.every((p) => p.latencyMs === null || (p.latencyMs.p50 <= p.latencyMs.p95 && p.latencyMs.p95 <= p.latencyMs.p99)));

    assert.ok(progress.length >= 2, `${progress.length} progress reports`);
    assert.ok(progress.some((p) => p.scenarios['users']?.phase === 'measured' && p.scenarios['users'].requests > 0));
    assert.equal(progress.at(-1)?.scenarios['users']?.phase, 'done');
  });

  void it('open model: 200/s for 3 s sends ~600 requests and drops none', async () => {
    const server = await serve(1);
    const { summary, exitCode } = await run(
      {
        scenarios: {
          rate: {
            executor: 'constant-arrival-rate',
            rate: 200,
            timeUnit: '1s',
            duration: '3s',
            preAllocatedVUs: 5,
            maxVUs: 50,
            exec: (vu, iteration) => ({ method: 'GET', url: `${server.url}/item/${vu}-${iteration}` }),
          },
        },
        thresholds: { 'http_reqs{scenario:rate}': ['count>=594', 'rate>=190'], dropped_iterations: ['count<=6'] },
      },
      { engine },
    );
    const measured = summary.scenarios['rate']?.measured;
    assert.ok(measured);
    assert.equal(measured.expectedIterations, 600);
    assert.ok(measured.requests >= 594 && measured.requests <= 600, `${measured.requests} requests`);
    assert.equal(measured.droppedIterations, 600 - measured.requests);
    assert.ok(Math.abs((measured.throughput.requestsPerSecond ?? 0) - 200) < 5);
    assert.equal(server.seen.length, measured.requests);
    assert.equal(exitCode, 0, JSON.stringify(summary.thresholds));
  });

  void it('open model: a slow server and too few VUs drop iterations; a failed threshold exits 99', async () => {
    const server = await serve(300);
    const { summary, exitCode } = await run(
      {
        scenarios: {
          slow: {
            executor: 'constant-arrival-rate',
            rate: 50,
            duration: '2s',
            preAllocatedVUs: 1,
            maxVUs: 2,
            exec: () => ({ method: 'GET', url: server.url }),
          },
        },
        thresholds: { dropped_iterations: ['count==0'], 'http_req_duration{scenario:slow}': ['p(95)<2000'] },
      },
      { engine },
    );
    const measured = summary.scenarios['slow']?.measured;
    assert.ok(measured);
    // Two senders, 300 ms each: ~14 of the 100 due.
    assert.ok(measured.requests >= 8 && measured.requests <= 20, `${measured.requests} requests`);
    assert.equal(measured.droppedIterations, 100 - measured.requests);
    assert.ok(server.maxInFlight <= 2);
    assert.deepEqual(summary.thresholds['dropped_iterations'], {
      ok: false,
      conditions: [{ condition: 'count==0', ok: false, value: 100 - measured.requests, message: `count==0: ${100 - measured.requests}, failed` }],
    });
    assert.equal(summary.thresholds['http_req_duration{scenario:slow}']?.ok, true);
    assert.equal(exitCode, 99);
    assert.equal(summary.exitCode, 99);
  });

  void it('ramping arrival rate: 0 -> 100/s over 1 s, then 100/s for 1 s, is 150 starts', async () => {
    const server = await serve(1);
    const { summary } = await run(
      {
        scenarios: {
          ramp: {
            executor: 'ramping-arrival-rate',
            stages: [
              { target: 100, duration: '1s' },
              { target: 100, duration: '1s' },
            ],
            preAllocatedVUs: 5,
            maxVUs: 20,
            exec: () => ({ method: 'GET', url: server.url }),
          },
        },
      },
      { engine },
    );
    const measured = summary.scenarios['ramp']?.measured;
    assert.equal(measured?.expectedIterations, 150);
    assert.ok(measured.requests >= 147, `${measured.requests} requests`);
    assert.equal(summary.exitCode, 0);
  });

  void it('stops with the error of an exec that throws', async () => {
    const server = await serve(0);
    await assert.rejects(
      run(
        {
          scenarios: {
            s: {
              executor: 'constant-vus',
              vus: 2,
              duration: '10s',
              exec: (vu, iteration) => {
                if (iteration === 50) throw new Error('no more test data');
                return { method: 'GET', url: `${server.url}/${vu}/${iteration}` };
              },
            },
          },
        },
        { engine },
      ),
      /no more test data/,
    );
  });

  void it('rejects a malformed threshold before sending anything', async () => {
    const server = await serve(0);
    await assert.rejects(
      run(
        {
          scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '1s', exec: () => ({ method: 'GET', url: server.url }) } },
          thresholds: { 'http_req_duration{scenario:s}': ['p95<500'] },
        },
        { engine },
      ),
      ThresholdSyntaxError,
    );
    assert.equal(server.seen.length, 0);
  });
});
