import type { ProcessKind } from '../runtime/native/supervisor';

/*
 * Which of the machine's processes are ours, and to which group each belongs: exactly the processes
 * this network's Supervisor recorded (pid and start time) and the benchmark processes registered
 * for a run, each with its descendants (by parent pid). Nothing is matched by name across the
 * machine: a second network's `peer` or another program's Caliper is not in any of our trees.
 * Pure: the caller reads /proc, this module only decides.
 */

/** The process groups reported, in the order the report and the dashboards list them. */
export const PROCESS_GROUPS = ['peer', 'orderer', 'chaincode', 'ca', 'service', 'lb', 'vegeta', 'caliper', 'harness', 'monitoring'] as const;

export type ProcessGroup = (typeof PROCESS_GROUPS)[number];

/** What the report calls the chain (PAPER.md Table 4's "chain server"): every Fabric node and chaincode server. */
export const CHAIN_GROUPS: readonly ProcessGroup[] = ['peer', 'orderer', 'chaincode'];

/** The group of a process the Supervisor started, by its kind. */
export const GROUP_OF_KIND: Readonly<Record<ProcessKind, ProcessGroup>> = {
  peer: 'peer',
  orderer: 'orderer',
  chaincode: 'chaincode',
  ca: 'ca',
  service: 'service',
  lb: 'lb',
  monitor: 'monitoring',
};

/** One process of the machine as the accounting needs it: its /proc/<pid>/stat, cheap to read for every process. */
export interface ProcessSnapshot {
  readonly pid: number;
  readonly ppid: number;
  readonly startTicks: string;
  /** The kernel's command name (15 characters at most). */
  readonly comm: string;
  /** utime + stime + cutime + cstime: its own CPU and that of the children it reaped, in clock ticks. */
  readonly cpuTicks: number;
}

/** What is read only of our own processes (another file of /proc each). */
export interface ProcessDetails {
  rssBytes(pid: number): number;
  cmdline(pid: number): readonly string[];
}

/** A process whose tree is ours: a Supervisor record, or a benchmark process registered for a run. */
export interface OwnRoot {
  readonly pid: number;
  readonly startTicks: string;
  /** The series' `node` label: the record's id, or `bench-<pid>` for a benchmark process. */
  readonly node: string;
  readonly host: string;
  /** The group of the whole tree; 'load' splits a benchmark's tree into vegeta, caliper and harness. */
  readonly group: ProcessGroup | 'load';
}

/** The figures of one (group, node) series at one moment. */
export interface GroupFigures {
  readonly group: ProcessGroup;
  readonly node: string;
  readonly host: string;
  readonly cpuTicks: number;
  readonly rssBytes: number;
  readonly count: number;
  readonly pids: readonly number[];
}

/** The root's process, when the pid still holds the process that was recorded (not a later one given the same pid). */
function liveRoot(root: OwnRoot, byPid: ReadonlyMap<number, ProcessSnapshot>): ProcessSnapshot | undefined {
  const p = byPid.get(root.pid);
  return p?.startTicks === root.startTicks ? p : undefined;
}

/** The process and all its descendants, by parent pid, parents before children. */
export function descendants(rootPid: number, processes: readonly Pick<ProcessSnapshot, 'pid' | 'ppid'>[]): number[] {
  const children = new Map<number, number[]>();
  for (const p of processes) {
    const siblings = children.get(p.ppid);
    if (siblings === undefined) children.set(p.ppid, [p.pid]);
    else siblings.push(p.pid);
  }
  const tree: number[] = [];
  const seen = new Set<number>();
  for (const queue = [rootPid]; queue.length > 0; ) {
    const pid = queue.shift();
    if (pid === undefined || seen.has(pid)) continue;
    seen.add(pid);
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** The load generator a process of a benchmark's tree is: vegeta by its executable, Caliper by its command line. */
function loadGroupOf(p: ProcessSnapshot, details: ProcessDetails): ProcessGroup | undefined {
  if (p.comm === 'vegeta') return 'vegeta';
  if (details.cmdline(p.pid).some((arg) => arg.includes('caliper'))) return 'caliper';
  return undefined;
}

/**
 * The group of each process of a benchmark's tree: the nearest vegeta or Caliper process at or above
 * it (below the benchmark process) decides, so Caliper's forked workers are Caliper's; the rest,
 * the benchmark's own Node process first, is the harness.
 */
function loadGroups(tree: readonly number[], byPid: ReadonlyMap<number, ProcessSnapshot>, details: ProcessDetails): Map<number, ProcessGroup> {
  const groups = new Map<number, ProcessGroup>();
  for (const pid of tree) {
    const p = byPid.get(pid);
    if (p === undefined) continue;
    groups.set(pid, loadGroupOf(p, details) ?? (pid === tree[0] ? undefined : groups.get(p.ppid)) ?? 'harness');
  }
  return groups;
}

/**
 * Every live root's tree, summed by (group, node). A process in two trees (a recorded root that is
 * itself a descendant of another) counts once, in the first root's series.
 */
export function accountOwnProcesses(roots: readonly OwnRoot[], processes: readonly ProcessSnapshot[], details: ProcessDetails): GroupFigures[] {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  const counted = new Set<number>();
  const series = new Map<string, { group: ProcessGroup; node: string; host: string; cpuTicks: number; rssBytes: number; pids: number[] }>();
  for (const root of roots) {
    if (liveRoot(root, byPid) === undefined) continue;
    const tree = descendants(root.pid, processes).filter((pid) => !counted.has(pid));
    const groups = root.group === 'load' ? loadGroups(tree, byPid, details) : undefined;
    for (const pid of tree) {
      const p = byPid.get(pid);
      if (p === undefined) continue;
      counted.add(pid);
      const group = root.group === 'load' ? (groups?.get(pid) ?? 'harness') : root.group;
      const key = `${group}\0${root.node}`;
      const s = series.get(key) ?? { group, node: root.node, host: root.host, cpuTicks: 0, rssBytes: 0, pids: [] };
      s.cpuTicks += p.cpuTicks;
      s.rssBytes += details.rssBytes(pid);
      s.pids.push(pid);
      series.set(key, s);
    }
  }
  return [...series.values()].map((s) => ({ ...s, count: s.pids.length }));
}
