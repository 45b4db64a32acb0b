import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';

import { createChannel, raftLeaders } from '../../channel/create';
import { AdminCli } from '../../fabric/admin-cli';
import { deployChaincode, type DeployedChaincode } from '../../chaincode/deploy';
import type { Dissemination } from '../../chaincode/dissemination';
import { waitUntilEndorsable } from '../../chaincode/ready';
import { deployUserChaincode, startUserChaincodes, userChaincodeServers, type UserChaincodeRecord, type UserChaincodeRequest } from '../../chaincode/user';
import { CaClient } from '../../crypto/ca-client';
import { createOrgCrypto } from '../../crypto/org-crypto';
import { StateLayout } from '../../state/layout';
import { locateToolchain } from '../../toolchain';
import {
  addressesFromEnv,
  allNodes,
  certificateAuthorities,
  chaincodeServers,
  clientAuthOf,
  HOSTS_VARIABLE,
  hostAddresses,
  orderers,
  peers,
  sameAddresses,
  TOPOLOGIES,
  TOPOLOGY_SIZES,
  validateTopology,
  withClientAuth,
  withHostAddresses,
  type ClientAuth,
  type HostAddresses,
  type OrdererInfo,
  type Topology,
  type TopologySize,
} from '../../topology';
import { chooseRuntime, readRuntime, type RuntimeChoice } from '../choice';
import { liftCuts, removeHostCgroups, type CgroupRemoval } from './host-cgroup';
import { caSpec, ordererSpec, peerSpec, type NativeContext } from './specs';
import { isRunning, probe, Supervisor, type ProcessRecord } from './supervisor';

/** The state on disk was made from another topology (or is half-written): `clean` it first. */
export class StaleStateError extends Error {
  override readonly name = 'StaleStateError';
}

export interface NetworkStatusFile {
  readonly topologyHash: string;
  /** The hosts' addresses the state was made with (absent in states made before they were a setting: the model's). */
  readonly hosts?: HostAddresses;
  /** Client authentication on the peers' and orderers' client ports (absent: required). */
  readonly clientAuth?: ClientAuth;
  readonly channel?: string;
  readonly chaincode?: DeployedChaincode;
  readonly upAt?: string;
}

/** The identity of a state's network: the model it was made from, its settings (client authentication) aside. */
export function topologyHash(topology: Topology): string {
  return createHash('sha256').update(JSON.stringify(withClientAuth(topology, 'required'))).digest('hex').slice(0, 16);
}

export type Log = (line: string) => void;

/** The model a new state of this size is made from: its hosts where ENERGYSALE_HOSTS puts them, else the model's. */
export function newStateTopology(size: TopologySize = 'paper', env: NodeJS.ProcessEnv = process.env): Topology {
  const addresses = addressesFromEnv(TOPOLOGIES[size], env);
  return addresses === undefined ? TOPOLOGIES[size] : withHostAddresses(TOPOLOGIES[size], addresses);
}

/**
 * The model a state was made from (its recorded hash and hosts): its size and topology, addresses
 * included. A state not made yet is the paper's size where ENERGYSALE_HOSTS puts it. A state made
 * with other addresses than ENERGYSALE_HOSTS names is refused: the two would be different networks.
 */
export function stateTopology(layout: StateLayout = new StateLayout(), env: NodeJS.ProcessEnv = process.env): { size: TopologySize; topology: Topology } {
  if (!existsSync(layout.statusFile)) return { size: 'paper', topology: newStateTopology('paper', env) };
  const { topologyHash: recorded, hosts, clientAuth } = JSON.parse(readFileSync(layout.statusFile, 'utf8')) as NetworkStatusFile;
  for (const size of TOPOLOGY_SIZES) {
    const placed = hosts === undefined ? TOPOLOGIES[size] : withHostAddresses(TOPOLOGIES[size], hosts);
    const topology = withClientAuth(placed, clientAuth ?? 'required');
    if (topologyHash(topology) !== recorded) continue;
    const asked = addressesFromEnv(topology, env);
    if (asked !== undefined && !sameAddresses(asked, hostAddresses(topology))) {
      throw new StaleStateError(
        `the state in ${layout.root} was made with its hosts at ${describeAddresses(hostAddresses(topology))}, and ${HOSTS_VARIABLE} asks for ` +
          `${describeAddresses(asked)}: unset it, or use another state (ENERGYSALE_STATE)`,
      );
    }
    return { size, topology };
  }
  throw new StaleStateError(`the state in ${layout.root} was made from a topology that is no size of the model (${recorded}): run \`network down\` and \`network clean\``);
}

const describeAddresses = (addresses: HostAddresses): string =>
  Object.entries(addresses)
    .map(([name, address]) => `${name}=${address}`)
    .join(',');

