import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

import type { ProcessRecord } from './supervisor';
import { isRunning } from './supervisor';

/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture we run. */
const TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  readonly id: string;
  readonly kind: string;
  /** Average CPU over the window, in % of one core. */
  readonly cpuPercent: number;
  readonly rssMiB: number;
}

export interface NetworkUsage {
  readonly seconds: number;
  readonly processes: readonly ProcessUsage[];
  /** Sum over processes, in % of one core and % of all cores. */
  readonly cpuPercentOfCore: number;
  readonly cpuPercentOfMachine: number;
  readonly rssMiB: number;
  readonly memoryPercentOfMachine: number;
  readonly cores: number;
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

/** CPU and memory of the network's processes, sampled from /proc over `seconds`. */
export async function sampleUsage(records: readonly ProcessRecord[], seconds: number, cores: number): Promise<NetworkUsage> {
  const alive = records.filter(isRunning);
  const before = new Map(alive.map((r) => [r.id, cpuTicks(r.pid)]));
  const started = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const processes = alive.filter(isRunning).map((r): ProcessUsage => ({
    id: r.id,
    kind: r.kind,
    cpuPercent: ((cpuTicks(r.pid) - (before.get(r.id) ?? 0)) / TICKS_PER_SECOND / elapsed) * 100,
    rssMiB: rssKiB(r.pid) / 1024,
  }));
  const cpu = processes.reduce((sum, p) => sum + p.cpuPercent, 0);
  const rss = processes.reduce((sum, p) => sum + p.rssMiB, 0);
  return {
    seconds: elapsed,
    processes,
    cpuPercentOfCore: cpu,
    cpuPercentOfMachine: cpu / cores,
    rssMiB: rss,
    memoryPercentOfMachine: (rss * 1024 * 1024 * 100) / totalmem(),
    cores,
  };
}
