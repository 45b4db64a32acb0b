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
    // The harness ceiling: the gateway steps went straight to Fabric (the service answered none of
    // their requests, by its own counters), the HTTP steps through it, and every call was checked.
    assert.deepEqual(report.ceilings.map((c) => [c.scenario, c.users]), [['add_order', 8], ['order_query', 8]]);
    for (const c of report.ceilings) {
      assert.equal(c.gateway.successRatePct, 100, `${c.scenario}: gateway calls failed`);
      const { gateway, http } = c;
      assert.equal(gateway.serviceRequests, 0, `${c.scenario}: the service answered requests during the gateway step`);
      const httpStep = report.steps.find((s) => s.scenario === c.scenario && s.path === 'http' && s.model === 'closed' && s.load === c.users);
      assert.ok(httpStep && http.serviceRequests >= httpStep.requests, `${c.scenario}: the HTTP step's requests did not reach the service`);
      assert.ok(gateway.cpuMsPerTx.chain !== null && gateway.cpuMsPerTx.chain > 0 && gateway.cpuMsPerTx.loadGenerator !== null && gateway.cpuMsPerTx.loadGenerator > 0, `${c.scenario}: no CPU measured on the gateway path`);
    }
    // And the service's CPU shows it where there is enough of it to see: order query's hundreds of
    // requests a second. (Add order's few writes a second cost the service less than its idle
    // background, GC and scrapes, varies over a 5 s window: CI once saw the gateway step's higher.)
    const query = report.ceilings.find((c) => c.scenario === 'order_query');
    assert.ok(query && query.gateway.cpuMsPerTx.service !== null && query.http.cpuMsPerTx.service !== null && query.gateway.cpuMsPerTx.service < query.http.cpuMsPerTx.service / 4, 'order_query: the service worked without HTTP');
    assert.ok(report.projection.peakWritesPerS > 0 && Number.isFinite(report.projection.chainCores) && report.projection.machines >= 1);
    for (const file of ['capacity.json', 'capacity.csv', 'capacity.html']) assert.ok(existsSync(join(dir, file)), file);
    const html = await readFile(join(dir, 'capacity.html'), 'utf8');
    assert.equal((html.match(/<svg /g) ?? []).length, 8, 'two USL, four open-model and two CPU charts');
    assert.match(html, /Harness ceiling/);
    assert.equal(report.meta.commit.sha.length, 40);
  });
});
