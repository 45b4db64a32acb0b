import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { CAPACITY_PLANS, runCapacity } from './run';

/* A short real sweep (the quick plan) on the live network produces a complete capacity report. */
void describe('capacity sweep on the live network', { timeout: 900_000 }, () => {
  void it('measures every step of the quick plan and writes the knees, USL fits, saturation and projection as JSON, CSV and HTML', async () => {
    const reports = await mkdtemp(join(tmpdir(), 'capacity-live-'));
    const { dir, report } = await runCapacity('quick', (line) => process.stdout.write(`# ${line}\n`), reports);
    const plan = CAPACITY_PLANS.quick;
    assert.equal(report.steps.length, 2 * (plan.users.length + plan.gatewayUsers.length) + plan.rates.add_order.length + plan.rates.order_query.length);
    assert.deepEqual(report.meta.topology, { size: 'paper', peers: 7, orgs: 3, orderers: 3, hosts: 4 });
    for (const s of report.steps) {
      assert.ok(s.successes > 0, `${s.scenario} ${s.model} ${s.load}: nothing succeeded`);
      assert.ok(s.cpuPct.machine > 0 && s.cpuPct.chain > 0 && s.cpuMsPerTx.chain !== null && s.cpuMsPerTx.chain > 0, `${s.scenario} ${s.model} ${s.load}: no CPU measured`);
      if (s.model === 'open') assert.ok(s.expectedIterations !== null && s.expectedIterations > 0, 'an open step without its due iterations');
    }
    assert.deepEqual(report.knees.map((k) => k.scenario), ['add_order', 'order_query']);
    for (const k of report.knees) assert.ok(k.ratePerS !== null || k.beyond.length > 0, `${k.scenario}: neither a knee nor why not`);
    for (const s of report.scaling) assert.ok(s.fit !== null && s.fit.rSquared > 0, `${s.scenario}: ${s.error ?? 'a useless fit'}`);
    assert.equal(report.saturation.length, 2);
    // The harness ceiling: the gateway steps went straight to Fabric (no service CPU to speak of), and every call was checked.
    assert.deepEqual(report.ceilings.map((c) => [c.scenario, c.users]), [['add_order', 8], ['order_query', 8]]);
    for (const c of report.ceilings) {
      assert.equal(c.gateway.successRatePct, 100, `${c.scenario}: gateway calls failed`);
      const { gateway, http } = c;
      assert.ok(gateway.cpuMsPerTx.chain !== null && gateway.cpuMsPerTx.chain > 0 && gateway.cpuMsPerTx.loadGenerator !== null && gateway.cpuMsPerTx.loadGenerator > 0, `${c.scenario}: no CPU measured on the gateway path`);
      assert.ok(gateway.cpuMsPerTx.service !== null && http.cpuMsPerTx.service !== null && gateway.cpuMsPerTx.service < http.cpuMsPerTx.service, `${c.scenario}: the service worked as hard without HTTP`);
    }
    assert.ok(report.projection.peakWritesPerS > 0 && Number.isFinite(report.projection.chainCores) && report.projection.machines >= 1);
    for (const file of ['capacity.json', 'capacity.csv', 'capacity.html']) assert.ok(existsSync(join(dir, file)), file);
    const html = await readFile(join(dir, 'capacity.html'), 'utf8');
    assert.equal((html.match(/<svg /g) ?? []).length, 8, 'two USL, four open-model and two CPU charts');
    assert.match(html, /Harness ceiling/);
    assert.equal(report.meta.commit.sha.length, 40);
  });
});
