import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { StateLayout, stateTopology } from '@energysale/network';

import type { CaliperNetworkConfig } from './network-config';
import { CaliperFailedTransactionsError, runUserCaliper } from './user';

/** A user's benchmark as Caliper users write one: a benchconfig and a plain JavaScript workload module. */
const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'caliper-user');

/*
 * Needs the shared native network (up, healthy); its client authentication setting picks the
 * connector (ours while it requires client certificates, Caliper's stock one when optional).
 */
void describe("a user's own Caliper benchmark (live network)", { timeout: 300_000 }, () => {
  const layout = new StateLayout();
  const topology = stateTopology(layout).topology;

  void it("runs the user's rounds with the channel's committed chaincodes and every org's users", async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'caliper-user-'));
    const lines: string[] = [];
    const run = await runUserCaliper({ benchConfig: join(FIXTURE, 'benchconfig.yaml'), outDir, limitS: 240, log: (l) => lines.push(l) });
    assert.deepEqual(run.rounds.map((r) => [r.name, r.succ, r.fail]), [['review-mode', 40, 0]]);
    assert.ok(lines.some((l) => /^review-mode\s+40\s+0\s+\d/.test(l)), lines.join('\n'));
    const config = JSON.parse(readFileSync(run.networkConfig, 'utf8')) as CaliperNetworkConfig;
    assert.ok(config.channels[0]?.contracts.some((c) => c.id === topology.chaincode.name));
    assert.deepEqual(config.organizations.map((o) => o.identities.certificates.map((c) => c.name)), topology.peerOrgs.map((o) => o.users.map((u) => u.name)));
    assert.ok(existsSync(run.report) && existsSync(run.logFile));
  });

  void it('fails when transactions failed, which Caliper itself does not', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'caliper-user-'));
    await assert.rejects(
      runUserCaliper({ benchConfig: join(FIXTURE, 'benchconfig-failing.yaml'), workspace: FIXTURE, outDir, limitS: 240, log: () => undefined }),
      (error: unknown) => error instanceof CaliperFailedTransactionsError && error.rounds.length === 1 && error.rounds[0]?.fail === 5 && error.rounds[0].succ === 0,
    );
  });
});
