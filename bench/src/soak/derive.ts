import { countTransactions } from '@energysale/network';

import type { BlockRecords } from '../report/block-records';
import { isFailure } from '../scenario/log';
import { percentile } from '../scenario/stats';
import { SOAK_GROUPS, type ResponseRow, type SoakGroup, type SoakRaw } from './raw';

/*
 * Every figure of a soak, derived from its raw data alone (the live run and `soak --render` call the
 * same function): per interval, throughput, latency, CPU per transaction and memory of every process
 * of ours and of each group, the ledgers' height and size, the interference; then each figure's drift
 * (its last intervals over its first) and the verdicts the soak's exit code comes from.
 */

/** A figure that has no data in an interval (no response, no sample) is null, never 0. */
export type Figure = number | null;

export interface SoakInterval {
  readonly index: number;
  /** Its end, s after the measured window's start. */
  readonly endS: number;
  readonly durationS: number;
  readonly responses: number;
  readonly successes: number;
  readonly failures: number;
  /** Successes per minute, all scenarios and per scenario. */
  readonly throughputPerMin: Figure;
  readonly throughputByScenario: Readonly<Record<string, Figure>>;
  /** Of the responses completed in the interval, seconds. */
  readonly latencyS: { readonly p50: Figure; readonly p99: Figure };
  /** CPU milliseconds per successful transaction, by process id and by group. */
  readonly cpuMsPerTx: Readonly<Record<string, Figure>>;
  readonly groupCpuMsPerTx: Readonly<Record<SoakGroup, Figure>>;
  /** CPU of each group, % of the machine (all cores). */
  readonly groupCpuPct: Readonly<Record<SoakGroup, Figure>>;
  /** Memory at the interval's end, bytes. */
  readonly rssBytes: Readonly<Record<string, Figure>>;
  readonly groupRssBytes: Readonly<Record<SoakGroup, Figure>>;
  readonly heapBytes: Readonly<Record<string, Figure>>;
  /** Highest height any peer reported, and every peer's ledger folders summed, at the interval's end. */
  readonly ledgerHeight: Figure;
  readonly ledgerBytesByPeer: Readonly<Record<string, Figure>>;
  /** The interval's seconds of interference: "other" and steal, average % of the machine. */
  readonly otherPct: Figure;
  readonly stealPct: Figure;
  /** The transactions made in the interval (client time) as the blocks hold them, by validation code. */
  readonly chainByValidation: Readonly<Record<string, number>>;
}

/** A figure's drift: the mean of its last intervals over the mean of its first. */
export interface Drift {
  readonly figure: string;
  readonly first: Figure;
  readonly last: Figure;
  /** last / first; null when either end has no data or the first is 0. */
  readonly ratio: Figure;
}

export interface Verdict {
  readonly figure: string;
  readonly rule: string;
  readonly ratio: Figure;
  readonly passed: boolean;
  /** Why it failed ("no data" when the figure had none). */
  readonly reason?: string;
}

export interface SoakInterference {
  readonly samples: number;
  readonly otherPct: { readonly avg: Figure; readonly max: Figure };
  readonly stealPct: { readonly avg: Figure; readonly max: Figure };
  /** Seconds whose "other" was above the rule's threshold, % of the measured window's. */
  readonly aboveSharePct: Figure;
  readonly disturbed: boolean;
  /** The foreign processes that used most over the window, average % of the machine. */
  readonly foreign: readonly { readonly pid: number; readonly name: string; readonly cpuPct: number }[];
}

export interface SoakFigures {
  readonly intervals: readonly SoakInterval[];
  /** How many intervals at each end the drift compared. */
  readonly driftIntervals: number;
  readonly drift: readonly Drift[];
  readonly verdicts: readonly Verdict[];
  readonly interference: SoakInterference;
  readonly totals: { readonly responses: number; readonly successes: number; readonly failures: number; readonly throughputPerMin: Figure };
  /** The measured window's transactions in the blocks: by validation code, and by function and code. */
  readonly chain: { readonly source: string; readonly byValidation: Readonly<Record<string, number>>; readonly byFunction: Readonly<Record<string, Readonly<Record<string, number>>>> };
}

