import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { compareEngines } from './compare';

/* `bench engines` on the running network, short: both engines measured on one fixture, the report written. */
void describe('compareEngines on the network', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'engines-live-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('measures order query with vegeta and with undici, figures and CPU per request for each', async () => {
    const { dir: report, comparison } = await compareEngines({ test: 'order_query', users: 4, warmup: '1s', duration: '4s', repeats: 1, reportsDir: dir, log: () => undefined });
    assert.deepEqual(comparison.runs.map((r) => r.engine), ['vegeta', 'undici']);
    for (const run of comparison.runs) {
      assert.ok((run.measured.throughputTxPerMin ?? 0) > 0, `${run.engine} throughput`);
      assert.equal(run.measured.successRatePct, 100, `${run.engine} success`);
      assert.ok(run.cpuUsPerRequest > 0 && Number.isFinite(run.cpuUsPerRequest), `${run.engine} CPU per request ${run.cpuUsPerRequest}`);
    }
    assert.ok((comparison.runs.find((r) => r.engine === 'vegeta')?.childCpuMs ?? 0) > 0, 'vegeta ran as a child process');
    assert.match(await readFile(path.join(report, 'engines.md'), 'utf8'), /\| vegeta \|/);
  });
});
