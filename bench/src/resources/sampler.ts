import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

import { parseRssBytes, parseStatUsage, readOr } from '@energysale/network';

import { parseMachineStat, type MachineCpu } from './interference';

/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture we run. */
const TICKS_PER_SECOND = 100;

/** A group of processes whose resources are reported together (the chain, the service tier, the load generator). */
export interface ProcessGroup {
  readonly name: string;
  /** The pids of the group now; asked at every sample, so processes may come and go. */
  readonly pids: () => readonly number[];
}

/** A group's CPU and memory over one interval. */
export interface ResourceUsage {
  /** CPU of the group over the interval, in % of the whole machine (all cores). */
  readonly cpuPercent: number;
  /** Memory of the group (resident, or in use by its containers), in % of the machine's memory. */
  readonly memoryPercent: number;
}

export interface ResourcePoint extends ResourceUsage {
  /** Milliseconds since the epoch. */
  readonly t: number;
}

export interface ResourceStats {
  readonly avg: number;
  readonly p95: number;
  readonly max: number;
}

/** What one sample of a source measured: the group's total and, where members have names (containers), each one's. */
export interface SourceSample {
  readonly total: ResourceUsage;
  readonly members?: ReadonlyMap<string, ResourceUsage>;
}

/**
 * Where a group's usage is read: its processes in /proc (a ProcessGroup) or its containers in the
 * Docker engine (@energysale/network's DockerStatsSampler). Each call measures the interval since the
 * previous one, so the first call only primes the source and returns undefined.
 */
export interface ResourceSource {
  readonly name: string;
  sample(): Promise<SourceSample | undefined>;
}

/** The process's own CPU (utime + stime), clock ticks; undefined when it is gone. */
const cpuTicks = (pid: number): number | undefined => parseStatUsage(readOr(`/proc/${String(pid)}/stat`, ''))?.ownTicks;

const rssBytes = (pid: number): number => parseRssBytes(readOr(`/proc/${String(pid)}/status`, ''));

/**
 * A process group read from /proc. CPU of an interval is the ticks the group's processes used over
 * the interval's wall time and the machine's cores; a process that started within the interval counts
 * from its first sample.
 */
class ProcessSource implements ResourceSource {
  private last = new Map<number, number>();
  private lastAt = 0;

  constructor(
    private readonly group: ProcessGroup,
    private readonly cores: number,
    private readonly memory: number,
  ) {}

  get name(): string {
    return this.group.name;
  }

  sample(): Promise<SourceSample | undefined> {
    const now = Date.now();
    const elapsed = (now - this.lastAt) / 1000;
    const current = new Map<number, number>();
    let ticks = 0;
    let rss = 0;
    for (const pid of this.group.pids()) {
      const t = cpuTicks(pid);
      if (t === undefined) continue;
      current.set(pid, t);
      const before = this.last.get(pid);
      if (before !== undefined) ticks += t - before;
      rss += rssBytes(pid);
    }
    const primed = this.lastAt !== 0;
    this.last = current;
    this.lastAt = now;
    if (!primed) return Promise.resolve(undefined);
    return Promise.resolve({
      total: { cpuPercent: Math.min(100, (ticks / TICKS_PER_SECOND / elapsed / this.cores) * 100), memoryPercent: (rss / this.memory) * 100 },
    });
  }
}

