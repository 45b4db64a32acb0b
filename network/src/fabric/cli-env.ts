/*
 * What Fabric's `peer` and `osnadmin` CLIs need to act as an identity of an org on this network: the
 * one source of those settings for our own admin calls (AdminCli) and for the exports printed to a
 * user (`network env`).
 */
import { identityOf, ORG_ADMIN } from '../crypto/org-crypto';
import type { IdentityFiles } from '../crypto/identity-files';
import type { StateLayout } from '../state/layout';
import type { Toolchain } from '../toolchain';
import { orderers, peers, TopologyError, type OrdererInfo, type OrdererOrg, type PeerInfo, type PeerOrg, type Topology } from '../topology';

/** An enrolled identity of an org: its admin, or one of its users. */
export interface CliIdentity {
  readonly org: PeerOrg | OrdererOrg;
  readonly files: IdentityFiles;
}

export function cliIdentity(layout: StateLayout, org: PeerOrg | OrdererOrg, name: string = ORG_ADMIN): CliIdentity {
  return { org, files: identityOf(layout, org.key, name) };
}

/**
 * The `peer` CLI's local settings for an identity: its MSP, and TLS with the identity's own client
 * certificate (every peer and orderer of the network asks for one).
 */
export function identityEnv(toolchain: Toolchain, identity: CliIdentity): Record<string, string> {
  return {
    FABRIC_CFG_PATH: toolchain.sampleConfigDir,
    CORE_PEER_LOCALMSPID: identity.org.mspId,
    CORE_PEER_MSPCONFIGPATH: identity.files.mspDir,
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_CLIENTAUTHREQUIRED: 'true',
    CORE_PEER_TLS_CLIENTCERT_FILE: identity.files.tlsCert,
    CORE_PEER_TLS_CLIENTKEY_FILE: identity.files.tlsKey,
  };
}

/**
 * The peer the CLI talks to. No CORE_PEER_TLS_SERVERHOSTOVERRIDE: the peer CLI applies that one name
 * to every `--peerAddresses` too (internal/peer/common/peerclient.go), so an invoke endorsed by peers
 * of two orgs would fail its name check; a node's certificate names its address as well as its id.
 */
export function peerTargetEnv(layout: StateLayout, peer: PeerInfo): Record<string, string> {
  return {
    CORE_PEER_ADDRESS: peer.endpoint,
    CORE_PEER_TLS_ROOTCERT_FILE: layout.caCert(peer.org.key),
  };
}

/** The flags of a `peer` command that reaches `orderer` (channel fetch, lifecycle approve and commit, invoke) over mutual TLS. */
export function ordererArgs(layout: StateLayout, identity: CliIdentity, orderer: OrdererInfo): string[] {
  return [
    '-o', orderer.endpoint,
    '--ordererTLSHostnameOverride', orderer.id,
    '--tls',
    '--cafile', layout.caCert(orderer.org.key),
    '--clientauth',
    '--certfile', identity.files.tlsCert,
    '--keyfile', identity.files.tlsKey,
  ];
}

/** The flags of `osnadmin` against `orderer`'s channel participation API (mutual TLS; its org's admin only). */
export function osnadminArgs(layout: StateLayout, identity: CliIdentity, orderer: OrdererInfo): string[] {
  return [
    '-o', orderer.adminEndpoint,
    '--ca-file', layout.caCert(orderer.org.key),
    '--client-cert', identity.files.tlsCert,
    '--client-key', identity.files.tlsKey,
  ];
}

export function firstOrderer(topology: Topology): OrdererInfo {
  const [first] = orderers(topology);
  if (!first) throw new TopologyError('the topology has no orderer');
  return first;
}

export interface CliEnvironmentOptions {
  /** An org's key, name or MSP id; the orderer org's too. */
  readonly org: string;
  /** Acts as this enrolled user of the org; its admin when absent. */
  readonly user?: string;
  /** A peer of the org by name (`peer1`) or id; the org's first when absent. For the orderer org: an orderer. */
  readonly peer?: string;
}

/**
 * The exports that make Fabric's CLIs act for an identity of an org: PATH with the toolchain's
 * binaries, FABRIC_CFG_PATH, CORE_PEER_* (the identity's MSP and TLS client certificate; the peer),
 * ORDERER_ARGS (the flags of a `peer` command that reaches an orderer), and for the orderer org's
 * admin OSNADMIN_ARGS. The two *_ARGS are meant to be expanded unquoted: `peer channel fetch config
 * b.pb -c C $ORDERER_ARGS`.
 */
export function cliEnvironment(toolchain: Toolchain, layout: StateLayout, topology: Topology, options: CliEnvironmentOptions, basePath = process.env.PATH ?? ''): Record<string, string> {
  const org = [...topology.peerOrgs, topology.ordererOrg].find((o) => [o.key, o.name, o.mspId].includes(options.org));
  if (!org) throw new TopologyError(`unknown org "${options.org}" (orgs: ${[...topology.peerOrgs, topology.ordererOrg].map((o) => o.key).join(', ')})`);
  const identity = cliIdentity(layout, org, options.user);
  const named = <T extends PeerInfo | OrdererInfo>(nodes: readonly T[]): T => {
    const node = nodes.find((n) => options.peer === undefined || n.node.name === options.peer || n.id === options.peer);
    if (!node) throw new TopologyError(`no ${options.peer === undefined ? 'node' : `node "${options.peer}"`} in org ${org.key} (${nodes.map((n) => n.node.name).join(', ')})`);
    return node;
  };
  const env: Record<string, string> = {
    PATH: basePath === '' ? toolchain.binDir : `${toolchain.binDir}:${basePath}`,
    ...identityEnv(toolchain, identity),
  };
  if (org.kind === 'peer') {
    Object.assign(env, peerTargetEnv(layout, named(peers(topology).filter((p) => p.org.key === org.key))), {
      ORDERER_ARGS: ordererArgs(layout, identity, firstOrderer(topology)).join(' '),
    });
  } else {
    const orderer = named(orderers(topology));
    env.ORDERER_ARGS = ordererArgs(layout, identity, orderer).join(' ');
    if (options.user === undefined || options.user === ORG_ADMIN) env.OSNADMIN_ARGS = osnadminArgs(layout, identity, orderer).join(' ');
  }
  return env;
}

/** A value as one word of a POSIX shell: single-quoted, each `'` closed, escaped and reopened. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `export K='V'` lines, for `eval "$(...)"` or `source`. */
export function shellExports(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([key, value]) => `export ${key}=${shellQuote(value)}\n`)
    .join('');
}
