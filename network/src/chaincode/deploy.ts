import { sleep } from '../util/retry';
import { waitForRaftLeader } from '../channel/create';
import { AdminCli } from '../fabric/admin-cli';
import type { NativeContext } from '../runtime/native/specs';
import { chaincodeSpec } from '../runtime/native/specs';
import { fingerprint, type ProcessSpec, type Supervisor } from '../runtime/native/supervisor';
import { chaincodeServers, peers, type PeerInfo } from '../topology';
import { collectionsFileFor, committedDissemination, describeDissemination, modelDissemination, type CommittedCollectionsJson, type Dissemination } from './dissemination';
import { packageRetailChaincode, type ChaincodePackage } from './package';
import { waitUntilEndorsable } from './ready';

export class ChaincodeDeployError extends Error {
  override readonly name = 'ChaincodeDeployError';
}

export interface DeployedChaincode {
  readonly name: string;
  readonly version: string;
  readonly sequence: number;
  readonly packageId: string;
  /** True when this call committed a new definition (first deployment or upgrade). */
  readonly committed: boolean;
}

export interface CommittedDefinition extends CommittedCollectionsJson {
  readonly sequence: number;
  readonly version: string;
}

function firstPeerOfEachOrg(ctx: NativeContext): PeerInfo[] {
  const all = peers(ctx.topology);
  return ctx.topology.peerOrgs.map((org) => {
    const peer = all.find((p) => p.org.key === org.key);
    if (!peer) throw new ChaincodeDeployError(`${org.name} has no peer to act for it`);
    return peer;
  });
}

/** One chaincode definition to bring about on the channel, and the servers that run its package. */
export interface DefinitionRequest {
  readonly name: string;
  readonly pkg: ChaincodePackage;
  /** Signature policy (Fabric's policy language); absent: the channel's default (MAJORITY Endorsement). */
  readonly policy?: string;
  /** Private data collections config file. */
  readonly collections?: string;
  /** A function every new definition must be initialised with (`--init-required`), invoked once committed. */
  readonly init?: string;
  /** The chaincode servers' processes for the package. */
  readonly servers: readonly ProcessSpec[];
  /**
   * Whether the definition committed at `sequence` is already this request: the retail chaincode
   * compares package ids, another chaincode its recorded definition (package, policy, collections, init).
   */
  readonly isCommitted: (committed: CommittedDefinition, approvedPackageId: string | undefined) => boolean;
}

/**
 * The chaincode-as-a-service pipeline: install the package on every peer, (re)start the chaincode
 * servers with its package id, approve for every org, commit, and invoke the init function when
 * there is one. A new build (or revision, version, policy) is a new definition and so an upgrade:
 * the sequence goes up by one. Re-running with nothing changed does nothing.
 */
export async function deployDefinition(ctx: NativeContext, supervisor: Supervisor, log: (line: string) => void, request: DefinitionRequest): Promise<DeployedChaincode> {
  const cli = new AdminCli(ctx.toolchain, ctx.layout, ctx.topology);
  const { name, pkg } = request;
  const channel = ctx.topology.channel.name;
  log(`  package ${pkg.packageId}`);

  await Promise.all(peers(ctx.topology).map((p) => installOn(cli, p, pkg, log)));
  await startServers(supervisor, request.servers, log);

  const actors = firstPeerOfEachOrg(ctx);
  const [first] = actors;
  if (!first) throw new ChaincodeDeployError('the topology has no peer org');
  const committed = await queryCommitted(cli, first, channel, name);
  if (committed && request.isCommitted(committed, await approvedPackage(cli, first, channel, name, committed.sequence))) {
    log(`  ${name} sequence ${committed.sequence} already runs this package`);
    return { name, version: committed.version, sequence: committed.sequence, packageId: pkg.packageId, committed: false };
  }
  const sequence = (committed?.sequence ?? 0) + 1;
  const definition = [
    '--channelID', channel, '--name', name, '--version', pkg.version, '--sequence', String(sequence),
    ...(request.policy === undefined ? [] : ['--signature-policy', request.policy]),
    ...(request.collections === undefined ? [] : ['--collections-config', request.collections]),
    ...(request.init === undefined ? [] : ['--init-required']),
  ];

  // Approvals and the commit are transactions: the ordering service must have a leader (a network
  // just started again from its ledgers, e.g. the compose deployment, may not have elected one yet).
  await waitForRaftLeader(ctx);
  const readiness = await commitReadiness(cli, first, definition);
  for (const peer of actors) {
    if (readiness[peer.org.mspId]) continue;
    log(`  ${peer.org.name} approves ${name} sequence ${sequence}`);
    await cli.peer(peer, ['lifecycle', 'chaincode', 'approveformyorg', ...cli.ordererFlags(peer), ...definition, '--package-id', pkg.packageId, '--waitForEvent']);
  }
  log(`  commit ${name} sequence ${sequence} on ${channel}`);
  const endorsers = actors.flatMap((p) => ['--peerAddresses', p.endpoint, '--tlsRootCertFiles', ctx.layout.caCert(p.org.key)]);
  await cli.peer(first, ['lifecycle', 'chaincode', 'commit', ...cli.ordererFlags(first), ...definition, ...endorsers, '--waitForEvent']);
  // --waitForEvent waits for the peers it named only; a gateway may pick any peer of an org.
  await Promise.all(peers(ctx.topology).map((p) => waitForDefinition(cli, p, channel, name, sequence)));
  log(`  every peer runs ${name} sequence ${sequence}`);
  if (request.init !== undefined) {
    log(`  ${first.org.name} invokes ${request.init} (init)`);
    const args = JSON.stringify({ function: request.init, Args: [] });
    await cli.peer(first, ['chaincode', 'invoke', ...cli.ordererFlags(first), '--channelID', channel, '--name', name, '--isInit', '--ctor', args, ...endorsers, '--waitForEvent']);
  }
  return { name, version: pkg.version, sequence, packageId: pkg.packageId, committed: true };
}