/**
 * The network of the model on this machine, each host a loopback address: every node a native
 * process, or (with the docker runtime, chosen at its first `up`) a container on the host's network.
 */
export class NativeNetwork {
  readonly supervisor: Supervisor;

  constructor(
    readonly topology: Topology,
    readonly layout = new StateLayout(),
  ) {
    validateTopology(topology);
    this.supervisor = new Supervisor(layout);
  }

  /** The network a state holds, of the size it was made with (the paper's when there is no state yet). */
  static ofState(layout: StateLayout = new StateLayout()): Promise<NativeNetwork> {
    return Promise.resolve(new NativeNetwork(stateTopology(layout).topology, layout));
  }

  async readStatus(): Promise<NetworkStatusFile | undefined> {
    if (!existsSync(this.layout.statusFile)) return undefined;
    return JSON.parse(await readFile(this.layout.statusFile, 'utf8')) as NetworkStatusFile;
  }

  private async writeStatus(status: NetworkStatusFile): Promise<void> {
    await mkdir(this.layout.root, { recursive: true });
    await writeFile(this.layout.statusFile, JSON.stringify(status, null, 2));
  }

  /** The model, the state layout and the toolchain: what the channel and chaincode operations take. */
  async context(): Promise<NativeContext> {
    return { topology: this.topology, layout: this.layout, toolchain: await locateToolchain() };
  }

  /**
   * Brings the whole network up: CAs, crypto, orderers, peers, channel, chaincode. Resumes from
   * whatever state exists (a second `up` after `down` restarts the same network).
   */
  async up(log: Log, options: { deploy?: boolean; runtime?: RuntimeChoice } = {}): Promise<DeployedChaincode | undefined> {
    if (options.runtime) await chooseRuntime(this.layout, options.runtime, (await this.supervisor.records()).some(isRunning));
    log(`runtime: ${(await readRuntime(this.layout)).kind}`);
    // A host cut off by the reliability suite is connected again: every node must be reachable.
    await liftCuts();
    const ctx = await this.context();
    const hash = topologyHash(this.topology);
    const previous = await this.readStatus();
    if (previous && previous.topologyHash !== hash) {
      throw new StaleStateError(
        `the state in ${this.layout.root} was generated from another topology (${previous.topologyHash}, now ${hash}): run \`network down\` and \`network clean\` first`,
      );
    }
    if (!previous && existsSync(this.layout.root) && existsSync(this.layout.orgMsp(this.topology.ordererOrg.key))) {
      throw new StaleStateError(`${this.layout.root} holds crypto but no network record: run \`network clean\` first`);
    }
    await this.writeStatus({ ...previous, topologyHash: hash, hosts: hostAddresses(this.topology), clientAuth: clientAuthOf(this.topology) });
    log(`client authentication: ${clientAuthOf(this.topology)} on the peers' and orderers' client ports`);

    log('certificate authorities');
    const cas = certificateAuthorities(this.topology);
    await Promise.all(
      cas.map(async (ca) => {
        await mkdir(this.layout.caServerHome(ca.org.key), { recursive: true });
        const secret = await new CaClient(ctx.toolchain, this.layout, ca).registrarSecret();
        await this.supervisor.start(caSpec(ctx, ca, secret));
      }),
    );
    log('identities (enrolled through each org CA)');
    await Promise.all(cas.map((ca) => createOrgCrypto(ctx.toolchain, this.layout, this.topology, ca)));

    log('orderers');
    await Promise.all(orderers(this.topology).map(async (o) => this.supervisor.start(await ordererSpec(ctx, o))));
    log('peers');
    await this.startPeers(ctx);
    log(`channel ${this.topology.channel.name}`);
    await createChannel(ctx, log);
    await this.writeStatus({ ...(await this.readStatus()), topologyHash: hash, channel: this.topology.channel.name });

    let chaincode: DeployedChaincode | undefined;
    if (options.deploy !== false) chaincode = await this.deploy(log);
    // The chaincodes deployed beside ours are committed already: their servers start again.
    await startUserChaincodes(ctx, this.supervisor, log);
    await this.writeStatus({ ...(await this.readStatus()), topologyHash: hash, upAt: new Date().toISOString() });
    return chaincode;
  }

  async deploy(log: Log, options: { revision?: string; dissemination?: Dissemination } = {}): Promise<DeployedChaincode> {
    log(`chaincode ${this.topology.chaincode.name}`);
    const chaincode = await deployChaincode(await this.context(), this.supervisor, log, options);
    await this.writeStatus({ ...(await this.readStatus()), topologyHash: topologyHash(this.topology), chaincode });
    return chaincode;
  }

