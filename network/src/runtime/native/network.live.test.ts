import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { raftLeaders } from '../../channel/create';
import { AdminCli } from '../../fabric/admin-cli';
import { ledgerHeight, scrape, valueOf } from '../../fabric/metrics';
import { sharedNetwork, topology } from '../../testing/live';
import { locateToolchain } from '../../toolchain';
import { orderers, peers } from '../../topology';

const network = sharedNetwork();

void describe('the native network (live)', () => {
  void it('runs every node of the model healthy: 3 orderers, 7 peers, 4 CAs, a chaincode server per host', async () => {
    const nodes = await network.status();
    const unhealthy = nodes.filter((n) => !n.healthy).map((n) => n.id);
    assert.deepEqual(unhealthy, []);
    const count = (kind: string): number => nodes.filter((n) => n.kind === kind).length;
    assert.deepEqual(
      { orderer: count('orderer'), peer: count('peer'), ca: count('ca'), chaincode: count('chaincode') },
      { orderer: 3, peer: 7, ca: 4, chaincode: 4 },
    );
  });

  void it('has the 3 orderers as Raft consenters of the channel with exactly one leader', async () => {
    const ctx = { topology, layout: network.layout, toolchain: await locateToolchain() };
    const cli = new AdminCli(ctx.toolchain, ctx.layout, topology);
    const channel = topology.channel.name;
    for (const o of orderers(topology)) {
      const info = (await cli.osnadmin(o, ['channel', 'list', '--channelID', channel])) as { consensusRelation: string; status: string };
      assert.equal(info.consensusRelation, 'consenter', o.id);
      assert.equal(info.status, 'active', o.id);
      assert.equal(valueOf(await scrape(o.operationsEndpoint), 'consensus_etcdraft_cluster_size', { channel }), 3, o.id);
    }
    assert.equal((await raftLeaders(ctx)).length, 1);
  });

  void it('serves Prometheus metrics on every peer and orderer operations endpoint', async () => {
    const channel = topology.channel.name;
    for (const node of [...peers(topology), ...orderers(topology)]) {
      const height = await ledgerHeight(node, channel);
      assert.ok((height ?? 0) >= 1, `${node.id}: ledger_blockchain_height ${String(height)}`);
    }
  });
});
