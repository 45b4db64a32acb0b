import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

import { iptables } from '../../util/iptables';
import type { ProcessSpec } from './supervisor';

export { cgroupOf } from '../../util/proc';

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

/** A host cgroup could not be removed for another reason than processes still in it. */
export class HostCgroupError extends Error {
  override readonly name = 'HostCgroupError';
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

/** What removeHostCgroups did: the cgroups removed, and those left with why. */
export interface CgroupRemoval {
  readonly removed: readonly string[];
  readonly left: readonly { readonly path: string; readonly why: string }[];
}

/** The pids in a cgroup's `cgroup.procs` (none when it has no such file). */
function cgroupPids(dir: string): string[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}

/** rmdir of a cgroup: false when something is still in it (a process, a child cgroup), or it is gone. */
function removeCgroup(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EBUSY' || code === 'ENOTEMPTY' || code === 'ENOENT') return false;
    throw new HostCgroupError(`cannot remove the cgroup ${dir}`, { cause: error });
  }
}

/** The addresses that have a host cgroup now (the directories under `energysale`). */
export function hostCgroupAddresses(root: string | undefined = cgroup2Root()): string[] {
  if (root === undefined) return [];
  try {
    return readdirSync(join(root, CGROUP_PARENT), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/**
 * Removes the host cgroups of these addresses that no process is in, then their parent
 * (`energysale`) if nothing is left in it. A cgroup with processes in it is left, and said why:
 * its processes are another network's (another state's) or not stopped yet.
 */
export function removeHostCgroups(addresses: readonly string[], root: string | undefined = cgroup2Root()): CgroupRemoval {
  const removed: string[] = [];
  const left: { path: string; why: string }[] = [];
  if (root === undefined) return { removed, left };
  const parent = join(root, CGROUP_PARENT);
  for (const address of addresses) {
    const dir = join(root, hostCgroupPath(address));
    if (!existsSync(dir)) continue;
    const pids = cgroupPids(dir);
    if (pids.length === 0 && removeCgroup(dir)) removed.push(dir);
    else if (existsSync(dir)) left.push({ path: dir, why: pids.length > 0 ? `processes ${pids.join(', ')} are in it` : 'it is in use' });
  }
  if (existsSync(parent)) {
    const children = readdirSync(parent, { withFileTypes: true }).filter((e) => e.isDirectory());
    if (children.length === 0 && cgroupPids(parent).length === 0 && removeCgroup(parent)) removed.push(parent);
    else if (existsSync(parent)) left.push({ path: parent, why: children.length > 0 ? `it holds ${children.map((c) => c.name).join(', ')}` : 'it is in use' });
  }
  return { removed, left };
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
