import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import { chainCounts, latencyStats, loadSeries, NoDataError, phaseFigures, required, spanOf, type Outcome } from './derive';
import { decodeRequestRecords, deriveScenario, encodeRequestRecords, RequestRecordsError } from './request-records';
import type { ScenarioRecords } from '../scenario/records';

const at = (startMs: number, endMs: number, ok = true): Outcome => ({ startMs, endMs, ok });

void describe('figures derived from per-request records', () => {
  void it('counts, success rate, throughput = successes / window, latencies of every record', () => {
    const records = [at(1000, 2000), at(1100, 1600), at(1500, 4000, false), at(2000, 3000)];
    // A window of 6 s: 3 successes are 30 a minute, whatever the records' own span.
    const figures = phaseFigures(records, { startMs: 0, endMs: 6000 }, 2);
    assert.deepEqual(
      { requests: figures.requests, successes: figures.successes, failures: figures.failures, droppedIterations: figures.droppedIterations, successRatePct: figures.successRatePct, throughput: figures.throughputTxPerMin },
      { requests: 4, successes: 3, failures: 1, droppedIterations: 2, successRatePct: 75, throughput: 30 },
    );
    // Latencies 0.5, 1, 1, 2.5 s; k6's interpolation: p95 at index 2.85.
    const l = figures.latencyS;
    assert.ok(l);
    assert.deepEqual([l.avg, l.p50, l.max], [1.25, 1, 2.5]);
    assert.ok(Math.abs(l.p95 - 2.275) < 1e-12 && Math.abs(l.p99 - 2.455) < 1e-12, `${l.p95} ${l.p99}`);
  });

  void it('says "no data" (null), never 0, where there is nothing to derive a figure from', () => {
    const none = phaseFigures([], { startMs: 0, endMs: 6000 }, 0);
    assert.equal(none.successRatePct, null);
    assert.equal(none.latencyS, null);
    assert.equal(none.throughputTxPerMin, 0, 'no success in a real window is a throughput of 0');
    assert.equal(phaseFigures([at(0, 10)], null, 0).throughputTxPerMin, null, 'no window, no throughput');
    assert.equal(phaseFigures([at(0, 10)], { startMs: 5, endMs: 5 }, 0).throughputTxPerMin, null, 'an empty window, no throughput');
    assert.equal(latencyStats([]), null);
    assert.equal(spanOf([]), null);
  });

  void it('makes one sample per second of completion, gaps included, negative before the origin', () => {
    const series = loadSeries([at(0, 500), at(1000, 1900), at(1200, 2100, false), at(2000, 4600)], 1000);
    assert.deepEqual(series.map((p) => [p.t, p.ok, p.errors]), [
      [-1, 1, 0],
      [0, 1, 0],
      [1, 0, 1],
      [2, 0, 0],
      [3, 1, 0],
    ]);
    assert.equal(series[3]?.latencyS, null, 'a second without a completion has no latency');
    assert.deepEqual(series[0]?.latencyS, { p50: 0.5, p95: 0.5, p99: 0.5 });
  });

  void it('counts what the chain committed by validation code', () => {
    assert.deepEqual(chainCounts(['VALID', 'MVCC_READ_CONFLICT', 'VALID'].map((validation) => ({ validation, type: 'ENDORSER_TRANSACTION' }))), { validTx: 2, invalidTx: 1, byValidation: { VALID: 2, MVCC_READ_CONFLICT: 1 } });
    assert.deepEqual(chainCounts([]), { validTx: 0, invalidTx: 0, byValidation: {} });
  });

  void it('refuses to go on without data where a number is needed, naming the figure', () => {
    assert.equal(required(0, 'x'), 0);
    assert.throws(() => required(null, 'add_order, p99 latency'), (error: unknown) => error instanceof NoDataError && error.message === 'add_order, p99 latency: no data');
  });
});

void describe("the scenario runner's records in raw/", () => {
  const records: ScenarioRecords = {
    scenario: 'add_order',
    windows: { warmup: { startMs: 0, endMs: 1000 }, measured: { startMs: 1000, endMs: 3000 } },
    droppedIterations: { warmup: 0, measured: 0 },
    requests: [
      { attack: 0, seq: 0, method: 'POST', status: 201, startMs: 100.25, latencyMs: 700.5, bytesSent: 10, bytesReceived: 20, phase: 'warmup' },
      { attack: 0, seq: 1, method: 'POST', status: 201, startMs: 1000, latencyMs: 500, bytesSent: 10, bytesReceived: 20, phase: 'measured' },
      { attack: 0, seq: 2, method: 'POST', status: 0, startMs: 1200, latencyMs: 1500, bytesSent: 10, bytesReceived: 0, error: 'Post "http://x": EOF', phase: 'measured' },
      { attack: 0, seq: 3, method: 'POST', status: 409, startMs: 2900, latencyMs: 300, bytesSent: 10, bytesReceived: 20, phase: 'measured' },
    ],
  };

  void it('read back exactly as written (gzipped JSON lines)', () => {
    const file = encodeRequestRecords(records);
    assert.equal(file[0], 0x1f, 'gzip');
    assert.deepEqual(decodeRequestRecords(file, 'x'), records);
  });

  void it('give the test its figures: the runner\'s window, a status >= 400 or none a failure', () => {
    const derived = deriveScenario(records);
    assert.deepEqual(derived.window, { start: '1970-01-01T00:00:01.000Z', end: '1970-01-01T00:00:03.000Z', durationS: 2 });
    assert.deepEqual([derived.measured.requests, derived.measured.successes, derived.measured.failures, derived.measured.throughputTxPerMin], [3, 1, 2, 30]);
    assert.equal(derived.warmUp?.latencyS?.avg, 0.7005);
    assert.deepEqual(derived.timeSeries.map((p) => p.t), [-1, 0, 1, 2]);
  });

  void it('refuse what is not theirs, naming the file and the line', () => {
    assert.throws(() => decodeRequestRecords(Buffer.from('plain'), 'raw/r.gz'), (e: unknown) => e instanceof RequestRecordsError && /raw\/r\.gz: not gzip/.test(e.message));
    const header = JSON.stringify({ scenario: 'a', windows: { warmup: null, measured: { startMs: 0, endMs: 1 } }, droppedIterations: { warmup: 0, measured: 0 } });
    assert.throws(() => decodeRequestRecords(gzipSync(`${header}\n{"seq":1}\n`), 'f'), /f:2: not a request record \(attack\)/);
    assert.throws(() => decodeRequestRecords(gzipSync('{"scenario":1}\n'), 'f'), /f:1: not a header/);
  });
});
