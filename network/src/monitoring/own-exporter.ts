import type { ProcessRecord } from '../runtime/native/supervisor';
import { allNodes, loadBalancer, monitoring, serviceInstances, type Topology } from '../topology';
import { renderExposition, type MetricFamily } from './exposition';
import type { LoadRegistration } from './load-registry';
import { accountOwnProcesses, GROUP_OF_KIND, type GroupFigures, type OwnRoot, type ProcessDetails, type ProcessSnapshot } from './own-processes';

/*
 * Our own process exporter: CPU, resident memory and the number of processes of exactly what this
 * network and this run started (own-processes.ts), per node and group, and the host cgroups of the
 * native runtime as wholes. It replaces Debian's process-exporter, which matched the whole machine's
 * processes by name. What it reads (/proc, the state, cgroups) is behind an interface: the tests fake it.
 */

export const OWN_PROCESS_METRIC = {
  /** Counter {group, node, host}: CPU of the node's process tree, its reaped children's included. */
  cpuSeconds: 'energysale_process_cpu_seconds_total',
  /** Gauge {group, node, host}: resident memory of the node's live process tree. */
  residentBytes: 'energysale_process_resident_memory_bytes',
  /** Gauge {group, node, host}: live processes in the node's tree. */
  count: 'energysale_process_count',
  /** Counter {host, address}: CPU of everything in the host's cgroup (native runtime), cpu.stat usage_usec. */
  hostCgroupCpuSeconds: 'energysale_host_cgroup_cpu_seconds_total',
  /** Gauge {host, address}: memory charged to the host's cgroup (memory.current: page cache included). */
  hostCgroupMemoryBytes: 'energysale_host_cgroup_memory_bytes',
} as const;

/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture we run. */
export const TICKS_PER_SECOND = 100;

/** A cgroup's figures: cpu.stat's usage_usec and memory.current (absent without the memory controller). */
export interface CgroupUsage {
  readonly cpuSeconds: number;
  readonly memoryBytes?: number;
}

/** What the exporter reads of the machine and the state. */
export interface OwnProcessSource extends ProcessDetails {
  /** The Supervisor's records of the network's state. */
  records(): Promise<readonly ProcessRecord[]>;
  /** The benchmark processes registered for a run (live or stale). */
  loadRegistrations(): readonly LoadRegistration[];
  /** Every process of the machine (stat fields only: cheap for all of them). */
  processes(): readonly ProcessSnapshot[];
  /** The usage of the cgroup a process is in, when cgroup v2 shows it. */
  cgroupOfPid(pid: number): CgroupUsage | undefined;
  /** The usage of a host's cgroup (native runtime), when it exists. */
  hostCgroup(address: string): CgroupUsage | undefined;
}

/** The host of each id the Supervisor may record (nodes, service tier, monitoring). */
export function hostsById(topology: Topology): Map<string, string> {
  const m = monitoring(topology);
  return new Map<string, string>([
    ...allNodes(topology).map((n): [string, string] => [n.id, n.host.name]),
    ...[...serviceInstances(topology), loadBalancer(topology), m.prometheus, m.nodeExporter, m.ownExporter].map((s): [string, string] => [s.id, s.host.name]),
  ]);
}

/** Root of the node label of a benchmark process's series. */
export const loadNode = (pid: number): string => `bench-${String(pid)}`;

/** The roots whose trees are ours: every record, then every registered benchmark process (on the load generators' host). */
export function ownRoots(topology: Topology, records: readonly ProcessRecord[], registrations: readonly LoadRegistration[]): (OwnRoot & { readonly container: boolean })[] {
  const hosts = hostsById(topology);
  const loadHost = monitoring(topology).harness.host.name;
  return [
    ...records.map((r) => ({ pid: r.pid, startTicks: r.startTicks, node: r.id, host: hosts.get(r.id) ?? 'unknown', group: GROUP_OF_KIND[r.kind], container: r.container !== undefined })),
    ...registrations.map((r) => ({ pid: r.pid, startTicks: r.startTicks, node: loadNode(r.pid), host: loadHost, group: 'load' as const, container: false })),
  ];
}

