import { readdirSync, readFileSync } from 'node:fs';

import { descendants, isRunning, parseStatUsage, type ProcessRecord, type StateLayout } from '@energysale/network';

import type { ScenarioInterference } from '../report/schema';

/*
 * What else used the machine while a benchmark measured: the machine's busy CPU minus everything
 * ours used (the network's processes and the benchmark's own process tree, by pid, never by name),
 * the kernel's own interrupt work apart, and the hypervisor's steal. A run where "other" took more
 * than a threshold of the machine for more than a share of its window is marked disturbed: its
 * figures were measured beside someone else's load. The foreign processes that used most are named.
 */

/** What /proc/<pid>/stat says of a process's CPU. */
export interface ProcessCpu {
  readonly pid: number;
  readonly ppid: number;
  /** Its command name (field 2), e.g. `peer`, `node`. */
  readonly name: string;
  /** utime + stime, clock ticks. */
  readonly ticks: number;
  /** cutime + cstime: what its children used, added when it reaped them. */
  readonly childTicks: number;
  /** A kernel thread (PF_KTHREAD): the kernel's work, not a process's. */
  readonly kernelThread: boolean;
}

/** Parses /proc/<pid>/stat (the network's parser); undefined for a zombie or an unreadable line. */
export function parseProcessStat(pid: number, stat: string): ProcessCpu | undefined {
  const usage = parseStatUsage(stat);
  if (usage === undefined || usage.state === 'Z' || usage.state === 'X') return undefined;
  return { pid, ppid: usage.ppid, name: usage.comm, ticks: usage.ownTicks, childTicks: usage.reapedChildrenTicks, kernelThread: usage.kernelThread };
}

/** Every process of the machine with its CPU so far. */
export function readProcessCpu(): ProcessCpu[] {
  const found: ProcessCpu[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cpu = parseProcessStat(Number(entry), readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (cpu) found.push(cpu);
    } catch {
      // gone since the listing
    }
  }
  return found;
}

/** The machine's CPU time so far (/proc/stat's first line), in ticks. */
export interface MachineCpu {
  readonly total: number;
  /** Everything but idle, iowait and steal. */
  readonly busy: number;
  /** Interrupts and softirqs: the kernel's work for everyone (loopback traffic, timers). */
  readonly interrupts: number;
  /** Time the hypervisor gave another guest. */
  readonly steal: number;
}

export function parseMachineStat(stat: string): MachineCpu {
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { total, busy: total - idle - iowait - steal, interrupts: irq + softirq, steal };
}

/**
 * The roots of our process trees at this instant: every running process the network's state records
 * (read again each time: a node a fault restarted runs under a new pid) and this benchmark's own.
 * A read that meets the records file mid-write keeps the previous answer.
 */
export function ourRoots(layout: Pick<StateLayout, 'processFile'>): () => number[] {
  let last: number[] = [];
  return () => {
    try {
      last = (JSON.parse(readFileSync(layout.processFile, 'utf8')) as ProcessRecord[]).filter(isRunning).map((r) => r.pid);
    } catch {
      // missing (no network) or being written: the last answer stands
    }
    return [...last, process.pid];
  };
}

/** Every descendant of the roots among the processes, the roots included (when alive): the network's own-process accounting's trees. */
export function withDescendants(roots: Iterable<number>, processes: readonly Pick<ProcessCpu, 'pid' | 'ppid'>[]): Set<number> {
  const alive = new Set(processes.map((p) => p.pid));
  return new Set([...roots].filter((pid) => alive.has(pid)).flatMap((pid) => descendants(pid, processes)));
}

/**
 * `root`'s tree without the subtrees of `others`: the benchmark's own processes (the load generator)
 * when it started the network's nodes itself (`bench growth` brings each size up in-process: the
 * peers are its children until it exits, and are the chain's, not the load generator's).
 */
export function treeWithout(root: number, others: Iterable<number>, processes: readonly Pick<ProcessCpu, 'pid' | 'ppid'>[]): Set<number> {
  const theirs = withDescendants(others, processes);
  return new Set([...withDescendants([root], processes)].filter((pid) => !theirs.has(pid)));
}

/** One second (or so) of the machine: shares of all its cores, in %. */
export interface InterferencePoint {
  /** ms since the epoch, at the end of the interval. */
  readonly t: number;
  readonly machinePct: number;
  /** Our processes: the network's and the benchmark's own tree. */
  readonly oursPct: number;
  /** Interrupts, softirqs and kernel threads: work for everyone. */
  readonly kernelPct: number;
  /** The rest of the busy time: someone else's. */
  readonly otherPct: number;
  readonly stealPct: number;
  /** The foreign processes' CPU in this interval, % of the machine, by pid. */
  readonly foreign: ReadonlyMap<number, { readonly name: string; readonly cpuPct: number }>;
}

