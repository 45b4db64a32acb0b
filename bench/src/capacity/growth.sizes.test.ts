import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { NativeNetwork, newStateTopology } from '@energysale/network';

import { growthLayout, runGrowth } from './growth';
import type { SweepPlan } from './sweep';

/** The smallest plan that still has a USL fit, a knee step and a gateway step per scenario. */
const plan: SweepPlan = { users: [1, 2, 4], rates: { add_order: [5], order_query: [50] }, duration: '3s', warmup: '1s', preloadOrdersPerUser: 1, gatewayUsers: [4] };

/*
 * Cost growth on real networks: with the shared network down, each size of the model is brought up
 * in its own state, swept, and taken down; the growth report compares them.
 */
void describe('cost growth over the sizes of the model (live: each size up in turn)', { timeout: 1_200_000 }, () => {
  void it('sweeps the reduced (3 peers) and the paper (7 peers) network and compares their cost per transaction', async () => {
    const reports = await mkdtemp(join(tmpdir(), 'growth-live-'));
    const { dir, report } = await runGrowth(['paper', 'reduced'], 'tiny', (line) => process.stdout.write(`# ${line}\n`), reports, { plan });
    assert.deepEqual(report.sizes.map((s) => [s.size, s.peers, s.orgs, s.orderers]), [['reduced', 3, 3, 3], ['paper', 7, 3, 3]]);
    for (const size of report.sizes) {
      assert.deepEqual(size.figures.map((f) => f.scenario), ['add_order', 'order_query']);
      for (const f of size.figures) assert.ok(f.throughputPerS > 0 && f.chainCpuMsPerTx !== null && f.chainCpuMsPerTx > 0 && f.machineCpuPct > 0, `${size.size} ${f.scenario}: ${JSON.stringify(f)}`);
      const capacity = JSON.parse(await readFile(join(size.report, 'capacity.json'), 'utf8')) as { meta: { topology: { size: string } }; ceilings: unknown[] };
      assert.equal(capacity.meta.topology.size, size.size);
      assert.equal(capacity.ceilings.length, 2);
    }
    assert.match(report.findings[0] ?? '', /^add_order, (5\/s offered|\d users): chain CPU per transaction [\d.]+ ms on 3 peers, [\d.]+ ms on 7/);
    for (const file of ['growth.json', 'growth.csv', 'growth.html']) assert.ok(existsSync(join(dir, file)), file);
    assert.equal(((await readFile(join(dir, 'growth.html'), 'utf8')).match(/<svg /g) ?? []).length, 2);
    // Each size's network was taken down after its sweep.
    for (const size of ['reduced', 'paper'] as const) {
      const network = new NativeNetwork(newStateTopology(size), growthLayout(size));
      assert.deepEqual((await network.status()).filter((n) => n.running).map((n) => n.id), [], `${size} still runs`);
    }
  });
});
