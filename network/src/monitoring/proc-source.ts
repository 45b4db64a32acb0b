import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { cgroup2Root, hostCgroupPath } from '../runtime/native/host-cgroup';
import { Supervisor, type ProcessRecord } from '../runtime/native/supervisor';
import type { StateLayout } from '../state/layout';
import { parseCgroupV2, parseRssBytes, parseStatUsage, readOr, splitNul } from '../util/proc';
import { loadRegistryDir, readLoadRegistrations, type LoadRegistration } from './load-registry';
import type { CgroupUsage, OwnProcessSource } from './own-exporter';
import type { ProcessSnapshot } from './own-processes';

/*
 * The own-process exporter's view of this machine: /proc, the state's records and registrations,
 * and cgroup v2's accounting files.
 */

/** cpu.stat's usage_usec in seconds; undefined when the file has none. */
export function parseCpuStatSeconds(text: string): number | undefined {
  const match = /^usage_usec (\d+)$/m.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]) / 1e6;
}

/**
 * A cgroup's usage from its directory: cpu.stat (always there in cgroup v2), and memory.current when
 * the memory controller is enabled there (a hybrid layout may leave it to v1). Undefined without cpu.stat.
 */
export function readCgroupUsage(dir: string): CgroupUsage | undefined {
  const cpuSeconds = parseCpuStatSeconds(readOr(join(dir, 'cpu.stat'), ''));
  if (cpuSeconds === undefined) return undefined;
  const memory = readOr(join(dir, 'memory.current'), '').trim();
  return memory === '' || !Number.isFinite(Number(memory)) ? { cpuSeconds } : { cpuSeconds, memoryBytes: Number(memory) };
}

export class ProcSource implements OwnProcessSource {
  private readonly supervisor: Supervisor;

  constructor(
    private readonly layout: StateLayout,
    private readonly proc: string = '/proc',
    private readonly cgroupRoot: string | undefined = cgroup2Root(),
  ) {
    this.supervisor = new Supervisor(layout);
  }

  records(): Promise<readonly ProcessRecord[]> {
    return this.supervisor.records();
  }

  loadRegistrations(): readonly LoadRegistration[] {
    return readLoadRegistrations(loadRegistryDir(this.layout));
  }

  processes(): readonly ProcessSnapshot[] {
    return readdirSync(this.proc)
      .filter((name) => /^\d+$/.test(name))
      .flatMap((name) => {
        const usage = parseStatUsage(readOr(join(this.proc, name, 'stat'), ''));
        if (usage === undefined) return [];
        return [{ pid: Number(name), ppid: usage.ppid, startTicks: usage.startTicks, comm: usage.comm, cpuTicks: usage.ownTicks + usage.reapedChildrenTicks }];
      });
  }

  rssBytes(pid: number): number {
    return parseRssBytes(readOr(join(this.proc, String(pid), 'status'), ''));
  }

  cmdline(pid: number): readonly string[] {
    return splitNul(readOr(join(this.proc, String(pid), 'cmdline'), ''));
  }

  cgroupOfPid(pid: number): CgroupUsage | undefined {
    const path = parseCgroupV2(readOr(join(this.proc, String(pid), 'cgroup'), ''));
    // The root cgroup has no cpu.stat of its own worth reading: the whole machine is not one node.
    if (this.cgroupRoot === undefined || path === undefined || path === '/') return undefined;
    return readCgroupUsage(join(this.cgroupRoot, path));
  }

  hostCgroup(address: string): CgroupUsage | undefined {
    return this.cgroupRoot === undefined ? undefined : readCgroupUsage(join(this.cgroupRoot, hostCgroupPath(address)));
  }
}
