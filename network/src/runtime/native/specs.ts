import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { identityOf } from '../../crypto/org-crypto';
import { ordererConfig } from '../../generate/orderer-config';
import { CCAAS_CONFIG_ENV, peerConfig } from '../../generate/peer-config';
import { readSampleConfig, toYaml, type Yaml } from '../../generate/sampleconfig';
import type { StateLayout } from '../../state/layout';
import type { Toolchain } from '../../toolchain';
import { boundEndpoints, clientAuthOf, type CaInfo, type ChaincodeServerInfo, type NodeInfo, type OrdererInfo, type PeerInfo, type Topology } from '../../topology';
import { chaincodeWorkspace } from '../../util/paths';
import type { ProcessSpec } from './supervisor';

/** Everything the native runtime needs to derive a node's process: the model, where state lives, the binaries. */
export interface NativeContext {
  readonly topology: Topology;
  readonly layout: StateLayout;
  readonly toolchain: Toolchain;
}

function binds(ctx: NativeContext, id: string): ProcessSpec['binds'] {
  return boundEndpoints(ctx.topology).filter((b) => b.owner === id);
}


/** TLS roots of every org; one CA per org issues its TLS certificates. */
export function allTlsRoots(ctx: NativeContext): string[] {
  return [...ctx.topology.peerOrgs, ctx.topology.ordererOrg].map((o) => ctx.layout.caCert(o.key));
}

async function nodeDirs(ctx: NativeContext, node: NodeInfo): Promise<{ configDir: string; dataDir: string }> {
  const configDir = ctx.layout.nodeConfigDir(node);
  const dataDir = ctx.layout.nodeDataDir(node);
  await mkdir(configDir, { recursive: true });
  await mkdir(dataDir, { recursive: true });
  return { configDir, dataDir };
}

/** Writes a node's generated config file; returns it for the process fingerprint. */
async function writeConfig(configDir: string, name: string, config: Yaml): Promise<Record<string, string>> {
  const file = join(configDir, name);
  const text = toYaml(config);
  await writeFile(file, text);
  return { [file]: text };
}

export function caSpec(ctx: NativeContext, ca: CaInfo, registrarSecret: string): ProcessSpec {
  return {
    id: ca.id,
    kind: 'ca',
    command: ctx.toolchain.bin.fabricCaServer,
    args: ['start', '-b', `admin:${registrarSecret}`],
    cwd: ctx.layout.caServerHome(ca.org.key),
    env: {
      FABRIC_CA_SERVER_HOME: ctx.layout.caServerHome(ca.org.key),
      FABRIC_CA_SERVER_ADDRESS: ca.host.address,
      FABRIC_CA_SERVER_PORT: String(ca.ca.ports.listen),
      FABRIC_CA_SERVER_CA_NAME: ca.ca.name,
      FABRIC_CA_SERVER_CSR_CN: ca.id,
      FABRIC_CA_SERVER_CSR_HOSTS: [ca.id, ca.host.address, 'localhost'].join(','),
      FABRIC_CA_SERVER_TLS_ENABLED: 'true',
      FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS: ca.operationsEndpoint,
      FABRIC_CA_SERVER_METRICS_PROVIDER: 'prometheus',
    },
    health: ca.health,
    binds: binds(ctx, ca.id),
  };
}

/** Writes the orderer's orderer.yaml (sampleconfig + overrides) and returns its process. */
export async function ordererSpec(ctx: NativeContext, orderer: OrdererInfo): Promise<ProcessSpec> {
  const { configDir, dataDir } = await nodeDirs(ctx, orderer);
  const config = ordererConfig(await readSampleConfig(ctx.toolchain.sampleConfigDir, 'orderer.yaml'), {
    orderer,
    clientAuth: clientAuthOf(ctx.topology),
    identity: identityOf(ctx.layout, orderer.org.key, orderer.node.name),
    dataDir,
    clientRootCas: allTlsRoots(ctx),
    adminRootCa: ctx.layout.caCert(orderer.org.key),
  });
  return {
    configFiles: await writeConfig(configDir, 'orderer.yaml', config),
    id: orderer.id,
    kind: 'orderer',
    command: ctx.toolchain.bin.orderer,
    args: [],
    cwd: configDir,
    env: { FABRIC_CFG_PATH: configDir },
    health: orderer.health,
    binds: binds(ctx, orderer.id),
  };
}

/**
 * What the ccaas builder substitutes into connection.json for this peer: its host's chaincode server
 * (`address`, ours), the host where every other chaincode's server of this peer listens
 * (`chaincode_host`, beside the port its package names), the CA of those servers' certificates and
 * the peer's TLS client identity.
 */
export async function chaincodeConnectionFor(ctx: NativeContext, peer: PeerInfo, server: ChaincodeServerInfo): Promise<Record<string, string>> {
  const identity = identityOf(ctx.layout, peer.org.key, peer.node.name);
  return {
    address: server.endpoint,
    chaincode_host: server.host.address,
    root_cert: await readFile(ctx.layout.caCert(server.org.key), 'utf8'),
    client_cert: await readFile(identity.tlsCert, 'utf8'),
    client_key: await readFile(identity.tlsKey, 'utf8'),
  };
}

/** Writes the peer's core.yaml (sampleconfig + overrides) and returns its process. */
export async function peerSpec(ctx: NativeContext, peer: PeerInfo, server: ChaincodeServerInfo): Promise<ProcessSpec> {
  const { configDir, dataDir } = await nodeDirs(ctx, peer);
  const config = peerConfig(await readSampleConfig(ctx.toolchain.sampleConfigDir, 'core.yaml'), {
    topology: ctx.topology,
    peer,
    identity: identityOf(ctx.layout, peer.org.key, peer.node.name),
    dataDir,
    externalBuilderDir: ctx.toolchain.externalBuilderDir,
    clientRootCas: allTlsRoots(ctx),
  });
  return {
    configFiles: await writeConfig(configDir, 'core.yaml', config),
    id: peer.id,
    kind: 'peer',
    command: ctx.toolchain.bin.peer,
    args: ['node', 'start'],
    cwd: configDir,
    env: {
      FABRIC_CFG_PATH: configDir,
      [CCAAS_CONFIG_ENV]: JSON.stringify(await chaincodeConnectionFor(ctx, peer, server)),
    },
    health: peer.health,
    binds: binds(ctx, peer.id),
  };
}

/** The chaincode server of one host, serving the chaincode package `packageId` over mutual TLS. */
export function chaincodeSpec(ctx: NativeContext, server: ChaincodeServerInfo, packageId: string): ProcessSpec {
  const identity = identityOf(ctx.layout, server.org.key, `chaincode-${server.host.name}`);
  return {
    id: server.id,
    kind: 'chaincode',
    command: process.execPath,
    args: [
      require.resolve('fabric-shim/cli.js', { paths: [chaincodeWorkspace] }),
      'server',
      '--chaincode-address',
      server.endpoint,
      '--chaincode-id',
      packageId,
      '--chaincode-tls-key-file',
      identity.tlsKey,
      '--chaincode-tls-cert-file',
      identity.tlsCert,
      // Only peers of the server's org, with TLS certificates from its CA, may connect.
      '--chaincode-tls-client-cacert-file',
      ctx.layout.caCert(server.org.key),
      '--module-path',
      chaincodeWorkspace,
    ],
    cwd: chaincodeWorkspace,
    env: {},
    health: server.health,
    binds: binds(ctx, server.id),
  };
}
