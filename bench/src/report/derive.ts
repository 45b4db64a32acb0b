/**
 * The one derivation of a run's load figures from its per-request records, whatever engine sent
 * them (vegeta's results through the scenario runner, Caliper's workload records): the live run
 * calls it to write summary.json, and `render` calls it again on what raw/ kept, so a figure in a
 * report is always this function of the records beside it.
 *
 * A figure with nothing to derive it from is null ("no data"), never 0: no requests, no latency
 * and no success rate; no window, no throughput.
 */
import { countTransactions } from '@energysale/network';

import { percentile } from '../scenario/stats';
import type { ChainCount, LatencyStats, LoadSample, PhaseFigures } from './schema';

/** One request or transaction: when it was sent, when its answer came (epoch ms) and whether it succeeded. */
export interface Outcome {
  readonly startMs: number;
  readonly endMs: number;
  readonly ok: boolean;
}

/** A span of time, epoch ms. */
export interface Span {
  readonly startMs: number;
  readonly endMs: number;
}

/** First send to last completion; null without records. */
export function spanOf(records: readonly Outcome[]): Span | null {
  if (records.length === 0) return null;
  let startMs = Number.POSITIVE_INFINITY;
  let endMs = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    startMs = Math.min(startMs, r.startMs);
    endMs = Math.max(endMs, r.endMs);
  }
  return { startMs, endMs };
}

/** Average, p50, p95, p99 and max of the records' response times in seconds (k6's interpolated percentiles); null without records. */
export function latencyStats(records: readonly Outcome[]): LatencyStats | null {
  if (records.length === 0) return null;
  const values = Float64Array.from(records, (r) => (r.endMs - r.startMs) / 1000).sort();
  let sum = 0;
  for (const v of values) sum += v;
  const at = (p: number): number => percentile(values, p) as number;
  return { avg: sum / values.length, p50: at(50), p95: at(95), p99: at(99), max: values[values.length - 1] as number };
}

/**
 * The figures of one phase: counts of its records, success rate, throughput = successes over the
 * window (the window the phase was measured in: the runner's planned window for vegeta, first send
 * to last completion for Caliper; null or empty: no throughput), latencies of every completed record. `droppedIterations` is the
 * executor's (starts due that never happened), not a record's.
 */
export function phaseFigures(records: readonly Outcome[], window: Span | null, droppedIterations: number): PhaseFigures {
  const successes = records.filter((r) => r.ok).length;
  const windowS = window === null ? 0 : (window.endMs - window.startMs) / 1000;
  return {
    requests: records.length,
    successes,
    failures: records.length - successes,
    droppedIterations,
    successRatePct: records.length === 0 ? null : (successes * 100) / records.length,
    throughputTxPerMin: windowS > 0 ? (successes * 60) / windowS : null,
    latencyS: latencyStats(records),
  };
}

/**
 * One sample per second of completion, `t` in whole seconds from `originMs` (negative before it),
 * from the first second with a completion to the last; a second without one is a sample of 0
 * (and no latency).
 */
export function loadSeries(records: readonly Outcome[], originMs: number): LoadSample[] {
  const seconds = new Map<number, Outcome[]>();
  for (const r of records) {
    const t = Math.floor((r.endMs - originMs) / 1000);
    const list = seconds.get(t);
    if (list === undefined) seconds.set(t, [r]);
    else list.push(r);
  }
  if (seconds.size === 0) return [];
  const ts = [...seconds.keys()];
  const samples: LoadSample[] = [];
  for (let t = Math.min(...ts); t <= Math.max(...ts); t++) {
    const list = seconds.get(t) ?? [];
    const ok = list.filter((r) => r.ok).length;
    const latency = latencyStats(list);
    samples.push({ t, ok, errors: list.length - ok, latencyS: latency === null ? null : { p50: latency.p50, p95: latency.p95, p99: latency.p99 } });
  }
  return samples;
}

/** A phase's records and the window they were measured in. */
export interface PhaseRecords {
  readonly records: readonly Outcome[];
  readonly window: Span | null;
  readonly droppedIterations: number;
}

/** A test's load figures as the report states them: its measured window, both phases, the series. */
export interface DerivedTest {
  readonly window: { start: string; end: string; durationS: number };
  readonly measured: PhaseFigures;
  /** Null when the test had no warm-up. */
  readonly warmUp: PhaseFigures | null;
  /** Warm-up and measured, `t` from the measured window's start. */
  readonly timeSeries: LoadSample[];
}

/** A test's figures from its phases' records; the measured phase must have a window. */
export function deriveTest(measured: PhaseRecords & { readonly window: Span }, warmUp: PhaseRecords | null): DerivedTest {
  const { window } = measured;
  return {
    window: { start: new Date(window.startMs).toISOString(), end: new Date(window.endMs).toISOString(), durationS: (window.endMs - window.startMs) / 1000 },
    measured: phaseFigures(measured.records, window, measured.droppedIterations),
    warmUp: warmUp === null ? null : phaseFigures(warmUp.records, warmUp.window, warmUp.droppedIterations),
    timeSeries: loadSeries([...(warmUp?.records ?? []), ...measured.records], window.startMs),
  };
}

/** What the chain committed of a window's transactions, by validation code (the network's count): VALID ones and every other. */
export function chainCounts(transactions: Parameters<typeof countTransactions>[0]): Omit<ChainCount, 'source'> {
  const { byValidation } = countTransactions(transactions);
  const validTx = transactions.filter((tx) => tx.validation === 'VALID').length;
  return { validTx, invalidTx: transactions.length - validTx, byValidation };
}

/** A figure with no data where a number is needed to go on (a gate's repeat, a sweep's step): names the figure. */
export class NoDataError extends Error {
  override readonly name = 'NoDataError';
}

/** `value`, or a NoDataError naming `what` when there was nothing to derive it from. */
export function required(value: number | null, what: string): number {
  if (value === null) throw new NoDataError(`${what}: no data`);
  return value;
}
