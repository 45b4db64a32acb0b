import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { readRuntime, StateLayout } from '@energysale/network';

import { readReport } from '../report/render';
import { PROFILES } from './profiles';
import { runTable4 } from './run';

/*
 * The main job against the network in the docker runtime (the test runner's container phase): the
 * service tier and monitoring start as containers too, and the quick profile writes its report.
 */
void describe('Table 4 reproduction, quick profile, against the containerised network', { timeout: 900_000 }, () => {
  void it('writes a valid report whose writes agree with the ledger, and says it ran in containers', async () => {
    assert.equal((await readRuntime(new StateLayout())).kind, 'docker', 'the network under test is not in the docker runtime');
    const reports = await mkdtemp(join(tmpdir(), 'reports-docker-'));
    const { dir, report } = await runTable4(PROFILES.quick, () => undefined, reports, { engines: ['http'] });
    assert.deepEqual(await readReport(dir), report);
    assert.ok(existsSync(join(dir, 'report.html')));
    assert.deepEqual(report.scenarios.map((s) => s.scenario), ['add_order', 'order_query']);
    for (const s of report.scenarios) {
      assert.ok(s.measured.successes > 0 && s.measured.failures === 0, `${s.scenario}: ${JSON.stringify(s.measured)}`);
      assert.ok(s.resources.chain.cpuPct.avg > 0, `${s.scenario}: the containers' chain used no CPU`);
    }
    for (const c of report.consistency) assert.equal(c.agree, true, JSON.stringify(c));
    assert.ok(report.notes.some((n) => n.startsWith('Runtime: docker')), report.notes.join('\n'));
    // Three accounts of the chain's CPU: Prometheus, /proc, and the Docker engine's stats of its containers.
    for (const s of report.scenarios) {
      const line = report.notes.find((n) => n.startsWith(`Cross-check, ${s.scenario}`)) ?? '';
      const engine = /([\d.]+) % from the Docker engine's stats/.exec(line);
      assert.ok(engine && Number(engine[1]) > 0, line);
    }
    const config = JSON.parse(await readFile(join(dir, 'raw', 'config.json'), 'utf8')) as { runtime: { kind: string } };
    assert.equal(config.runtime.kind, 'docker');
  });
});
