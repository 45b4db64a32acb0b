import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { LABEL } from '../runtime/docker/container';
import { docker, engineVersion } from '../runtime/docker/engine';
import { hostCgroupAddresses, liftCuts, removeHostCgroups, type CgroupRemoval } from '../runtime/native/host-cgroup';
import { StaleStateError } from '../runtime/native/network';
import { isRunning, Supervisor, type ProcessRecord } from '../runtime/native/supervisor';
import { repoRoot } from '../util/paths';
import { stateRoot, StateLayout } from './layout';

/*
 * Every state of this checkout: the default network/.state, the tests' network/.state-test,
 * .state-test-<suite>, .state-docker-test, ... (each a directory under network/ whose name starts
 * with `.state`), and the one ENERGYSALE_STATE names when it is elsewhere.
 */

/** Which states: the tests' (`.state-test*`, `.state-docker-test*`) or every one. */
export type StateKind = 'test' | 'all';

export const STATE_KINDS: readonly StateKind[] = ['test', 'all'];

export const isStateKind = (value: string): value is StateKind => (STATE_KINDS as readonly string[]).includes(value);

/** Whether a state directory's name makes it one of the tests'. */
export const isTestState = (dir: string): boolean => /^\.state-(docker-)?test/.test(basename(dir));

/** The state directories among the entries of network/ (name, is it a directory). */
export function stateDirectories(networkDir: string, entries: readonly { readonly name: string; readonly directory: boolean }[], kind: StateKind): string[] {
  return entries
    .filter((e) => e.directory && e.name.startsWith('.state') && (kind === 'all' || isTestState(e.name)))
    .map((e) => join(networkDir, e.name))
    .sort();
}

/** The states of this checkout of the given kind that exist now (absolute paths). */
export function checkoutStates(kind: StateKind = 'all'): string[] {
  const networkDir = join(repoRoot, 'network');
  const entries = readdirSync(networkDir, { withFileTypes: true }).map((e) => ({ name: e.name, directory: e.isDirectory() }));
  const states = stateDirectories(networkDir, entries, kind);
  const named = stateRoot();
  if (process.env.ENERGYSALE_STATE !== undefined && !states.includes(named) && existsSync(named) && (kind === 'all' || isTestState(named))) states.push(named);
  return states;
}

/** What of a state still runs: its recorded processes (or containers) alive, and containers with the state mounted. */
export interface RunningInState {
  readonly dir: string;
  readonly processes: readonly ProcessRecord[];
  /** Names of running containers of ours that mount the state (the docker runtime's, a compose or stack deployment of it). */
  readonly containers: readonly string[];
}

/**
 * The running containers of ours that mount `dir` (at the same path, as every container of the
 * docker runtime, the compose file and the stack do); none when no engine answers.
 */
export async function containersOfState(dir: string): Promise<string[]> {
  if ((await engineVersion()) === undefined) return [];
  const out = await docker(['ps', '--filter', `label=${LABEL.node}`, '--filter', `volume=${dir}`, '--format', '{{.Names}}'], { timeoutMs: 30_000 });
  return out.split('\n').filter((name) => name !== '');
}

/**
 * What still runs of a state. The supervisor's records cover the docker runtime's containers too
 * (a record's pid is then its container's process as this machine sees it); a deployment of the
 * state by compose or as a swarm stack has no records, and is found by its mount of the state.
 */
export async function runningInState(dir: string): Promise<RunningInState> {
  const processes = (await new Supervisor(new StateLayout(dir)).records()).filter(isRunning);
  const containers = await containersOfState(dir);
  return { dir, processes, containers };
}

/** One line of what runs in a state, or undefined when nothing does. */
export function describeRunning(running: RunningInState): string | undefined {
  const what = [...running.processes.map((r) => `${r.id} (pid ${r.pid})`), ...running.containers.filter((c) => !running.processes.some((r) => r.container === c)).map((c) => `container ${c}`)];
  return what.length === 0 ? undefined : `${running.dir}: ${what.join(', ')}`;
}

/**
 * Removes every state of this checkout (`clean --all`), then any host cut and every host cgroup no
 * process is in. Refuses, before removing anything, while any state still runs something.
 */
export async function cleanCheckoutStates(): Promise<{ removed: string[]; cgroups: CgroupRemoval }> {
  const states = checkoutStates('all');
  const running = (await Promise.all(states.map(runningInState))).flatMap((r) => describeRunning(r) ?? []);
  if (running.length > 0) {
    throw new StaleStateError(`${running.length} state(s) still run something: ${running.join('; ')}. Run \`network down\` (and \`stack down\`) with ENERGYSALE_STATE=<state> first`);
  }
  for (const dir of states) await rm(dir, { recursive: true, force: true });
  await liftCuts();
  return { removed: states, cgroups: removeHostCgroups(hostCgroupAddresses()) };
}
