import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';

import { readReport, regenerate } from '../report/render';
import { CHROMIUM, screenshot } from '../report/testing/browser';
import { decodePng, rgbAt } from '../report/testing/png';
import { PROFILES } from './profiles';
import { runTable4 } from './run';

void describe('Table 4 reproduction, quick profile, end to end (live network, service tier, the Table 4 scripts and Caliper, Prometheus)', { timeout: 900_000 }, () => {
  void it('writes a complete, valid report whose figures agree with the ledger and render in a browser', async () => {
    const reports = await mkdtemp(join(tmpdir(), 'reports-'));
    const lines: string[] = [];
    const { dir, report } = await runTable4(PROFILES.quick, (line) => lines.push(line), reports);
    assert.ok(lines.some((l) => /running \(\d+m[\d.]+s\), \d+\/\d+ VUs/.test(l)), 'no progress line');

    const files = [
      ...['summary.json', 'summary.csv', 'report.md', 'report.html'],
      ...['raw/add_order.summary.json', 'raw/order_query.summary.json', 'raw/resources-proc.json', 'raw/prometheus-range-exports.json', 'raw/config.json'],
      ...['raw/blocks-add_order-http.json.gz', 'raw/blocks-add_order-caliper.json.gz'],
      ...['raw/requests/add_order-http.jsonl.gz', 'raw/requests/order_query-http.jsonl.gz'],
      ...['raw/caliper/report.html', 'raw/caliper/network-config.json', 'raw/caliper/bench-config.json'],
    ];
    for (const file of files) {
      assert.ok(existsSync(join(dir, file)), `${file} is missing`);
    }
    // readReport validates summary.json against the schema and throws listing every problem.
    assert.deepEqual(await readReport(dir), report);
    // Every load figure and chain count derived again from this run's raw/ (the scripts' and Caliper's records, the blocks) as summary.json states it.
    const rendered = await readFile(join(dir, 'report.md'), 'utf8');
    const { rederivedFigures } = await regenerate(dir);
    const perTest = report.scenarios.map((s) => 15 + 4 * s.timeSeries.length);
    assert.ok(rederivedFigures >= perTest.reduce((a, b) => a + b, 0), `${rederivedFigures} figures derived again`);
    assert.equal(await readFile(join(dir, 'report.md'), 'utf8'), rendered, 'render gives the report the run wrote');

    const names = report.scenarios.map((s) => `${s.scenario}/${s.engine}`);
    assert.deepEqual(names, ['add_order/http', 'order_query/http', 'add_order/caliper', 'order_query/caliper']);
    assert.equal(report.versions.caliper, '0.6.0');
    for (const s of report.scenarios) {
      const what = `${s.scenario} (${s.engine})`;
      assert.ok(s.measured.successes > 0, `${what} succeeded nothing`);
      assert.equal(s.measured.failures, 0, `${what} failed`);
      for (const cpu of [s.resources.chain.cpuPct.avg, s.resources.chain.cpuPct.max]) assert.ok(cpu > 0 && cpu <= 100, `${what}: chain CPU ${cpu}`);
      assert.ok(s.resources.chain.memPct.avg > 0 && s.resources.chain.memPct.avg < 100);
      assert.ok(s.resources.machine && s.resources.machine.cpuPct.avg >= s.resources.chain.cpuPct.avg * 0.9, `${what}: the machine is busier than its chain`);
      assert.ok(s.resourceSeries.length >= 0.8 * s.window.durationS, `${what}: ${s.resourceSeries.length} resource samples in ${s.window.durationS} s`);
      assert.equal(s.resources.service === null, s.engine === 'caliper', `${what}: the service is on the HTTP path only`);
      // Where the time goes: every write passes endorsement on the peers; the CPU of the peers shows.
      assert.ok(s.breakdown, `${what}: no breakdown`);
      const proposals = s.breakdown.stages.find((st) => st.metric === 'endorser_proposal_duration');
      assert.ok(proposals && proposals.count > 0 && proposals.avgS > 0, `${what}: ${JSON.stringify(proposals)}`);
      assert.ok((s.breakdown.cpuByGroup.find((g) => g.group === 'peer')?.cpuPct ?? 0) > 0, `${what}: peers used no CPU`);
      // The run registered its own tree as load: the engine's own processes show in their group, counted by pid, not by name.
      const engineGroup = s.engine === 'http' ? 'harness' : 'caliper';
      assert.ok((s.breakdown.cpuByGroup.find((g) => g.group === engineGroup)?.cpuPct ?? 0) > 0, `${what}: ${engineGroup} used no CPU: ${JSON.stringify(s.breakdown.cpuByGroup)}`);
      assert.ok((s.resources.loadGenerator?.cpuPct.avg ?? 0) > 0, `${what}: the load generator used no CPU`);
      if (s.scenario === 'add_order') assert.ok(s.breakdown.blocks && s.breakdown.blocks.committed > 0, `${what}: no block committed`);
      // pprof of the profiled peers and orderer during the HTTP tests: each profile kept, the peers busy
      // and endorsing, the orderer busy ordering the writes (a query never reaches it: idle, it may
      // give a profile without one sample, as at 0f42baf).
      if (s.engine === 'http') {
        assert.equal(s.breakdown.profiles.length, 4, `${what}: ${s.breakdown.profiles.map((p) => p.node).join(', ')}`);
        for (const p of s.breakdown.profiles) {
          assert.ok(existsSync(join(dir, 'raw', p.file)), `${what}: ${p.node}: no ${p.file}`);
          const mustBeBusy = s.scenario === 'add_order' || !p.node.startsWith('orderer');
          if (mustBeBusy) assert.ok(p.cpuCores > 0, `${what}: ${p.node} ${p.cpuCores} cores, ${p.file}`);
        }
        const consumerPeer = s.breakdown.profiles.find((p) => p.node.startsWith('peer0.consumerorg'));
        assert.ok(consumerPeer?.activities.some((a) => a.activity.startsWith('endorsement') && a.cumPct > 0), `${what}: ${JSON.stringify(consumerPeer?.activities)}`);
      }
    }
    // Alone on the machine: no window disturbed, and each measured.
    assert.equal(report.disturbed, false, JSON.stringify(report.scenarios.map((s) => ({ run: `${s.scenario}/${s.engine}`, other: s.interference?.otherPct, foreign: s.interference?.foreign }))));
    for (const s of report.scenarios) assert.ok(s.interference && s.interference.samples >= 0.8 * s.window.durationS, `${s.scenario} (${s.engine}): interference not measured`);
    // Counted from the blocks: every add order the load generator counted committed as VALID, nothing else.
    for (const s of report.scenarios.filter((x) => x.scenario === 'add_order')) {
      assert.ok(s.chain && s.chain.source.startsWith('block scan'), JSON.stringify(s.chain));
      assert.deepEqual(Object.keys(s.chain.byValidation), ['VALID'], `${s.engine}: ${JSON.stringify(s.chain.byValidation)}`);
    }
    assert.equal(report.consistency.length, 2, 'one consistency check per engine');
    for (const consistency of report.consistency) {
      assert.equal(consistency.agree, true, JSON.stringify(consistency));
      assert.ok(consistency.chainValidTx > 0);
    }

    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing`);
    const png = join(reports, 'report.png');
    await screenshot(pathToFileURL(join(dir, 'report.html')).href, png, join(reports, 'profile'), 1280, 1600);
    const image = decodePng(await readFile(png));
    const colours = new Set<string>();
    for (let y = 0; y < image.height; y += 4) {
      for (let x = 0; x < image.width; x += 4) {
        const [r, g, b] = rgbAt(image, x, y);
        if (r < 245 || g < 245 || b < 245) colours.add(`${r >> 4},${g >> 4},${b >> 4}`);
      }
    }
    assert.ok(colours.size >= 8, `the rendered report looks blank (${colours.size} colours)`);
  });
});