const mean = (values: readonly Figure[]): Figure => {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((s, v) => s + v, 0) / known.length;
};

const sum = (values: readonly number[]): number => values.reduce((s, v) => s + v, 0);

/** The difference of a cumulative counter between two snapshots; null when either lacks it. */
function delta(before: Readonly<Record<string, number>>, after: Readonly<Record<string, number>>, id: string): Figure {
  const a = before[id];
  const b = after[id];
  return a === undefined || b === undefined ? null : Math.max(0, b - a);
}

function quantiles(latencies: number[]): { p50: Figure; p99: Figure } {
  const sorted = Float64Array.from(latencies).sort();
  const at = (p: number): Figure => {
    const v = percentile(sorted, p);
    return v === null ? null : v / 1000;
  };
  return { p50: at(50), p99: at(99) };
}

/** Responses by the interval they completed in (start + latency); those outside the measured window dropped. */
function byInterval(raw: SoakRaw, rows: readonly ResponseRow[]): ResponseRow[][] {
  const bounds = raw.snapshots.map((s) => s.t - raw.loadStartedMs);
  const buckets: ResponseRow[][] = bounds.slice(1).map(() => []);
  for (const r of rows) {
    const done = r.startMs + r.latencyMs;
    // The first boundary above `done`: bounds are a handful, a linear scan from the left is fine.
    for (let i = 1; i < bounds.length; i++) {
      if (done >= (bounds[i - 1] ?? 0) && done < (bounds[i] ?? 0)) {
        buckets[i - 1]?.push(r);
        break;
      }
    }
  }
  return buckets;
}

function interval(raw: SoakRaw, index: number, rows: readonly ResponseRow[], blocks: BlockRecords): SoakInterval {
  const before = raw.snapshots[index];
  const after = raw.snapshots[index + 1];
  if (!before || !after) throw new Error(`no snapshots around interval ${String(index)}`);
  const durationS = (after.t - before.t) / 1000;
  const successes = rows.filter((r) => !isFailure(r.status)).length;
  const perMin = (n: number): Figure => (durationS > 0 ? (n * 60) / durationS : null);
  const scenarios = [...new Set(rows.map((r) => r.scenario))].sort();
  const msOf = (ticks: Figure): Figure => (ticks === null ? null : (ticks * 1000) / raw.clockTicksPerS);
  const perTx = (ticks: Figure): Figure => (ticks === null || successes === 0 ? null : (msOf(ticks) ?? 0) / successes);

  const cpuMsPerTx: Record<string, Figure> = {};
  const rssBytes: Record<string, Figure> = {};
  const heapBytes: Record<string, Figure> = {};
  for (const p of raw.processes) {
    cpuMsPerTx[p.id] = perTx(delta(before.cpuTicks, after.cpuTicks, p.id));
    rssBytes[p.id] = after.rssBytes[p.id] ?? null;
    if (after.heapBytes[p.id] !== undefined) heapBytes[p.id] = after.heapBytes[p.id] ?? null;
  }
  const groupTicks = (group: SoakGroup): Figure => {
    const members = raw.processes.filter((p) => p.group === group).map((p) => delta(before.cpuTicks, after.cpuTicks, p.id));
    return members.length === 0 || members.some((m) => m === null) ? null : sum(members as number[]);
  };
  const groupCpuMsPerTx = {} as Record<SoakGroup, Figure>;
  const groupCpuPct = {} as Record<SoakGroup, Figure>;
  const groupRssBytes = {} as Record<SoakGroup, Figure>;
  for (const group of SOAK_GROUPS) {
    const ticks = groupTicks(group);
    groupCpuMsPerTx[group] = perTx(ticks);
    groupCpuPct[group] = ticks === null || durationS <= 0 ? null : ((msOf(ticks) ?? 0) / 1000 / durationS / raw.cores) * 100;
    const rss = raw.processes.filter((p) => p.group === group).map((p) => after.rssBytes[p.id]);
    groupRssBytes[group] = rss.length === 0 || rss.some((v) => v === undefined) ? null : sum(rss as number[]);
  }
  const heights = Object.values(after.ledgerHeight).filter((h): h is number => h !== null);
  const ledgerBytesByPeer: Record<string, Figure> = {};
  for (const [peer, folders] of Object.entries(after.ledgerBytes)) ledgerBytesByPeer[peer] = sum(Object.values(folders));
  const seconds = raw.interference.filter((s) => s.t > before.t && s.t <= after.t);
  return {
    index,
    endS: (after.t - raw.measuredFromMs) / 1000,
    durationS,
    responses: rows.length,
    successes,
    failures: rows.length - successes,
    throughputPerMin: perMin(successes),
    throughputByScenario: Object.fromEntries(scenarios.map((s) => [s, perMin(rows.filter((r) => r.scenario === s && !isFailure(r.status)).length)])),
    latencyS: quantiles(rows.map((r) => r.latencyMs)),
    cpuMsPerTx,
    groupCpuMsPerTx,
    groupCpuPct,
    rssBytes,
    groupRssBytes,
    heapBytes,
    ledgerHeight: heights.length === 0 ? null : Math.max(...heights),
    ledgerBytesByPeer,
    otherPct: mean(seconds.map((s) => s.otherPct)),
    stealPct: mean(seconds.map((s) => s.stealPct)),
    chainByValidation: countTransactions(blocks.transactions.filter((t) => t.timestampMs >= before.t && t.timestampMs < after.t)).byValidation,
  };
}

