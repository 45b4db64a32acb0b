import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { CONTAINER_LABEL, deployStack, deploymentContainers, hostLabel, NativeNetwork, readRuntime, removeStack, stackContainers, startMonitoring, StateLayout, stateTopology } from '@energysale/network';
import { startServiceTier } from '@energysale/service';

import { assertLedgersKept, assertOrderRoundTrip, ledgerHeights, ourContainers } from './deployment-checks';

/*
 * The swarm stack (deploy/swarm) deployed by the engine's own swarm, against the network the docker
 * runtime made (the test runner's container phase): the runtime's containers stopped, `network stack
 * up` makes a single-node swarm carrying the four hosts' labels and deploys the stack from the same
 * state with the local images; every service must come up healthy on its host, with the network's
 * own ledgers, and serve an order through nginx and a service instance. `stack down` must leave no
 * container, no swarm and no network of swarm's behind; the runtime then brings the network back.
 */
const topology = stateTopology().topology;
const layout = new StateLayout();
const network = new NativeNetwork(topology, layout);
const run = promisify(execFile);
const log = (): void => undefined;

async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args)).stdout.trim();
}

void describe('the docker swarm stack on a single-node swarm', { timeout: 900_000 }, () => {
  void it('deploys healthy from the state, places each service on its host, serves an order, and leaves nothing behind', async () => {
    assert.equal((await readRuntime(layout)).kind, 'docker', 'the network under test is not in the docker runtime');
    assert.equal(await docker('info', '--format', '{{.Swarm.LocalNodeState}}'), 'inactive', 'this engine is in a swarm already: the test makes its own');
    const networksBefore = await docker('network', 'ls', '--format', '{{.Name}}');
    // The service tier and monitoring once through the runtime: their launch scripts are in the state.
    const tier = await startServiceTier(layout, { withLb: true });
    await startMonitoring(layout, topology);
    const before = await ledgerHeights(topology);
    await network.down();
    assert.deepEqual(await ourContainers(), [], 'the runtime left containers behind');

    try {
      const record = await deployStack(topology, layout, log);
      assert.equal(record.initialised, true);
      // Every container of the deployment, one task each, healthy, labelled with its model host.
      const running = await stackContainers();
      assert.deepEqual(running.map((c) => c.node).sort(), deploymentContainers(topology).map((c) => c.id).sort());
      for (const c of deploymentContainers(topology)) {
        const host = await docker('ps', '--filter', `label=${CONTAINER_LABEL.node}=${c.id}`, '--format', `{{.Label "${CONTAINER_LABEL.host}"}}`);
        assert.equal(host, c.host?.name, `${c.id} runs labelled ${host}`);
      }
      const labels = await docker('node', 'inspect', 'self', '--format', '{{json .Spec.Labels}}');
      assert.deepEqual(Object.keys(JSON.parse(labels) as Record<string, string>).sort(), topology.hosts.map((h) => hostLabel(h.name)).sort());
      await assertLedgersKept(topology, before);
      await assertOrderRoundTrip(topology, layout, tier.url);
    } finally {
      await removeStack(layout, log);
      assert.deepEqual(await ourContainers(), [], 'containers left behind');
      assert.equal(await docker('info', '--format', '{{.Swarm.LocalNodeState}}'), 'inactive', 'the swarm was not left');
      assert.equal(await docker('network', 'ls', '--format', '{{.Name}}'), networksBefore, 'networks left behind');
      // The runtime brings the same network back for the tests after this one.
      await network.up(log);
    }
  });
});