/**
 * Keeps counters monotonic. A tree's CPU sum drops when a process leaves it without being reaped
 * inside it (re-parented to init, or a root that exited): Prometheus would read the drop as a reset
 * and count the whole value again. The drop is carried as an offset instead, so the series only grows.
 * A series that is gone (its node stopped, its run ended) is forgotten: a node started again is a
 * new process, and its counter starts again from its own CPU, as a counter may after a restart.
 */
export class MonotonicCounters {
  private last = new Map<string, { raw: number; offset: number }>();

  /** The counters of one scrape: each key's raw sum in, its monotonic value out; keys not given are forgotten. */
  scrape(raws: ReadonlyMap<string, number>): Map<string, number> {
    const next = new Map<string, { raw: number; offset: number }>();
    const values = new Map<string, number>();
    for (const [key, raw] of raws) {
      const previous = this.last.get(key);
      const offset = previous === undefined ? 0 : previous.offset + Math.max(0, previous.raw - raw);
      next.set(key, { raw, offset });
      values.set(key, raw + offset);
    }
    this.last = next;
    return values;
  }
}

export class OwnExporter {
  private readonly counters = new MonotonicCounters();

  constructor(
    private readonly topology: Topology,
    private readonly source: OwnProcessSource,
  ) {}

  /** The figures now, as the exposition text of a scrape. */
  async metrics(): Promise<string> {
    const roots = ownRoots(this.topology, await this.source.records(), this.source.loadRegistrations());
    const figures = accountOwnProcesses(roots, this.source.processes(), this.source);
    const containerRoots = new Map(roots.filter((r) => r.container).map((r) => [r.node, r.pid]));
    return renderExposition([...this.processFamilies(figures, containerRoots), ...this.hostFamilies()]);
  }

  /** A container's whole cgroup is its node's: its CPU there counts every process that ever ran in it. */
  private rawCpuSeconds(f: GroupFigures, containerRoots: ReadonlyMap<string, number>): number {
    const pid = containerRoots.get(f.node);
    const cgroup = pid === undefined ? undefined : this.source.cgroupOfPid(pid);
    return cgroup?.cpuSeconds ?? f.cpuTicks / TICKS_PER_SECOND;
  }

  private processFamilies(figures: readonly GroupFigures[], containerRoots: ReadonlyMap<string, number>): MetricFamily[] {
    const key = (f: GroupFigures): string => `${f.group}\0${f.node}`;
    const cpu = this.counters.scrape(new Map(figures.map((f) => [key(f), this.rawCpuSeconds(f, containerRoots)])));
    const labels = (f: GroupFigures): Record<string, string> => ({ group: f.group, node: f.node, host: f.host });
    return [
      {
        name: OWN_PROCESS_METRIC.cpuSeconds,
        help: 'CPU time of the process tree this network (or this run) started, per node and group, in seconds.',
        type: 'counter',
        samples: figures.map((f) => ({ labels: labels(f), value: cpu.get(key(f)) ?? 0 })),
      },
      {
        name: OWN_PROCESS_METRIC.residentBytes,
        help: 'Resident memory of the live process tree, per node and group, in bytes.',
        type: 'gauge',
        samples: figures.map((f) => ({ labels: labels(f), value: f.rssBytes })),
      },
      {
        name: OWN_PROCESS_METRIC.count,
        help: 'Live processes in the tree, per node and group.',
        type: 'gauge',
        samples: figures.map((f) => ({ labels: labels(f), value: f.count })),
      },
    ];
  }

  private hostFamilies(): MetricFamily[] {
    const hosts = this.topology.hosts.flatMap((h) => {
      const usage = this.source.hostCgroup(h.address);
      return usage === undefined ? [] : [{ labels: { host: h.name, address: h.address }, usage }];
    });
    return [
      {
        name: OWN_PROCESS_METRIC.hostCgroupCpuSeconds,
        help: "CPU time of everything in the host's cgroup (native runtime), in seconds.",
        type: 'counter',
        samples: hosts.map((h) => ({ labels: h.labels, value: h.usage.cpuSeconds })),
      },
      {
        name: OWN_PROCESS_METRIC.hostCgroupMemoryBytes,
        help: "Memory charged to the host's cgroup (native runtime; page cache included), in bytes.",
        type: 'gauge',
        samples: hosts.flatMap((h) => (h.usage.memoryBytes === undefined ? [] : [{ labels: h.labels, value: h.usage.memoryBytes }])),
      },
    ];
  }
}
