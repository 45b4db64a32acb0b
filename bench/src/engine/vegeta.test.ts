import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { StartedTestServer } from '../testing/http-server';
import { EngineError, type EngineRequest, type EngineResult } from './engine';
import { attackArgs, parseTimestamp, VegetaEngine } from './vegeta';

void describe('attackArgs', () => {
  void it('closed model: -rate=0 and as many workers and connections as users', () => {
    assert.deepEqual(attackArgs({ model: 'closed', workers: 30 }, 60_000, 30_000), [
      'attack',
      '-lazy',
      '-format=json',
      '-timeout=30000000000ns',
      '-keepalive=true',
      '-rate=0',
      '-workers=30',
      '-max-workers=30',
      '-duration=60000000000ns',
      '-max-connections=30',
      '-connections=30',
    ]);
  });

  void it('open model: all starts over the duration, the last one due at its end', () => {
    const args = attackArgs({ model: 'open', requests: 600, workers: 5, maxWorkers: 50 }, 3_000, 1_000);
    assert.ok(args.includes('-rate=600/3000000000ns'));
    assert.ok(args.includes('-workers=5') && args.includes('-max-workers=50') && args.includes('-max-connections=50'));
    // 600 starts 5 ms apart; the pacer stops once its duration is past the 600th.
    assert.ok(args.includes(`-duration=${600 * 5_000_000 - 1_000}ns`));
  });
});

void describe('parseTimestamp', () => {
  void it("keeps Go's nanoseconds as a fraction of a millisecond", () => {
    assert.equal(parseTimestamp('2026-11-25T15:11:53.639146342Z'), Date.UTC(2026, 10, 25, 15, 11, 53, 639) + 0.146342);
    assert.equal(parseTimestamp('2026-11-25T15:11:53Z'), Date.UTC(2026, 10, 25, 15, 11, 53));
    assert.equal(parseTimestamp('2026-11-25T16:11:53.5+01:00'), Date.UTC(2026, 10, 25, 15, 11, 53, 500));
  });
});

interface Numbered extends EngineRequest {
  readonly n: number;
}

function* numbered(url: string): Generator<Numbered> {
  for (let n = 0; ; n++) {
    yield { method: 'POST', url: `${url}/item/${n}?q=${n}`, headers: { 'x-n': String(n) }, body: JSON.stringify({ n }), n };
  }
}

void describe('VegetaEngine without vegeta', () => {
  void it('rejects with EngineError naming the binary', async () => {
    const engine = new VegetaEngine('/nonexistent/vegeta');
    await assert.rejects(
      engine.attack({
        pacing: { model: 'closed', workers: 1 },
        durationMs: 1_000,
        timeoutMs: 1_000,
        requests: numbered('http://127.0.0.1:1'),
        onResult: () => undefined,
      }),
      (error: unknown) => error instanceof EngineError && /cannot start vegeta \(\/nonexistent\/vegeta\).*ENOENT/.test(error.message),
    );
  });
});

