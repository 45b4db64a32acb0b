import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import type { KeptRequest, ScenarioRecords } from '../scenario';
import { AB_GROUPS, compare, sidesOfRepeat, windowFigures, type AbRaw, type AbSideName } from './figures';
import { abConfig } from './run';
import { AbSideError, prepareSide } from './sides';

const START = 1_000_000;

/** `n` successful requests of `latencyMs` spread over a 10 s measured window. */
function records(n: number, latencyMs: number, failed = 0): ScenarioRecords {
  const request = (i: number, status: number): KeptRequest => ({ attack: 0, seq: i, method: 'GET', status, startMs: START + (i * 10_000) / (n + failed), latencyMs, bytesSent: 10, bytesReceived: 100, phase: 'measured' });
  return {
    scenario: 'order_query',
    windows: { warmup: null, measured: { startMs: START, endMs: START + 10_000 } },
    droppedIterations: { warmup: 0, measured: 0 },
    requests: [...Array.from({ length: n }, (_, i) => request(i, 200)), ...Array.from({ length: failed }, (_, i) => request(n + i, 500))],
  };
}

/** Every group at `pct` % of the machine, a point a second through the window (and one outside it, which must not count). */
function raw(side: AbSideName, pct: Partial<Record<(typeof AB_GROUPS)[number], number>>): AbRaw {
  const points = (p: number): [number, number][] => [[START - 500, 99], ...Array.from({ length: 10 }, (_, i): [number, number] => [START + (i + 1) * 1000, p]), [START + 12_000, 99]];
  return { test: 'order_query', side, repeat: 1, cores: 2, cpu: Object.fromEntries(AB_GROUPS.map((g) => [g, points(pct[g] ?? 0)])) as unknown as AbRaw['cpu'] };
}

describe('bench ab figures', () => {
  it('derives throughput and CPU per request of each group from the window alone', () => {
    // 1000 requests in 10 s: 100/s, 6000/min; the service at 10 % of 2 cores = 0.2 cores = 200 ms/s: 2 ms a request.
    const f = windowFigures(records(1000, 20), raw('A', { service: 10, peer: 25 }));
    assert.equal(f.throughputTxPerMin, 6000);
    assert.equal(f.successRatePct, 100);
    assert.ok(Math.abs((f.cpuMsPerRequest.service ?? 0) - 2) < 1e-9);
    assert.ok(Math.abs((f.cpuMsPerRequest.peer ?? 0) - 5) < 1e-9);
    assert.equal(f.cpuMsPerRequest.lb, 0);
  });

  it('counts only successes as requests served', () => {
    const f = windowFigures(records(500, 20, 500), raw('A', { service: 10 }));
    assert.equal(f.throughputTxPerMin, 3000);
    assert.equal(f.successRatePct, 50);
    assert.ok(Math.abs((f.cpuMsPerRequest.service ?? 0) - 4) < 1e-9);
  });

  it('compares B with A as the ratio of the medians over the repeats', () => {
    const window = (side: AbSideName, n: number, service: number) => ({ test: 'order_query' as const, side, figures: windowFigures(records(n, 20), raw(side, { service })) });
    const comparisons = compare([window('A', 1000, 10), window('B', 1200, 8), window('A', 900, 10), window('B', 1300, 8), window('A', 1100, 12), window('B', 1250, 6)]);
    const throughput = comparisons.find((c) => c.figure === 'throughputTxPerMin');
    assert.ok(throughput);
    assert.equal(throughput.a?.median, 6000);
    assert.equal(throughput.b?.median, 7500);
    assert.equal(throughput.ratio, 1.25);
    const service = comparisons.find((c) => c.figure === 'cpuMsPerRequest.service');
    assert.ok(service?.ratio !== null && service?.ratio !== undefined && service.ratio < 1);
    assert.equal(comparisons.find((c) => c.figure === 'cpuMsPerRequest.lb')?.ratio, null, 'A at 0: no ratio');
  });

  it('alternates the order of the sides, repeat by repeat', () => {
    assert.deepEqual([0, 1, 2].map(sidesOfRepeat), [['A', 'B'], ['B', 'A'], ['A', 'B']]);
  });

  it('reads its options, refusing what it cannot run', () => {
    const config = abConfig({ test: 'both', repeats: '5', 'cpu-prof': true });
    assert.deepEqual(config.tests, ['order_query', 'add_order']);
    assert.equal(config.repeats, 5);
    assert.equal(config.cpuProf, true);
    assert.equal(abConfig({}).repeats, 3);
    assert.throws(() => abConfig({ test: 'everything' }), /--test must be one of/);
    assert.throws(() => abConfig({ repeats: '0' }), /--repeats/);
  });

  it('refuses a side that is neither a revision nor a built checkout', () => {
    assert.throws(() => prepareSide('no-such-revision-or-directory', () => undefined), AbSideError);
    const empty = mkdtempSync(join(tmpdir(), 'ab-side-'));
    try {
      assert.throws(() => prepareSide(empty, () => undefined), (error: unknown) => error instanceof AbSideError && /no built service/.test(error.message));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
