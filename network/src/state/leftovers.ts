import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';

import { LABEL } from '../runtime/docker/container';
import { docker, engineVersion } from '../runtime/docker/engine';
import { markerAlive, readMarker } from '../runtime/docker/engine-marker';
import { findResidue, NOTHING_BEFORE, type EngineResidue } from '../runtime/docker/engine-residue';
import { STACK_NAME } from '../runtime/docker/stack';
import { readSwarmRecord } from '../runtime/docker/swarm';
import { CGROUP_PARENT, cgroup2Root, CUT_CHAIN, hostCgroupAddresses } from '../runtime/native/host-cgroup';
import { Supervisor, type ProcessRecord } from '../runtime/native/supervisor';
import { cacheDirectory } from '../toolchain';
import { readTable } from '../util/iptables';
import { repoRoot } from '../util/paths';
import { lineage, listProcesses, type ProcessInfo } from '../util/proc';
import { StateLayout } from './layout';
import { checkoutStates, type StateKind } from './states';

/*
 * What of ours is still on the machine after the commands have run: the check that "what the
 * commands start, they can stop" held. Each leftover says what it is and the command that removes it.
 */

export type LeftoverKind = 'process' | 'container' | 'swarm' | 'engine' | 'iptables' | 'bridge' | 'cgroup' | 'state';

export interface Leftover {
  readonly kind: LeftoverKind;
  readonly what: string;
  /** How to remove it. */
  readonly remedy: string;
}

export interface LeftoverOptions {
  /** Which states of the checkout are checked (state/states.ts); default every one. */
  readonly states?: StateKind;
  /** Also a dockerd this project started and Docker's iptables chains and bridges. */
  readonly engine?: boolean;
  /** Where the engine's marker is (default the toolchain's cache directory). */
  readonly cacheDir?: string;
  /**
   * Only these hosts' addresses count for host cgroups and containers (the test networks', say, so
   * that a user's network on the model's addresses running beside is not taken for a leftover);
   * default every address.
   */
  readonly hosts?: readonly string[];
}

/** Whether a host address is among those checked (every one when none are given). */
const checked = (hosts: readonly string[] | undefined, address: string | undefined): boolean => hosts === undefined || (address !== undefined && hosts.includes(address));

const DEFAULT_STATE = join(repoRoot, 'network', '.state');

/** The network CLI run on a state: `npm run network -- <command>`, with ENERGYSALE_STATE unless the state is the default one. */
export const onState = (dir: string, command: string): string =>
  `${dir === DEFAULT_STATE ? '' : `ENERGYSALE_STATE=${dir} `}npm run network -- ${command}`;

/** Whether any of the texts names `dir` itself or a path under it (not a sibling such as `<dir>-test`). */
export function mentionsPath(texts: readonly string[], dir: string): boolean {
  return texts.some((text) => {
    for (let at = text.indexOf(dir); at >= 0; at = text.indexOf(dir, at + 1)) {
      const next = text.charAt(at + dir.length);
      if (next === '' || !/[\w.-]/.test(next)) return true;
    }
    return false;
  });
}

/**
 * What a process runs, by name: the program, and the script an interpreter runs. Not its arguments,
 * which may hold a secret (fabric-ca-server's bootstrap password is one).
 */
export function commandName(cmdline: readonly string[]): string {
  const [program = '', script] = cmdline.map((arg) => basename(arg));
  return /^(node|sh|bash|python3?)$/.test(program) && script !== undefined ? `${program} ${script}` : program;
}

/** A state and its supervisor's records. */
export interface StateRecords {
  readonly dir: string;
  readonly records: readonly Pick<ProcessRecord, 'id' | 'pid' | 'startTicks'>[];
}

/**
 * The processes of ours among `processes`: those a state records (alive: the same start time), those
 * whose command line or environment names a state, and those in a host cgroup (`/energysale/...`).
 * `self` and its ancestors (the check itself, the test runner that runs it) are not counted.
 */
export function processLeftovers(processes: readonly ProcessInfo[], states: readonly StateRecords[], self: number, hosts?: readonly string[]): Leftover[] {
  const excluded = lineage(self, processes);
  return processes.flatMap((p) => {
    if (excluded.has(p.pid) || p.cmdline.length === 0) return [];
    const recorded = states.find((s) => s.records.some((r) => r.pid === p.pid && r.startTicks === p.startTicks));
    const record = recorded?.records.find((r) => r.pid === p.pid);
    const named = states.find((s) => mentionsPath(p.cmdline, s.dir) || mentionsPath(p.environ, s.dir));
    const hostCgroup = p.cgroup?.startsWith(`/${CGROUP_PARENT}/`) && checked(hosts, p.cgroup.split('/')[2]) ? p.cgroup : undefined;
    if (!recorded && !named && hostCgroup === undefined) return [];
    const why = [
      ...(record && recorded ? [`${record.id} of ${recorded.dir}`] : named ? [`of ${named.dir}`] : []),
      ...(hostCgroup === undefined ? [] : [`in cgroup ${hostCgroup}`]),
    ];
    return [
      {
        kind: 'process' as const,
        what: `pid ${p.pid} ${commandName(p.cmdline)} (${why.join(', ')})`,
        remedy: recorded ? onState(recorded.dir, 'down') : named ? `${onState(named.dir, 'down')}, or kill ${p.pid}` : `kill ${p.pid}`,
      },
    ];
  });
}

