import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { NativeNetwork, StateLayout } from '@energysale/network';

import { FAULT_NAMES } from './faults';
import { runReliability } from './run';

/*
 * The bounded (CI) variant of the reliability suite on the shared network: every fault under the
 * 30-user add-order load, undone within it; nothing acknowledged lost. It kills and stops nodes, so
 * it runs with the lifecycle tests, after the shared-network tests.
 */
void describe('faults under load (live; kills and restores nodes of the shared network)', { timeout: 1_500_000 }, () => {
  void it('loses no acknowledged write through any fault, keeps acknowledging writes through every fault, and every peer agrees after', async () => {
    const reports = await mkdtemp(join(tmpdir(), 'reliability-'));
    const { dir, report } = await runReliability('ci', (line) => process.stdout.write(`# ${line}\n`), reports);
    assert.deepEqual(report.faults.map((f) => f.fault), [...FAULT_NAMES]);
    for (const f of report.faults) {
      assert.ok(f.hit.length > 0, `${f.fault}: hit nothing`);
      assert.ok(f.sent > 0 && f.acknowledged > 0, `${f.fault}: no load`);
      assert.deepEqual(f.reconciliation.lost, [], `${f.fault}: acknowledged writes lost`);
      assert.deepEqual(f.reconciliation.duplicated, [], `${f.fault}: duplicated`);
    }
    assert.deepEqual(report.verdicts.filter((v) => !v.durable), [], 'the bar: zero acknowledged writes lost');
    assert.deepEqual(report.verdicts.filter((v) => !v.available), [], 'writes acknowledged while each fault lasted');
    assert.ok(existsSync(join(dir, 'reliability.json')));
    assert.match(await readFile(join(dir, 'reliability.md'), 'utf8'), /\| orderer-leader \|/);
    // The network is whole again: every node of the model healthy.
    const unhealthy = (await (await NativeNetwork.ofState(new StateLayout())).status()).filter((n) => !n.healthy).map((n) => n.id);
    assert.deepEqual(unhealthy, []);
  });
});
