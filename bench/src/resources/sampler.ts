import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture we run. */
const TICKS_PER_SECOND = 100;

/** A group of processes whose resources are reported together (the chain, the service tier, the load generator). */
export interface ProcessGroup {
  readonly name: string;
  /** The pids of the group now; asked at every sample, so processes may come and go. */
  readonly pids: () => readonly number[];
}

export interface ResourcePoint {
  /** Milliseconds since the epoch. */
  readonly t: number;
  /** CPU of the group over the last interval, in % of the whole machine (all cores). */
  readonly cpuPercent: number;
  /** Resident memory of the group, in % of the machine's memory. */
  readonly memoryPercent: number;
}

export interface ResourceStats {
  readonly avg: number;
  readonly p95: number;
  readonly max: number;
}

function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(match?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * Samples CPU and memory of process groups from /proc every `intervalMs`, as shares of the whole
 * machine: the paper's "chain-server CPU/memory". CPU of an interval is the ticks the group's
 * processes used over the interval's wall time and the machine's cores; a process that started
 * within the interval counts from its first sample.
 */
export class ResourceSampler {
  private readonly series = new Map<string, ResourcePoint[]>();
  private readonly last = new Map<string, Map<number, number>>();
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly groups: readonly ProcessGroup[],
    private readonly intervalMs = 1000,
    private readonly cores = availableParallelism(),
    private readonly memory = totalmem(),
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

  private sample(): void {
    const now = Date.now();
    const elapsed = (now - this.lastAt) / 1000;
    for (const group of this.groups) {
      const previous = this.last.get(group.name) ?? new Map<number, number>();
      const current = new Map<number, number>();
      let ticks = 0;
      let rss = 0;
      for (const pid of group.pids()) {
        const t = cpuTicks(pid);
        if (t === undefined) continue;
        current.set(pid, t);
        const before = previous.get(pid);
        if (before !== undefined) ticks += t - before;
        rss += rssBytes(pid);
      }
      this.last.set(group.name, current);
      if (this.lastAt === 0) continue;
      const point: ResourcePoint = {
        t: now,
        cpuPercent: Math.min(100, (ticks / TICKS_PER_SECOND / elapsed / this.cores) * 100),
        memoryPercent: (rss / this.memory) * 100,
      };
      const list = this.series.get(group.name) ?? [];
      list.push(point);
      this.series.set(group.name, list);
    }
    this.lastAt = now;
  }

  /** The points of a group between two times (ms since the epoch), e.g. the measured window. */
  points(group: string, from = 0, to = Number.POSITIVE_INFINITY): ResourcePoint[] {
    return (this.series.get(group) ?? []).filter((p) => p.t >= from && p.t <= to);
  }
}

export function stats(values: readonly number[]): ResourceStats {
  if (values.length === 0) return { avg: 0, p95: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? 0;
  return { avg: values.reduce((s, v) => s + v, 0) / values.length, p95, max: sorted[sorted.length - 1] ?? 0 };
}
