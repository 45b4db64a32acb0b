import { sleep } from '../util/retry';
import { AdminCli } from '../fabric/admin-cli';
import type { NativeContext } from '../runtime/native/specs';
import { chaincodeSpec } from '../runtime/native/specs';
import { fingerprint, type Supervisor } from '../runtime/native/supervisor';
import { chaincodeServers, peers, type PeerInfo } from '../topology';
import { chaincodeCollections } from '../util/paths';
import { packageChaincode, type ChaincodePackage } from './package';
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

interface CommittedDefinition {
  sequence: number;
  version: string;
}

function firstPeerOfEachOrg(ctx: NativeContext): PeerInfo[] {
  const all = peers(ctx.topology);
  return ctx.topology.peerOrgs.map((org) => {
    const peer = all.find((p) => p.org.key === org.key);
    if (!peer) throw new ChaincodeDeployError(`${org.name} has no peer to act for it`);
    return peer;
  });
}

/**
 * The chaincode-as-a-service pipeline: package the chaincode workspace, install on every peer,
 * approve for every org, commit, and (re)start the chaincode servers with the package id.
 * A new build (or revision) is a new package and so an upgrade: the sequence goes up by one.
 * Re-running with nothing changed does nothing.
 */
export async function deployChaincode(
  ctx: NativeContext,
  supervisor: Supervisor,
  log: (line: string) => void,
  options: { revision?: string } = {},
): Promise<DeployedChaincode> {
  const cli = new AdminCli(ctx.toolchain, ctx.layout, ctx.topology);
  const { name, endorsementPolicy } = ctx.topology.chaincode;
  const channel = ctx.topology.channel.name;
  const pkg = await packageChaincode(name, ctx.layout.chaincodeDir, options.revision);
  log(`  package ${pkg.packageId}`);

  await Promise.all(peers(ctx.topology).map((p) => installOn(cli, p, pkg, log)));
  await startServers(ctx, supervisor, pkg.packageId, log);

  const actors = firstPeerOfEachOrg(ctx);
  const [first] = actors;
  if (!first) throw new ChaincodeDeployError('the topology has no peer org');
  const committed = await queryCommitted(cli, first, channel, name);
  if (committed && (await approvedPackage(cli, first, channel, name, committed.sequence)) === pkg.packageId) {
    log(`  ${name} sequence ${committed.sequence} already runs this package`);
    await waitUntilEndorsable(ctx, log);
    return { name, version: committed.version, sequence: committed.sequence, packageId: pkg.packageId, committed: false };
  }
  const sequence = (committed?.sequence ?? 0) + 1;
  const definition = [
    '--channelID', channel, '--name', name, '--version', pkg.version, '--sequence', String(sequence),
    '--signature-policy', endorsementPolicy, '--collections-config', chaincodeCollections,
  ];

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
  await waitUntilEndorsable(ctx, log);
  return { name, version: pkg.version, sequence, packageId: pkg.packageId, committed: true };
}

async function installOn(cli: AdminCli, peer: PeerInfo, pkg: ChaincodePackage, log: (line: string) => void): Promise<void> {
  const installed = JSON.parse(await cli.peer(peer, ['lifecycle', 'chaincode', 'queryinstalled', '--output', 'json'])) as {
    installed_chaincodes?: { package_id: string }[];
  };
  if ((installed.installed_chaincodes ?? []).some((c) => c.package_id === pkg.packageId)) return;
  log(`  install on ${peer.id}`);
  await cli.peer(peer, ['lifecycle', 'chaincode', 'install', pkg.file]);
}

/** Starts each host's chaincode server for this package; one serving another package is restarted. */
async function startServers(ctx: NativeContext, supervisor: Supervisor, packageId: string, log: (line: string) => void): Promise<void> {
  await Promise.all(
    chaincodeServers(ctx.topology).map(async (server) => {
      const spec = chaincodeSpec(ctx, server, packageId);
      if ((await supervisor.running(server.id))?.fingerprint !== fingerprint(spec)) log(`  start ${server.id} on ${server.endpoint}`);
      await supervisor.start(spec);
    }),
  );
}

async function queryCommitted(cli: AdminCli, peer: PeerInfo, channel: string, name: string): Promise<CommittedDefinition | undefined> {
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
