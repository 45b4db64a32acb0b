import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';

import { readReport } from '../report/render';
import { CHROMIUM, screenshot } from '../report/testing/browser';
import { decodePng, rgbAt } from '../report/testing/png';
import { PROFILES } from './profiles';
import { runTable4 } from './run';

void describe('Table 4 reproduction, quick profile, end to end (live network, service tier, vegeta)', { timeout: 900_000 }, () => {
  void it('writes a complete, valid report whose figures agree with the ledger and render in a browser', async () => {
    const reports = await mkdtemp(join(tmpdir(), 'reports-'));
    const lines: string[] = [];
    const { dir, report } = await runTable4(PROFILES.quick, (line) => lines.push(line), reports);
    assert.ok(lines.some((l) => /s elapsed, \d+ s left/.test(l)), 'no progress line');

    for (const file of ['summary.json', 'summary.csv', 'report.md', 'report.html', 'raw/add_order.summary.json', 'raw/order_query.summary.json', 'raw/resources.json', 'raw/config.json']) {
      assert.ok(existsSync(join(dir, file)), `${file} is missing`);
    }
    // readReport validates summary.json against the schema and throws listing every problem.
    assert.deepEqual(await readReport(dir), report);

    const names = report.scenarios.map((s) => s.scenario);
    assert.deepEqual(names, ['add_order', 'order_query']);
    for (const s of report.scenarios) {
      assert.ok(s.measured.requests > 0, `${s.scenario} sent nothing`);
      for (const cpu of [s.resources.chain.cpuPct.avg, s.resources.chain.cpuPct.max]) assert.ok(cpu > 0 && cpu <= 100, `${s.scenario} chain CPU ${cpu}`);
      assert.ok(s.resources.chain.memPct.avg > 0 && s.resources.chain.memPct.avg < 100);
    }
    const [consistency] = report.consistency;
    assert.ok(consistency, 'no consistency check');
    assert.equal(consistency.agree, true, JSON.stringify(consistency));
    assert.ok(consistency.chainValidTx > 0);

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
