import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { basename, dirname } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import {
  chaincodeServers,
  composeEnv,
  composePath,
  CONTAINER_LABEL,
  deploymentContainers,
  locateToolchain,
  NativeNetwork,
  readRuntime,
  startMonitoring,
  stateComposePath,
  StateLayout,
  stateTopology,
} from '@energysale/network';
import { startServiceTier } from '@energysale/service';
import { DockerComposeEnvironment, Wait, type StartedDockerComposeEnvironment } from 'testcontainers';

import { assertLedgersKept, assertOrderRoundTrip, ledgerHeights, ourContainers } from './deployment-checks';

/*
 * The compose file under testcontainers (the committed docker-compose.yaml, or the same generated for
 * the test network's host addresses), against the network the docker runtime
 * made (the test runner's container phase). The runtime's containers stopped, testcontainers brings
 * the compose deployment up from the same state with the local images (nodes, retail service, nginx,
 * monitoring) and waits on each container's healthcheck; the chaincode is deployed onto it (a new
 * revision: install, approve, commit, its servers started beside the compose project as Fabric's
 * samples run chaincode-as-a-service); an order is submitted and read back through nginx and the
 * service. Then everything goes, and the runtime brings the same network back for later tests.
 */
const topology = stateTopology().topology;
const layout = new StateLayout();
const network = new NativeNetwork(topology, layout);
const project = 'energysale-testcontainers';
const run = promisify(execFile);

void describe('docker-compose.yaml under testcontainers (the compose deployment)', { timeout: 900_000 }, () => {
  void it('comes up healthy from local images, takes the chaincode, serves an order, and leaves no container or network behind', async () => {
    assert.equal((await readRuntime(layout)).kind, 'docker', 'the network under test is not in the docker runtime');
    // The service tier and monitoring once through the runtime: their launch scripts are in the state.
    const tier = await startServiceTier(layout, { withLb: true });
    await startMonitoring(layout, topology);
    const before = await ledgerHeights(topology);
    await network.down();
    assert.deepEqual(await ourContainers(), [], 'the runtime left containers behind');

    // No registry here: testcontainers' reaper image (Ryuk) cannot be pulled; the test removes what it made.
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    const servers = new Set(chaincodeServers(topology).map((s) => s.id));
    const services = deploymentContainers(topology).filter((c) => !servers.has(c.id));
    let environment: StartedDockerComposeEnvironment | undefined;
    try {
      const file = await stateComposePath(topology, layout.root);
      environment = await new DockerComposeEnvironment(dirname(file), basename(file))
        .withProjectName(project)
        .withEnvironment(composeEnv(layout.root, dirname(composePath), (await locateToolchain()).cacheDir))
        // Debian ships docker-compose 1.x (no `docker compose` plugin).
        .withClientOptions({ executable: { standalone: true } })
        .withDefaultWaitStrategy(Wait.forHealthCheck())
        .withStartupTimeout(180_000)
        .up(services.map((c) => c.id));
      for (const c of services) {
        const container = environment.getContainer(c.id);
        assert.equal(container.getLabels()[CONTAINER_LABEL.host], c.host?.name, `${c.id} is not labelled with its host`);
      }
      // The ledgers are the network's own: at least as high as before.
      await assertLedgersKept(topology, before);

      const deployed = await network.deploy(() => undefined, { revision: `compose${Date.now().toString(36)}` });
      assert.equal(deployed.committed, true, 'the new revision was not committed');

      await assertOrderRoundTrip(topology, layout, tier.url);
    } finally {
      await network.down();
      await environment?.down({ timeout: 30_000 });
      assert.deepEqual(await ourContainers(), [], 'containers left behind');
      const { stdout } = await run('docker', ['network', 'ls', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Name}}']);
      assert.equal(stdout.trim(), '', 'networks left behind');
      // The runtime brings the same network back for the tests after this one.
      await network.up(() => undefined);
    }
  });
});
