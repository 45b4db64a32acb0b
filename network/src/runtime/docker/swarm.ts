import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';

import type { StateLayout } from '../../state/layout';
import { locateToolchain } from '../../toolchain';
import type { Topology } from '../../topology';
import { repoRoot } from '../../util/paths';
import { sleep } from '../../util/retry';
import { readRuntime } from '../choice';
import { isRunning, Supervisor } from '../native/supervisor';
import { composeEnv, deploymentContainers } from './compose';
import { LABEL, scriptPath } from './container';
import { docker, DockerError, ensureDockerEngine } from './engine';
import { hostLabel, STACK_NAME, stackFile } from './stack';

/*
 * The swarm stack (stack.ts) deployed from a state: `network stack up` and `stack down`, and the
 * swarm container test. On this machine the swarm is a single node carrying every host's label (the
 * default model's hosts are loopback addresses); on four machines the swarm and its labels are the
 * user's (deploy/swarm/README.md) and only the deployment is done here.
 */

/** The stack cannot be deployed from this state, or did not come up (or down) in time. */
export class SwarmError extends DockerError {
  override readonly name: string = 'SwarmError';
}

/** The label swarm puts on every container of a stack. */
const NAMESPACE_LABEL = 'com.docker.stack.namespace';

/** The network swarm makes on `swarm init` for its services' gateways, and leaves behind on `leave`. */
const GATEWAY_BRIDGE = 'docker_gwbridge';

/** What `stack up` did, so that `stack down` undoes exactly that. */
export interface SwarmRecord {
  /** This machine was in no swarm: `stack up` made a single-node one, `stack down` leaves it. */
  readonly initialised: boolean;
  /** The stack file deployed (generated from the state's model). */
  readonly file: string;
}

function recordPath(layout: StateLayout): string {
  return `${layout.root}/swarm.json`;
}

export async function readSwarmRecord(layout: StateLayout): Promise<SwarmRecord | undefined> {
  if (!existsSync(recordPath(layout))) return undefined;
  return JSON.parse(await readFile(recordPath(layout), 'utf8')) as SwarmRecord;
}

/** This engine's swarm: its node's state (inactive, active, ...), id, and whether it is a manager. */
async function swarmNode(): Promise<{ state: string; id: string; manager: boolean }> {
  const [state = '', id = '', control = ''] = (await docker(['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} {{.Swarm.ControlAvailable}}'])).trim().split(' ');
  return { state, id, manager: control === 'true' };
}

/** The containers a state's deployment needs whose launch script the state lacks. */
export function missingLaunchScripts(topology: Topology, layout: StateLayout): string[] {
  return deploymentContainers(topology)
    .map((c) => c.id)
    .filter((id) => !existsSync(scriptPath(layout.root, id)));
}

/**
 * A single-node swarm for a model whose hosts are all this machine's loopback addresses: made when
 * the engine is in none (returns true), and its one node labelled with every host of the model.
 */
async function singleNodeSwarm(topology: Topology, log: (line: string) => void): Promise<boolean> {
  const remote = topology.hosts.filter((h) => !h.address.startsWith('127.'));
  let node = await swarmNode();
  let initialised = false;
  if (node.state === 'inactive') {
    if (remote.length > 0) {
      throw new SwarmError(
        `the model's hosts ${remote.map((h) => `${h.name} (${h.address})`).join(', ')} are other machines: make the swarm and label its nodes first (deploy/swarm/README.md)`,
      );
    }
    log('swarm: a single-node swarm on 127.0.0.1');
    await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
    node = await swarmNode();
    initialised = true;
  }
  if (node.state !== 'active' || !node.manager) throw new SwarmError(`this engine's swarm node is ${node.state}${node.manager ? '' : ', not a manager'}: stack deploy needs a manager`);
  if (remote.length === 0) {
    await docker(['node', 'update', ...topology.hosts.flatMap((h) => ['--label-add', `${hostLabel(h.name)}=true`]), node.id]);
  }
  return initialised;
}

/** The stack's containers: node id (label) and docker's status line ("Up 9 seconds (healthy)"). */
export async function stackContainers(): Promise<{ node: string; status: string }[]> {
  const out = await docker(['ps', '--all', '--filter', `label=${NAMESPACE_LABEL}=${STACK_NAME}`, '--format', `{{.Label "${LABEL.node}"}}\t{{.Status}}`]);
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [node = '', status = ''] = line.split('\t');
      return { node, status };
    });
}

