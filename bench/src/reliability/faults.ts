import { allNodes, cgroupOf, chaincodeServers, cutHost, hostCgroupPath, isRunning, liftCuts, orderers, peers, type NativeNetwork, type ProcessRecord, type StateLayout } from '@energysale/network';
import { startServiceTier } from '@energysale/service';

/*
 * The faults the reliability suite injects under load, each undone by `restore`, which brings the
 * model back (the network's own idempotent `up`, or the service tier's start). Only the processes
 * the network's state recorded are ever touched.
 */

export const FAULT_NAMES = ['orderer-leader', 'peer-per-org', 'chaincode-server', 'service-instance', 'host-cut', 'host-freeze'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export interface FaultContext {
  readonly network: NativeNetwork;
  readonly layout: StateLayout;
  readonly log: (line: string) => void;
}

export interface Fault {
  readonly name: FaultName;
  readonly description: string;
  /** Brings the network into the state the fault needs, before the load starts (nothing when absent). */
  prepare?(ctx: FaultContext): Promise<void>;
  /** Injects the fault; returns the ids of the processes it hit. */
  inject(ctx: FaultContext): Promise<string[]>;
  /** Undoes it: every node of the model runs (and answers) again. */
  restore(ctx: FaultContext, hit: readonly string[]): Promise<void>;
}

export class FaultError extends Error {
  override readonly name = 'FaultError';
}

async function recordsOf(ctx: FaultContext, ids: readonly string[]): Promise<ProcessRecord[]> {
  const records = (await ctx.network.supervisor.records()).filter((r) => ids.includes(r.id) && isRunning(r));
  const missing = ids.filter((id) => !records.some((r) => r.id === id));
  if (missing.length > 0) throw new FaultError(`not running, so not a fault to inject: ${missing.join(', ')}`);
  return records;
}

/** SIGKILL: the process gets no chance to close anything, as in a crash. Resolves once each is gone. */
async function kill(ctx: FaultContext, ids: readonly string[]): Promise<string[]> {
  const records = await recordsOf(ctx, ids);
  for (const r of records) process.kill(r.pid, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (records.some(isRunning)) {
    if (Date.now() > deadline) throw new FaultError(`still running 10 s after SIGKILL: ${records.filter(isRunning).map((r) => r.id).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return records.map((r) => r.id);
}

/** Brings every node of the model back (restarting what is down), without touching the chaincode definition. */
async function bringBack(ctx: FaultContext): Promise<void> {
  await ctx.network.up(() => undefined, { deploy: false });
}

const HOST_SIGNALS = { freeze: 'SIGSTOP', thaw: 'SIGCONT' } as const;

type Host = NativeNetwork['topology']['hosts'][number];

/** The id of the channel's one Raft leader, awaited for at most `waitMs` (an election takes 5-10 s of Raft ticks). */
async function theRaftLeader(ctx: FaultContext, waitMs = 0): Promise<ProcessRecord['id']> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const leaders = await ctx.network.raftLeaders();
    const [leader] = leaders;
    if (leader && leaders.length === 1) return leader.id;
    if (Date.now() >= deadline) throw new FaultError(`expected one Raft leader, found ${leaders.length}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * The host the host faults take away: the second host of the model. In the paper's layout it is the
 * one whose loss leaves a Raft majority, the load balancer and a peer of every org (the first host
 * runs nginx, the third all of ConsumerOrg's peers, the fourth all of RetailerOrg's).
 */
function theSecondHost(ctx: FaultContext): Host {
  const host = ctx.network.topology.hosts[1];
  if (!host) throw new FaultError('the topology has no second host');
  return host;
}

/** The second host (above) and its running processes. */
async function secondHost(ctx: FaultContext): Promise<{ host: Host; records: ProcessRecord[] }> {
  const host = theSecondHost(ctx);
  const nodes = new Set(allNodes(ctx.network.topology).filter((n) => n.host.name === host.name).map((n) => n.id));
  const records = (await ctx.network.supervisor.records()).filter((r) => isRunning(r) && nodes.has(r.id));
  if (records.length === 0) throw new FaultError(`no process of ${host.name} runs`);
  return { host, records };
}

/**
 * Before the load: the second host's orderer must be a Raft follower, so that the host fault
 * measures the loss of a host, the same each run, and not a leader election besides (that is the
 * orderer-leader fault). When it leads, it is stopped (SIGKILL) until the other two have elected one
 * of them, then restarted (`up`): it rejoins as a follower.
 */
async function secondHostFollows(ctx: FaultContext): Promise<void> {
  const host = theSecondHost(ctx);
  const ownOrderer = orderers(ctx.network.topology).find((o) => o.host.name === host.name);
  if (!ownOrderer) throw new FaultError('the second host runs no orderer');
  if ((await theRaftLeader(ctx)) !== ownOrderer.id) return;
  ctx.log(`  ${ownOrderer.id} leads the channel: restarting it so that another orderer is elected`);
  await kill(ctx, [ownOrderer.id]);
  await theRaftLeader(ctx, 30_000);
  await bringBack(ctx);
  const leader = await theRaftLeader(ctx, 30_000);
  if (leader === ownOrderer.id) throw new FaultError(`${ownOrderer.id} was elected again after its restart`);
}

export const FAULTS: Readonly<Record<FaultName, Fault>> = {
  'orderer-leader': {
    name: 'orderer-leader',
    description: "SIGKILL the channel's Raft leader; the other two elect a new one; restarted, it rejoins and catches up",
    inject: async (ctx) => kill(ctx, [await theRaftLeader(ctx)]),
    restore: bringBack,
  },
  'peer-per-org': {
    name: 'peer-per-org',
    description: "SIGKILL the first peer of each org (the service's gateway peers): the service fails over to the org's next peer",
    async inject(ctx) {
      const orgs = ctx.network.topology.peerOrgs.map((o) => o.key);
      const first = orgs.map((key) => peers(ctx.network.topology).find((p) => p.org.key === key)?.id ?? '');
      return kill(ctx, first);
    },
    restore: bringBack,
  },
  'chaincode-server': {
    name: 'chaincode-server',
    description: "SIGKILL the first host's chaincode server (its org's peers there cannot run the contract); restarted by redeploying, which changes nothing else",
    async inject(ctx) {
      const [server] = chaincodeServers(ctx.network.topology);
      if (!server) throw new FaultError('the topology has no chaincode server');
      return kill(ctx, [server.id]);
    },
    async restore(ctx) {
      await ctx.network.up(() => undefined);
    },
  },
  'service-instance': {
    name: 'service-instance',
    description: 'SIGKILL one retail service instance mid-run: nginx sends the rest to the other; restarted',
    async inject(ctx) {
      const instance = (await ctx.network.supervisor.records()).find((r) => r.kind === 'service' && isRunning(r));
      if (!instance) throw new FaultError('no service instance runs');
      return kill(ctx, [instance.id]);
    },
    async restore(ctx) {
      await startServiceTier(ctx.layout, { withLb: true, logLevel: 'warn' });
    },
  },
  'host-cut': {
    name: 'host-cut',
    description:
      "Cut the second host off the network: nothing reaches its address and nothing its processes send leaves it (iptables, matching the host's cgroup: its processes start in one of their own), " +
      'while they keep running; its orderer a Raft follower, the leader and a majority stay; reconnected, it catches up',
    prepare: secondHostFollows,
    async inject(ctx) {
      const { host, records } = await secondHost(ctx);
      const outside = records.filter((r) => cgroupOf(r.pid) !== `/${hostCgroupPath(host.address)}`);
      if (outside.length > 0) {
        throw new FaultError(`${outside.map((r) => r.id).join(', ')} did not start in ${host.name}'s cgroup (cgroup v2 not writable when the network came up?): restart the network to cut the host`);
      }
      await cutHost(host.address);
      return records.map((r) => r.id);
    },
    async restore(ctx) {
      await liftCuts();
      await bringBack(ctx);
    },
  },
  'host-freeze': {
    name: 'host-freeze',
    description:
      'Freeze the second host: every process of it stopped (SIGSTOP), so it answers nothing and resets nothing; its orderer a Raft follower, the leader and a majority stay; resumed (SIGCONT), it catches up',
    prepare: secondHostFollows,
    async inject(ctx) {
      const { records } = await secondHost(ctx);
      for (const r of records) process.kill(r.pid, HOST_SIGNALS.freeze);
      return records.map((r) => r.id);
    },
    async restore(ctx, hit) {
      for (const r of (await ctx.network.supervisor.records()).filter((record) => hit.includes(record.id) && isRunning(record))) process.kill(r.pid, HOST_SIGNALS.thaw);
      await bringBack(ctx);
    },
  },
};