/**
 * Computes one interval from two readings: `ours` are our processes (each root of our trees and
 * everything it started). Ours used what our live processes used, plus what our processes reaped of
 * their children (a short-lived child, a `go tool pprof` say, is seen by no reading), less what the
 * ours that ended had already been counted for, when a process of ours reaped it (its reaped time holds all of it). A
 * process that started within the interval counts whole.
 */
export function intervalBetween(
  before: { machine: MachineCpu; processes: readonly ProcessCpu[] },
  after: { machine: MachineCpu; processes: readonly ProcessCpu[]; t: number },
  ours: ReadonlySet<number>,
  oursBefore: ReadonlySet<number> = ours,
): InterferencePoint | undefined {
  const elapsed = after.machine.total - before.machine.total;
  if (elapsed <= 0) return undefined;
  const pct = (ticks: number): number => (Math.max(0, ticks) / elapsed) * 100;
  const previous = new Map(before.processes.map((p) => [p.pid, p]));
  const alive = new Set(after.processes.map((p) => p.pid));
  let oursTicks = 0;
  let kernelThreads = 0;
  const foreign = new Map<number, { name: string; cpuPct: number }>();
  for (const p of after.processes) {
    // A process that started within the interval used all it has in it (a go tool pprof, a node
    // starting up: its first second is often its busiest).
    const was = previous.get(p.pid) ?? { ticks: 0, childTicks: 0 };
    const used = p.ticks - was.ticks;
    if (ours.has(p.pid)) oursTicks += used + (p.childTicks - was.childTicks);
    else if (used <= 0) continue;
    else if (p.kernelThread) kernelThreads += used;
    else foreign.set(p.pid, { name: p.name, cpuPct: pct(used) });
  }
  // Ours that ended: counted up to the last reading. When a process of ours reaped it, the parent's
  // reaped time holds all of it again, so that is taken off; one reaped by someone else (a node the
  // network started detached, its parent init, killed by a fault) comes back in nothing of ours.
  for (const p of before.processes) if (!alive.has(p.pid) && oursBefore.has(p.pid) && ours.has(p.ppid)) oursTicks -= p.ticks + p.childTicks;
  const busy = after.machine.busy - before.machine.busy;
  const kernel = after.machine.interrupts - before.machine.interrupts + kernelThreads;
  return {
    t: after.t,
    machinePct: pct(busy),
    oursPct: pct(oursTicks),
    kernelPct: pct(kernel),
    otherPct: pct(busy - oursTicks - kernel),
    stealPct: pct(after.machine.steal - before.machine.steal),
    foreign,
  };
}

/** The machine between two readings of /proc/stat: the middle of each figure (the processes were read in between). */
export function midpoint(a: MachineCpu, b: MachineCpu): MachineCpu {
  const mid = (x: number, y: number): number => (x + y) / 2;
  return { total: mid(a.total, b.total), busy: mid(a.busy, b.busy), interrupts: mid(a.interrupts, b.interrupts), steal: mid(a.steal, b.steal) };
}

/** Reads the machine and every process: /proc/stat on both sides of the scan, its midpoint kept. */
function readMachineAndProcesses(): { machine: MachineCpu; processes: ProcessCpu[] } {
  const first = parseMachineStat(readFileSync('/proc/stat', 'utf8'));
  const processes = readProcessCpu();
  return { machine: midpoint(first, parseMachineStat(readFileSync('/proc/stat', 'utf8'))), processes };
}

/**
 * Samples the machine every `intervalMs` while a benchmark runs: which share was ours, the kernel's,
 * someone else's. `roots` names the roots of our process trees at each sample (the network's
 * processes and the benchmark's own pid).
 */
export class InterferenceSampler {
  private last: { machine: MachineCpu; processes: ProcessCpu[]; ours: Set<number> } | undefined;
  private readonly points: InterferencePoint[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly roots: () => Iterable<number>,
    private readonly intervalMs = 1000,
    private readonly read: () => { machine: MachineCpu; processes: ProcessCpu[] } = readMachineAndProcesses,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => {
      this.sample();
    }, this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
  }

