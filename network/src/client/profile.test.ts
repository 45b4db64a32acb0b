import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';

import { parse } from 'yaml';

import { identityOf } from '../crypto/org-crypto';
import { StateLayout } from '../state/layout';
import { certificateAuthorities, energysale, orderers, peers, withClientAuth, type CaInfo } from '../topology';
import { connectionProfile, profileText } from './profile';

/** A state with each org's CA root written, as `up` leaves it (the profile inlines them). */
function layoutWithRoots(): StateLayout {
  const layout = new StateLayout(mkdtempSync(join(tmpdir(), 'profile-')));
  for (const org of [...energysale.peerOrgs, energysale.ordererOrg]) {
    mkdirSync(dirname(layout.caCert(org.key)), { recursive: true });
    writeFileSync(layout.caCert(org.key), `-----BEGIN CERTIFICATE-----\n${org.key}\n-----END CERTIFICATE-----\n`);
  }
  return layout;
}

/** An org's CA as the model derives it. */
function caOf(org: string): CaInfo {
  const ca = certificateAuthorities(energysale).find((c) => c.org.key === org);
  assert.ok(ca);
  return ca;
}

void describe('connection profile', () => {
  const layout = layoutWithRoots();
  const profile = connectionProfile(energysale, layout, 'consumer');

  void it("is the org's, in the common connection profile format", () => {
    assert.equal(profile.version, '1.0.0');
    assert.equal(profile.client.organization, 'ConsumerOrg');
    const consumer = profile.organizations.ConsumerOrg;
    assert.ok(consumer);
    assert.equal(consumer.mspid, 'ConsumerOrgMSP');
    assert.deepEqual(consumer.peers, peers(energysale).filter((p) => p.org.key === 'consumer').map((p) => p.id));
    assert.deepEqual(consumer.certificateAuthorities, [caOf('consumer').id]);
  });

  void it('names every peer of the channel (any may endorse) at its address, with its TLS root and the name its certificate carries', () => {
    assert.deepEqual(Object.keys(profile.organizations), energysale.peerOrgs.map((o) => o.name));
    for (const p of peers(energysale)) {
      assert.deepEqual(profile.peers[p.id], {
        url: `grpcs://${p.endpoint}`,
        tlsCACerts: { pem: `-----BEGIN CERTIFICATE-----\n${p.org.key}\n-----END CERTIFICATE-----\n` },
        grpcOptions: { 'ssl-target-name-override': p.id, hostnameOverride: p.id },
      });
    }
    assert.deepEqual(Object.keys(profile.channels[energysale.channel.name]?.peers ?? {}), peers(energysale).map((p) => p.id));
  });

  void it('names the orderers and the peer orgs\' CAs', () => {
    assert.deepEqual(Object.keys(profile.orderers), orderers(energysale).map((o) => o.id));
    assert.deepEqual(profile.channels[energysale.channel.name]?.orderers, orderers(energysale).map((o) => o.id));
    const ca = caOf('consumer');
    assert.deepEqual(profile.certificateAuthorities[ca.id], {
      url: ca.url,
      caName: ca.ca.name,
      tlsCACerts: { pem: ['-----BEGIN CERTIFICATE-----\nconsumer\n-----END CERTIFICATE-----\n'] },
      httpOptions: { verify: false },
    });
    assert.ok(!(caOf('orderer').id in profile.certificateAuthorities));
  });

  void it("gives each org's admin and users their MSP directories", () => {
    const consumer1 = identityOf(layout, 'consumer', 'consumer1');
    assert.deepEqual(profile.organizations.ConsumerOrg?.users.consumer1, { mspDir: consumer1.mspDir, cert: { path: consumer1.signCert }, key: { path: consumer1.signKey } });
    assert.deepEqual(Object.keys(profile.organizations.ExchangeOrg?.users ?? {}), ['orgadmin', 'exchange1', 'regulator1']);
  });

  void it("names the org's TLS client identity only while client certificates are required", () => {
    const tls = identityOf(layout, 'consumer', 'app-tls');
    assert.deepEqual(profile.client.tlsCerts, { client: { cert: { path: tls.tlsCert }, key: { path: tls.tlsKey } } });
    assert.equal(connectionProfile(withClientAuth(energysale, 'optional'), layout, 'consumer').client.tlsCerts, undefined);
    assert.equal(connectionProfile(energysale, layout, 'consumer', { clientAuth: 'optional' }).client.tlsCerts, undefined);
  });

  void it('gives paths instead of PEM when asked', () => {
    const byPath = connectionProfile(energysale, layout, 'ConsumerOrgMSP', { certificates: 'path' });
    const exchangePeer = peers(energysale).find((p) => p.org.key === 'exchange');
    assert.ok(exchangePeer);
    assert.deepEqual(byPath.peers[exchangePeer.id]?.tlsCACerts, { path: layout.caCert('exchange') });
    assert.deepEqual(byPath.certificateAuthorities[caOf('consumer').id]?.tlsCACerts, { path: layout.caCert('consumer') });
  });

  void it('reads back the same from its JSON and its YAML', () => {
    assert.deepEqual(JSON.parse(profileText(profile)), profile);
    assert.deepEqual(parse(profileText(profile, 'yaml')), profile);
  });

  void it('refuses an org that is not a peer org of the model', () => {
    assert.throws(() => connectionProfile(energysale, layout, 'orderer'), /unknown org "orderer"/);
  });
});
