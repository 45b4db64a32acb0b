import { UsageError } from '@energysale/network';

import { spread, type Spread } from '../gate/statistics';
import { phaseFigures, type Outcome, type Span } from '../report/derive';
import type { PhaseFigures } from '../report/schema';
import { parseDuration } from '../scenario';

/*
 * The ceiling's figures (issue 28, "The ceiling"), pure: what one measured window of one test saved
 * under raw/, the figures derived from it, and their median and spread over the repeats. The live
 * run and `bench ceiling --render` derive them with these same functions from the same raw files,
 * so every figure of ceiling.json and ceiling.md can be derived again from what is saved beside it.
 *
 * Medians, with min–max and the MAD-based sigma of gate/statistics.ts: a repeat disturbed by a
 * scrape or a compaction moves a mean, not a median.
 */

/** The two tests: a no-op evaluate, and a one-key blind write (bench/scenarios/ceiling.ts). */
export const CEILING_TESTS = ['evaluate', 'write'] as const;
export type CeilingTest = (typeof CEILING_TESTS)[number];

export interface CeilingConfig {
  /** Closed-loop users, each its own identity. */
  readonly users: number;
  /** The measured window and the warm-up before it (k6 durations). */
  readonly duration: string;
  readonly warmup: string;
  /** How many times each test runs (evaluate then write, then again). */
  readonly repeats: number;
}

/** Table 4's 30 users; a minute measured, three repeats: enough for a median and its spread. */
export const DEFAULT_CEILING: CeilingConfig = { users: 30, duration: '1m', warmup: '10s', repeats: 3 };

/** The short variant CI runs: one repeat of 15 s after 3 s. */
export const QUICK_CEILING: CeilingConfig = { users: 30, duration: '15s', warmup: '3s', repeats: 1 };

/** A command-line whole number of at least 1 (a UsageError otherwise). */
export function wholeNumber(option: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 1) throw new UsageError(`${option} must be a whole number of at least 1, not ${text}`);
  return n;
}

