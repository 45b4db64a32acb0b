import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';

import { identityOf, ORG_ADMIN } from '../crypto/org-crypto';
import { splitEndpoint } from '../runtime/native/supervisor';
import type { StateLayout } from '../state/layout';
import { certificateAuthorities, chaincodeServers, clientAuthOf, orderers, peers, type NodeInfo, type Topology } from '../topology';
import { run } from '../util/exec';

export interface TlsClient {
  readonly ca: Buffer;
  readonly servername: string;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/** The HTTP/2 client preface and an empty SETTINGS frame: what a gRPC client sends first. */
const PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

/**
 * Opens a gRPC-style (HTTP/2) connection and reports whether the server answered with its
 * SETTINGS frame ('accepted') or refused: a TLS alert, a closed connection or no answer.
 */
export function http2Probe(endpoint: string, tls?: TlsClient, timeoutMs = 5000): Promise<'accepted' | 'refused'> {
  const [host, port] = splitEndpoint(endpoint);
  return new Promise((resolve) => {
    let settled = false;
    const onReady = (): void => {
      socket.write(PREFACE);
    };
    const socket: Socket = tls
      ? tlsConnect({ host, port, ca: tls.ca, cert: tls.cert, key: tls.key, servername: tls.servername, ALPNProtocols: ['h2'] }, onReady)
      : netConnect({ host, port }, onReady);
    const finish = (result: 'accepted' | 'refused'): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 9) finish(received[3] === 0x04 ? 'accepted' : 'refused');
    });
    socket.on('error', () => { finish('refused'); });
    socket.on('close', () => { finish('refused'); });
    setTimeout(() => { finish('refused'); }, timeoutMs);
  });
}

/** A CA no org of the network knows, and a client certificate it issued (made with openssl). */
export async function rogueClientIdentity(): Promise<{ ca: Buffer; cert: Buffer; key: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), 'rogue-ca-'));
  const file = (name: string): string => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=rogue-ca']);
  await run('openssl', ['req', ...ec, '-keyout', file('client.key'), '-out', file('client.csr'), '-subj', '/CN=rogue-client']);
  await run('openssl', ['x509', '-req', '-in', file('client.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('client.pem'), '-days', '1']);
  return { ca: await readFile(file('ca.pem')), cert: await readFile(file('client.pem')), key: await readFile(file('client.key')) };
}

/** Status of an HTTPS GET, or 0 when the TLS handshake or the connection failed. */
export function httpsStatus(url: string, tls: TlsClient, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { ca: tls.ca, cert: tls.cert, key: tls.key, servername: tls.servername, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => {
      resolve(0);
    });
    req.end();
  });
}

/** Who connects in one probe of the TLS audit. */
export type TlsClientKind =
  | 'org identity'
  | 'plaintext'
  | 'no client certificate'
  | 'unknown-CA client certificate'
  | "own org's peer"
  | "other org's peer"
  | 'consenter'
  | "ordering org's admin"
  | "peer org's admin"
  | 'trusting an unknown CA';

export interface TlsProbe {
  readonly node: string;
  readonly kind: NodeInfo['kind'] | 'orderer admin' | 'orderer cluster';
  readonly client: TlsClientKind;
  readonly expected: 'accepted' | 'refused';
  readonly outcome: 'accepted' | 'refused';
}

/**
 * Every TLS endpoint of the model probed by the clients it must accept and those it must refuse:
 * peers' and orderers' client ports (gRPC over TLS; a client without a certificate refused, or with
 * client authentication optional accepted), Raft's cluster ports (only consenters), chaincode servers
 * (only their own org's peers), orderer admin endpoints (only the ordering org's admins) and CAs
 * (HTTPS only). Shared by the TLS live test and the security report.
 */
