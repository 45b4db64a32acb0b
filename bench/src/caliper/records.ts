import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { LatencyStats, LoadSample } from '../report/schema';
import { percentile } from '../scenario';

/** One transaction a Caliper worker sent: ms since the epoch before it went to the connector and when it was answered. */
export interface TxRecord {
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
  readonly user: string;
  /** Order id written (add order) or read (order query). */
  readonly id: string;
}

/** `<round>.w<worker>.jsonl`: one file per worker and round, so workers never share a file. */
export function recordFile(dir: string, round: string, workerIndex: number): string {
  return join(dir, `${round}.w${workerIndex}.jsonl`);
}

/** Every record of a round, from all its workers' files, in order of completion. */
export async function readRecords(dir: string, round: string): Promise<TxRecord[]> {
  const files = (await readdir(dir)).filter((f) => f.startsWith(`${round}.w`) && f.endsWith('.jsonl'));
  const records: TxRecord[] = [];
  for (const file of files) {
    for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
      if (line.trim() !== '') records.push(JSON.parse(line) as TxRecord);
    }
  }
  return records.sort((a, b) => a.end - b.end);
}

export interface RecordFigures {
  readonly requests: number;
  readonly successes: number;
  readonly failures: number;
  /** First send to last completion. */
  readonly window: { readonly startMs: number; readonly endMs: number };
  /** Of every completed transaction, in seconds. */
  readonly latencyS: LatencyStats;
}

const latencyOf = (r: TxRecord): number => (r.end - r.start) / 1000;

function latencyStats(values: number[]): LatencyStats {
  values.sort((a, b) => a - b);
  const at = (p: number): number => percentile(values, p) ?? 0;
  return { avg: values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length, p50: at(50), p95: at(95), p99: at(99), max: values.at(-1) ?? 0 };
}

export function recordFigures(records: readonly TxRecord[]): RecordFigures {
  const successes = records.filter((r) => r.ok).length;
  return {
    requests: records.length,
    successes,
    failures: records.length - successes,
    window: { startMs: Math.min(...records.map((r) => r.start)), endMs: Math.max(...records.map((r) => r.end)) },
    latencyS: latencyStats(records.map(latencyOf)),
  };
}

/** Per second of completion, `t` in whole seconds from `originMs` (negative before it). */
export function timeSeries(records: readonly TxRecord[], originMs: number): LoadSample[] {
  const seconds = new Map<number, TxRecord[]>();
  for (const r of records) {
    const t = Math.floor((r.end - originMs) / 1000);
    seconds.set(t, [...(seconds.get(t) ?? []), r]);
  }
  return [...seconds.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, list]) => {
      const ok = list.filter((r) => r.ok).length;
      const { p50, p95, p99 } = latencyStats(list.map(latencyOf));
      return { t, ok, errors: list.length - ok, latencyS: list.length === 0 ? null : { p50, p95, p99 } };
    });
}
