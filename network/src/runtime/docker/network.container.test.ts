import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { raftLeaders } from '../../channel/create';
import { ledgerHeight } from '../../fabric/metrics';
import { sharedNetwork, topology } from '../../testing/live';
import { locateToolchain } from '../../toolchain';
import { allNodes, peers } from '../../topology';
import { run } from '../../util/exec';
import { readRuntime } from '../choice';
import { isRunning } from '../native/supervisor';
import { LABEL } from './container';

/*
 * The model brought up with `network up --runtime docker` (the test runner's container phase): the
 * same nodes, addresses and channel as natively, each node a container labelled with its host.
 */
const network = sharedNetwork();

interface Inspected {
  readonly Name: string;
  readonly State: { readonly Running: boolean; readonly Pid: number };
  readonly Config: { readonly Labels: Record<string, string>; readonly Image: string };
  readonly HostConfig: { readonly NetworkMode: string };
}

void describe('the network in the docker runtime (containers)', () => {
  void it('records the docker runtime, and runs every node of the model healthy, each in its own container', async () => {
    assert.equal((await readRuntime(network.layout)).kind, 'docker');
    const nodes = await network.status();
    assert.deepEqual(nodes.filter((n) => !n.healthy).map((n) => n.id), []);
    const records = await network.supervisor.records();
    for (const node of allNodes(topology)) {
      const record = records.find((r) => r.id === node.id);
      assert.ok(record, `${node.id} has no record`);
      assert.equal(record.container, node.id, `${node.id} is not a container`);
      // The container's process, as this machine sees it.
      assert.ok(isRunning(record), `${node.id}: pid ${record.pid} is not running`);
    }
  });

  void it('labels each container with the host (VM) of the model it stands for, on the host network', async () => {
    const ids = allNodes(topology).map((n) => n.id);
    const inspected = JSON.parse((await run('docker', ['inspect', ...ids])).stdout) as Inspected[];
    assert.equal(inspected.length, ids.length);
    for (const node of allNodes(topology)) {
      const c = inspected.find((i) => i.Name === `/${node.id}`);
      assert.ok(c, `no container ${node.id}`);
      assert.equal(c.State.Running, true, node.id);
      assert.equal(c.Config.Labels[LABEL.host], node.host.name, node.id);
      assert.equal(c.Config.Labels[LABEL.address], node.host.address, node.id);
      assert.equal(c.Config.Labels[LABEL.kind], node.kind, node.id);
      assert.equal(c.HostConfig.NetworkMode, 'host', node.id);
    }
  });

  void it('orders and commits: one Raft leader, every peer at the same height after the deploy', async () => {
    const ctx = { topology, layout: network.layout, toolchain: await locateToolchain() };
    assert.equal((await raftLeaders(ctx)).length, 1);
    const channel = topology.channel.name;
    const heights = await Promise.all(peers(topology).map((p) => ledgerHeight(p, channel)));
    assert.ok(heights.every((h) => (h ?? 0) >= 1 && h === heights[0]), JSON.stringify(heights));
  });
});