  sample(): void {
    const now = { ...this.read(), t: Date.now() };
    const ours = withDescendants(this.roots(), now.processes);
    if (this.last) {
      const point = intervalBetween(this.last, now, ours, this.last.ours);
      if (point) this.points.push(point);
    }
    this.last = { ...now, ours };
  }

  /** The points between two times (ms since the epoch). */
  between(from = 0, to = Number.POSITIVE_INFINITY): InterferencePoint[] {
    return this.points.filter((p) => p.t >= from && p.t <= to);
  }
}

/** When a window counts as disturbed: "other" above `otherPct` of the machine in more than `sharePct` of its seconds. */
export interface DisturbanceRule {
  readonly otherPct: number;
  readonly sharePct: number;
}

export const DEFAULT_DISTURBANCE: DisturbanceRule = { otherPct: 5, sharePct: 10 };

/** A window's interference, summarised. */
export interface InterferenceSummary {
  readonly samples: number;
  readonly otherPct: { readonly avg: number; readonly max: number };
  readonly stealPct: { readonly avg: number; readonly max: number };
  readonly kernelPct: { readonly avg: number; readonly max: number };
  /** Seconds (samples) whose "other" was above the rule's threshold, in % of the window's. */
  readonly aboveSharePct: number;
  readonly disturbed: boolean;
  /** The foreign processes that used most CPU over the window, % of the machine on average, at most 5. */
  readonly foreign: readonly { readonly pid: number; readonly name: string; readonly cpuPct: number }[];
}

const avgMax = (values: readonly number[]): { avg: number; max: number } => ({
  avg: values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length,
  max: values.length === 0 ? 0 : Math.max(...values),
});

/** Summarises points; a window with no point is not judged disturbed (and says so: samples 0). */
export function summarise(points: readonly InterferencePoint[], rule: DisturbanceRule = DEFAULT_DISTURBANCE): InterferenceSummary {
  const above = points.filter((p) => p.otherPct > rule.otherPct).length;
  const aboveSharePct = points.length === 0 ? 0 : (above * 100) / points.length;
  const totals = new Map<number, { name: string; sum: number }>();
  for (const p of points) {
    for (const [pid, f] of p.foreign) totals.set(pid, { name: f.name, sum: (totals.get(pid)?.sum ?? 0) + f.cpuPct });
  }
  const foreign = [...totals]
    .map(([pid, f]) => ({ pid, name: f.name, cpuPct: f.sum / points.length }))
    .sort((a, b) => b.cpuPct - a.cpuPct)
    .slice(0, 5);
  return {
    samples: points.length,
    otherPct: avgMax(points.map((p) => p.otherPct)),
    stealPct: avgMax(points.map((p) => p.stealPct)),
    kernelPct: avgMax(points.map((p) => p.kernelPct)),
    aboveSharePct,
    disturbed: aboveSharePct > rule.sharePct,
    foreign,
  };
}

const clampPct = (value: number): number => Math.min(100, Math.max(0, value));
const rounded = (value: number): number => Math.round(clampPct(value) * 100) / 100;

/** A window's interference as a report holds it: the summary and the series, `t` in seconds from `fromMs`. */
export function scenarioInterference(points: readonly InterferencePoint[], fromMs: number, rule: DisturbanceRule = DEFAULT_DISTURBANCE): ScenarioInterference {
  const summary = summarise(points, rule);
  const pair = (v: { avg: number; max: number }): { avg: number; max: number } => ({ avg: rounded(v.avg), max: rounded(v.max) });
  return {
    rule: { ...rule },
    samples: summary.samples,
    otherPct: pair(summary.otherPct),
    stealPct: pair(summary.stealPct),
    kernelPct: pair(summary.kernelPct),
    aboveSharePct: rounded(summary.aboveSharePct),
    disturbed: summary.disturbed,
    foreign: summary.foreign.map((f) => ({ pid: f.pid, name: f.name, cpuPct: rounded(f.cpuPct) })),
    series: points.map((p) => ({
      t: Math.round((p.t - fromMs) / 1000),
      machinePct: rounded(p.machinePct),
      oursPct: rounded(p.oursPct),
      kernelPct: rounded(p.kernelPct),
      otherPct: rounded(p.otherPct),
      stealPct: rounded(p.stealPct),
    })),
    source:
      "/proc every second: the machine's busy CPU (/proc/stat) split into ours (the network's processes and the benchmark's process tree, by pid), " +
      "the kernel's (interrupts, softirqs, kernel threads) and other (the rest: someone else's); steal apart",
  };
}
