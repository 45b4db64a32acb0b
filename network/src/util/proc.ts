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

/** The fields of /proc/<pid>/stat this module uses; undefined for a zombie (gone, unreaped). */
export function parseStat(stat: string): { ppid: number; startTicks: string } | undefined {
  // The command name (field 2) may contain spaces and parentheses: the fields after it follow the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, ppid] = fields;
  const startTicks = fields[19];
  if (state === 'Z' || state === 'X' || ppid === undefined || startTicks === undefined) return undefined;
  return { ppid: Number(ppid), startTicks };
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

function readOr(file: string, fallback: string): string {
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