/** Waits until every container of the deployment runs and reports healthy (each has a health check). */
async function waitHealthy(topology: Topology, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const wanted = deploymentContainers(topology).map((c) => c.id);
  const deadline = Date.now() + timeoutMs;
  let unhealthy = wanted;
  while (Date.now() < deadline) {
    const healthy = new Set((await stackContainers()).filter((c) => c.status.startsWith('Up') && c.status.includes('(healthy)')).map((c) => c.node));
    unhealthy = wanted.filter((id) => !healthy.has(id));
    if (unhealthy.length === 0) {
      log(`stack ${STACK_NAME}: ${wanted.length} services healthy`);
      return;
    }
    await sleep(1000);
  }
  throw new SwarmError(`stack ${STACK_NAME}: not healthy after ${timeoutMs / 1000} s: ${unhealthy.join(', ')} (docker stack ps ${STACK_NAME})`);
}

/**
 * Deploys the state's network as the swarm stack, in place of the docker runtime's own containers
 * (stopped first: `network down`): the stack file of the state's model, the state's launch scripts
 * and the runtime's images, never looked up in a registry. Waits until every service is healthy.
 */
export async function deployStack(topology: Topology, layout: StateLayout, log: (line: string) => void, timeoutMs = 240_000): Promise<SwarmRecord> {
  const runtime = await readRuntime(layout);
  if (runtime.kind !== 'docker') {
    throw new SwarmError(`the state in ${layout.root} was made in the native runtime: the stack runs the docker runtime's launch scripts (network up --runtime docker)`);
  }
  const running = (await new Supervisor(layout).records()).filter(isRunning);
  if (running.length > 0) throw new SwarmError(`the network's own runtime still runs ${running.map((r) => r.id).join(', ')}: network down first`);
  const missing = missingLaunchScripts(topology, layout);
  if (missing.length > 0) {
    throw new SwarmError(
      `the state in ${layout.root} has no launch script for ${missing.join(', ')}: bring the network up with --runtime docker and start the service tier and the monitoring once (npm run service -- up; npm run network -- monitoring up), then network down`,
    );
  }
  const cache = (await locateToolchain()).cacheDir;
  await ensureDockerEngine(log, { cacheDir: cache });
  const initialised = await singleNodeSwarm(topology, log);
  const file = `${layout.root}/swarm-stack.yaml`;
  await mkdir(layout.root, { recursive: true });
  await writeFile(file, stackFile(topology));
  const record: SwarmRecord = { initialised, file };
  await writeFile(recordPath(layout), `${JSON.stringify(record, null, 2)}\n`);
  log(`stack ${STACK_NAME}: deploying ${file}`);
  await docker(['stack', 'deploy', '--resolve-image', 'never', '--compose-file', file, STACK_NAME], {
    env: composeEnv(layout.root, repoRoot, cache, runtime.imagePrefix),
  });
  await waitHealthy(topology, timeoutMs, log);
  return record;
}

/**
 * Removes the stack and waits until its containers are gone; leaves the swarm `stack up` made (and
 * the gateway network swarm leaves behind), so that nothing of the deployment remains.
 */
export async function removeStack(layout: StateLayout, log: (line: string) => void, timeoutMs = 120_000): Promise<void> {
  const record = await readSwarmRecord(layout);
  if ((await swarmNode()).state === 'active') {
    log(`stack ${STACK_NAME}: removing`);
    await docker(['stack', 'rm', STACK_NAME]);
    const deadline = Date.now() + timeoutMs;
    while ((await stackContainers()).length > 0) {
      if (Date.now() > deadline) throw new SwarmError(`stack ${STACK_NAME}: containers still there ${timeoutMs / 1000} s after docker stack rm`);
      await sleep(500);
    }
    if (record?.initialised) {
      log('swarm: leaving the single-node swarm');
      await docker(['swarm', 'leave', '--force']);
      if ((await docker(['network', 'ls', '--quiet', '--filter', `name=^${GATEWAY_BRIDGE}$`])).trim() !== '') await docker(['network', 'rm', GATEWAY_BRIDGE]);
    }
  }
  await rm(recordPath(layout), { force: true });
}
