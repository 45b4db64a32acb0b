import { readdirSync, readFileSync } from 'node:fs';

/*
 * What /proc says of a process: enough to tell a process we started from a later one given the same
 * pid (its start time), to find the children of a daemon (its parent), and to tell which of the
 * machine's processes are ours (command line, environment, cgroup).
 */

/** One live process as /proc shows it. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Field 22 of /proc/<pid>/stat: the start time since boot, in clock ticks. */
  readonly startTicks: string;
  /** argv; empty for a kernel thread. */
  readonly cmdline: readonly string[];
  /** NAME=value entries; empty when unreadable (another user's process, when not root). */
  readonly environ: readonly string[];
  /** Its cgroup v2 path (the `0::` line of /proc/<pid>/cgroup), e.g. `/energysale/127.0.0.2`. */
  readonly cgroup: string | undefined;
}

/** The fields of /proc/<pid>/stat after the command name, and the command name (comm) itself. */
function statFields(stat: string): { comm: string; fields: string[] } {
  // The command name (field 2) may contain spaces and parentheses: the fields after it follow the last ')'.
  const close = stat.lastIndexOf(')');
  return { comm: stat.slice(stat.indexOf('(') + 1, close), fields: stat.slice(close + 2).split(' ') };
}

/** The fields of /proc/<pid>/stat this module uses; undefined for a zombie (gone, unreaped). */
export function parseStat(stat: string): { ppid: number; startTicks: string } | undefined {
  const usage = parseStatUsage(stat);
  if (usage === undefined || usage.state === 'Z' || usage.state === 'X') return undefined;
  return { ppid: usage.ppid, startTicks: usage.startTicks };
}

/** What /proc/<pid>/stat says of a process's CPU, zombies included (their CPU stays theirs until reaped). */
export interface StatUsage {
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  readonly startTicks: string;
  /** utime + stime: clock ticks the process itself ran. */
  readonly ownTicks: number;
  /** cutime + cstime: clock ticks of its children it waited for (gone, so no longer in /proc). */
  readonly reapedChildrenTicks: number;
  /** A kernel thread (PF_KTHREAD in its flags): the kernel's work, not a process's. */
  readonly kernelThread: boolean;
}

const PF_KTHREAD = 0x00200000;

/** Fields 3 (state), 4 (ppid), 9 (flags), 14-17 (utime, stime, cutime, cstime) and 22 (start time) of /proc/<pid>/stat. */
export function parseStatUsage(stat: string): StatUsage | undefined {
  const { comm, fields } = statFields(stat);
  const [state, ppid] = fields;
  const startTicks = fields[19];
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  if (state === undefined || ppid === undefined || startTicks === undefined || [utime, stime, cutime, cstime].some((n) => n === undefined || !Number.isFinite(n))) return undefined;
  return {
    comm,
    state,
    ppid: Number(ppid),
    startTicks,
    ownTicks: (utime ?? 0) + (stime ?? 0),
    reapedChildrenTicks: (cutime ?? 0) + (cstime ?? 0),
    kernelThread: (Number(fields[6]) & PF_KTHREAD) !== 0,
  };
}

/** Resident memory in bytes from the text of /proc/<pid>/status (VmRSS); 0 when it has none (a zombie, a kernel thread). */
export function parseRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return Number(match?.[1] ?? 0) * 1024;
}

/** A NUL-separated /proc file (cmdline, environ) as its entries. */
export function splitNul(text: string): string[] {
  return text.split('\0').filter((entry) => entry !== '');
}

/** The cgroup v2 path in the text of /proc/<pid>/cgroup. */
export function parseCgroupV2(text: string): string | undefined {
  return text
    .split('\n')
    .find((line) => line.startsWith('0::'))
    ?.slice(3);
}

export function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** The process's start time (see ProcessInfo.startTicks); undefined when it is gone. */
export function startTicksOf(pid: number): string | undefined {
  return parseStat(readOr(`/proc/${pid}/stat`, ''))?.startTicks;
}

/** The cgroup v2 path of a process (`/energysale/<address>`), or undefined. */
export function cgroupOf(pid: number): string | undefined {
  return parseCgroupV2(readOr(`/proc/${pid}/cgroup`, ''));
}

/** The process as /proc shows it now, or undefined when it is gone. */
export function readProcess(pid: number): ProcessInfo | undefined {
  const stat = parseStat(readOr(`/proc/${pid}/stat`, ''));
  if (stat === undefined) return undefined;
  return {
    pid,
    ...stat,
    cmdline: splitNul(readOr(`/proc/${pid}/cmdline`, '')),
    environ: splitNul(readOr(`/proc/${pid}/environ`, '')),
    cgroup: cgroupOf(pid),
  };
}

/** Every live process of the machine (of this pid namespace). */
export function listProcesses(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => readProcess(Number(name)) ?? []);
}

/** The pid and every ancestor of it found in `processes` (init's parent, 0, ends the chain). */
export function lineage(pid: number, processes: readonly Pick<ProcessInfo, 'pid' | 'ppid'>[]): Set<number> {
  const parents = new Map(processes.map((p) => [p.pid, p.ppid]));
  const chain = new Set<number>();
  for (let current: number | undefined = pid; current !== undefined && current > 0 && !chain.has(current); current = parents.get(current)) {
    chain.add(current);
  }
  return chain;
}