  /**
   * (Re)starts every peer with `env` on top of its generated environment (core.yaml overrides such
   * as CORE_PEER_VALIDATORPOOLSIZE); a peer whose environment changed is restarted, one already
   * running with it is left alone, so `{}` brings back the model's peers. Resolves once each answers
   * healthy and the chaincode is endorsable again.
   */
  async restartPeers(log: Log, env: Readonly<Record<string, string>> = {}): Promise<void> {
    const ctx = await this.context();
    const described = Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ');
    log(`peers with ${described === '' ? "the model's environment" : described}`);
    await this.startPeers(ctx, env);
    await waitUntilEndorsable(ctx, log);
  }

  private async startPeers(ctx: NativeContext, env: Readonly<Record<string, string>> = {}): Promise<void> {
    const servers = chaincodeServers(this.topology);
    await Promise.all(
      peers(this.topology).map(async (p) => {
        const server = servers.find((s) => s.host.name === p.host.name);
        if (!server) throw new StaleStateError(`no chaincode server on ${p.host.name} for ${p.id}`);
        const spec = await peerSpec(ctx, p, server);
        await this.supervisor.start({ ...spec, env: { ...spec.env, ...env } });
      }),
    );
  }

  /** Deploys (or upgrades) a chaincode of the user's beside ours: chaincode/user.ts. */
  async deployUserChaincode(log: Log, request: UserChaincodeRequest): Promise<UserChaincodeRecord> {
    return deployUserChaincode(await this.context(), this.supervisor, log, request);
  }

  /**
   * Stops exactly the processes this network started: the service tier first (its clients go before
   * the peers they call), then chaincode and peers, CAs last. Then the hosts' cgroups go, but those
   * another network's processes are in.
   */
  async down(): Promise<ProcessRecord[]> {
    await liftCuts();
    const order: ProcessRecord['kind'][] = ['monitor', 'lb', 'service', 'chaincode', 'peer', 'orderer', 'ca'];
    const stopped: ProcessRecord[] = [];
    const records = await this.supervisor.records();
    for (const kind of order) {
      // A service instance drains its in-flight writes before it exits (DRAIN_TIMEOUT_MS, 30 s).
      const graceMs = kind === 'service' ? 35_000 : 10_000;
      stopped.push(...(await this.supervisor.stop(records.filter((r) => r.kind === kind).map((r) => r.id), graceMs)));
    }
    removeHostCgroups(this.topology.hosts.map((h) => h.address));
    return stopped;
  }

  /** Each node of the model: its process (if started) and its health. */
  async status(): Promise<{ id: string; kind: string; host: string; endpoint: string; pid?: number; running: boolean; healthy: boolean }[]> {
    const records = await this.supervisor.records();
    const userServers = (await userChaincodeServers(await this.context())).map((s) => ({ ...s, kind: 'chaincode' as const }));
    return Promise.all(
      [...allNodes(this.topology), ...userServers].map(async (node) => {
        const record = records.find((r) => r.id === node.id);
        const running = record !== undefined && isRunning(record);
        return {
          id: node.id,
          kind: node.kind,
          host: `${node.host.name} (${node.host.address})`,
          endpoint: node.endpoint,
          ...(record ? { pid: record.pid } : {}),
          running,
          healthy: running && (await probe(record.health)),
        };
      }),
    );
  }

  /** Each peer's ledger of the channel: its height and current block hash (`peer channel getinfo`). */
  async ledgers(): Promise<{ id: string; height: number; currentBlockHash: string }[]> {
    const ctx = await this.context();
    const cli = new AdminCli(ctx.toolchain, this.layout, this.topology);
    return Promise.all(peers(this.topology).map(async (p) => ({ id: p.id, ...(await cli.chainInfo(p, this.topology.channel.name)) })));
  }

  /** The orderers that lead the channel's Raft cluster now (one, unless an election is under way). */
  async raftLeaders(): Promise<OrdererInfo[]> {
    return raftLeaders(await this.context());
  }

  /**
   * Removes all generated state (crypto, ledgers, logs), any host cut, and the hosts' cgroups that
   * no process is in (what it returns: those removed and those left). Refuses while processes run.
   */
  async clean(): Promise<CgroupRemoval> {
    const alive = (await this.supervisor.records()).filter(isRunning);
    if (alive.length > 0) {
      throw new StaleStateError(`${alive.length} node(s) still run (${alive.map((r) => r.id).join(', ')}): run \`network down\` first`);
    }
    await rm(this.layout.root, { recursive: true, force: true });
    await liftCuts();
    return removeHostCgroups(this.topology.hosts.map((h) => h.address));
  }
}
