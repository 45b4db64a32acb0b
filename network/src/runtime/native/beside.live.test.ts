import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { sharedNetwork, topology } from '../../testing/live';
import { energysale, HOSTS_VARIABLE, peers } from '../../topology';
import { StateLayout } from '../../state/layout';
import { repoRoot } from '../../util/paths';
import { NativeNetwork, stateTopology } from './network';
import { isRunning, Supervisor } from './supervisor';

const run = promisify(execFile);
const cli = join(repoRoot, 'network', 'dist', 'cli', 'main.js');

/** The environment of a user's shell: no test state, no hosts setting (the model's addresses). */
function userEnv(state: string): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries({ ...process.env, ENERGYSALE_STATE: state }).filter(([name]) => name !== HOSTS_VARIABLE));
}

const healthy = async (network: NativeNetwork): Promise<string[]> => (await network.status()).filter((n) => !n.healthy).map((n) => n.id);

/*
 * The test network and a user's network side by side: the tests run on host addresses of their own
 * (ENERGYSALE_HOSTS, set by the test command), so a network on the model's own addresses (what
 * `npm run main` leaves running under network/.state) shares no port with them. When the user's
 * default network runs, it is the one beside; otherwise one is brought up on the model's addresses
 * in a state of its own, and removed.
 */
void describe('a network on the model addresses beside the test network (live)', { timeout: 600_000 }, () => {
  void it('runs healthy at the same time as the test network, on the same ports at other addresses', async () => {
    const model = new Set(energysale.hosts.map((h) => h.address));
    const shared = topology.hosts.filter((h) => model.has(h.address)).map((h) => `${h.name} ${h.address}`);
    assert.deepEqual(shared, [], `the test network sits on the model's own addresses (${HOSTS_VARIABLE} unset?)`);

    const userDefault = new StateLayout(join(repoRoot, 'network', '.state'));
    const userRuns = (await new Supervisor(userDefault).records()).some(isRunning);
    const layout = userRuns ? userDefault : new StateLayout(join(repoRoot, 'network', '.state-test-beside'));
    const env = userEnv(layout.root);
    try {
      if (!userRuns) {
        await run(process.execPath, [cli, 'down'], { env });
        await run(process.execPath, [cli, 'clean'], { env });
        await run(process.execPath, [cli, 'up'], { env, timeout: 480_000 });
      }
      const beside = new NativeNetwork(stateTopology(layout, env).topology, layout);
      const [ours, theirs] = [peers(topology)[0], peers(beside.topology)[0]];
      assert.ok(ours && theirs);
      assert.equal(ours.endpoint.split(':')[1], theirs.endpoint.split(':')[1], 'the two peers listen on one port number');
      assert.notEqual(ours.host.address, theirs.host.address);

      assert.deepEqual(await healthy(beside), [], 'the network on the model addresses is not healthy');
      assert.deepEqual(await healthy(sharedNetwork()), [], 'the test network is not healthy beside it');
    } finally {
      if (!userRuns) {
        await run(process.execPath, [cli, 'down'], { env });
        await run(process.execPath, [cli, 'clean'], { env });
      }
    }
    if (!userRuns) assert.deepEqual((await new Supervisor(layout).records()).filter(isRunning), [], 'the network beside was left running');
  });
});
