import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

import type { HealthCheck } from '../../topology';
import type { RuntimeChoice } from '../choice';
import { addressOfSpec } from '../native/host-cgroup';
import type { ProcessKind, ProcessSpec } from '../native/supervisor';
import { docker as dockerCli, DockerError } from './engine';
import type { ImageRole } from './images';

/*
 * One node of the network as a container: the same command, arguments, environment, working
 * directory and addresses as its native process (network/src/runtime/native/specs.ts), in an image
 * of its role. Containers share the host's network (each binds its host's 127.x address, as the
 * native process does) and see the state, the repository and the toolchain cache at the same paths,
 * so every generated config, certificate path and URL is the same in both runtimes. What a node
 * runs is a launch script in the state; the container only names the node, its image, its host and
 * the mounts: so the compose file (compose.ts), generated from the model alone, starts the very
 * containers the runtime starts.
 */

/** The image role of each kind of process (images.ts builds them). */export const ROLE_OF_KIND: Readonly<Record<ProcessKind, ImageRole>> = {
  ca: 'fabric-ca',
  orderer: 'fabric-orderer',
  peer: 'fabric-peer',
  chaincode: 'node',
  service: 'node',
  lb: 'nginx',
  monitor: 'prometheus',
};

/** Labels on every container: which node and which of the model's hosts (VMs) it stands for. */
export const LABEL = {
  node: 'com.energysale.node',
  kind: 'com.energysale.kind',
  host: 'com.energysale.host',
  address: 'com.energysale.address',
} as const;

/** A container could not be started, inspected or stopped. */
export class ContainerError extends DockerError {
  override readonly name: string = 'ContainerError';
}

export interface ContainerPlan {
  readonly name: string;
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Host paths mounted at the same path: read-write first, then read-only. */
  readonly mounts: readonly { readonly path: string; readonly readOnly: boolean }[];
  /** The host's process namespace: the exporters that report on every process of the machine. */
  readonly hostPid: boolean;
  /** The node's launch script (launchScript), run by /bin/sh: the same for `docker run` and the compose file. */
  readonly script: string;
  /** The model's health check of the node (a deployment file's healthcheck). */
  readonly health?: HealthCheck | undefined;
}

export interface Mounts {
  /** The network's state: configs, crypto, ledgers, logs, launch scripts (read-write). */
  readonly state: string;
  /** The repository (chaincode, service, their node_modules), read-only. */
  readonly repo: string;
  /** The toolchain cache (the chaincode builder the peers run), read-only. */
  readonly cache: string;
}

/** What a container is named and labelled after: a node of the model (or a process beside the network). */
export interface ContainerOf {
  readonly id: string;
  readonly kind: ProcessKind;
  /** The model's host (VM) it stands for, and that host's address. */
  readonly host?: { readonly name: string; readonly address: string } | undefined;
  /** How it is seen to be up (the compose file's healthcheck). */
  readonly health?: HealthCheck | undefined;
}

/** Where a node's launch script is kept in the state. */
export function scriptPath(stateRoot: string, id: string): string {
  return `${stateRoot}/containers/${id}.sh`;
}

const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * The shell script a container runs: the spec's working directory, environment, command (by name,
 * on the image's PATH) and arguments, its output appended to the same log file as natively.
 */
export function launchScript(spec: ProcessSpec, logFile: string): string {
  return [
    '#!/bin/sh',
    `# ${spec.id} (${spec.kind}): written by the docker runtime (network/src/runtime/docker/container.ts) at each start.`,
    `cd ${quote(spec.cwd)} || exit 1`,
    ...Object.entries(spec.env).map(([key, value]) => `export ${key}=${quote(value)}`),
    `exec ${[basename(spec.command), ...spec.args].map(quote).join(' ')} >>${quote(logFile)} 2>&1`,
    '',
  ].join('\n');
}

/** The container of a node: named after it, labelled with its host, on the host's network, the paths mounted where they are. */
export function containerPlan(of: ContainerOf, image: string, mounts: Mounts): ContainerPlan {
  return {
    name: of.id,
    image,
    labels: {
      [LABEL.node]: of.id,
      [LABEL.kind]: of.kind,
      ...(of.host === undefined ? {} : { [LABEL.host]: of.host.name, [LABEL.address]: of.host.address }),
    },
    mounts: [
      { path: mounts.state, readOnly: false },
      { path: mounts.repo, readOnly: true },
      { path: mounts.cache, readOnly: true },
    ],
    hostPid: of.kind === 'monitor',
    script: scriptPath(mounts.state, of.id),
    health: of.health,
  };
}

/** The host of the model a process spec stands for: the host whose address its first bound endpoint has. */
export function hostOfSpec(spec: ProcessSpec, choice: Extract<RuntimeChoice, { kind: 'docker' }>): ContainerOf['host'] {
  const address = addressOfSpec(spec);
  const name = address === undefined ? undefined : choice.hosts[address];
  return address === undefined || name === undefined ? undefined : { name, address };
}

/** `docker run` arguments of a plan: detached, host network, removed only by `stop`. */
export function runArgs(plan: ContainerPlan): string[] {
  const args = ['run', '--detach', '--name', plan.name, '--network', 'host', '--entrypoint', '/bin/sh'];
  if (plan.hostPid) args.push('--pid', 'host');
  for (const [key, value] of Object.entries(plan.labels)) args.push('--label', `${key}=${value}`);
  for (const m of plan.mounts) args.push('--volume', `${m.path}:${m.path}${m.readOnly ? ':ro' : ''}`);
  args.push(plan.image, plan.script);
  return args;
}

async function docker(args: readonly string[], what: string): Promise<string> {
  try {
    return (await dockerCli(args, { timeoutMs: 120_000 })).trim();
  } catch (error) {
    throw new ContainerError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Writes the node's launch script and starts its container (replacing a stopped one of the same name); resolves with the host pid of its process. */
export async function startContainer(plan: ContainerPlan, script: string): Promise<number> {
  await mkdir(dirname(plan.script), { recursive: true });
  await writeFile(plan.script, script);
  await docker(['rm', '--force', plan.name], `removing an old container ${plan.name}`);
  await docker(runArgs(plan), `starting container ${plan.name} (${plan.image})`);
  const pid = Number(await docker(['inspect', '--format', '{{.State.Pid}}', plan.name], `inspecting ${plan.name}`));
  if (!Number.isInteger(pid) || pid <= 0) {
    const state = await docker(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}', plan.name], `inspecting ${plan.name}`);
    throw new ContainerError(`${plan.name} is not running (${state})`);
  }
  return pid;
}

/** Stops the containers (SIGTERM, SIGKILL after `graceMs`) and removes them. */
export async function stopContainers(names: readonly string[], graceMs: number): Promise<void> {
  if (names.length === 0) return;
  await docker(['stop', '--time', String(Math.ceil(graceMs / 1000)), ...names], `stopping ${names.join(', ')}`).catch(() => undefined);
  await docker(['rm', '--force', ...names], `removing ${names.join(', ')}`);
}