/** A source could not be read (the Docker engine stopped answering, say); the cause is its error. */
export class ResourceSourceError extends Error {
  override readonly name = 'ResourceSourceError';
  constructor(
    readonly source: string,
    cause: unknown,
  ) {
    super(`the resources of "${source}" could not be read: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

const pointAt = (t: number, usage: ResourceUsage): ResourcePoint => ({ t, cpuPercent: usage.cpuPercent, memoryPercent: usage.memoryPercent });

/**
 * Samples CPU and memory of groups every `intervalMs`, as shares of the whole machine: the paper's
 * "chain-server CPU/memory". A group is processes (read from /proc) or any ResourceSource, such as
 * containers read from the Docker engine. Sources may answer asynchronously, so the last sample that
 * stop() takes, and any error a source raised, are known once settled() resolves.
 */
export class ResourceSampler {
  private readonly sources: readonly ResourceSource[];
  private readonly series = new Map<string, ResourcePoint[]>();
  private readonly memberSeries = new Map<string, Map<string, ResourcePoint[]>>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private pending = 0;
  private failure: ResourceSourceError | undefined;

  constructor(
    groups: readonly (ProcessGroup | ResourceSource)[],
    private readonly intervalMs = 1000,
    cores = availableParallelism(),
    memory = totalmem(),
  ) {
    this.sources = groups.map((g) => ('pids' in g ? new ProcessSource(g, cores, memory) : g));
  }

  start(): void {
    this.enqueue();
    this.timer = setInterval(() => {
      // A slow source (an engine under load) skips a beat rather than queueing samples.
      if (this.pending === 0) this.enqueue();
    }, this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.enqueue();
  }

  /** Resolves once the samples taken so far are recorded; rejects with the first error a source raised. */
  async settled(): Promise<void> {
    await this.inFlight;
    if (this.failure !== undefined) throw this.failure;
  }

  private enqueue(): void {
    this.pending += 1;
    this.inFlight = this.inFlight
      .then(() => this.sample())
      .finally(() => {
        this.pending -= 1;
      });
  }

  private async sample(): Promise<void> {
    const now = Date.now();
    // Through then(), a source that throws rather than rejects fails alone too.
    const results = await Promise.allSettled(this.sources.map((source) => Promise.resolve().then(() => source.sample())));
    results.forEach((result, i) => {
      const name = this.sources[i]?.name ?? '';
      if (result.status === 'rejected') {
        this.failure ??= new ResourceSourceError(name, result.reason);
        return;
      }
      if (result.value === undefined) return;
      append(this.series, name, pointAt(now, result.value.total));
      const members = this.memberSeries.get(name) ?? new Map<string, ResourcePoint[]>();
      for (const [member, usage] of result.value.members ?? []) append(members, member, pointAt(now, usage));
      this.memberSeries.set(name, members);
    });
  }

  /** The groups' names, in the order they were given. */
  groups(): string[] {
    return this.sources.map((s) => s.name);
  }

  /** The points of a group between two times (ms since the epoch), e.g. the measured window. */
  points(group: string, from = 0, to = Number.POSITIVE_INFINITY): ResourcePoint[] {
    return within(this.series.get(group), from, to);
  }

  /** The points of one member of a group (a container, by the name the source knows it by). */
  memberPoints(group: string, member: string, from = 0, to = Number.POSITIVE_INFINITY): ResourcePoint[] {
    return within(this.memberSeries.get(group)?.get(member), from, to);
  }
}

function append(series: Map<string, ResourcePoint[]>, name: string, point: ResourcePoint): void {
  const list = series.get(name) ?? [];
  list.push(point);
  series.set(name, list);
}

function within(points: readonly ResourcePoint[] | undefined, from: number, to: number): ResourcePoint[] {
  return (points ?? []).filter((p) => p.t >= from && p.t <= to);
}

export function stats(values: readonly number[]): ResourceStats {
  if (values.length === 0) return { avg: 0, p95: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? 0;
  return { avg: values.reduce((s, v) => s + v, 0) / values.length, p95, max: sorted[sorted.length - 1] ?? 0 };
}

/** The whole machine's CPU (busy, as interference.ts reads /proc/stat: all but idle, iowait and steal) and memory in use (MemTotal - MemAvailable). */
export class MachineSource implements ResourceSource {
  private last: MachineCpu | undefined;

  constructor(readonly name = 'machine') {}

  sample(): Promise<SourceSample | undefined> {
    const machine = parseMachineStat(readFileSync('/proc/stat', 'utf8'));
    const before = this.last;
    this.last = machine;
    if (before === undefined || machine.total === before.total) return Promise.resolve(undefined);
    const meminfo = readFileSync('/proc/meminfo', 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1] ?? 0);
    return Promise.resolve({
      total: {
        cpuPercent: ((machine.busy - before.busy) / (machine.total - before.total)) * 100,
        memoryPercent: ((kb('MemTotal') - kb('MemAvailable')) / kb('MemTotal')) * 100,
      },
    });
  }
}
