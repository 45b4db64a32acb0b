import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import {
  boundEndpoints,
  findExecutable,
  loadBalancer,
  NodeStartError,
  serviceInstances,
  stateTopology,
  Supervisor,
  type ProcessRecord,
  type ProcessSpec,
  type ServiceInfo,
  type StateLayout,
  type Topology,
} from '@energysale/network';

import { nginxConfig } from './lb/nginx';

/*
 * The service tier as native processes, run by the network's Supervisor beside the Fabric nodes
 * (same processes.json, so `network down` stops it too): the retail service instances of the model
 * and, optionally, nginx in front of them: the state's model's (its hosts where the state put them),
 * as `server.ts` serves it.
 */
/* This file is service/{src,dist}/runtime: the server is its sibling, server.js. */
/** How long a stopping instance waits for its in-flight writes; stopping waits a little longer before SIGKILL. */
const drainMs = 30_000;

export interface ServiceTierOptions {
  /** Also start nginx, the lb node, in front of the instances. */
  readonly withLb: boolean;
  readonly logLevel?: string;
  /** Service settings beyond the defaults (the variables of app.ts's ConfigSchema, e.g. INJECT_WRITE_DELAY_MS). */
  readonly settings?: Readonly<Record<string, string>>;
  /** Another build of the service to run: the dist directory of another checkout (bench ab's sides); default this package's. */
  readonly build?: string;
  /** Each instance writes a V8 CPU profile (node --cpu-prof) of its whole life into this directory when it stops. */
  readonly cpuProfileDir?: string;
}

/** A running service tier: where to send requests, and what runs. */
export interface StartedServiceTier {
  readonly instances: readonly ServiceInfo[];
  readonly lb?: ServiceInfo;
  /** Base URL of the tier: the lb when it runs, otherwise the first instance. */
  readonly url: string;
  readonly records: readonly ProcessRecord[];
}

const binds = (topology: Topology, id: string): ProcessSpec['binds'] => boundEndpoints(topology).filter((b) => b.owner === id);

function instanceSpec(layout: StateLayout, topology: Topology, instance: ServiceInfo, options: ServiceTierOptions): ProcessSpec {
  const build = options.build ?? __dirname;
  const profiling = options.cpuProfileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir, '--cpu-prof-name', `${instance.name}.cpuprofile`];
  return {
    id: instance.id,
    kind: 'service',
    command: process.execPath,
    args: ['--enable-source-maps', ...profiling, join(build, 'server.js')],
    env: { ...options.settings, SERVICE_NAME: instance.name, ENERGYSALE_STATE: layout.root, LOG_LEVEL: options.logLevel ?? 'info', DRAIN_TIMEOUT_MS: String(drainMs) },
    cwd: resolve(build, '..'),
    health: instance.health,
    binds: binds(topology, instance.id),
  };
}

/** nginx's runtime directory, inside the network's state. */
export function nginxPrefix(layout: StateLayout): string {
  return join(layout.root, 'service', 'nginx');
}

/** Debian's nginx (in /usr/sbin, which is not on every user's PATH). */
export function locateNginx(): string {
  const found = findExecutable('nginx');
  if (found === undefined) throw new NodeStartError('nginx not found: install it (Debian: apt-get install nginx-light)');
  return found;
}

/**
 * Writes the generated nginx.conf and has nginx test it, so a bad config fails here with nginx's own
 * message rather than as a health-check timeout.
 */
async function lbSpec(layout: StateLayout, topology: Topology): Promise<ProcessSpec> {
  const lb = loadBalancer(topology);
  const prefix = nginxPrefix(layout);
  const conf = join(prefix, 'nginx.conf');
  const text = nginxConfig(topology, { prefix });
  await mkdir(prefix, { recursive: true });
  await writeFile(conf, text);
  const nginx = locateNginx();
  // -e: the log nginx writes before it has read error_log from the config (default: stderr or /var/log).
  const args = ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log')];
  try {
    await promisify(execFile)(nginx, [...args, '-t', '-q']);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new NodeStartError(`${lb.id}: nginx rejects ${conf}: ${stderr.trim() || String(error)}`, { cause: error });
  }
  return {
    id: lb.id,
    kind: 'lb',
    command: nginx,
    args,
    env: {},
    cwd: prefix,
    health: lb.health,
    binds: binds(topology, lb.id),
    configFiles: { [conf]: text },
  };
}

/**
 * Starts the retail service instances of the model (each `node dist/server.js` with its
 * SERVICE_NAME) and, with `withLb`, nginx in front of them; resolves once each answers healthy.
 * Processes already running with the same spec are kept.
 */
export async function startServiceTier(layout: StateLayout, options: ServiceTierOptions): Promise<StartedServiceTier> {
  const supervisor = new Supervisor(layout);
  const { topology } = stateTopology(layout);
  const instances = serviceInstances(topology);
  const records = await Promise.all(instances.map((instance) => supervisor.start(instanceSpec(layout, topology, instance, options))));
  if (!options.withLb) {
    const [first] = instances;
    if (!first) throw new NodeStartError('the topology has no retail service instance');
    return { instances, url: `http://${first.endpoint}`, records };
  }
  const lb = loadBalancer(topology);
  records.push(await supervisor.start(await lbSpec(layout, topology)));
  return { instances, lb, url: `http://${lb.endpoint}`, records };
}

/** Stops the lb and the service instances (whatever of them runs); returns what was stopped. */
export async function stopServiceTier(layout: StateLayout): Promise<ProcessRecord[]> {
  const supervisor = new Supervisor(layout);
  const { topology } = stateTopology(layout);
  const stopped = await supervisor.stop([loadBalancer(topology).id]);
  stopped.push(...(await supervisor.stop(serviceInstances(topology).map((s) => s.id), drainMs + 5_000)));
  return stopped;
}
