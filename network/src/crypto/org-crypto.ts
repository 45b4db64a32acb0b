import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { StateLayout } from '../state/layout';
import type { Toolchain } from '../toolchain';
import { certificateAuthorities, chaincodeServers, orderers, peerOrg, peers, type CaInfo, type ParticipantRole, type Topology } from '../topology';
import { CaClient, EnrollmentError, type IdentitySpec } from './ca-client';
import { identityFiles, nodeOuConfig, type IdentityFiles } from './identity-files';

/** The org's administrator (channel joins, lifecycle approvals, osnadmin). */
export const ORG_ADMIN = 'orgadmin';

/**
 * The TLS client identity of the org's applications: peers require client certificates, and one
 * long-lived connection carries the transactions of many users, each signed with the user's own key.
 */
export const APP_TLS_CLIENT = 'app-tls';

/** Names a server's TLS certificate must be valid for: its name, its host's address, localhost. */
function serverHosts(id: string, address: string): string[] {
  return [id, address, 'localhost'];
}

/** Every identity an org's CA issues when the network is created. */
export function orgIdentities(topology: Topology, ca: CaInfo): IdentitySpec[] {
  const org = ca.org;
  if (org.kind === 'orderer') {
    return [
      ...orderers(topology).map((o): IdentitySpec => ({ name: o.node.name, type: 'orderer', hosts: serverHosts(o.id, o.host.address) })),
      { name: ORG_ADMIN, type: 'admin' },
    ];
  }
  return [
    ...peers(topology)
      .filter((p) => p.org.key === org.key)
      .map((p): IdentitySpec => ({ name: p.node.name, type: 'peer', hosts: serverHosts(p.id, p.host.address) })),
    ...chaincodeServers(topology)
      .filter((s) => s.org.key === org.key)
      .map((s): IdentitySpec => ({ name: `chaincode-${s.host.name}`, type: 'client', hosts: serverHosts(s.id, s.host.address) })),
    { name: ORG_ADMIN, type: 'admin', role: org.role },
    { name: APP_TLS_CLIENT, type: 'client' },
    ...org.users.map((u): IdentitySpec => ({ name: u.name, type: 'client', role: u.role })),
  ];
}

export function identityOf(layout: StateLayout, orgKey: string, name: string): IdentityFiles {
  return identityFiles(layout.identityDir(orgKey, name));
}

/**
 * Creates an org's crypto through its running CA: registrar enrollment, every node, admin and user
 * identity (signing and TLS certificates), and the org MSP that goes into the channel config.
 * Idempotent: what exists is kept.
 */
export async function createOrgCrypto(toolchain: Toolchain, layout: StateLayout, topology: Topology, ca: CaInfo): Promise<void> {
  const client = new CaClient(toolchain, layout, ca);
  await client.enrollRegistrar();
  for (const spec of orgIdentities(topology, ca)) {
    await client.register(spec);
    await client.enroll(spec);
  }
  const msp = layout.orgMsp(ca.org.key);
  await mkdir(join(msp, 'cacerts'), { recursive: true });
  await mkdir(join(msp, 'tlscacerts'), { recursive: true });
  // One CA per org issues both signing and TLS certificates (its `tls` profile), as in Fabric's
  // test network; so the org's TLS root is its CA root.
  await copyFile(layout.caCert(ca.org.key), join(msp, 'cacerts', 'ca.pem'));
  await copyFile(layout.caCert(ca.org.key), join(msp, 'tlscacerts', 'ca.pem'));
  await writeFile(join(msp, 'config.yaml'), nodeOuConfig('cacerts/ca.pem'));
}

/** `<prefix>0001`, `<prefix>0002`, ...: the enrollment names of `count` virtual users. */
export function virtualUserNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`);
}

/**
 * Registers and enrolls many users of one org and role with the org's CA (virtual users of a
 * benchmark), a few at a time.
 */
export async function enrollUsers(
  toolchain: Toolchain,
  layout: StateLayout,
  topology: Topology,
  orgKey: string,
  names: readonly string[],
  role: ParticipantRole,
  concurrency = 4,
): Promise<IdentityFiles[]> {
  const org = peerOrg(topology, orgKey);
  const ca = certificateAuthorities(topology).find((c) => c.org.key === org.key);
  if (!ca) throw new EnrollmentError(`${org.name} has no CA in the topology`);
  const client = new CaClient(toolchain, layout, ca);
  await client.enrollRegistrar();
  const results: IdentityFiles[] = new Array<IdentityFiles>(names.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < names.length; i = next++) {
      const spec: IdentitySpec = { name: names[i] ?? '', type: 'client', role };
      await client.register(spec);
      results[i] = await client.enroll(spec);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
  return results;
}
