#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, watchFile } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';

import { chaincodeInventory } from '../chaincode/inventory';
import { connectionProfile, profileText } from '../client/profile';
import { cliEnvironment, shellExports } from '../fabric/cli-env';
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
import {
  addressesFromEnv,
  CLIENT_AUTH_MODES,
  energysale,
  isTopologySize,
  monitoring,
  peerOrg,
  TOPOLOGY_SIZES,
  TopologyError,
  withClientAuth,
  type ClientAuth,
  type ParticipantRole,
  type Topology,
  type TopologySize,
} from '../topology';
import { command, passThroughCommand, runCli, UsageError, type Cli } from '../util/cli';
import { describeTopology } from './describe';
import { dashboardsDir, monitoringFiles, PrometheusClient, startMonitoring, stopMonitoring } from '../monitoring';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const SIZE_HELP = `--size S   the model's size for a state not made yet (${TOPOLOGY_SIZES.join(', ')}); a state keeps the size it was made with`;

/** --size, on every command that works on the state's network. */
const sizeOption = { size: { type: 'string' } } as const;

/** The state's network, of the size it was made with; or, with --size, a new state's of that size. */
async function stateNetwork(size: string | undefined): Promise<NativeNetwork> {
  return size === undefined ? NativeNetwork.ofState() : new NativeNetwork(newStateTopology(checkedSize(size)));
}

function checkedSize(size: string): TopologySize {
  if (!isTopologySize(size)) throw new UsageError(`--size must be one of ${TOPOLOGY_SIZES.join(', ')}, got ${size}`);
  return size;
}