void describe('VegetaEngine against a local server', () => {
  let engine: VegetaEngine;
  let server: StartedTestServer;

  before(async () => {
    engine = await VegetaEngine.locate();
    server = await StartedTestServer.start();
  });
  after(() => server.stop());

  void it('reports the pinned version', async () => {
    assert.equal(await engine.version(), '12.13.0');
  });

  void it('matches every result to its request under concurrency (its seq would not)', async (t) => {
    Object.assign(server.options, { delayMs: 0, status: 200 });
    const results: [EngineResult, Numbered][] = [];
    const report = await engine.attack({
      pacing: { model: 'closed', workers: 50 },
      durationMs: 1_000,
      timeoutMs: 5_000,
      requests: numbered(server.url),
      onResult: (result, request) => results.push([result, request]),
    });
    assert.equal(report.sent, results.length);
    assert.ok(results.length > 500, `${results.length} results`);
    let seqDiffers = 0;
    for (const [result, request] of results) {
      const echo = JSON.parse(result.body.toString()) as { path: string; headers: Record<string, string>; body: string };
      assert.equal(echo.path, `/item/${request.n}?q=${request.n}`);
      assert.equal(echo.headers['x-n'], String(request.n));
      assert.equal(echo.body, JSON.stringify({ n: request.n }));
      assert.equal(result.bytesSent, JSON.stringify({ n: request.n }).length);
      assert.equal(result.bytesReceived, result.body.length);
      assert.deepEqual(result.headers['X-Served-By'], ['test']);
      if (result.seq !== request.n) seqDiffers++;
    }
    assert.equal(new Set(results.map(([, r]) => r.n)).size, results.length);
    // Not asserted (it varies): how often vegeta's seq is not the target's position.
    t.diagnostic(`seq differs from the target's position in ${seqDiffers} of ${results.length} results`);
  });

  void it('without the echoed id, matches a result to the oldest outstanding request of its method and URL', async () => {
    Object.assign(server.options, { delayMs: 0, status: 200, echoRequestId: false });
    try {
      const results: [EngineResult, Numbered][] = [];
      await engine.attack({
        pacing: { model: 'closed', workers: 20 },
        durationMs: 500,
        timeoutMs: 5_000,
        requests: numbered(server.url),
        onResult: (result, request) => results.push([result, request]),
      });
      assert.ok(results.length > 100, `${results.length} results`);
      for (const [result, request] of results) {
        assert.equal(result.headers['X-Request-Id'], undefined);
        const echo = JSON.parse(result.body.toString()) as { path: string };
        assert.equal(echo.path, `/item/${request.n}?q=${request.n}`);
      }
      assert.equal(new Set(results.map(([, r]) => r.n)).size, results.length);
    } finally {
      server.options.echoRequestId = true;
    }
  });

  void it('serves vegeta\'s Prometheus metrics while attacking, one series set per URL (not per request)', async () => {
    Object.assign(server.options, { delayMs: 20, status: 200 });
    const probe = await StartedTestServer.start();
    const addr = new URL(probe.url).host;
    await probe.stop();
    const prometheus = new VegetaEngine(engine.binary, { prometheusAddr: addr });
    function* twoUrls(): Generator<EngineRequest> {
      for (let n = 0; ; n++) yield { method: 'GET', url: `${server.url}/${n % 2 === 0 ? 'even' : 'odd'}` };
    }
    let scraped = '';
    const attack = prometheus.attack({ pacing: { model: 'closed', workers: 4 }, durationMs: 1_500, timeoutMs: 5_000, requests: twoUrls(), onResult: () => undefined });
    for (let i = 0; i < 20 && !scraped.includes('request_seconds_count'); i++) {
      await sleep(100);
      scraped = await fetch(`http://${addr}/metrics`).then((r) => r.text(), () => '');
    }
    const report = await attack;
    assert.ok(report.sent > 20, `sent ${report.sent}`);
    const counts = scraped.split('\n').filter((l) => l.startsWith('request_seconds_count{'));
    const urls = new Set(counts.map((l) => /url="([^"]*)"/.exec(l)?.[1]));
    assert.deepEqual([...urls].sort(), [`${server.url}/even`, `${server.url}/odd`]);
  });

  void it('reports latency in milliseconds (vegeta writes nanoseconds) and start times in epoch ms', async () => {
    Object.assign(server.options, { delayMs: 100, status: 503 });
    const before = Date.now();
    const results: EngineResult[] = [];
    await engine.attack({
      pacing: { model: 'open', requests: 5, workers: 5, maxWorkers: 5 },
      durationMs: 500,
      timeoutMs: 5_000,
      requests: numbered(server.url),
      onResult: (result) => results.push(result),
    });
    assert.equal(results.length, 5);
    for (const r of results) {
      assert.ok(r.latencyMs >= 100 && r.latencyMs < 400, `latency ${r.latencyMs}`);
      assert.ok(r.startMs >= before && r.startMs <= Date.now(), `start ${r.startMs}`);
      assert.equal(r.status, 503);
      assert.equal(r.error, '503 Service Unavailable');
    }
  });

  void it('open model: starts exactly the requests due, and fewer when senders run out', async () => {
    Object.assign(server.options, { delayMs: 0, status: 200 });
    const onTime = await engine.attack({
      pacing: { model: 'open', requests: 150, workers: 2, maxWorkers: 20 },
      durationMs: 1_000,
      timeoutMs: 5_000,
      requests: numbered(server.url),
      onResult: () => undefined,
    });
    assert.equal(onTime.sent, 150);
    // 2 senders, 250 ms per response: ~8/s where 100 are due in the second.
    Object.assign(server.options, { delayMs: 250 });
    const late = await engine.attack({
      pacing: { model: 'open', requests: 100, workers: 1, maxWorkers: 2 },
      durationMs: 1_000,
      timeoutMs: 5_000,
      requests: numbered(server.url),
      onResult: () => undefined,
    });
    assert.ok(late.sent >= 4 && late.sent <= 12, `sent ${late.sent}`);
  });

  void it('reports a request that got no response with status 0', async () => {
    // A port that was just free: nothing listens there now.
    const gone = await StartedTestServer.start();
    await gone.stop();
    const results: EngineResult[] = [];
    await engine.attack({
      pacing: { model: 'open', requests: 2, workers: 2, maxWorkers: 2 },
      durationMs: 200,
      timeoutMs: 5_000,
      requests: numbered(gone.url),
      onResult: (result) => results.push(result),
    });
    assert.equal(results.length, 2);
    for (const r of results) {
      assert.equal(r.status, 0);
      assert.match(r.error ?? '', /connection refused/);
    }
  });

  void it('stops an attack on abort, still reporting what was in flight', async () => {
    Object.assign(server.options, { delayMs: 50 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => {
      controller.abort();
    }, 300);
    let results = 0;
    const report = await engine.attack({
      pacing: { model: 'closed', workers: 4 },
      durationMs: 20_000,
      timeoutMs: 5_000,
      requests: numbered(server.url),
      onResult: () => results++,
      signal: controller.signal,
    });
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
    assert.equal(report.aborted, true);
    assert.equal(report.sent, results);
    assert.ok(results >= 4, `${results} results`);
  });

  void it('vegeta exits when the process driving it dies', async () => {
    Object.assign(server.options, { delayMs: 10 });
    // A driver process that runs a 60 s attack; killed with SIGKILL, it cannot clean up.
    const script = `
      const { VegetaEngine } = require(${JSON.stringify(require.resolve('./vegeta'))});
      const engine = new VegetaEngine(${JSON.stringify(engine.binary)});
      function* requests() { for (;;) yield { method: 'GET', url: ${JSON.stringify(server.url)} }; }
      void engine.attack({ pacing: { model: 'closed', workers: 2 }, durationMs: 60000, timeoutMs: 1000, requests: requests(), onResult: () => {} });
    `;
    const driver = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    const pid = driver.pid ?? 0;
    let vegetas: string[] = [];
    for (let i = 0; i < 50 && vegetas.length < 2; i++) {
      await sleep(100);
      vegetas = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    }
    assert.equal(vegetas.length, 2, 'attack and encode started');
    driver.kill('SIGKILL');
    const alive = (p: string): boolean => existsSync(`/proc/${p}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${p}/status`, 'utf8'));
    for (let i = 0; i < 30 && vegetas.some(alive); i++) await sleep(100);
    assert.deepEqual(vegetas.filter(alive), [], 'vegeta processes still running 3 s after their driver died');
  });
});
