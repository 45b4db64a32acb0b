import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { run } from '../../util/exec';
import type { ProcessSpec } from './supervisor';

/*
 * A host of the model cut off the network, for real, on one machine. Its processes share loopback
 * with everyone, and their own connections leave from 127.0.0.1, so an address alone cannot be
 * blocked. Every native process of a host is therefore started in a cgroup (v2) of its own,
 * `energysale/<address>`, and a cut is three iptables rules in a chain of ours:
 *   1. accept the host's traffic to its own address (its peer and its chaincode server, say);
 *   2. drop whatever anyone sends to the host's address (new and established connections);
 *   3. drop whatever the host's processes send anywhere else.
 * Lifting the cut deletes the chain; TCP retransmits and the connections resume, as after a
 * partition heals. Sockets keep the cgroup they were created in, hence the start in the cgroup.
 */

export const CGROUP_PARENT = 'energysale';
export const CUT_CHAIN = 'ENERGYSALE-CUT';

export class HostCutError extends Error {
  override readonly name = 'HostCutError';
}

/** Where cgroup v2 is mounted (the unified hierarchy), if it is. */
export function cgroup2Root(mounts: string = readMounts()): string | undefined {
  for (const line of mounts.split('\n')) {
    const [, mountPoint, type] = line.split(' ');
    if (type === 'cgroup2' && mountPoint) return mountPoint;
  }
  return undefined;
}

function readMounts(): string {
  try {
    return readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return '';
  }
}

/** The address a node binds (its host's), from its first endpoint. */
export function addressOfSpec(spec: Pick<ProcessSpec, 'binds'>): string | undefined {
  const endpoint = spec.binds[0]?.endpoint;
  return endpoint === undefined ? undefined : endpoint.slice(0, endpoint.lastIndexOf(':'));
}

/** The host's cgroup, relative to the cgroup v2 root (what iptables' `--path` takes). */
export const hostCgroupPath = (address: string): string => `${CGROUP_PARENT}/${address}`;

/**
 * The `cgroup.procs` file of the host's cgroup, created when missing; undefined when cgroup v2 is
 * not mounted or not writable here (the processes then start where the caller is).
 */
export function ensureHostCgroup(address: string): string | undefined {
  const root = cgroup2Root();
  if (!root) return undefined;
  const dir = join(root, hostCgroupPath(address));
  try {
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
    return existsSync(join(dir, 'cgroup.procs')) ? join(dir, 'cgroup.procs') : undefined;
  } catch {
    return undefined;
  }
}

/** The cgroup v2 path of a process (`/energysale/<address>`), or undefined. */
export function cgroupOf(pid: number): string | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'));
    return line?.slice(3);
  } catch {
    return undefined;
  }
}

/** Command and arguments that start `command` inside the cgroup whose `cgroup.procs` is given (same pid: sh execs it). */
export function inCgroup(procsFile: string, command: string, args: readonly string[]): { command: string; args: string[] } {
  return { command: '/bin/sh', args: ['-c', 'echo $$ > "$0" && exec "$@"', procsFile, command, ...args] };
}

/** The iptables rules of a cut of the host at `address` (chain CUT_CHAIN), in order. */
export function cutRules(address: string): string[][] {
  const path = hostCgroupPath(address);
  return [
    ['-m', 'cgroup', '--path', path, '-m', 'conntrack', '--ctorigdst', address, '-j', 'ACCEPT'],
    ['-d', address, '-j', 'DROP'],
    ['-m', 'cgroup', '--path', path, '-j', 'DROP'],
  ];
}

const iptables = (args: readonly string[]) => run('iptables', ['-w', ...args], { timeoutMs: 30_000 });

/** Cuts the host at `address` off; its processes must have started in its cgroup (checked by the caller). */
export async function cutHost(address: string): Promise<void> {
  await liftCuts();
  try {
    await iptables(['-N', CUT_CHAIN]);
    for (const rule of cutRules(address)) await iptables(['-A', CUT_CHAIN, ...rule]);
    await iptables(['-I', 'OUTPUT', '1', '-j', CUT_CHAIN]);
  } catch (cause) {
    await liftCuts();
    throw new HostCutError(`cannot cut ${address} off with iptables (root, and the cgroup and conntrack matches, are needed)`, { cause });
  }
}

/** Lifts any cut: the chain unhooked and deleted. Nothing to do when there is none (or no iptables). */
export async function liftCuts(): Promise<void> {
  const quiet = (args: readonly string[]) => iptables(args).then(
    () => true,
    () => false,
  );
  while (await quiet(['-D', 'OUTPUT', '-j', CUT_CHAIN]));
  await quiet(['-F', CUT_CHAIN]);
  await quiet(['-X', CUT_CHAIN]);
}