/**
 * Our retail chaincode: the chaincode workspace packaged, its servers on the model's chaincode
 * server of each host, the model's policy and collections; ready once every org's gateway has
 * transactions endorsed. `dissemination` deploys the collections with other counts (the benchmark's
 * tuning ladder); without it, a definition committed with other counts is upgraded back to the model's.
 */
export async function deployChaincode(
  ctx: NativeContext,
  supervisor: Supervisor,
  log: (line: string) => void,
  options: { revision?: string; dissemination?: Dissemination } = {},
): Promise<DeployedChaincode> {
  const { name, endorsementPolicy } = ctx.topology.chaincode;
  const pkg = await packageRetailChaincode(name, ctx.layout.chaincodeDir, options.revision);
  const dissemination = options.dissemination ?? (await modelDissemination());
  const wanted = describeDissemination(dissemination);
  const deployed = await deployDefinition(ctx, supervisor, log, {
    name,
    pkg,
    policy: endorsementPolicy,
    collections: await collectionsFileFor(ctx.layout.chaincodeDir, dissemination),
    servers: chaincodeServers(ctx.topology).map((server) => chaincodeSpec(ctx, server, pkg.packageId)),
    isCommitted: (committed, approved) => {
      const held = committedDissemination(committed);
      return approved === pkg.packageId && held !== null && describeDissemination(held) === wanted;
    },
  });
  if (deployed.committed) log(`  private data collections: ${wanted}`);
  await waitUntilEndorsable(ctx, log);
  return deployed;
}

async function installOn(cli: AdminCli, peer: PeerInfo, pkg: ChaincodePackage, log: (line: string) => void): Promise<void> {
  const installed = JSON.parse(await cli.peer(peer, ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json'])) as {
    installed_chaincodes?: { package_id: string }[];
  };
  if ((installed.installed_chaincodes ?? []).some((c) => c.package_id === pkg.packageId)) return;
  log(`  install on ${peer.id}`);
  await cli.peer(peer, ['lifecycle', 'chaincode', 'install', pkg.file]);
}

/** Starts each chaincode server; one running another package (another fingerprint) is restarted. */
async function startServers(supervisor: Supervisor, servers: readonly ProcessSpec[], log: (line: string) => void): Promise<void> {
  await Promise.all(
    servers.map(async (spec) => {
      if ((await supervisor.running(spec.id))?.fingerprint !== fingerprint(spec)) log(`  start ${spec.id} on ${spec.binds[0]?.endpoint ?? ''}`);
      await supervisor.start(spec);
    }),
  );
}

/** The definition of chaincode `name` committed on `channel`, as `peer` holds it; undefined when none is. */
export async function queryCommitted(cli: AdminCli, peer: PeerInfo, channel: string, name: string): Promise<CommittedDefinition | undefined> {
  try {
    const out = await cli.peer(peer, ['lifecycle', 'chaincode', 'querycommitted', '--channelID', channel, '--name', name, '--output', 'json']);
    return JSON.parse(out) as CommittedDefinition;
  } catch (error) {
    if (error instanceof Error && /not found|404/i.test(error.message)) return undefined;
    throw error;
  }
}

/** Resolves once `peer` has committed `sequence` of the chaincode (its block reached the peer); bounded to 60 s. */
async function waitForDefinition(cli: AdminCli, peer: PeerInfo, channel: string, name: string, sequence: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if ((await queryCommitted(cli, peer, channel, name))?.sequence === sequence) return;
    if (Date.now() > deadline) throw new ChaincodeDeployError(`${peer.id} has not committed ${name} sequence ${sequence} after 60 s`);
    await sleep(250);
  }
}

async function approvedPackage(cli: AdminCli, peer: PeerInfo, channel: string, name: string, sequence: number): Promise<string | undefined> {
  const out = await cli.peer(peer, [
    'lifecycle', 'chaincode', 'queryapproved', '--channelID', channel, '--name', name, '--sequence', String(sequence), '--output', 'json',
  ]);
  const approved = JSON.parse(out) as { source?: { Type?: { LocalPackage?: { package_id?: string } } } };
  return approved.source?.Type?.LocalPackage?.package_id;
}

async function commitReadiness(cli: AdminCli, peer: PeerInfo, definition: string[]): Promise<Record<string, boolean>> {
  const out = await cli.peer(peer, ['lifecycle', 'chaincode', 'checkcommitreadiness', ...definition, '--output', 'json']);
  return (JSON.parse(out) as { approvals: Record<string, boolean> }).approvals;
}
