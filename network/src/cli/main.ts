#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, watchFile } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { describeBatchSettings, readBatchSettings, updateBatchSettings, BatchSettingsError, type BatchSettings } from '../channel/batch';
import { enrollUsers, virtualUserNames } from '../crypto/org-crypto';
import { COMPOSE_PROFILE, composeEnv, composeFile, composePath, COUCHDB_VARIABLES, stateComposePath } from '../runtime/docker/compose';
import { prepareRuntime } from '../runtime/docker/prepare';
import { stackFile, stackPath } from '../runtime/docker/stack';
import { deployStack, removeStack, stackContainers } from '../runtime/docker/swarm';
import { repoRoot } from '../util/paths';
import { engineStatus, ensureDockerEngine, stopDockerEngine } from '../runtime/docker/engine';
import { buildImages, LOCAL_IMAGE_PREFIX } from '../runtime/docker/images';
import { NativeNetwork, newStateTopology, StaleStateError, stateTopology } from '../runtime/native/network';
import { isRunning } from '../runtime/native/supervisor';
import { sampleUsage } from '../runtime/native/resources';
import { tail } from '../util/tail';
import { StateLayout } from '../state/layout';
import { findLeftovers } from '../state/leftovers';
import { cleanCheckoutStates, isStateKind, STATE_KINDS } from '../state/states';
import { ensureToolchain, locateToolchain } from '../toolchain';
import { addressesFromEnv, energysale, isTopologySize, monitoring, peerOrg, TOPOLOGY_SIZES, type ParticipantRole, type Topology } from '../topology';
import { describeTopology } from './describe';
import { dashboardsDir, monitoringFiles, PrometheusClient, startMonitoring, stopMonitoring } from '../monitoring';

const usage = `usage: network <command> [options]

  setup                      build the pinned Fabric, Fabric CA and ccaas builder into the cache (idempotent)
  up [--no-deploy] [--size paper|reduced] [--runtime native|docker] [--image-prefix P]
                             start CAs, orderers, peers; create the channel; deploy the chaincode.
                             --size: the paper's 7 peers (default) or reduced, one peer per org (the
                             capacity planner's cost growth); the state keeps its size, other commands follow it
                             --runtime docker: each node a container (host network, same addresses),
                             images built here offline (prefix energysale/, default) or P (e.g.
                             hyperledger/ for the official ones, where a registry is reachable)
  compose --write            write docker-compose.yaml (generated from the model; a test keeps it current)
  compose [--couchdb] [--image-prefix P] <args...>
                             run docker-compose on it for this network's state (e.g. compose up -d, compose ps,
                             compose down) with the local images (or P's; the file's defaults are the official
                             ones); --couchdb: with the CouchDB profile, the peers on CouchDB
  stack --write              write deploy/swarm/energysale-stack.yaml (a docker swarm stack of the same containers)
  stack up|down|ps           deploy the state's network (made by up --runtime docker, then down) as that swarm
                             stack, on a single-node swarm made here when the engine is in none; remove it
                             (and that swarm); list its containers
  images [--prefix P]        build the offline images (Debian base by debootstrap + pinned binaries)
  deploy [--revision R]      package, install, approve and commit the chaincode (a new build bumps the sequence)
  down                       stop exactly the processes \`up\` started
  status                     every node of the model: process and health
  logs <node> [--follow]     a node's log (node: a name that \`status\` lists)
  users --org O --count N [--prefix P] [--role R]
                             register and enroll N users of an org with its CA (benchmark virtual users)
  batch [--timeout D] [--max-message-count N] [--absolute-max-bytes S] [--preferred-max-bytes S]
                             print the channel's live orderer batch settings; with options, change them
                             by a channel config update and wait until every orderer and peer has it
  stats [--seconds S]        CPU and memory of the network's processes over S seconds (default 10)
  monitoring up|down          start or stop Prometheus, node-exporter (Debian's) and our own process exporter
  monitoring config [--out D] write the generated prometheus.yml (default: dashboards/)
  topology [--size S]        print the topology model with addresses (the state's size, or S)
  clean [--all]              remove all generated state (crypto, ledgers, logs), any host cut and the hosts'
                             cgroups no process is in; --all: every state of this checkout (network/.state*,
                             the tests' too), refused while any of them runs a process or a container
  engine status|stop         whether a Docker engine answers and whether this project started it (pid);
                             stop only the dockerd this project started, with its containerd, and remove the
                             iptables chains and rules, bridges and forwarding settings it added (images kept)
  leftovers [--states test|all] [--engine]
                             list what of ours is still on the machine (processes, containers, swarm stack,
                             host cgroups, our iptables chain, the states; --engine: our dockerd and Docker's
                             chains and bridges), each with how to remove it; exit 1 when anything is left.
                             With ENERGYSALE_HOSTS set, only host cgroups and containers at those addresses count`;

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/**
 * docker-compose on the generated compose file, for this network's state: its arguments passed as
 * they are; a leading --couchdb selects the CouchDB profile and points the peers at it.
 */
