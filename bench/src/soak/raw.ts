import { gunzipSync, gzipSync } from 'node:zlib';

import type { InterferencePoint } from '../resources/interference';

/*
 * What a soak saves under raw/, and from which every figure of its report is derived (derive.ts):
 * every response (requests.csv.gz); at each interval's boundary, a snapshot of every process of
 * ours and of the peers' ledgers (samples.json), with the machine's interference each second; and
 * every transaction the blocks hold of the measured window (blocks.json.gz, report/block-records.ts).
 */

export const SOAK_RAW_SCHEMA = 'energysale-bench/soak-raw@1';

/** Linux's USER_HZ: /proc reports CPU time in these ticks on every architecture Node runs on. */
export const CLOCK_TICKS_PER_S = 100;

/** The groups a process of ours belongs to, as the report adds them up. */
export const SOAK_GROUPS = ['chain', 'ca', 'service tier', 'load generator', 'monitoring'] as const;
export type SoakGroup = (typeof SOAK_GROUPS)[number];

export const SOAK_SCENARIOS = ['add_order', 'order_query', 'mixed'] as const;
export type SoakScenario = (typeof SOAK_SCENARIOS)[number];

/** One process of ours (with its descendants): a node the network's state recorded, or a part of this benchmark's tree (harness, vegeta). */
export interface OurProcess {
  readonly id: string;
  readonly group: SoakGroup;
}

/** The state of every process of ours and of the ledgers at one instant. */
export interface Snapshot {
  /** ms since the epoch. */
  readonly t: number;
  /** CPU so far of each process's tree (itself, its live descendants and what they reaped), clock ticks: the network's own-process accounting. */
  readonly cpuTicks: Readonly<Record<string, number>>;
  /** Resident memory of each process's tree, bytes. */
  readonly rssBytes: Readonly<Record<string, number>>;
  /** Heap in use, where the process exports it (Go's go_memstats_heap_inuse_bytes, Node's heap used). */
  readonly heapBytes: Readonly<Record<string, number>>;
  /** Each peer's height of the channel (null when it answered none). */
  readonly ledgerHeight: Readonly<Record<string, number | null>>;
  /** Each peer's ledger folders (under its data directory) and their size on disk, bytes. */
  readonly ledgerBytes: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** One second of the machine (bench/src/resources/interference.ts), shares of all cores in %, as JSON keeps it. */
export type InterferenceSecond = Omit<InterferencePoint, 'foreign'> & {
  /** The foreign processes that used most in this second: [pid, name, % of the machine], at most 3. */
  readonly foreign: readonly (readonly [number, string, number])[];
};

export interface SoakConfig {
  readonly scenario: SoakScenario;
  readonly users: number;
  /** Measured duration, warm-up before it and the length of one interval, ms. */
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly intervalMs: number;
  /** How many intervals at each end the drift compares. */
  readonly driftIntervals: number;
  /** A figure drifting by more than this factor (either way it hurts) fails the soak. */
  readonly maxDrift: number;
  /** "other" above otherPct of the machine in more than sharePct of the seconds: disturbed. */
  readonly disturbance: { readonly otherPct: number; readonly sharePct: number };
}

export interface SoakRaw {
  readonly schema: typeof SOAK_RAW_SCHEMA;
  readonly config: SoakConfig;
  readonly clockTicksPerS: number;
  readonly cores: number;
  /** When the load started (the responses' start times count from it) and when the measured window did, ms since the epoch. */
  readonly loadStartedMs: number;
  readonly measuredFromMs: number;
  readonly processes: readonly OurProcess[];
  /** Snapshots at the measured window's start and at the end of each interval. */
  readonly snapshots: readonly Snapshot[];
  readonly interference: readonly InterferenceSecond[];
}

/** One response as requests.csv.gz keeps it. */
export interface ResponseRow {
  readonly scenario: string;
  /** ms after loadStartedMs. */
  readonly startMs: number;
  readonly latencyMs: number;
  /** 0 when no response arrived. */
  readonly status: number;
}

export class SoakRawError extends Error {
  override readonly name = 'SoakRawError';
}

const RESPONSES_HEADER = 'scenario,start_ms,latency_ms,status';

/** Every response, one CSV line each (0.01 ms resolution), gzipped: a 30-minute read soak is a few MB. */
export function encodeResponses(rows: readonly ResponseRow[]): Buffer {
  const lines = [RESPONSES_HEADER];
  for (const r of rows) lines.push(`${r.scenario},${r.startMs.toFixed(2)},${r.latencyMs.toFixed(2)},${String(r.status)}`);
  return gzipSync(`${lines.join('\n')}\n`, { level: 9 });
}

export function decodeResponses(gzipped: Buffer): ResponseRow[] {
  const [header, ...lines] = gunzipSync(gzipped).toString('utf8').split('\n');
  if (header !== RESPONSES_HEADER) throw new SoakRawError(`requests.csv.gz: expected the header "${RESPONSES_HEADER}", found "${header ?? ''}"`);
  const rows: ResponseRow[] = [];
  for (const [i, line] of lines.entries()) {
    if (line === '') continue;
    const [scenario, start, latency, status] = line.split(',');
    const row = { scenario: scenario ?? '', startMs: Number(start), latencyMs: Number(latency), status: Number(status) };
    if (row.scenario === '' || !Number.isFinite(row.startMs) || !Number.isFinite(row.latencyMs) || !Number.isInteger(row.status)) {
      throw new SoakRawError(`requests.csv.gz line ${String(i + 2)} is not scenario,start_ms,latency_ms,status: ${line}`);
    }
    rows.push(row);
  }
  return rows;
}

export function parseSoakRaw(text: string): SoakRaw {
  const raw = JSON.parse(text) as Partial<SoakRaw>;
  if (raw.schema !== SOAK_RAW_SCHEMA) throw new SoakRawError(`samples.json: schema ${String(raw.schema)}, expected ${SOAK_RAW_SCHEMA}`);
  return raw as SoakRaw;
}
