import { readdir, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { isRunning, ledgerHeight, orderers, parseMetrics, peers, scrape, serviceInstances, valueOf, type NativeNetwork, type ProcessRecord, type StateLayout } from '@energysale/network';

import { readProcessCpu, withDescendants, type ProcessCpu } from '../resources/interference';
import type { OurProcess, Snapshot, SoakGroup } from './raw';

/*
 * Reading one snapshot of every process of ours (by pid: the state's records and this benchmark's own
 * tree, never by name), of their heaps where they export them, and of each peer's ledger.
 */

const GROUP_OF_KIND: Readonly<Record<string, SoakGroup>> = {
  peer: 'chain',
  orderer: 'chain',
  chaincode: 'chain',
  ca: 'ca',
  service: 'service tier',
  lb: 'service tier',
  monitor: 'monitoring',
};

/** The id this benchmark's own process tree (the harness and the vegeta it runs) goes by. */
export const LOAD_GENERATOR_ID = 'bench (harness + vegeta)';

export class SoakSampleError extends Error {
  override readonly name = 'SoakSampleError';
}

/** The processes of ours a soak follows: every running record of the state, and this process. */
export function ourProcesses(records: readonly ProcessRecord[]): { processes: OurProcess[]; roots: Map<string, number> } {
  const processes: OurProcess[] = [];
  const roots = new Map<string, number>();
  for (const r of records.filter(isRunning)) {
    const group = GROUP_OF_KIND[r.kind];
    if (!group) throw new SoakSampleError(`${r.id}: a process of kind ${r.kind} belongs to no group`);
    processes.push({ id: r.id, kind: r.kind, group });
    roots.set(r.id, r.pid);
  }
  processes.push({ id: LOAD_GENERATOR_ID, kind: 'bench', group: 'load generator' });
  roots.set(LOAD_GENERATOR_ID, process.pid);
  return { processes, roots };
}

const PAGE_BYTES = 4096;

/** Resident pages of a process (/proc/<pid>/statm, second field); 0 when it is gone. */
function rssPages(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${String(pid)}/statm`, 'utf8').split(' ')[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * CPU (ticks) and resident memory (bytes) of each root's tree. CPU counts each live member's own
 * time and what it reaped of its children, so a child that ended between two snapshots is counted
 * (in its parent) and never twice.
 */
export function treeUsage(roots: ReadonlyMap<string, number>, table: readonly ProcessCpu[], rss: (pid: number) => number = (pid) => rssPages(pid) * PAGE_BYTES): { cpuTicks: Record<string, number>; rssBytes: Record<string, number> } {
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const cpuTicks: Record<string, number> = {};
  const rssBytes: Record<string, number> = {};
  for (const [id, pid] of roots) {
    const tree = [...withDescendants([pid], table)];
    if (tree.length === 0) continue;
    cpuTicks[id] = tree.reduce((s, p) => s + (byPid.get(p)?.ticks ?? 0) + (byPid.get(p)?.childTicks ?? 0), 0);
    rssBytes[id] = tree.reduce((s, p) => s + rss(p), 0);
  }
  return { cpuTicks, rssBytes };
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

/** Heap in use of the processes that export it: the peers' and orderers' Go heap, the service instances' Node heap. */
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
        const response = await fetch(`http://${s.endpoint}/metrics`, { signal: AbortSignal.timeout(5000) });
        if (!response.ok) throw new SoakSampleError(`${s.id}/metrics answered ${String(response.status)}`);
        const value = valueOf(parseMetrics(await response.text()), 'retail_nodejs_heap_size_used_bytes');
        if (value !== undefined) heap[s.id] = value;
      }),
  );
  heap[LOAD_GENERATOR_ID] = process.memoryUsage().heapUsed;
  return heap;
}

/** One snapshot: processes, heaps, ledgers. */
export async function snapshot(network: NativeNetwork, layout: StateLayout, roots: ReadonlyMap<string, number>): Promise<Snapshot> {
  const t = Date.now();
  const { cpuTicks, rssBytes } = treeUsage(roots, readProcessCpu());
  const heapBytes = await heaps(network, new Set(Object.keys(cpuTicks)));
  const heights: Record<string, number | null> = {};
  const ledgerBytes: Record<string, Record<string, number>> = {};
  await Promise.all(
    peers(network.topology).map(async (p) => {
      heights[p.id] = (await ledgerHeight(p, network.topology.channel.name)) ?? null;
      ledgerBytes[p.id] = await ledgerFolders(layout.nodeDataDir(p));
    }),
  );
  return { t, cpuTicks, rssBytes, heapBytes, ledgerHeight: heights, ledgerBytes };
}
