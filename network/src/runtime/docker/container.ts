import { basename } from 'node:path';

import type { RuntimeChoice } from '../choice';
import type { ProcessKind, ProcessSpec } from '../native/supervisor';
import { docker as dockerCli, DockerError } from './engine';
import type { ImageRole } from './images';

/*
 * One node of the network as a container: the same command, arguments, environment, working
 * directory and addresses as its native process (network/src/runtime/native/specs.ts), in an image
 * of its role. Containers share the host's network (each binds its host's 127.x address, as the
 * native process does) and see the state, the repository and the toolchain cache at the same paths,
 * so every generated config, certificate path and URL is the same in both runtimes.
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
  readonly env: Readonly<Record<string, string>>;
  readonly workdir: string;
  /** The host's process namespace: the exporters that report on every process of the machine. */
  readonly hostPid: boolean;
  /** What runs: the spec's command (looked up on the image's PATH) and arguments, output appended to the node's log. */
  readonly command: readonly string[];
}

export interface Mounts {
  /** The network's state: configs, crypto, ledgers, logs (read-write). */
  readonly state: string;
  /** The repository (chaincode, service, their node_modules), read-only. */
  readonly repo: string;
  /** The toolchain cache (the chaincode builder the peers run), read-only. */
  readonly cache: string;
}

/** The address a process binds (its host in the model), from its first bound endpoint. */
function addressOf(spec: ProcessSpec): string | undefined {
  const endpoint = spec.binds[0]?.endpoint;
  return endpoint === undefined ? undefined : endpoint.slice(0, endpoint.lastIndexOf(':'));
}

/** The container a process spec becomes in the docker runtime. */
export function containerPlan(spec: ProcessSpec, choice: Extract<RuntimeChoice, { kind: 'docker' }>, mounts: Mounts, logFile: string, image: string): ContainerPlan {
  const address = addressOf(spec);
  const host = address === undefined ? undefined : choice.hosts[address];
  return {
    name: spec.id,
    image,
    labels: {
      [LABEL.node]: spec.id,
      [LABEL.kind]: spec.kind,
      ...(host === undefined ? {} : { [LABEL.host]: host }),
      ...(address === undefined ? {} : { [LABEL.address]: address }),
    },
    mounts: [
      { path: mounts.state, readOnly: false },
      { path: mounts.repo, readOnly: true },
      { path: mounts.cache, readOnly: true },
    ],
    env: spec.env,
    workdir: spec.cwd,
    hostPid: spec.kind === 'monitor',
    // The shell appends the process's output to the same log file as natively, then becomes the process.
    command: ['/bin/sh', '-c', 'exec "$0" "$@" >>"$ENERGYSALE_LOG" 2>&1', basename(spec.command), ...spec.args],
  };
}

/** `docker run` arguments of a plan: detached, host network, removed only by `stop`. */
export function runArgs(plan: ContainerPlan, logFile: string): string[] {
  const args = ['run', '--detach', '--name', plan.name, '--network', 'host', '--workdir', plan.workdir, '--entrypoint', plan.command[0] ?? '/bin/sh'];
  if (plan.hostPid) args.push('--pid', 'host');
  for (const [key, value] of Object.entries(plan.labels)) args.push('--label', `${key}=${value}`);
  for (const m of plan.mounts) args.push('--volume', `${m.path}:${m.path}${m.readOnly ? ':ro' : ''}`);
  for (const [key, value] of Object.entries({ ...plan.env, ENERGYSALE_LOG: logFile })) args.push('--env', `${key}=${value}`);
  args.push(plan.image, ...plan.command.slice(1));
  return args;
}

async function docker(args: readonly string[], what: string): Promise<string> {
  try {
    return (await dockerCli(args, { timeoutMs: 120_000 })).trim();
  } catch (error) {
    throw new ContainerError(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Starts the container (replacing a stopped one of the same name); resolves with the host pid of its process. */
export async function startContainer(plan: ContainerPlan, logFile: string): Promise<number> {
  await docker(['rm', '--force', plan.name], `removing an old container ${plan.name}`);
  await docker(runArgs(plan, logFile), `starting container ${plan.name} (${plan.image})`);
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