async function compose(args: readonly string[]): Promise<number> {
  const layout = new StateLayout();
  let couchdb = false;
  let imagePrefix = LOCAL_IMAGE_PREFIX;
  for (;;) {
    if (args[0] === '--couchdb') {
      couchdb = true;
      args = args.slice(1);
    } else if (args[0] === '--image-prefix' && args[1] !== undefined) {
      imagePrefix = args[1];
      args = args.slice(2);
    } else {
      break;
    }
  }
  const file = await stateComposePath(stateTopology(layout).topology, layout.root);
  const env = {
    ...process.env,
    ...composeEnv(layout.root, repoRoot, (await locateToolchain()).cacheDir, imagePrefix),
    ...(couchdb ? { COMPOSE_PROFILES: COMPOSE_PROFILE.couchdb, [COUCHDB_VARIABLES.stateDatabase]: 'CouchDB' } : {}),
  };
  return new Promise<number>((done) => {
    spawn('docker-compose', ['--file', file, '--project-name', 'energysale', ...args], { env, stdio: 'inherit' })
      .on('close', (code) => {
        done(code ?? 1);
      })
      .on('error', (error) => {
        log(`cannot run docker-compose (Debian: apt-get install docker-compose): ${error.message}`);
        done(127);
      });
  });
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'compose' && argv[1] !== '--write') return compose(argv.slice(1));
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'no-deploy': { type: 'boolean' },
      size: { type: 'string' },
      write: { type: 'boolean' },
      runtime: { type: 'string' },
      'image-prefix': { type: 'string' },
      revision: { type: 'string' },
      follow: { type: 'boolean', short: 'f' },
      org: { type: 'string' },
      count: { type: 'string' },
      prefix: { type: 'string' },
      role: { type: 'string' },
      seconds: { type: 'string' },
      out: { type: 'string' },
      timeout: { type: 'string' },
      'max-message-count': { type: 'string' },
      'absolute-max-bytes': { type: 'string' },
      'preferred-max-bytes': { type: 'string' },
      all: { type: 'boolean' },
      states: { type: 'string' },
      engine: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    log(usage);
    return command ? 0 : 2;
  }
  if (values.size !== undefined && !isTopologySize(values.size)) throw new UsageError(`--size must be one of ${TOPOLOGY_SIZES.join(', ')}, got ${values.size}`);
  // The state's network, of the size it was made with (\`clean\` works on any state, even a stale one).
  // These two concern the machine, not the state's network: no state is read.
  if (command === 'engine') return engineCommand(rest[0]);
  if (command === 'leftovers') return leftoversCommand(values.states, values.engine === true);
  const network =
    values.size !== undefined ? new NativeNetwork(newStateTopology(values.size)) : command === 'clean' ? cleanable() : await NativeNetwork.ofState();
  const topology: Topology = network.topology;
  switch (command) {
    case 'setup': {
      const toolchain = await ensureToolchain({ log });
      log(`toolchain ready in ${toolchain.binDir} (Fabric ${toolchain.versions.fabric}, Fabric CA ${toolchain.versions.fabricCa}, vegeta ${toolchain.versions.vegeta})`);
      return 0;
    }
    case 'up': {
      const started = Date.now();
      const runtime = values.runtime === undefined ? undefined : await prepareRuntime(values.runtime, values['image-prefix'], topology, log);
      await network.up(log, { deploy: !values['no-deploy'], ...(runtime === undefined ? {} : { runtime }) });
      log(`network up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      log(describeTopology(topology));
      return 0;
    }
    case 'compose': {
      await writeFile(composePath, composeFile(energysale));
      log(`wrote ${composePath}`);
      return 0;
    }
    case 'stack':
      return stackCommand(topology, values.write === true ? 'write' : rest[0]);
    case 'deploy': {
      const cc = await network.deploy(log, values.revision === undefined ? {} : { revision: values.revision });
      log(`${cc.name} ${cc.version} sequence ${cc.sequence} (${cc.packageId})`);
      return 0;
    }
    case 'down': {
      const stopped = await network.down();
      log(stopped.length === 0 ? 'nothing was running' : `stopped ${stopped.map((r) => r.id).join(', ')}`);
      return 0;
    }
    case 'status': {
      const nodes = await network.status();
      for (const n of nodes) {
        const state = n.healthy ? 'healthy' : n.running ? 'UNHEALTHY' : 'stopped';
        log(`${state.padEnd(10)} ${n.kind.padEnd(9)} ${n.id.padEnd(40)} ${n.endpoint.padEnd(18)} ${n.host}${n.pid ? ` pid ${n.pid}` : ''}`);
      }
      // What else `up` and the benchmarks started and `down` stops: the service tier, monitoring.
      const beside = (await network.supervisor.records()).filter((r) => isRunning(r) && !nodes.some((n) => n.id === r.id));
      for (const r of beside) log(`${'running'.padEnd(10)} ${r.kind.padEnd(9)} ${r.id.padEnd(40)} pid ${r.pid}`);
      return nodes.every((n) => n.healthy) ? 0 : 1;
    }
    case 'logs': {
      const [id] = rest;
      if (!id) throw new UsageError('logs needs a node name (see `network status`)');
      const file = new StateLayout().logFile(id);
      if (!existsSync(file)) throw new UsageError(`no log for ${id} (${file})`);
      if (!values.follow) {
        log(await tail(file, 200));
        return 0;
      }
      createReadStream(file).pipe(process.stdout);
      let size = 0;
      watchFile(file, { interval: 500 }, (current) => {
        if (current.size > size) createReadStream(file, { start: size }).pipe(process.stdout);
        size = current.size;
      });
      return new Promise<number>(() => undefined);
    }
    case 'users': {
      if (!values.org || !values.count) throw new UsageError('users needs --org and --count');
      const org = peerOrg(topology, values.org);
      const count = Number(values.count);
      if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new UsageError(`--count must be an integer from 1 to 10000, got ${values.count}`);
      const role = (values.role ?? org.role) as ParticipantRole;
      if (!['exchange', 'retailer', 'consumer', 'regulator'].includes(role)) throw new UsageError(`unknown role ${role}`);
      const names = virtualUserNames(values.prefix ?? `${org.key}-vu`, count);
      const started = Date.now();
      const files = await enrollUsers(await locateToolchain(), new StateLayout(), topology, org.key, names, role);
      log(`enrolled ${files.length} ${role} users of ${org.name} in ${((Date.now() - started) / 1000).toFixed(1)} s under ${new StateLayout().identityDir(org.key, '')}`);
      return 0;
    }
    case 'stats': {
      const seconds = Number(values.seconds ?? '10');
      if (!(seconds > 0 && seconds <= 3600)) throw new UsageError(`--seconds must be in (0, 3600], got ${values.seconds ?? ''}`);
      const usage = await sampleUsage(await network.supervisor.records(), seconds, availableParallelism());
      for (const p of usage.processes) log(`${p.id.padEnd(40)} cpu ${p.cpuPercent.toFixed(2).padStart(6)} %   rss ${p.rssMiB.toFixed(1).padStart(7)} MiB`);
      log(
        `${usage.processes.length} processes over ${usage.seconds.toFixed(1)} s: cpu ${usage.cpuPercentOfCore.toFixed(1)} % of one core ` +
          `(${usage.cpuPercentOfMachine.toFixed(1)} % of ${usage.cores} cores), rss ${usage.rssMiB.toFixed(0)} MiB (${usage.memoryPercentOfMachine.toFixed(1)} % of memory)`,
      );
      return 0;
    }
    case 'batch': {
      const ctx = await network.context();
      const changes: Partial<BatchSettings> = {
        ...(values.timeout === undefined ? {} : { timeout: values.timeout }),
        ...(values['max-message-count'] === undefined ? {} : { maxMessageCount: Number(values['max-message-count']) }),
        ...(values['absolute-max-bytes'] === undefined ? {} : { absoluteMaxBytes: values['absolute-max-bytes'] }),
        ...(values['preferred-max-bytes'] === undefined ? {} : { preferredMaxBytes: values['preferred-max-bytes'] }),
      };
      if (Object.keys(changes).length === 0) {
        log(`${topology.channel.name}: ${describeBatchSettings(await readBatchSettings(ctx))}`);
        return 0;
      }
      const update = await updateBatchSettings(ctx, changes, log);
      log(`before: ${describeBatchSettings(update.before)}`);
      log(`after:  ${describeBatchSettings(update.after)}`);
      log(`${update.configBlock === undefined ? 'no change' : `config block ${update.configBlock}`} in ${(update.elapsedMs / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'monitoring':
      return monitoringCommand(topology, rest[0], values.out);
    case 'images': {
      const toolchain = await locateToolchain();
      await ensureDockerEngine(log, { cacheDir: toolchain.cacheDir });
      for (const [role, image] of await buildImages(toolchain, log, { prefix: values.prefix ?? LOCAL_IMAGE_PREFIX })) log(`${role.padEnd(15)} ${image}`);
      return 0;
    }
    case 'topology':
      log(describeTopology(topology));
      return 0;
    case 'clean': {
      const { removed, cgroups } = values.all ? await cleanCheckoutStates() : { removed: existsSync(network.layout.root) ? [network.layout.root] : [], cgroups: await network.clean() };
      log(removed.length === 0 ? 'no state to remove' : `removed ${removed.join(', ')}`);
      for (const path of cgroups.removed) log(`removed cgroup ${path}`);
      for (const { path, why } of cgroups.left) log(`left cgroup ${path}: ${why}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${command}\n${usage}`);
  }
}

async function stackCommand(topology: Topology, action: string | undefined): Promise<number> {
  const layout = new StateLayout();
  switch (action) {
    case 'write':
      await writeFile(stackPath, stackFile(energysale));
      log(`wrote ${stackPath}`);
      return 0;
    case 'up': {
      const started = Date.now();
      await deployStack(topology, layout, log);
      log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return 0;
    }
    case 'down':
      await removeStack(layout, log);
      return 0;
    case 'ps':
      for (const c of await stackContainers()) log(`${c.node.padEnd(40)} ${c.status}`);
      return 0;
    default:
      throw new UsageError('stack needs --write, up, down or ps (deploy/swarm/README.md)');
  }
}

async function monitoringCommand(topology: Topology, action: string | undefined, out: string | undefined): Promise<number> {
  const layout = new StateLayout();
  switch (action) {
    case 'up': {
      const records = await startMonitoring(layout, topology);
      const prometheus = new PrometheusClient(monitoring(topology).prometheus.endpoint);
      // The service tier is scraped when it runs; the network and the exporters must answer now.
      const targets = await prometheus.waitForTargets(['orderer', 'peer', 'node', 'process', 'prometheus']);
      log(`monitoring up: ${records.map((r) => r.id).join(', ')}; scraping every ${topology.monitoring.scrapeInterval}:`);
      for (const t of targets) log(`  ${t.health.padEnd(5)} ${t.job.padEnd(10)} ${t.node}${t.lastError ? ` (${t.lastError})` : ''}`);
      log(`Prometheus: http://${monitoring(topology).prometheus.endpoint}`);
      return 0;
    }
    case 'down': {
      const stopped = await stopMonitoring(layout, topology);
      log(stopped.length === 0 ? 'monitoring was not running' : `stopped ${stopped.map((r) => r.id).join(', ')}`);
      return 0;
    }
    case 'config': {
      const dir = resolve(out ?? dashboardsDir);
      await mkdir(dir, { recursive: true });
      for (const [name, text] of monitoringFiles(energysale)) {
        await writeFile(join(dir, name), text);
        log(`wrote ${join(dir, name)}`);
      }
      return 0;
    }
    default:
      throw new UsageError('monitoring needs up, down or config');
  }
}

async function engineCommand(action: string | undefined): Promise<number> {
  switch (action) {
    case 'status': {
      const { version, ours } = await engineStatus();
      log(version === undefined ? 'no Docker engine answers' : `Docker engine ${version} answers`);
      if (ours === undefined) log(version === undefined ? 'none was started by this project' : 'not started by this project: `engine stop` leaves it');
      else log(`started by this project: dockerd pid ${ours.pid} at ${ours.startedAt}${ours.alive ? '' : ' (exited; `engine stop` removes what it left)'}`);
      return 0;
    }
    case 'stop': {
      const stop = await stopDockerEngine(log);
      if (stop.engine === 'stopped' || stop.engine === 'gone') {
        log(`${stop.engine === 'stopped' ? 'stopped' : 'found exited'} dockerd pid ${stop.pid ?? ''}${stop.helpers.length > 0 ? ` and its containerd and shims (pid ${stop.helpers.join(', ')})` : ''}; removed ${stop.removed.length} trace(s)`);
      }
      return 0;
    }
    default:
      throw new UsageError('engine needs status or stop');
  }
}

async function leftoversCommand(states: string | undefined, engine: boolean): Promise<number> {
  const kind = states ?? 'all';
  if (!isStateKind(kind)) throw new UsageError(`--states must be one of ${STATE_KINDS.join(', ')}, got ${kind}`);
  // With ENERGYSALE_HOSTS set (the test command sets its networks'), only those hosts' cgroups and
  // containers count: a network on other addresses (a user's, beside) is not ours to report.
  const hosts = addressesFromEnv(energysale);
  const leftovers = await findLeftovers({ states: kind, engine, ...(hosts === undefined ? {} : { hosts: Object.values(hosts) }) });
  for (const l of leftovers) log(`${l.kind.padEnd(9)} ${l.what}\n          remove: ${l.remedy}`);
  log(leftovers.length === 0 ? 'nothing left' : `${leftovers.length} thing(s) left`);
  return leftovers.length === 0 ? 0 : 1;
}

/** The network `clean` removes: the state's, or the model's when the state is stale (clean works on any state). */
function cleanable(): NativeNetwork {
  try {
    return new NativeNetwork(stateTopology().topology);
  } catch (error) {
    if (error instanceof StaleStateError) return new NativeNetwork(energysale);
    throw error;
  }
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const err = error instanceof Error ? error : new Error(String(error));
    process.stderr.write(`network: ${err.name}: ${err.message}\n`);
    if (err.cause instanceof Error) process.stderr.write(`  caused by ${err.cause.name}: ${err.cause.message}\n`);
    process.exitCode = err instanceof UsageError || err instanceof BatchSettingsError ? 2 : 1;
  },
);