/** The figures whose drift the report shows, each read from an interval. */
function driftFigures(raw: SoakRaw, intervals: readonly SoakInterval[]): [string, (i: SoakInterval) => Figure][] {
  const scenarios = [...new Set(intervals.flatMap((i) => Object.keys(i.throughputByScenario)))].sort();
  const heapIds = [...new Set(intervals.flatMap((i) => Object.keys(i.heapBytes)))].sort();
  const peers = [...new Set(intervals.flatMap((i) => Object.keys(i.ledgerBytesByPeer)))].sort();
  return [
    ['throughput (tx/min)', (i) => i.throughputPerMin],
    ...scenarios.map((s): [string, (i: SoakInterval) => Figure] => [`throughput ${s} (tx/min)`, (i) => i.throughputByScenario[s] ?? null]),
    ['latency p50 (s)', (i) => i.latencyS.p50],
    ['latency p99 (s)', (i) => i.latencyS.p99],
    ...SOAK_GROUPS.map((g): [string, (i: SoakInterval) => Figure] => [`CPU ms/tx ${g}`, (i) => i.groupCpuMsPerTx[g]]),
    ...raw.processes.map((p): [string, (i: SoakInterval) => Figure] => [`CPU ms/tx ${p.id}`, (i) => i.cpuMsPerTx[p.id] ?? null]),
    ...SOAK_GROUPS.map((g): [string, (i: SoakInterval) => Figure] => [`RSS ${g} (bytes)`, (i) => i.groupRssBytes[g]]),
    ...raw.processes.map((p): [string, (i: SoakInterval) => Figure] => [`RSS ${p.id} (bytes)`, (i) => i.rssBytes[p.id] ?? null]),
    ...heapIds.map((id): [string, (i: SoakInterval) => Figure] => [`heap ${id} (bytes)`, (i) => i.heapBytes[id] ?? null]),
    ...peers.map((p): [string, (i: SoakInterval) => Figure] => [`ledger on disk ${p} (bytes)`, (i) => i.ledgerBytesByPeer[p] ?? null]),
    ['other (% of the machine)', (i) => i.otherPct],
  ];
}

export function drift(figure: string, values: readonly Figure[], k: number): Drift {
  const first = k === 0 ? null : mean(values.slice(0, k));
  const last = k === 0 ? null : mean(values.slice(values.length - k));
  return { figure, first, last, ratio: first === null || last === null || first === 0 ? null : last / first };
}

