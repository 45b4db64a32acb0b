import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { before, describe, it } from 'node:test';

import { identityOf, ORG_ADMIN } from '../../crypto/org-crypto';
import { sharedNetwork, topology } from '../../testing/live';
import { http2Probe, rogueClientIdentity, type TlsClient } from '../../testing/tls-probe';
import { certificateAuthorities, chaincodeServers, orderers, peers, type NodeInfo } from '../../topology';

const network = sharedNetwork();
const layout = network.layout;

/** A TLS client trusting `node`'s org CA and presenting the TLS certificate of `identity` (org key, name). */
function client(node: NodeInfo, identity?: { org: string; name: string }): TlsClient {
  const ca = readFileSync(layout.caCert(node.org.key));
  if (!identity) return { ca, servername: node.id };
  const files = identityOf(layout, identity.org, identity.name);
  return { ca, servername: node.id, cert: readFileSync(files.tlsCert), key: readFileSync(files.tlsKey) };
}

void describe('TLS everywhere (live)', () => {
  let rogue: { ca: Buffer; cert: Buffer; key: Buffer };
  before(async () => {
    rogue = await rogueClientIdentity();
  });

  const grpcNodes = (): NodeInfo[] => [...peers(topology), ...orderers(topology)];

  void it('peers and orderers accept a client with a certificate from an org CA (the control)', async () => {
    for (const node of grpcNodes()) {
      assert.equal(await http2Probe(node.endpoint, client(node, { org: 'consumer', name: 'consumer1' })), 'accepted', node.id);
    }
  });

  void it('peers and orderers refuse plaintext clients', async () => {
    for (const node of grpcNodes()) assert.equal(await http2Probe(node.endpoint), 'refused', node.id);
  });

  void it('peers and orderers refuse TLS clients without a certificate or with one from an unknown CA', async () => {
    for (const node of grpcNodes()) {
      assert.equal(await http2Probe(node.endpoint, client(node)), 'refused', `${node.id} without certificate`);
      const withRogue = { ...client(node), cert: rogue.cert, key: rogue.key };
      assert.equal(await http2Probe(node.endpoint, withRogue), 'refused', `${node.id} with unknown-CA certificate`);
    }
  });

  void it("a chaincode server accepts only its own org's peers, over TLS", async () => {
    for (const server of chaincodeServers(topology)) {
      const own = peers(topology).find((p) => p.org.key === server.org.key);
      const other = peers(topology).find((p) => p.org.key !== server.org.key);
      assert.ok(own && other);
      assert.equal(await http2Probe(server.endpoint, client(server, { org: own.org.key, name: own.node.name })), 'accepted', server.id);
      assert.equal(await http2Probe(server.endpoint, client(server, { org: other.org.key, name: other.node.name })), 'refused', server.id);
      assert.equal(await http2Probe(server.endpoint), 'refused', `${server.id} plaintext`);
    }
  });

  void it("the channel participation API accepts only the ordering org's admins", async () => {
    for (const o of orderers(topology)) {
      const list = (tls: TlsClient): Promise<number> => httpsStatus(`https://${o.adminEndpoint}/participation/v1/channels`, tls);
      assert.equal(await list(client(o, { org: o.org.key, name: ORG_ADMIN })), 200, o.id);
      assert.equal(await list(client(o, { org: 'exchange', name: ORG_ADMIN })), 0, `${o.id} with a peer org's admin`);
      assert.equal(await list(client(o)), 0, `${o.id} without certificate`);
    }
  });

  void it('CAs serve HTTPS only, with a certificate from the org CA', async () => {
    for (const ca of certificateAuthorities(topology)) {
      const plain = await fetch(`http://${ca.endpoint}/cainfo`).then(
        (r) => r.status,
        () => 0,
      );
      assert.notEqual(plain, 200, `${ca.id} answered plaintext`);
      const get = (trust: Buffer): Promise<number> => httpsStatus(`${ca.url}/cainfo`, { ca: trust, servername: ca.id });
      assert.equal(await get(readFileSync(layout.caCert(ca.org.key))), 200, `${ca.id} over TLS`);
      assert.equal(await get(rogue.ca), 0, `${ca.id} trusted by a client of another CA`);
    }
  });
});

/** Status of an HTTPS GET, or 0 when the TLS handshake or the connection failed. */
function httpsStatus(url: string, tls: TlsClient): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { ca: tls.ca, cert: tls.cert, key: tls.key, servername: tls.servername, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => {
      resolve(0);
    });
    req.end();
  });
}