/** The lines of an engine's residue (engine-residue.ts): chains per table, bridges, forwarding settings. */
export function residueLeftovers(residue: EngineResidue, remedy: string): Leftover[] {
  return [
    ...residue.tables.map((t) => ({
      kind: 'iptables' as const,
      what: `${t.family} -t ${t.table}: ${t.chains.length > 0 ? `chains ${t.chains.join(', ')}` : 'no Docker chain'}${t.rules.length > 0 ? `, ${t.rules.length} rule(s) of the built-in chains for them` : ''}`,
      remedy,
    })),
    ...residue.bridges.map((b) => ({ kind: 'bridge' as const, what: `bridge ${b}`, remedy })),
    ...(residue.ipForward === undefined ? [] : [{ kind: 'engine' as const, what: `net.ipv4.ip_forward was ${residue.ipForward} before our dockerd`, remedy }]),
    ...(residue.forwardPolicy === undefined ? [] : [{ kind: 'iptables' as const, what: `FORWARD policy was ${residue.forwardPolicy} before our dockerd`, remedy }]),
  ];
}

const ENGINE_STOP = '`npm run network -- engine stop`';

/** Containers labelled as ours, and our stack (and the swarm `stack up` made), when an engine answers. */
async function dockerLeftovers(states: readonly string[], hosts: readonly string[] | undefined): Promise<Leftover[]> {
  if ((await engineVersion()) === undefined) return [];
  const format = `{{.Names}}\t{{.State}}\t{{.Label "${LABEL.address}"}}`;
  const lines = (await docker(['ps', '--all', '--filter', `label=${LABEL.node}`, '--format', format], { timeoutMs: 30_000 })).split('\n').filter((l) => l !== '');
  const containers = lines.flatMap((line): Leftover[] => {
    const [name = '', state = '', address] = line.split('\t');
    if (!checked(hosts, address === '' ? undefined : address)) return [];
    return [{ kind: 'container', what: `container ${name} (${state})`, remedy: `\`npm run network -- down\` (or \`stack down\`) in its state, or \`docker rm -f ${name}\`` }];
  });
  if ((await docker(['info', '--format', '{{.Swarm.LocalNodeState}}'])).trim() !== 'active') return containers;
  // `stack ls` needs a manager: on a worker there is no stack of ours to list.
  const stacks = (await docker(['stack', 'ls', '--format', '{{.Name}}']).catch(() => '')).split('\n').filter((name) => name === STACK_NAME);
  const made = (await Promise.all(states.map(async (dir) => ((await readSwarmRecord(new StateLayout(dir)))?.initialised ? [dir] : [])))).flat();
  return [
    ...containers,
    ...stacks.map((name): Leftover => ({ kind: 'swarm', what: `swarm stack ${name}`, remedy: '`npm run network -- stack down` in the state that deployed it' })),
    ...made.map((dir): Leftover => ({ kind: 'swarm', what: `the single-node swarm \`stack up\` made for ${dir}`, remedy: onState(dir, 'stack down') })),
  ];
}

/** A dockerd this project started, and what Docker left in iptables and as bridges (see LeftoverOptions.engine). */
async function engineLeftovers(cacheDir: string): Promise<Leftover[]> {
  const marker = await readMarker(cacheDir);
  if (marker === undefined) {
    // An engine that answers without our marker is someone else's: its chains and bridges are its own.
    return (await engineVersion()) === undefined ? residueLeftovers(await findResidue(NOTHING_BEFORE), 'a Docker engine left them: start and stop it (`dockerd`, then SIGTERM), or remove them by hand') : [];
  }
  const engine: Leftover = markerAlive(marker)
    ? { kind: 'engine', what: `dockerd pid ${marker.pid}, started by this project at ${marker.startedAt}`, remedy: ENGINE_STOP }
    : { kind: 'engine', what: `the marker of a dockerd this project started (pid ${marker.pid}, exited)`, remedy: ENGINE_STOP };
  return [engine, ...residueLeftovers(await findResidue(marker.before), ENGINE_STOP)];
}

function cgroupLeftovers(checkedHosts: readonly string[] | undefined): Leftover[] {
  const root = cgroup2Root();
  if (root === undefined || !existsSync(join(root, CGROUP_PARENT))) return [];
  const hosts = hostCgroupAddresses(root).filter((address) => checked(checkedHosts, address));
  if (checkedHosts !== undefined && hosts.length === 0) return [];
  return [
    {
      kind: 'cgroup',
      what: `${join(root, CGROUP_PARENT)}${hosts.length > 0 ? ` (hosts ${hosts.join(', ')})` : ''}`,
      remedy: '`npm run network -- down`, or `clean` (`clean --all`), removes the host cgroups no process is in',
    },
  ];
}

async function cutLeftovers(): Promise<Leftover[]> {
  const filter = await readTable('filter');
  return filter?.chains.includes(CUT_CHAIN) ? [{ kind: 'iptables', what: `chain ${CUT_CHAIN} (a host cut off)`, remedy: '`npm run network -- down` (lifts any cut)' }] : [];
}

/** Everything of ours still on the machine (LeftoverOptions says what is checked); empty when nothing is. */
export async function findLeftovers(options: LeftoverOptions = {}): Promise<Leftover[]> {
  const states = checkoutStates(options.states ?? 'all');
  const records = await Promise.all(states.map(async (dir) => ({ dir, records: await new Supervisor(new StateLayout(dir)).records() })));
  return [
    ...processLeftovers(listProcesses(), records, process.pid, options.hosts),
    ...(await dockerLeftovers(states, options.hosts)),
    ...(options.engine ? await engineLeftovers(options.cacheDir ?? cacheDirectory()) : []),
    ...cgroupLeftovers(options.hosts),
    ...(await cutLeftovers()),
    ...states.map((dir): Leftover => ({ kind: 'state', what: `state ${dir}`, remedy: `${onState(dir, 'clean')} (or \`npm run network -- clean --all\`)` })),
  ];
}