export async function auditTls(topology: Topology, layout: StateLayout): Promise<TlsProbe[]> {
  const rogue = await rogueClientIdentity();
  const client = (node: NodeInfo, identity?: { org: string; name: string }): TlsClient => {
    const ca = readFileSync(layout.caCert(node.org.key));
    if (!identity) return { ca, servername: node.id };
    const files = identityOf(layout, identity.org, identity.name);
    return { ca, servername: node.id, cert: readFileSync(files.tlsCert), key: readFileSync(files.tlsKey) };
  };
  const outcome = (accepted: boolean): TlsProbe['outcome'] => (accepted ? 'accepted' : 'refused');
  const probes: Promise<TlsProbe>[] = [];
  const probe = (node: NodeInfo, kind: TlsProbe['kind'], who: TlsClientKind, expected: TlsProbe['expected'], attempt: () => Promise<TlsProbe['outcome']>): void => {
    probes.push(attempt().then((result) => ({ node: node.id, kind, client: who, expected, outcome: result })));
  };
  const [firstUser] = topology.peerOrgs.flatMap((org) => org.users.map((u) => ({ org: org.key, name: u.name })));
  if (!firstUser) throw new Error('the model has no user to probe with');
  for (const node of [...peers(topology), ...orderers(topology)]) {
    probe(node, node.kind, 'org identity', 'accepted', () => http2Probe(node.endpoint, client(node, firstUser)));
    probe(node, node.kind, 'plaintext', 'refused', () => http2Probe(node.endpoint));
    // With client authentication optional, Fabric asks for a client certificate without verifying it
    // (Go's RequestClientCert): the TLS handshake takes any, or none; who may do what is then decided
    // by the signature of each request (the MSP), as with a client of Fabric's test network.
    const open = clientAuthOf(topology) === 'optional' ? 'accepted' : 'refused';
    probe(node, node.kind, 'no client certificate', open, () => http2Probe(node.endpoint, client(node)));
    probe(node, node.kind, 'unknown-CA client certificate', open, () => http2Probe(node.endpoint, { ...client(node), cert: rogue.cert, key: rogue.key }));
  }
  for (const server of chaincodeServers(topology)) {
    const own = peers(topology).find((p) => p.org.key === server.org.key);
    const other = peers(topology).find((p) => p.org.key !== server.org.key);
    if (!own || !other) throw new Error(`${server.id}: no peer of its own org and of another to probe with`);
    probe(server, server.kind, "own org's peer", 'accepted', () => http2Probe(server.endpoint, client(server, { org: own.org.key, name: own.node.name })));
    probe(server, server.kind, "other org's peer", 'refused', () => http2Probe(server.endpoint, client(server, { org: other.org.key, name: other.node.name })));
    probe(server, server.kind, 'plaintext', 'refused', () => http2Probe(server.endpoint));
    probe(server, server.kind, 'no client certificate', 'refused', () => http2Probe(server.endpoint, client(server)));
  }
  for (const o of orderers(topology)) {
    const other = orderers(topology).find((x) => x.id !== o.id) ?? o;
    probe(o, 'orderer cluster', 'consenter', 'accepted', () => http2Probe(o.clusterEndpoint, client(o, { org: other.org.key, name: other.node.name })));
    probe(o, 'orderer cluster', 'no client certificate', 'refused', () => http2Probe(o.clusterEndpoint, client(o)));
    probe(o, 'orderer cluster', 'plaintext', 'refused', () => http2Probe(o.clusterEndpoint));
  }
  const [peerOrgKey] = topology.peerOrgs.map((o) => o.key);
  for (const o of orderers(topology)) {
    const list = async (tls: TlsClient): Promise<TlsProbe['outcome']> => outcome((await httpsStatus(`https://${o.adminEndpoint}/participation/v1/channels`, tls)) === 200);
    probe(o, 'orderer admin', "ordering org's admin", 'accepted', () => list(client(o, { org: o.org.key, name: ORG_ADMIN })));
    if (peerOrgKey) probe(o, 'orderer admin', "peer org's admin", 'refused', () => list(client(o, { org: peerOrgKey, name: ORG_ADMIN })));
    probe(o, 'orderer admin', 'no client certificate', 'refused', () => list(client(o)));
  }
  for (const ca of certificateAuthorities(topology)) {
    probe(ca, ca.kind, 'plaintext', 'refused', async () =>
      outcome((await fetch(`http://${ca.endpoint}/cainfo`, { signal: AbortSignal.timeout(5000) }).then((r) => r.status, () => 0)) === 200),
    );
    probe(ca, ca.kind, 'org identity', 'accepted', async () => outcome((await httpsStatus(`${ca.url}/cainfo`, { ca: readFileSync(layout.caCert(ca.org.key)), servername: ca.id })) === 200));
    probe(ca, ca.kind, 'trusting an unknown CA', 'refused', async () => outcome((await httpsStatus(`${ca.url}/cainfo`, { ca: rogue.ca, servername: ca.id })) === 200));
  }
  return Promise.all(probes);
}
