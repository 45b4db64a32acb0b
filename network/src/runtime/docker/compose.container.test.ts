import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { scrape, valueOf } from '../../fabric/metrics';
import { sharedNetwork, topology } from '../../testing/live';
import { locateToolchain } from '../../toolchain';
import { allNodes, peers } from '../../topology';
import { run } from '../../util/exec';
import { repoRoot } from '../../util/paths';
import { sleep } from '../../util/retry';
import { probe } from '../native/supervisor';
import { composeEnv, composePath } from './compose';
import { LABEL } from './container';

/*
 * The committed docker-compose.yaml against the network the docker runtime made (the test runner's
 * container phase): the runtime's containers stopped, docker-compose starts the same nodes again from
 * the same state, with their ledgers; then the runtime takes over again for the tests after this one.
 */
const network = sharedNetwork();
const channel = topology.channel.name;

async function heights(): Promise<(number | undefined)[]> {
  return Promise.all(peers(topology).map(async (p) => valueOf(await scrape(p.operationsEndpoint), 'ledger_blockchain_height', { channel })));
}

void describe('docker-compose.yaml on the containerised network', { timeout: 600_000 }, () => {
  void it('starts every node of the model again from the network\'s state, healthy, with its ledger, and takes it down leaving no container', async () => {
    const before = await heights();
    const env = { ...process.env, ...composeEnv(network.layout.root, repoRoot, (await locateToolchain()).cacheDir) };
    const compose = (args: readonly string[]): Promise<unknown> => run('docker-compose', ['--file', composePath, '--project-name', 'energysale-test', ...args], { env, timeoutMs: 300_000 });
    const nodes = allNodes(topology);
    await network.down();
    try {
      await compose(['up', '--detach', ...nodes.map((n) => n.id)]);
      const records = nodes.map((n) => ({ id: n.id, health: n.kind === 'chaincode' ? { kind: 'tcp' as const, endpoint: n.endpoint } : { kind: 'http' as const, url: `http://${n.operationsEndpoint}/healthz` } }));
      let unhealthy = records.map((r) => r.id);
      for (let waited = 0; unhealthy.length > 0 && waited < 90_000; waited += 1000) {
        await sleep(1000);
        const checks = await Promise.all(records.map(async (r) => ((await probe(r.health)) ? undefined : r.id)));
        unhealthy = checks.filter((id): id is string => id !== undefined);
      }
      assert.deepEqual(unhealthy, [], 'not healthy under docker-compose');
      const labels = (await run('docker', ['ps', '--filter', 'label=com.docker.compose.project=energysale-test', '--format', `{{.Names}} {{.Label "${LABEL.host}"}}`])).stdout.trim().split('\n');
      assert.equal(labels.length, nodes.length);
      for (const node of nodes) assert.ok(labels.includes(`${node.id} ${node.host.name}`), `${node.id} on ${node.host.name}: ${labels.join(', ')}`);
      // The ledgers are the network's own: at least as high as before.
      const after = await heights();
      after.forEach((h, i) => {
        assert.ok((h ?? 0) >= (before[i] ?? Number.POSITIVE_INFINITY), `${peers(topology)[i]?.id ?? ''}: height ${String(h)} < ${String(before[i])}`);
      });
    } finally {
      await compose(['down', '--remove-orphans']);
      const left = (await run('docker', ['ps', '--all', '--quiet', '--filter', 'label=com.docker.compose.project=energysale-test'])).stdout.trim();
      assert.equal(left, '', 'containers left behind by docker-compose down');
      // The runtime brings the same network back for the tests after this one.
      await network.up(() => undefined);
    }
  });
});
