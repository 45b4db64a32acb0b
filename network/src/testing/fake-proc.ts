import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * A fake /proc (and cgroup v2 tree) in a directory: the files the own-process exporter reads,
 * written as the kernel formats them.
 */

export interface FakeProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  readonly startTicks: string;
  readonly utime?: number;
  readonly stime?: number;
  readonly cutime?: number;
  readonly cstime?: number;
  readonly state?: string;
  readonly rssKb?: number;
  readonly cmdline?: readonly string[];
  readonly cgroup?: string;
}

/** The text of /proc/<pid>/stat: 52 fields, the command name in parentheses. */
export function statLine(p: FakeProcess): string {
  const filler = (n: number): string[] => Array.from({ length: n }, () => '0');
  const fields = [
    p.state ?? 'S',
    String(p.ppid),
    ...filler(9),
    String(p.utime ?? 0),
    String(p.stime ?? 0),
    String(p.cutime ?? 0),
    String(p.cstime ?? 0),
    ...filler(4),
    p.startTicks,
    ...filler(30),
  ];
  return `${String(p.pid)} (${p.comm}) ${fields.join(' ')}\n`;
}

/** Writes the processes under `root` as /proc would show them. */
export function writeFakeProc(root: string, processes: readonly FakeProcess[]): void {
  for (const p of processes) {
    const dir = join(root, String(p.pid));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'stat'), statLine(p));
    writeFileSync(join(dir, 'status'), `Name:\t${p.comm}\nState:\tS (sleeping)\n${p.rssKb === undefined ? '' : `VmRSS:\t    ${String(p.rssKb)} kB\n`}Threads:\t1\n`);
    writeFileSync(join(dir, 'cmdline'), (p.cmdline ?? [p.comm]).map((a) => `${a}\0`).join(''));
    writeFileSync(join(dir, 'cgroup'), `0::${p.cgroup ?? '/'}\n`);
  }
}

/** A cgroup v2 directory with the accounting files the exporter reads (no memory.current: the memory controller is not enabled there). */
export function writeFakeCgroup(root: string, path: string, usageUsec: number, memoryBytes?: number): void {
  const dir = join(root, path);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cpu.stat'), `usage_usec ${String(usageUsec)}\nuser_usec 1\nsystem_usec 2\n`);
  if (memoryBytes !== undefined) writeFileSync(join(dir, 'memory.current'), `${String(memoryBytes)}\n`);
}
