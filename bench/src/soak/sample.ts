import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import {
  accountOwnProcesses,
  ledgerHeight,
  loadNode,
  orderers,
  ownRoots,
  peers,
  ProcSource,
  scrape,
  serviceInstances,
  valueOf,
  type GroupFigures,
  type NativeNetwork,
  type ProcessGroup,
  type StateLayout,
} from '@energysale/network';

import type { Snapshot, SoakGroup } from './raw';

/*
 * Reading one snapshot of every process of ours, of their heaps where they export them, and of
 * each peer's ledger. Which processes are ours, and their CPU and memory, is the network's own-process
 * accounting (what its exporter serves Prometheus): the state's records and this benchmark's
 * registered process, each with its descendants, by pid, never by name.
 */

const SOAK_GROUP: Readonly<Record<ProcessGroup, SoakGroup>> = {
  peer: 'chain',
  orderer: 'chain',
  chaincode: 'chain',
  ca: 'ca',
  service: 'service tier',
  lb: 'service tier',
  vegeta: 'load generator',
  caliper: 'load generator',
  harness: 'load generator',
  monitoring: 'monitoring',
};

export class SoakSampleError extends Error {
  override readonly name = 'SoakSampleError';
}

/** A series of the accounting as the soak names it: the node's id, or for this benchmark's tree its part (harness, vegeta). */
export function processId(f: Pick<GroupFigures, 'node' | 'group'>, benchPid: number = process.pid): string {
  return f.node === loadNode(benchPid) ? `${f.group} (this benchmark)` : f.node;
}

/** The soak group of a series. */
export const soakGroupOf = (f: Pick<GroupFigures, 'group'>): SoakGroup => SOAK_GROUP[f.group];

/** CPU (ticks) and resident memory (bytes) of every process of ours now, by soak id, with each id's group. */
async function ownUsage(layout: StateLayout, network: NativeNetwork): Promise<{ cpuTicks: Record<string, number>; rssBytes: Record<string, number>; groups: Map<string, SoakGroup> }> {
  const source = new ProcSource(layout);
  const registrations = source.loadRegistrations().filter((r) => r.pid === process.pid);
  const figures = accountOwnProcesses(ownRoots(network.topology, await source.records(), registrations), source.processes(), source);
  const cpuTicks: Record<string, number> = {};
  const rssBytes: Record<string, number> = {};
  const groups = new Map<string, SoakGroup>();
  for (const f of figures) {
    const id = processId(f);
    cpuTicks[id] = (cpuTicks[id] ?? 0) + f.cpuTicks;
    rssBytes[id] = (rssBytes[id] ?? 0) + f.rssBytes;
    groups.set(id, soakGroupOf(f));
  }
  return { cpuTicks, rssBytes, groups };
}

/** Bytes on disk of everything under `dir` (allocated blocks, as `du` counts). */
export async function diskBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    try {
      total += (await stat(join(entry.parentPath, entry.name))).blocks * 512;
    } catch {
      // removed since the listing (LevelDB compacts)
    }
  }
  return total;
}

/** A peer's ledger folders (each child of its data directory's ledgersData) and their size. */
async function ledgerFolders(dataDir: string): Promise<Record<string, number>> {
  const root = join(dataDir, 'ledgersData');
  const folders: Record<string, number> = {};
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (entry.isDirectory()) folders[entry.name] = await diskBytes(join(root, entry.name));
  }
  return folders;
}

/** Heap in use of the processes that export it: the peers' and orderers' Go heap, the service instances' and the harness's Node heap. */
async function heaps(network: NativeNetwork, running: ReadonlySet<string>): Promise<Record<string, number>> {
  const heap: Record<string, number> = {};
  const fabric = [...peers(network.topology), ...orderers(network.topology)];
  await Promise.all(
    fabric
      .filter((n) => running.has(n.id))
      .map(async (n) => {
        const value = valueOf(await scrape(n.operationsEndpoint), 'go_memstats_heap_inuse_bytes');
        if (value !== undefined) heap[n.id] = value;
      }),
  );
  await Promise.all(
    serviceInstances(network.topology)
      .filter((s) => running.has(s.id))
      .map(async (s) => {
        const samples = await scrape(s.endpoint).catch((error: unknown) => {
          throw new SoakSampleError(`${s.id}/metrics could not be read`, { cause: error });
        });
        const value = valueOf(samples, 'retail_nodejs_heap_size_used_bytes');
        if (value !== undefined) heap[s.id] = value;
      }),
  );
  heap[processId({ node: loadNode(process.pid), group: 'harness' })] = process.memoryUsage().heapUsed;
  return heap;
}

/** One snapshot (processes, heaps, ledgers), and the group of each process in it. */
export async function snapshot(network: NativeNetwork, layout: StateLayout): Promise<{ snapshot: Snapshot; groups: ReadonlyMap<string, SoakGroup> }> {
  const t = Date.now();
  const { cpuTicks, rssBytes, groups } = await ownUsage(layout, network);
  const heapBytes = await heaps(network, new Set(Object.keys(cpuTicks)));
  const heights: Record<string, number | null> = {};
  const ledgerBytes: Record<string, Record<string, number>> = {};
  await Promise.all(
    peers(network.topology).map(async (p) => {
      heights[p.id] = (await ledgerHeight(p, network.topology.channel.name)) ?? null;
      ledgerBytes[p.id] = await ledgerFolders(layout.nodeDataDir(p));
    }),
  );
  return { snapshot: { t, cpuTicks, rssBytes, heapBytes, ledgerHeight: heights, ledgerBytes }, groups };
}
