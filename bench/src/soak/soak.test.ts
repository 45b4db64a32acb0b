import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { BlockRecords } from '../report/block-records';
import { deriveSoak, drift } from './derive';
import { decodeResponses, encodeResponses, SOAK_RAW_SCHEMA, SoakRawError, type ResponseRow, type Snapshot, type SoakRaw } from './raw';
import { processId, soakGroupOf } from './sample';

const T0 = 1_700_000_000_000;
const NO_BLOCKS: BlockRecords = { source: 'test', transactions: [] };
const MINUTE = 60_000;

/** A peer whose CPU per interval is given (ticks), a harness at 100 ticks per interval. */
function rawWith(peerTicksPerInterval: readonly number[], other: readonly number[] = []): SoakRaw {
  let peer = 1000;
  let bench = 500;
  const snapshots: Snapshot[] = [];
  for (let i = 0; i <= peerTicksPerInterval.length; i++) {
    if (i > 0) {
      peer += peerTicksPerInterval[i - 1] ?? 0;
      bench += 100;
    }
    snapshots.push({
      t: T0 + 10_000 + i * MINUTE,
      cpuTicks: { peer0: peer, bench },
      rssBytes: { peer0: 100 * 2 ** 20 + i, bench: 50 * 2 ** 20 },
      heapBytes: { peer0: 10 * 2 ** 20 * (i + 1) },
      ledgerHeight: { peer0: 10 + i * 5 },
      ledgerBytes: { peer0: { chains: 1000 * (i + 1), stateLeveldb: 500 } },
    });
  }
  return {
    schema: SOAK_RAW_SCHEMA,
    config: { scenario: 'add_order', users: 2, durationMs: peerTicksPerInterval.length * MINUTE, warmupMs: 10_000, intervalMs: MINUTE, driftIntervals: 2, maxDrift: 1.2, disturbance: { otherPct: 5, sharePct: 10 } },
    clockTicksPerS: 100,
    cores: 2,
    loadStartedMs: T0,
    measuredFromMs: T0 + 10_000,
    processes: [
      { id: 'peer0', group: 'chain' },
      { id: 'bench', group: 'load generator' },
    ],
    snapshots,
    interference: other.map((pct, i) => ({ t: T0 + 10_000 + (i + 1) * 1000, machinePct: 50, oursPct: 40, kernelPct: 1, otherPct: pct, stealPct: 0, foreign: pct > 0 ? [[4242, 'burner', pct] as const] : [] })),
  };
}

/** `n` successful responses completing evenly inside interval `i` (of 1 min after the 10 s warm-up), latency `ms`. */
function responses(i: number, n: number, ms: number, status = 201): ResponseRow[] {
  return Array.from({ length: n }, (_, k) => ({ scenario: 'add_order', startMs: 10_000 + i * MINUTE + ((k + 0.5) * MINUTE) / n - ms, latencyMs: ms, status }));
}