/** The soak's pass/fail contract: throughput may not fall, the chain's CPU per transaction and the median latency may not grow, by more than maxDrift. */
function verdicts(drifts: readonly Drift[], maxDrift: number): Verdict[] {
  const rules: [string, 'at most' | 'at least', number][] = [
    ['throughput (tx/min)', 'at least', 1 / maxDrift],
    ['latency p50 (s)', 'at most', maxDrift],
    ['CPU ms/tx chain', 'at most', maxDrift],
  ];
  return rules.map(([figure, direction, limit]) => {
    const ratio = drifts.find((d) => d.figure === figure)?.ratio ?? null;
    const rule = `last over first ${direction} ${limit.toFixed(3)}`;
    if (ratio === null) return { figure, rule, ratio, passed: false, reason: 'no data' };
    const passed = direction === 'at most' ? ratio <= limit : ratio >= limit;
    return { figure, rule, ratio, passed, ...(passed ? {} : { reason: `drifted ×${ratio.toFixed(3)}` }) };
  });
}

function interferenceOf(raw: SoakRaw): SoakInterference {
  const from = raw.snapshots[0]?.t ?? raw.measuredFromMs;
  const to = raw.snapshots[raw.snapshots.length - 1]?.t ?? from;
  const seconds = raw.interference.filter((s) => s.t > from && s.t <= to);
  const rule = raw.config.disturbance;
  const above = seconds.filter((s) => s.otherPct > rule.otherPct).length;
  const aboveSharePct = seconds.length === 0 ? null : (above * 100) / seconds.length;
  const totals = new Map<number, { name: string; sum: number }>();
  for (const s of seconds) for (const [pid, name, pct] of s.foreign) totals.set(pid, { name, sum: (totals.get(pid)?.sum ?? 0) + pct });
  const max = (values: number[]): Figure => (values.length === 0 ? null : Math.max(...values));
  return {
    samples: seconds.length,
    otherPct: { avg: mean(seconds.map((s) => s.otherPct)), max: max(seconds.map((s) => s.otherPct)) },
    stealPct: { avg: mean(seconds.map((s) => s.stealPct)), max: max(seconds.map((s) => s.stealPct)) },
    aboveSharePct,
    disturbed: aboveSharePct !== null && aboveSharePct > rule.sharePct,
    foreign: [...totals]
      .map(([pid, f]) => ({ pid, name: f.name, cpuPct: f.sum / seconds.length }))
      .sort((a, b) => b.cpuPct - a.cpuPct)
      .slice(0, 5),
  };
}

export function deriveSoak(raw: SoakRaw, rows: readonly ResponseRow[], blocks: BlockRecords): SoakFigures {
  const buckets = byInterval(raw, rows);
  const intervals = buckets.map((bucket, i) => interval(raw, i, bucket, blocks));
  const from = raw.snapshots[0]?.t ?? raw.measuredFromMs;
  const to = raw.snapshots[raw.snapshots.length - 1]?.t ?? from;
  const { byValidation, byFunction } = countTransactions(blocks.transactions.filter((t) => t.timestampMs >= from && t.timestampMs < to));
  const k = Math.min(raw.config.driftIntervals, Math.floor(intervals.length / 2));
  const drifts = driftFigures(raw, intervals).map(([figure, read]) => drift(figure, intervals.map(read), k));
  const responses = sum(intervals.map((i) => i.responses));
  const successes = sum(intervals.map((i) => i.successes));
  const windowS = sum(intervals.map((i) => i.durationS));
  return {
    intervals,
    driftIntervals: k,
    drift: drifts,
    verdicts: verdicts(drifts, raw.config.maxDrift),
    interference: interferenceOf(raw),
    totals: { responses, successes, failures: responses - successes, throughputPerMin: windowS > 0 ? (successes * 60) / windowS : null },
    chain: { source: blocks.source, byValidation, byFunction },
  };
}