/** A command-line duration ("20s", "1m"), 0 only when `allowZero` (a UsageError otherwise). */
export function durationOption(option: string, text: string, allowZero: boolean): string {
  let ms: number;
  try {
    ms = parseDuration(text, option);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (ms === 0 && !allowZero) throw new UsageError(`${option} must be longer than 0`);
  return text;
}

/** The command's options as a config: the quick variant's or the default's, each option given over it. */
export function ceilingConfig(options: { readonly users?: string; readonly duration?: string; readonly warmup?: string; readonly repeats?: string; readonly quick?: boolean }): CeilingConfig {
  const base = options.quick === true ? QUICK_CEILING : DEFAULT_CEILING;
  return {
    users: options.users === undefined ? base.users : wholeNumber('--users', options.users),
    duration: options.duration === undefined ? base.duration : durationOption('--duration', options.duration, false),
    warmup: options.warmup === undefined ? base.warmup : durationOption('--warmup', options.warmup, true),
    repeats: options.repeats === undefined ? base.repeats : wholeNumber('--repeats', options.repeats),
  };
}

/** One process group's CPU over a window, as breakdown() read it from our own-process exporter: % of the whole machine. */
export interface GroupCpu {
  readonly group: string;
  readonly cpuPct: number;
}

/** What one measured window of one test saves under raw/: everything its figures are derived from. */
export interface CeilingRaw {
  readonly test: CeilingTest;
  readonly repeat: number;
  readonly window: Span;
  /** Every call completed in the measured window: [start, epoch ms; latency, ms to the µs; 1 succeeded, 0 failed]. */
  readonly calls: readonly (readonly [number, number, 0 | 1])[];
  /** CPU of each process group over the window (Prometheus, bench/src/resources/breakdown.ts). */
  readonly cpuByGroup: readonly GroupCpu[];
  /** The machine's cores: what 100 % of the machine is. */
  readonly cores: number;
}

/** A call as raw/ keeps it: latency rounded to the µs (what the figures are then derived from, live and again). */
export function rawCall(startMs: number, latencyMs: number, ok: boolean): readonly [number, number, 0 | 1] {
  return [startMs, Math.round(latencyMs * 1000) / 1000, ok ? 1 : 0];
}

export interface GroupCost {
  readonly group: string;
  readonly cpuPct: number;
  /** CPU ms the group spent per successful transaction; null ("no data") with no success in the window. */
  readonly msPerTx: number | null;
}

/** One window's figures. */
export interface CeilingRunFigures {
  readonly measured: PhaseFigures;
  /** Successful transactions a second over the window; null without a window. */
  readonly throughputPerS: number | null;
  /** Largest first. */
  readonly cpu: readonly GroupCost[];
  /** Every group of ours together, ms per transaction. */
  readonly cpuMsPerTxTotal: number | null;
}

/**
 * A group's CPU per transaction: the cores it kept busy on average over the window (its share of the
 * machine × the cores), over the transactions completed a second, in ms. Both are averages over
 * the same window, so neither its length nor its rounding enters.
 */
export function msPerTransaction(cpuPct: number, cores: number, throughputPerS: number | null): number | null {
  if (throughputPerS === null || throughputPerS <= 0) return null;
  return ((cpuPct / 100) * cores * 1000) / throughputPerS;
}

export function runFigures(raw: Pick<CeilingRaw, 'window' | 'calls' | 'cpuByGroup' | 'cores'>): CeilingRunFigures {
  const outcomes: Outcome[] = raw.calls.map(([startMs, latencyMs, ok]) => ({ startMs, endMs: startMs + latencyMs, ok: ok === 1 }));
  const measured = phaseFigures(outcomes, raw.window, 0);
  const throughputPerS = measured.throughputTxPerMin === null ? null : measured.throughputTxPerMin / 60;
  const cpu = raw.cpuByGroup
    .map((g) => ({ group: g.group, cpuPct: g.cpuPct, msPerTx: msPerTransaction(g.cpuPct, raw.cores, throughputPerS) }))
    .sort((a, b) => b.cpuPct - a.cpuPct || a.group.localeCompare(b.group));
  const totalPct = raw.cpuByGroup.reduce((sum, g) => sum + g.cpuPct, 0);
  return { measured, throughputPerS, cpu, cpuMsPerTxTotal: raw.cpuByGroup.length === 0 ? null : msPerTransaction(totalPct, raw.cores, throughputPerS) };
}

/** Median and spread of the repeats that have the figure; null ("no data") when none has. */
export function spreadOf(values: readonly (number | null | undefined)[]): Spread | null {
  const known = values.filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
  return known.length === 0 ? null : spread(known);
}

/** One test over its repeats. */
export interface CeilingFigures {
  readonly test: CeilingTest;
  readonly repeats: number;
  /** Successful transactions a second: the ceiling. */
  readonly throughputPerS: Spread | null;
  readonly successRatePct: Spread | null;
  readonly avgLatencyS: Spread | null;
  readonly p99LatencyS: Spread | null;
  /** CPU ms per transaction of each group seen in any repeat, largest median first. */
  readonly cpuMsPerTx: readonly { readonly group: string; readonly spread: Spread | null }[];
  readonly cpuMsPerTxTotal: Spread | null;
}

export function aggregate(test: CeilingTest, runs: readonly CeilingRunFigures[]): CeilingFigures {
  const groups = [...new Set(runs.flatMap((r) => r.cpu.map((g) => g.group)))];
  const cpuMsPerTx = groups
    .map((group) => ({ group, spread: spreadOf(runs.map((r) => r.cpu.find((g) => g.group === group)?.msPerTx)) }))
    .sort((a, b) => (b.spread?.median ?? -1) - (a.spread?.median ?? -1) || a.group.localeCompare(b.group));
  return {
    test,
    repeats: runs.length,
    throughputPerS: spreadOf(runs.map((r) => r.throughputPerS)),
    successRatePct: spreadOf(runs.map((r) => r.measured.successRatePct)),
    avgLatencyS: spreadOf(runs.map((r) => r.measured.latencyS?.avg)),
    p99LatencyS: spreadOf(runs.map((r) => r.measured.latencyS?.p99)),
    cpuMsPerTx,
    cpuMsPerTxTotal: spreadOf(runs.map((r) => r.cpuMsPerTxTotal)),
  };
}
