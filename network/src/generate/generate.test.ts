import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { identityFiles } from '../crypto/identity-files';
import { parseMetrics, valueOf } from '../fabric/metrics';
import { CLIENT_AUTH_MODES, energysale, orderers, peers, withClientAuth } from '../topology';
import { CHANNEL_PROFILE, configtx } from './configtx';
import { ordererConfig } from './orderer-config';
import { CCAAS_CONFIG_ENV, peerConfig } from './peer-config';
import { deepMerge, type Yaml } from './sampleconfig';

const get = (doc: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Yaml | undefined)?.[k], doc);

void describe('deepMerge', () => {
  void it('merges maps key by key and replaces lists and scalars whole', () => {
    const merged = deepMerge({ a: { b: 1, c: [1, 2] }, d: 'x' }, { a: { c: [3] }, e: true });
    assert.deepEqual(merged, { a: { b: 1, c: [3] }, d: 'x', e: true });
  });
});

void describe('configtx', () => {
  const doc = configtx({
    topology: energysale,
    orgMspDir: (key) => `/state/orgs/${key}/msp`,
    ordererIdentity: (o) => identityFiles(`/state/${o.node.name}`),
  });
  const profile = get(doc, `Profiles.${CHANNEL_PROFILE}`);

  void it('makes the 3 orderers the Raft consenters, at their cluster listeners', () => {
    const consenters = get(profile, 'Orderer.EtcdRaft.Consenters') as { Host: string; Port: number; ServerTLSCert: string }[];
    assert.deepEqual(consenters.map((c) => `${c.Host}:${c.Port}`), orderers(energysale).map((o) => o.clusterEndpoint));
    assert.equal(consenters[0]?.ServerTLSCert, '/state/orderer0/tls/cert.pem');
    assert.equal(get(profile, 'Orderer.OrdererType'), 'etcdraft');
  });

  void it('puts the 3 peer orgs in the application with their anchor peers and a MAJORITY lifecycle policy', () => {
    const orgs = get(profile, 'Application.Organizations') as Yaml[];
    assert.deepEqual(orgs.map((o) => o.ID), ['ExchangeOrgMSP', 'ConsumerOrgMSP', 'RetailerOrgMSP']);
    const anchor = peers(energysale).find((p) => p.org.key === 'exchange' && p.node.name === 'peer0');
    assert.deepEqual(get(orgs[0], 'AnchorPeers'), [{ Host: anchor?.host.address, Port: anchor?.node.ports.listen }]);
    assert.deepEqual(get(profile, 'Application.Policies.LifecycleEndorsement'), { Type: 'ImplicitMeta', Rule: 'MAJORITY Endorsement' });
    assert.equal(get(orgs[1], 'Policies.Endorsement.Rule'), "OR('ConsumerOrgMSP.peer')");
  });
});

void describe('node configs', () => {
  const sample: Yaml = { peer: { id: 'jdoe', listenAddress: '0.0.0.0:1', keepalive: { interval: '7200s' } }, vm: { endpoint: 'unix:///var/run/docker.sock' } };

  void it("a peer binds only its model endpoint, keeps sampleconfig's other settings, and needs no Docker", () => {
    const peer = peers(energysale)[3];
    assert.ok(peer);
    const config = peerConfig(sample, {
      topology: energysale,
      peer,
      identity: identityFiles('/id'),
      dataDir: '/data',
      externalBuilderDir: '/builder',
      clientRootCas: ['/ca1', '/ca2'],
    });
    assert.equal(get(config, 'peer.listenAddress'), peer.endpoint);
    assert.equal(get(config, 'peer.keepalive.interval'), '7200s');
    assert.equal(get(config, 'vm.endpoint'), '');
    assert.deepEqual(get(config, 'peer.tls.clientRootCAs.files'), ['/ca1', '/ca2']);
    const builders = get(config, 'chaincode.externalBuilders') as Yaml[];
    assert.deepEqual(builders[0]?.propagateEnvironment, [CCAAS_CONFIG_ENV]);
    // Gossip bootstraps from the org's other peers, never from another org.
    const bootstrap = String(get(config, 'peer.gossip.bootstrap')).split(' ');
    assert.ok(bootstrap.every((e) => peers(energysale).some((p) => p.endpoint === e && p.org.key === peer.org.key && p.id !== peer.id)));
  });

  void it('an orderer has no system channel and serves osnadmin to the ordering org only', () => {
    const orderer = orderers(energysale)[1];
    assert.ok(orderer);
    const config = ordererConfig({}, { orderer, clientAuth: 'required', identity: identityFiles('/id'), dataDir: '/data', clientRootCas: ['/a'], adminRootCa: '/ordering-ca' });
    assert.equal(get(config, 'General.BootstrapMethod'), 'none');
    assert.equal(get(config, 'Admin.ListenAddress'), orderer.adminEndpoint);
    assert.deepEqual(get(config, 'Admin.TLS.ClientRootCAs'), ['/ordering-ca']);
  });

  void it('client authentication optional opens only the client ports: Raft has its own listener and osnadmin still requires a certificate', () => {
    const orderer = orderers(energysale)[0];
    const peer = peers(energysale)[0];
    assert.ok(orderer && peer);
    for (const clientAuth of CLIENT_AUTH_MODES) {
      const topology = withClientAuth(energysale, clientAuth);
      const conf = ordererConfig({}, { orderer, clientAuth, identity: identityFiles('/id'), dataDir: '/data', clientRootCas: ['/a'], adminRootCa: '/ordering-ca' });
      assert.equal(get(conf, 'General.TLS.ClientAuthRequired'), clientAuth === 'required');
      assert.equal(get(conf, 'Admin.TLS.ClientAuthRequired'), true);
      assert.equal(get(conf, 'General.Cluster.ListenPort'), orderer.node.ports.cluster);
      assert.notEqual(orderer.node.ports.cluster, orderer.node.ports.listen);
      const core = peerConfig({}, { topology, peer, identity: identityFiles('/id'), dataDir: '/data', externalBuilderDir: '/builder', clientRootCas: ['/ca1'] });
      assert.equal(get(core, 'peer.tls.clientAuthRequired'), clientAuth === 'required');
    }
    // The setting is not part of the model's identity: `required` is the model as written.
    assert.deepEqual(withClientAuth(withClientAuth(energysale, 'optional'), 'required'), energysale);
  });
});

void describe('parseMetrics', () => {
  void it('reads samples with labels from the Prometheus text format', () => {
    const samples = parseMetrics(
      '# HELP x\n# TYPE consensus_etcdraft_is_leader gauge\nconsensus_etcdraft_is_leader{channel="retailchannel"} 1\nledger_blockchain_height{channel="a b"} 12\nup 1e+00\n',
    );
    assert.equal(valueOf(samples, 'consensus_etcdraft_is_leader', { channel: 'retailchannel' }), 1);
    assert.equal(valueOf(samples, 'ledger_blockchain_height', { channel: 'a b' }), 12);
    assert.equal(valueOf(samples, 'up'), 1);
    assert.equal(valueOf(samples, 'ledger_blockchain_height', { channel: 'other' }), undefined);
  });
});