void describe('soak derivation', () => {
  void it('derives throughput, latency and CPU per transaction per interval from the raw data', () => {
    const raw = rawWith([600, 600, 600, 600]);
    const rows = [...responses(0, 60, 100), ...responses(1, 60, 100), ...responses(2, 30, 200), ...responses(2, 30, 200, 500), ...responses(3, 60, 100)];
    const figures = deriveSoak(raw, rows, NO_BLOCKS);
    assert.equal(figures.intervals.length, 4);
    const [first, , third] = figures.intervals;
    assert.equal(first?.throughputPerMin, 60);
    assert.equal(first.latencyS.p50, 0.1);
    // 600 ticks = 6000 ms of CPU over 60 successes.
    assert.equal(first.cpuMsPerTx.peer0, 100);
    assert.equal(first.groupCpuMsPerTx.chain, 100);
    assert.equal(first.groupCpuPct.chain, 5);
    assert.equal(first.groupCpuMsPerTx['load generator'], (100 * 10) / 60);
    assert.equal(third?.successes, 30);
    assert.equal(third.failures, 30);
    assert.equal(third.cpuMsPerTx.peer0, 200);
    assert.equal(first.ledgerHeight, 15);
    assert.equal(first.ledgerBytesByPeer.peer0, 2500);
    assert.equal(figures.totals.successes, 210);
  });

  void it('drops responses completed outside the measured window (the warm-up, after the last snapshot)', () => {
    const raw = rawWith([600]);
    const rows = [...responses(0, 10, 100), { scenario: 'add_order', startMs: 5000, latencyMs: 10, status: 201 }, { scenario: 'add_order', startMs: 10_000 + MINUTE + 5, latencyMs: 10, status: 201 }];
    assert.equal(deriveSoak(raw, rows, NO_BLOCKS).totals.responses, 10);
  });

  void it("takes each figure's drift as its last intervals' mean over its first, and fails the rule it breaks", () => {
    // The peer's CPU per transaction doubles from the first two intervals to the last two.
    const raw = rawWith([600, 600, 1200, 1200]);
    const rows = [0, 1, 2, 3].flatMap((i) => responses(i, 60, 100));
    const figures = deriveSoak(raw, rows, NO_BLOCKS);
    assert.equal(figures.driftIntervals, 2);
    const chain = figures.drift.find((d) => d.figure === 'CPU ms/tx chain');
    assert.deepEqual(chain, { figure: 'CPU ms/tx chain', first: 100, last: 200, ratio: 2 });
    const verdict = figures.verdicts.find((v) => v.figure === 'CPU ms/tx chain');
    assert.equal(verdict?.passed, false);
    assert.match(verdict.reason ?? '', /×2\.000/);
    assert.equal(figures.verdicts.find((v) => v.figure === 'throughput (tx/min)')?.passed, true);
    assert.ok(figures.drift.some((d) => d.figure === 'heap peer0 (bytes)' && d.ratio !== null && d.ratio > 1));
  });

  void it('has no data, and fails, where an interval had no success', () => {
    const raw = rawWith([600, 600]);
    const figures = deriveSoak(raw, responses(0, 10, 100), NO_BLOCKS);
    assert.equal(figures.intervals[1]?.throughputPerMin, 0);
    assert.equal(figures.intervals[1].latencyS.p50, null);
    assert.equal(figures.intervals[1].cpuMsPerTx.peer0, null);
    const verdict = figures.verdicts.find((v) => v.figure === 'CPU ms/tx chain');
    assert.deepEqual([verdict?.passed, verdict?.reason], [false, 'no data']);
    // A soak shorter than two intervals compares nothing: every rule fails for want of data.
    const short = deriveSoak(rawWith([600]), responses(0, 10, 100), NO_BLOCKS);
    assert.ok(short.verdicts.every((v) => !v.passed && v.reason === 'no data'));
  });

  void it("marks the soak disturbed when someone else's CPU was above the rule, and names the process", () => {
    const quiet = deriveSoak(rawWith([600, 600], Array.from({ length: 120 }, () => 1)), responses(0, 10, 100), NO_BLOCKS);
    assert.equal(quiet.interference.disturbed, false);
    const busy = deriveSoak(rawWith([600, 600], Array.from({ length: 120 }, (_, i) => (i < 30 ? 40 : 0))), responses(0, 10, 100), NO_BLOCKS);
    assert.equal(busy.interference.disturbed, true);
    assert.equal(busy.interference.aboveSharePct, 25);
    assert.equal(busy.interference.foreign[0]?.name, 'burner');
    assert.equal(busy.intervals[0]?.otherPct, 20);
  });

  void it("counts the window's transactions from the blocks, per interval and by function, by the client's time", () => {
    const raw = rawWith([600, 600]);
    const tx = (minute: number, validation: string, fn = 'orders:DeclareOrder') => ({ block: 1, index: 0, txId: `${String(minute)}${validation}`, type: 'ENDORSER_TRANSACTION', validation, fn, timestampMs: T0 + 10_000 + minute * MINUTE + 1000 });
    const blocks: BlockRecords = { source: 'test scan', transactions: [tx(0, 'VALID'), tx(0, 'MVCC_READ_CONFLICT'), tx(1, 'VALID'), tx(1, 'VALID', 'orders:ConfirmOrder'), tx(2, 'VALID')] };
    const figures = deriveSoak(raw, responses(0, 10, 100), blocks);
    assert.deepEqual(figures.intervals[0]?.chainByValidation, { VALID: 1, MVCC_READ_CONFLICT: 1 });
    assert.deepEqual(figures.intervals[1]?.chainByValidation, { VALID: 2 });
    assert.deepEqual(figures.chain.byFunction, { 'orders:DeclareOrder': { VALID: 2, MVCC_READ_CONFLICT: 1 }, 'orders:ConfirmOrder': { VALID: 1 } });
    assert.equal(figures.chain.source, 'test scan');
  });

  void it('drift is null when the first value is 0 or missing', () => {
    assert.equal(drift('x', [0, 0, 1, 1], 2).ratio, null);
    assert.equal(drift('x', [null, null, 1, 1], 2).ratio, null);
    assert.equal(drift('x', [2, 2, 3, 3], 2).ratio, 1.5);
  });
});

void describe('soak raw data', () => {
  void it('keeps every response through its compressed CSV', () => {
    const rows = [...responses(0, 5, 12.345), { scenario: 'order_query', startMs: 1.5, latencyMs: 0.25, status: 0 }];
    const decoded = decodeResponses(encodeResponses(rows));
    assert.equal(decoded.length, rows.length);
    assert.deepEqual(decoded.at(-1), { scenario: 'order_query', startMs: 1.5, latencyMs: 0.25, status: 0 });
    assert.ok(Math.abs((decoded[0]?.latencyMs ?? 0) - 12.35) < 0.006);
  });

  void it('refuses a file that is not its CSV', async () => {
    const { gzipSync } = await import('node:zlib');
    assert.throws(() => decodeResponses(gzipSync('a,b\n1,2\n')), SoakRawError);
    assert.throws(() => decodeResponses(gzipSync('scenario,start_ms,latency_ms,status\nx,1,oops,200\n')), /line 2/);
  });
});

void describe('soak process names', () => {
  void it("names a node's series by its id and this benchmark's by its part", () => {
    assert.equal(processId({ node: 'peer0.example.org', group: 'peer' }, 42), 'peer0.example.org');
    assert.equal(processId({ node: 'bench-42', group: 'vegeta' }, 42), 'vegeta (this benchmark)');
    assert.equal(soakGroupOf({ group: 'vegeta' }), 'load generator');
    assert.equal(soakGroupOf({ group: 'lb' }), 'service tier');
  });
});
