import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { parse } from 'yaml';

import { fetchChannelConfig } from '../channel/config';
import { sharedNetwork, topology } from '../testing/live';
import { allNodes, orderers, peers } from '../topology';

const network = sharedNetwork();
const layout = network.layout;

type Doc = Record<string, unknown>;
const readYaml = async (file: string): Promise<Doc> => parse(await readFile(file, 'utf8')) as Doc;
const get = (doc: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Doc | undefined)?.[k], doc);

void describe('generated artefacts agree with the topology model (live)', () => {
  void it("each peer's core.yaml binds the model's addresses, with mutual TLS and the ccaas builder", async () => {
    for (const p of peers(topology)) {
      const core = await readYaml(join(layout.nodeConfigDir(p), 'core.yaml'));
      assert.equal(get(core, 'peer.id'), p.id);
      assert.equal(get(core, 'peer.listenAddress'), p.endpoint);
      assert.equal(get(core, 'peer.gossip.externalEndpoint'), p.endpoint);
      assert.equal(get(core, 'peer.chaincodeListenAddress'), p.chaincodeEndpoint);
      assert.equal(get(core, 'operations.listenAddress'), p.operationsEndpoint);
      assert.equal(get(core, 'peer.localMspId'), p.org.mspId);
      assert.equal(get(core, 'peer.tls.enabled'), true);
      assert.equal(get(core, 'peer.tls.clientAuthRequired'), true);
      assert.equal(get(core, 'ledger.state.stateDatabase'), 'goleveldb');
      assert.equal(get(core, 'ledger.state.couchDBConfig.couchDBAddress'), p.couchdb.endpoint, 'the CouchDB the compose profile publishes');
      assert.equal((get(core, 'chaincode.externalBuilders') as Doc[])[0]?.name, 'ccaas');
    }
  });

  void it("each orderer's orderer.yaml binds the model's addresses, without a system channel", async () => {
    for (const o of orderers(topology)) {
      const conf = await readYaml(join(layout.nodeConfigDir(o), 'orderer.yaml'));
      assert.equal(`${String(get(conf, 'General.ListenAddress'))}:${String(get(conf, 'General.ListenPort'))}`, o.endpoint);
      assert.equal(get(conf, 'Admin.ListenAddress'), o.adminEndpoint);
      assert.equal(get(conf, 'Operations.ListenAddress'), o.operationsEndpoint);
      assert.equal(get(conf, 'General.BootstrapMethod'), 'none');
      assert.equal(get(conf, 'ChannelParticipation.Enabled'), true);
      assert.equal(get(conf, 'General.TLS.ClientAuthRequired'), true);
      assert.equal(`${String(get(conf, 'General.Cluster.ListenAddress'))}:${String(get(conf, 'General.Cluster.ListenPort'))}`, o.clusterEndpoint);
    }
  });

  void it('the Fabric processes that run are exactly the nodes of the model', async () => {
    // The service tier and monitoring run beside the network, recorded in the same file.
    const besides: readonly string[] = ['service', 'lb', 'monitor'];
    const records = (await network.supervisor.records()).filter((r) => !besides.includes(r.kind));
    assert.deepEqual(records.map((r) => r.id).sort(), allNodes(topology).map((n) => n.id).sort());
  });

  void it("the channel's live config (fetched from the ordering service) has the model's consenters, endpoints and anchor peers", async () => {
    const [orderer] = orderers(topology);
    assert.ok(orderer);
    const { config } = await fetchChannelConfig(await network.context(), orderer);
    const groups = get(config, 'channel_group.groups') as Doc;

    const raft = get(groups, 'Orderer.values.ConsensusType.value.metadata.consenters') as { host: string; port: number }[];
    // Raft's consenters at their cluster listeners; clients reach the orderers at their endpoints.
    assert.deepEqual(raft.map((c) => `${c.host}:${c.port}`).sort(), orderers(topology).map((o) => o.clusterEndpoint).sort());
    const endpoints = get(groups, `Orderer.groups.${topology.ordererOrg.mspId}.values.Endpoints.value.addresses`) as string[];
    assert.deepEqual([...endpoints].sort(), orderers(topology).map((o) => o.endpoint).sort());

    for (const org of topology.peerOrgs) {
      const anchors = get(groups, `Application.groups.${org.mspId}.values.AnchorPeers.value.anchor_peers`) as { host: string; port: number }[];
      const expected = peers(topology).filter((p) => p.org.key === org.key && org.anchorPeers.includes(p.node.name)).map((p) => p.endpoint);
      assert.deepEqual(anchors.map((a) => `${a.host}:${a.port}`), expected, org.name);
    }
  });
});
