import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, release, totalmem, type as osType } from 'node:os';
import { resolve } from 'node:path';

import { orderers, peers, type Topology } from '@energysale/network';

import type { Machine } from '../report/schema';

/* What produced a figure: the commit of the repository and the machine (every report and baseline states both). */

export const repoRoot = resolve(__dirname, '..', '..', '..');

export function commit(): { sha: string; dirty: boolean } {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return { sha, dirty };
  } catch {
    return { sha: 'unknown', dirty: true };
  }
}

export function machine(): Machine {
  return {
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    os: `${osType()} ${arch()}`,
    kernel: release(),
    node: process.version,
    ...bootId(),
  };
}

function bootId(): Pick<Machine, 'bootId'> {
  try {
    return { bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() };
  } catch {
    return {};
  }
}


/** The network a report's figures come from, in numbers: its size and how many of each it has. */
export interface TopologySummary {
  readonly size: string;
  readonly peers: number;
  readonly orgs: number;
  readonly orderers: number;
  readonly hosts: number;
}

export function topologySummary(topology: Topology, size: string): TopologySummary {
  return { size, peers: peers(topology).length, orgs: topology.peerOrgs.length, orderers: orderers(topology).length, hosts: topology.hosts.length };
}
