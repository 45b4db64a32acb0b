import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { NativeNetwork, runCliScript, StateLayout } from '@energysale/network';

import { CEILING_TESTS, QUICK_CEILING } from './figures';
import { CEILING_EXIT, ceilingMarkdown, latestCeiling, readCeilingReport, rederiveCeiling } from './report';
import { CALIBRATION, deployCalibration } from './run';

/*
 * `bench ceiling --quick` on the shared network, as CI runs it: the calibration chaincode deployed
 * beside the retail one, evaluate then write, the report written. Nothing is asserted of the
 * figures' size (the machine is shared); only that the report is whole and that every figure in it
 * is derived again, the same, from the raw data beside it. It leaves a chaincode deployed beside
 * ours, which the shared-network tests that count the model's nodes must not see: so it runs with the
 * lifecycle tests, after them.
 */

const cli = join(__dirname, '..', 'cli.js');
const networkCli = join(__dirname, '..', '..', '..', 'network', 'dist', 'cli', 'main.js');

void describe('bench ceiling --quick (live; deploys the calibration chaincode beside ours)', { timeout: 900_000 }, () => {
  let reports: string | undefined;
  after(async () => {
    if (reports !== undefined) await rm(reports, { recursive: true, force: true });
  });

  void it('deploys the calibration chaincode, measures evaluate then write, and writes a report whose every figure is derived again from raw/', async () => {
    reports = await mkdtemp(join(tmpdir(), 'ceiling-live-'));
    const run = await runCliScript(cli, ['ceiling', '--quick', '--reports', reports], { timeoutMs: 840_000 });
    const said = `exit ${String(run.code)}\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`;
    // 98: someone else used the machine; the report says so, and its structure is checked all the same.
    assert.ok(run.code === CEILING_EXIT.ok || run.code === CEILING_EXIT.disturbed, said);

    const found = await latestCeiling(reports);
    assert.ok(found, said);
    const { dir } = found;
    const report = await readCeilingReport(dir);
    assert.equal(report.exitCode, run.code);
    assert.match(run.stdout, new RegExp(`ceiling report: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/ceiling\\.md`));
    assert.deepEqual(
      report.runs.map((r) => `${r.test} ${String(r.repeat)}`),
      CEILING_TESTS.map((t) => `${t} 1`),
    );
    assert.deepEqual(
      { users: report.config.users, duration: report.config.duration, warmup: report.config.warmup, repeats: report.config.repeats },
      QUICK_CEILING,
    );
    assert.equal(report.meta.calibration.name, CALIBRATION.name);
    assert.match(report.meta.commit.sha, /^[0-9a-f]{40}$/);
    assert.ok(report.meta.machine.cores >= 1 && report.meta.versions.fabric !== '' && report.meta.versions.fabricGateway.startsWith('@hyperledger/fabric-gateway'));

    for (const r of report.runs) {
      assert.ok(existsSync(join(dir, r.raw)), r.raw);
      assert.ok(r.figures.measured.requests > 0, `${r.test}: no call in the measured window`);
      assert.equal(r.figures.measured.successRatePct, 100, `${r.test}: calls failed`);
      assert.ok(r.interference.samples > 0, `${r.test}: no interference sample`);
      // Each group the exporter knows is there: the chain's, and this process as the harness.
      const groups = r.figures.cpu.map((g) => g.group);
      for (const group of ['peer', 'orderer', 'chaincode', 'harness']) assert.ok(groups.includes(group), `${r.test}: no ${group} in ${groups.join(', ')}`);
    }
    // A write is ordered: the peers committed blocks in its window.
    assert.ok((report.runs.find((r) => r.test === 'write')?.blocks?.committed ?? 0) > 0, 'no block committed during the writes');
    for (const f of report.figures) {
      assert.ok(f.throughputPerS !== null && f.throughputPerS.values.length === 1, `${f.test}: throughput`);
      assert.ok(f.cpuMsPerTxTotal !== null, `${f.test}: CPU per transaction`);
    }

    const again = await rederiveCeiling(dir);
    assert.deepEqual(again.differences, [], 'figures differ from those derived from raw/');
    assert.equal(await readFile(join(dir, 'ceiling.md'), 'utf8'), ceilingMarkdown(report));
    if (report.disturbed) assert.match(await readFile(join(dir, 'ceiling.md'), 'utf8'), /\*\*DISTURBED\*\*/);
    const render = await runCliScript(cli, ['ceiling', '--render', dir]);
    assert.equal(render.code, 0, render.stdout + render.stderr);
  });

  void it('left the calibration chaincode committed beside the retail one; deploying it again changes nothing', async () => {
    const listed = await runCliScript(networkCli, ['chaincodes', '--json'], { timeoutMs: 120_000 });
    assert.equal(listed.code, 0, listed.stderr);
    const calibration = (JSON.parse(listed.stdout) as { name: string; origin: string; servers: { healthy: boolean }[] }[]).find((c) => c.name === CALIBRATION.name);
    assert.ok(calibration, listed.stdout);
    assert.equal(calibration.origin, 'node');
    assert.ok(calibration.servers.length > 0 && calibration.servers.every((s) => s.healthy), JSON.stringify(calibration.servers));
    const again = await deployCalibration(await NativeNetwork.ofState(new StateLayout()), () => undefined);
    assert.equal(again.committed, false);
  });
});