export const networkCli: Cli = {
  name: 'network',
  summary: 'The Fabric network of the model on this machine: toolchain, up and down, state, monitoring, containers.',
  usageErrors: [BatchSettingsError, TopologyError],
  commands: [
    command({
      name: 'setup',
      summary: 'build the pinned Fabric, Fabric CA and ccaas builder into the cache (idempotent)',
      usage: 'setup',
      help: 'Builds the pinned Fabric, Fabric CA and ccaas builder into the cache; does nothing when they are there.',
      options: {},
      run: async () => {
        const toolchain = await ensureToolchain({ log });
        log(`toolchain ready in ${toolchain.binDir} (Fabric ${toolchain.versions.fabric}, Fabric CA ${toolchain.versions.fabricCa}, vegeta ${toolchain.versions.vegeta})`);
        return 0;
      },
    }),
    command({
      name: 'up',
      summary: 'start CAs, orderers, peers; create the channel; deploy the chaincode',
      usage: 'up [--no-deploy] [--size paper|reduced] [--client-auth required|optional] [--runtime native|docker] [--image-prefix P]',
      help: `Starts the CAs, orderers and peers, creates the channel, deploys the chaincode and starts the servers of
the chaincodes deployed beside it. A second up after down restarts the same network, its ledger kept.
  --no-deploy         leave the chaincode undeployed
  --size S            the paper's 7 peers (paper, default) or reduced, one peer per org (the capacity planner's
                      cost growth); the state keeps its size, other commands follow it
  --client-auth M     required (default): every client of a peer or orderer presents a TLS certificate of an
                      org's CA, as a production network runs. optional: a client without one connects too (clients
                      written for Fabric's test network, Caliper's stock connector); requests are still signed
                      by an org's identity. Chaincode servers, Raft's cluster ports and osnadmin require one in
                      both. The state keeps the setting; up with the other value restarts peers and orderers
  --runtime docker    each node a container (host network, same addresses), images built here offline
  --image-prefix P    the images' prefix with --runtime docker: energysale/ (default, built here) or P (e.g.
                      hyperledger/ for the official ones, where a registry is reachable)`,
      options: { 'no-deploy': { type: 'boolean' }, ...sizeOption, 'client-auth': { type: 'string' }, runtime: { type: 'string' }, 'image-prefix': { type: 'string' } },
      run: async ({ values }) => {
        const clientAuth = values['client-auth'];
        if (clientAuth !== undefined && !(CLIENT_AUTH_MODES as readonly string[]).includes(clientAuth)) {
          throw new UsageError(`--client-auth must be one of ${CLIENT_AUTH_MODES.join(', ')}, got ${clientAuth}`);
        }
        const stated = await stateNetwork(values.size);
        const network = clientAuth === undefined ? stated : new NativeNetwork(withClientAuth(stated.topology, clientAuth as ClientAuth), stated.layout);
        const topology = network.topology;
        const started = Date.now();
        const runtime = values.runtime === undefined ? undefined : await prepareRuntime(values.runtime, values['image-prefix'], topology, log);
        await network.up(log, { deploy: !values['no-deploy'], ...(runtime === undefined ? {} : { runtime }) });
        log(`network up in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
        log(describeTopology(topology));
        return 0;
      },
    }),
    passThroughCommand({
      name: 'compose',
      summary: "write docker-compose.yaml, or run docker-compose on it for this network's state",
      usage: `compose --write
compose [--couchdb] [--image-prefix P] <args...>`,
      help: `--write             write docker-compose.yaml (generated from the model; a test keeps it current)
Otherwise runs docker-compose on it for this network's state (e.g. compose up -d, compose ps, compose down),
its arguments passed as they are, with the local images (or P's; the file's defaults are the official ones).
  --couchdb           with the CouchDB profile, the peers on CouchDB
  --image-prefix P    the images' prefix
Only a first --help is this command's: \`network compose ps --help\` is docker-compose's.`,
      run: async (args) => {
        if (args[0] !== '--write') return compose(args);
        if (args.length > 1) throw new UsageError(`compose --write takes nothing more (got ${args.slice(1).join(' ')}); see \`network compose --help\``);
        await writeFile(composePath, composeFile(energysale));
        log(`wrote ${composePath}`);
        return 0;
      },
    }),
    command({
      name: 'stack',
      summary: 'write the docker swarm stack file, or deploy, remove or list the state\'s network as that stack',
      usage: 'stack --write | up | down | ps',
      help: `--write   write deploy/swarm/energysale-stack.yaml (a docker swarm stack of the same containers)
up        deploy the state's network (made by up --runtime docker, then down) as that swarm stack, on a
          single-node swarm made here when the engine is in none
down      remove it (and that swarm)
ps        list its containers
See deploy/swarm/README.md.`,
      options: { write: { type: 'boolean' }, ...sizeOption },
      positionals: true,
      run: async ({ values, positionals }) => stackCommand((await stateNetwork(values.size)).topology, values.write === true ? 'write' : positionals[0]),
    }),
    command({
      name: 'images',
      summary: 'build the offline images (Debian base by debootstrap + pinned binaries)',
      usage: 'images [--prefix P]',
      help: `Builds the offline images (Debian base by debootstrap + pinned binaries), starting a Docker engine when none answers.
  --prefix P   the images' prefix (default energysale/)`,
      options: { prefix: { type: 'string' } },
      run: async ({ values }) => {
        const toolchain = await locateToolchain();
        await ensureDockerEngine(log, { cacheDir: toolchain.cacheDir });
        for (const [role, image] of await buildImages(toolchain, log, { prefix: values.prefix ?? LOCAL_IMAGE_PREFIX })) log(`${role.padEnd(15)} ${image}`);
        return 0;
      },
    }),
    command({
      name: 'deploy',
      summary: 'deploy the retail chaincode, or with --name and --path any chaincode built for Fabric (Node or Go)',
      usage: `deploy [--revision R] [--size S]
deploy --name N --path DIR [--version V] [--policy EXPR] [--collections FILE] [--init FN]`,
      help: `Without --name: packages, installs, approves and commits the retail chaincode (chaincode/); a new build
bumps the sequence.
  --revision R        a new package of the same build (an upgrade without a code change)
  ${SIZE_HELP}

With --name and --path: any chaincode built for Fabric, deployed beside ours as a service. DIR holds a Node
chaincode (package.json: fabric-contract-api or fabric-shim, JavaScript or TypeScript with a build script;
its dependencies installed from the registry, fabric-shim's server runs it) or a Go one (go.mod: built with
the toolchain's Go, modules from the proxy; its main starts shim.ChaincodeServer from CHAINCODE_SERVER_ADDRESS,
CHAINCODE_ID and CHAINCODE_TLS_*, as fabric-samples' external chaincode does). It is built into the state,
packaged as chaincode-as-a-service, installed on every peer, approved by every org and committed; a server per
host, over mutual TLS with that host's peers, supervised like ours (up, down, status, logs). A changed build,
version, policy, collections or init function is an upgrade (sequence + 1); the same again does nothing.
  --name N            the chaincode's name on the channel (lower case, digits, - and _)
  --path DIR          its directory
  --version V         the definition's version (default: package.json's version, else 1.0)
  --policy EXPR       a signature policy, e.g. "OR('ConsumerOrgMSP.peer','RetailerOrgMSP.peer')" (default: the
                      channel's, a majority of the orgs)
  --collections FILE  a private data collections config
  --init FN           the definition requires init: FN is invoked once it is committed`,
      options: {
        revision: { type: 'string' },
        ...sizeOption,
        name: { type: 'string' },
        path: { type: 'string' },
        version: { type: 'string' },
        policy: { type: 'string' },
        collections: { type: 'string' },
        init: { type: 'string' },
      },
      run: async ({ values }) => {
        const network = await stateNetwork(values.size);
        const { name, path } = values;
        if (name === undefined && path === undefined) {
          for (const option of ['version', 'policy', 'collections', 'init'] as const) {
            if (values[option] !== undefined) throw new UsageError(`--${option} goes with --name and --path (the retail chaincode's definition is the model's)`);
          }
          const cc = await network.deploy(log, values.revision === undefined ? {} : { revision: values.revision });
          log(`${cc.name} ${cc.version} sequence ${cc.sequence} (${cc.packageId})`);
          return 0;
        }
        if (name === undefined || path === undefined) throw new UsageError('deploy needs both --name and --path (or neither, for the retail chaincode)');
        if (values.revision !== undefined) throw new UsageError('--revision is for the retail chaincode; change --version instead');
        const cc = await network.deployUserChaincode(log, {
          name,
          path,
          ...(values.version === undefined ? {} : { version: values.version }),
          ...(values.policy === undefined ? {} : { policy: values.policy }),
          ...(values.collections === undefined ? {} : { collections: values.collections }),
          ...(values.init === undefined ? {} : { init: values.init }),
        });
        log(`${cc.name} ${cc.version} sequence ${cc.sequence}${cc.committed ? '' : ' (unchanged)'} (${cc.packageId})`);
        return 0;
      },
    }),
    command({
      name: 'chaincodes',
      summary: 'the chaincodes committed on the channel: versions, sequences, where they came from, their servers',
      usage: 'chaincodes [--json]',
      help: `Every chaincode definition committed on the channel (as its first peer sees it): name, version, sequence,
whether init is required, where it came from (retail: ours; node or go: deployed with --path; unknown:
committed by someone else) and each of its servers with its health. Exit 1 when a server is not healthy.
  --json   the same as JSON`,
      options: { json: { type: 'boolean' } },
      run: async ({ values }) => {
        const network = await NativeNetwork.ofState();
        const entries = await chaincodeInventory(await network.context(), network.supervisor);
        if (values.json === true) {
          log(JSON.stringify(entries, null, 2));
        } else {
          for (const e of entries) {
            const healthy = e.servers.filter((s) => s.healthy).length;
            log(`${e.name.padEnd(16)} version ${e.version.padEnd(10)} sequence ${String(e.sequence).padEnd(4)} ${e.origin.padEnd(7)} servers ${healthy}/${e.servers.length} healthy${e.initRequired ? '  init required' : ''}${e.source ? `  from ${e.source}` : ''}`);
            for (const server of e.servers) log(`  ${(server.healthy ? 'healthy' : server.running ? 'UNHEALTHY' : 'stopped').padEnd(10)} ${server.id.padEnd(48)} ${server.endpoint}`);
          }
          if (entries.length === 0) log(`no chaincode is committed on ${network.topology.channel.name}`);
        }
        return entries.every((e) => e.servers.every((s) => s.healthy)) ? 0 : 1;
      },
    }),
    command({
      name: 'down',
      summary: 'stop exactly the processes `up` started',
      usage: 'down [--size S]',
      help: `Stops exactly the processes \`up\` started (and what the benchmarks started beside them).
  ${SIZE_HELP}`,
      options: { ...sizeOption },
      run: async ({ values }) => {
        const stopped = await (await stateNetwork(values.size)).down();
        log(stopped.length === 0 ? 'nothing was running' : `stopped ${stopped.map((r) => r.id).join(', ')}`);
        return 0;
      },
    }),
    command({
      name: 'status',
      summary: 'every node of the model: process and health',
      usage: 'status [--size S]',
      help: `Every node of the model, its process and health, and what else \`up\` and the benchmarks started.
Exit code 0 when every node is healthy, 1 otherwise.
  ${SIZE_HELP}`,
      options: { ...sizeOption },
      run: async ({ values }) => {
        const network = await stateNetwork(values.size);
        const nodes = await network.status();
        for (const n of nodes) {
          const state = n.healthy ? 'healthy' : n.running ? 'UNHEALTHY' : 'stopped';
          log(`${state.padEnd(10)} ${n.kind.padEnd(9)} ${n.id.padEnd(40)} ${n.endpoint.padEnd(18)} ${n.host}${n.pid ? ` pid ${n.pid}` : ''}`);
        }
        // What else `up` and the benchmarks started and `down` stops: the service tier, monitoring.
        const beside = (await network.supervisor.records()).filter((r) => isRunning(r) && !nodes.some((n) => n.id === r.id));
        for (const r of beside) log(`${'running'.padEnd(10)} ${r.kind.padEnd(9)} ${r.id.padEnd(40)} pid ${r.pid}`);
        return nodes.every((n) => n.healthy) ? 0 : 1;
      },
    }),
    command({
      name: 'logs',
      summary: "a node's log (node: a name that `status` lists)",
      usage: 'logs <node> [--follow]',
      help: `Prints the last 200 lines of a node's log (node: a name that \`status\` lists).
  -f, --follow   keep printing what the node writes, until interrupted`,
      options: { follow: { type: 'boolean', short: 'f' } },
      positionals: true,
      run: async ({ values, positionals }) => {
        const [id] = positionals;
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
      },
    }),
    command({
      name: 'users',
      summary: 'register and enroll N users of an org with its CA (benchmark virtual users)',
      usage: 'users --org O --count N [--prefix P] [--role R]',
      help: `Registers and enrolls N users of an org with its CA (benchmark virtual users).
  --org O      the org (its key in the model)
  --count N    how many, 1 to 10000
  --prefix P   their names' prefix (default <org>-vu)
  --role R     exchange, retailer, consumer or regulator (default: the org's role)
  ${SIZE_HELP}`,
      options: { org: { type: 'string' }, count: { type: 'string' }, prefix: { type: 'string' }, role: { type: 'string' }, ...sizeOption },
      run: async ({ values }) => {
        const topology = (await stateNetwork(values.size)).topology;
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
      },
    }),
    command({
      name: 'batch',
      summary: "print the channel's live orderer batch settings; with options, change them",
      usage: 'batch [--timeout D] [--max-message-count N] [--absolute-max-bytes S] [--preferred-max-bytes S]',
      help: `Prints the channel's live orderer batch settings; with options, changes them by a channel config update
and waits until every orderer and peer has it. An invalid setting exits 2.
  --timeout D                 the batch timeout (e.g. 2s)
  --max-message-count N       transactions per block at most
  --absolute-max-bytes S      a block's size at most (e.g. 10 MB)
  --preferred-max-bytes S     a block's preferred size
  ${SIZE_HELP}`,
      options: { timeout: { type: 'string' }, 'max-message-count': { type: 'string' }, 'absolute-max-bytes': { type: 'string' }, 'preferred-max-bytes': { type: 'string' }, ...sizeOption },
      run: async ({ values }) => {
        const network = await stateNetwork(values.size);
        const ctx = await network.context();
        const changes: Partial<BatchSettings> = {
          ...(values.timeout === undefined ? {} : { timeout: values.timeout }),
          ...(values['max-message-count'] === undefined ? {} : { maxMessageCount: Number(values['max-message-count']) }),
          ...(values['absolute-max-bytes'] === undefined ? {} : { absoluteMaxBytes: values['absolute-max-bytes'] }),
          ...(values['preferred-max-bytes'] === undefined ? {} : { preferredMaxBytes: values['preferred-max-bytes'] }),
        };
        if (Object.keys(changes).length === 0) {
          log(`${network.topology.channel.name}: ${describeBatchSettings(await readBatchSettings(ctx))}`);
          return 0;
        }
        const update = await updateBatchSettings(ctx, changes, log);
        log(`before: ${describeBatchSettings(update.before)}`);
        log(`after:  ${describeBatchSettings(update.after)}`);
        log(`${update.configBlock === undefined ? 'no change' : `config block ${update.configBlock}`} in ${(update.elapsedMs / 1000).toFixed(1)} s`);
        return 0;
      },
    }),
    command({
      name: 'stats',
      summary: "CPU and memory of the network's processes over S seconds (default 10)",
      usage: 'stats [--seconds S]',
      help: `CPU and memory of each of the network's processes, and their sum, over S seconds.
  --seconds S   how long to sample, up to 3600 (default 10)
  ${SIZE_HELP}`,
      options: { seconds: { type: 'string' }, ...sizeOption },
      run: async ({ values }) => {
        const network = await stateNetwork(values.size);
        const seconds = Number(values.seconds ?? '10');
        if (!(seconds > 0 && seconds <= 3600)) throw new UsageError(`--seconds must be in (0, 3600], got ${values.seconds ?? ''}`);
        const usage = await sampleUsage(await network.supervisor.records(), seconds, availableParallelism());
        for (const p of usage.processes) log(`${p.id.padEnd(40)} cpu ${p.cpuPercent.toFixed(2).padStart(6)} %   rss ${p.rssMiB.toFixed(1).padStart(7)} MiB`);
        log(
          `${usage.processes.length} processes over ${usage.seconds.toFixed(1)} s: cpu ${usage.cpuPercentOfCore.toFixed(1)} % of one core ` +
            `(${usage.cpuPercentOfMachine.toFixed(1)} % of ${usage.cores} cores), rss ${usage.rssMiB.toFixed(0)} MiB (${usage.memoryPercentOfMachine.toFixed(1)} % of memory)`,
        );
        return 0;
      },
    }),
    command({
      name: 'monitoring',
      summary: 'start or stop Prometheus and the exporters; write the generated prometheus.yml',
      usage: 'monitoring up | down | config [--out D]',
      help: `up       start Prometheus, node-exporter (Debian's) and our own process exporter
down     stop them
config   write the generated prometheus.yml
  --out D   where config writes (default: dashboards/)
  ${SIZE_HELP}`,
      options: { out: { type: 'string' }, ...sizeOption },
      positionals: true,
      run: async ({ values, positionals }) => monitoringCommand((await stateNetwork(values.size)).topology, positionals[0], values.out),
    }),
    command({
      name: 'profile',
      summary: "an org's Fabric connection profile: peers, CAs, orderers, its users' MSPs",
      usage: 'profile --org O [--format json|yaml] [--paths] [--out F]',
      help: `Prints (or writes to F) org O's common connection profile, as Fabric's test network writes
connection-org1.json: every peer org of the channel with its peers (grpcs:// address, TLS root, and the
name the certificate carries as ssl-target-name-override and hostnameOverride) and CA, the orderers, the
channel, and per org the MSP directories of its admin and users (organizations.<Org>.users.<name>.mspDir).
While client authentication is required, client.tlsCerts.client names the org's TLS client certificate
and key, which a client must present.
  --org O       an org's key, name or MSP id (exchange, consumer, retailer)
  --format F    json (default) or yaml
  --paths       TLS roots as file paths instead of inline PEM
  --out F       write to F instead of printing`,
      options: { org: { type: 'string' }, format: { type: 'string', default: 'json' }, paths: { type: 'boolean' }, out: { type: 'string' } },
      run: async ({ values }) => {
        if (values.org === undefined) throw new UsageError('--org is required');
        const format = values.format;
        if (format !== 'json' && format !== 'yaml') throw new UsageError(`--format must be json or yaml, not ${format}`);
        const network = await NativeNetwork.ofState();
        const text = profileText(connectionProfile(network.topology, network.layout, values.org, { certificates: values.paths === true ? 'path' : 'pem' }), format);
        if (values.out === undefined) {
          process.stdout.write(text);
        } else {
          await mkdir(dirname(resolve(values.out)), { recursive: true });
          await writeFile(values.out, text);
          log(`wrote ${values.out}`);
        }
        return 0;
      },
    }),
    command({
      name: 'env',
      summary: "the exports Fabric's peer and osnadmin CLIs need to act for an org",
      usage: 'env --org O [--peer P] [--admin | --user U]',
      help: `Prints export lines for Fabric's peer and osnadmin CLIs acting for org O: PATH with the toolchain's
binaries, FABRIC_CFG_PATH, CORE_PEER_LOCALMSPID and CORE_PEER_MSPCONFIGPATH, TLS with the identity's
client certificate and key, CORE_PEER_ADDRESS and CORE_PEER_TLS_ROOTCERT_FILE of the peer; ORDERER_ARGS,
the flags of a peer command that reaches an orderer; and for the orderer org's admin OSNADMIN_ARGS.
  eval "$(npm run -s network -- env --org consumer --user consumer1)"
  peer channel list
  peer chaincode query -C retailchannel -n retail -c '{"Args":["orders:GetReviewMode"]}'
  peer chaincode invoke $ORDERER_ARGS -C retailchannel -n retail --peerAddresses ... -c '...'
  eval "$(npm run -s network -- env --org orderer)"; osnadmin channel list $OSNADMIN_ARGS
  --org O     an org's key, name or MSP id; the orderer org's too (orderer)
  --peer P    a peer of the org (peer1), or for the orderer org an orderer (orderer1); default the first
  --admin     act as the org's admin (the default)
  --user U    act as the org's enrolled user U`,
      options: { org: { type: 'string' }, peer: { type: 'string' }, admin: { type: 'boolean' }, user: { type: 'string' } },
      run: async ({ values }) => {
        if (values.org === undefined) throw new UsageError('--org is required');
        if (values.admin === true && values.user !== undefined) throw new UsageError('--admin and --user exclude each other');
        const network = await NativeNetwork.ofState();
        const env = cliEnvironment(await locateToolchain(), network.layout, network.topology, {
          org: values.org,
          ...(values.user === undefined ? {} : { user: values.user }),
          ...(values.peer === undefined ? {} : { peer: values.peer }),
        });
        process.stdout.write(shellExports(env));
        return 0;
      },
    }),
    command({
      name: 'topology',
      summary: "print the topology model with addresses (the state's size, or S)",
      usage: 'topology [--size S]',
      help: `Prints the topology model with its addresses: the state's size, or S.
  ${SIZE_HELP}`,
      options: { ...sizeOption },
      run: async ({ values }) => {
        log(describeTopology((await stateNetwork(values.size)).topology));
        return 0;
      },
    }),
    command({
      name: 'clean',
      summary: 'remove all generated state (crypto, ledgers, logs), any host cut and empty host cgroups',
      usage: 'clean [--all]',
      help: `Removes all generated state (crypto, ledgers, logs), any host cut and the hosts' cgroups no process is in.
Works on any state, even a stale one.
  --all   every state of this checkout (network/.state*, the tests' too), refused while any of them runs a
          process or a container
  ${SIZE_HELP}`,
      options: { all: { type: 'boolean' }, ...sizeOption },
      run: async ({ values }) => {
        const network = values.size !== undefined ? new NativeNetwork(newStateTopology(checkedSize(values.size))) : cleanable();
        const { removed, cgroups } = values.all ? await cleanCheckoutStates() : { removed: existsSync(network.layout.root) ? [network.layout.root] : [], cgroups: await network.clean() };
        log(removed.length === 0 ? 'no state to remove' : `removed ${removed.join(', ')}`);
        for (const path of cgroups.removed) log(`removed cgroup ${path}`);
        for (const { path, why } of cgroups.left) log(`left cgroup ${path}: ${why}`);
        return 0;
      },
    }),
    command({
      name: 'engine',
      summary: 'whether a Docker engine answers and whether this project started it; stop the one it started',
      usage: 'engine status | stop',
      help: `status   whether a Docker engine answers and whether this project started it (pid)
stop     stop only the dockerd this project started, with its containerd, and remove the iptables chains and
         rules, bridges and forwarding settings it added (images kept)
No state is read.`,
      options: {},
      positionals: true,
      run: ({ positionals }) => engineCommand(positionals[0]),
    }),
    command({
      name: 'leftovers',
      summary: 'list what of ours is still on the machine, each with how to remove it',
      usage: 'leftovers [--states test|all] [--engine]',
      help: `Lists what of ours is still on the machine (processes, containers, swarm stack, host cgroups, our iptables
chain, the states), each with how to remove it; exit 1 when anything is left.
With ENERGYSALE_HOSTS set, only host cgroups and containers at those addresses count. No state is read.
  --states K   which states: test or all (default all)
  --engine     our dockerd and Docker's chains and bridges too`,
      options: { states: { type: 'string' }, engine: { type: 'boolean' } },
      run: ({ values }) => leftoversCommand(values.states, values.engine === true),
    }),
  ],
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


// Run as the network CLI; imported (by its test), the table alone.
if (require.main === module) runCli(networkCli);
