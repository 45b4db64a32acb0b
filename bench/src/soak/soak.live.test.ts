import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { SOAK_GROUPS } from './raw';
import { renderSoakReport, runSoak, SoakRenderError } from './run';

/*
 * A short mixed soak on the live network (3 intervals of 5 s): every process of ours followed, the
 * ledgers growing, its add orders found in the blocks, the report's figures derived again from its
 * raw data by --render, and a report whose soak.json was altered refused by it.
 */
void describe('bench soak on the live network', { timeout: 300_000 }, () => {
  void it('follows every process of ours through a mixed soak and derives its figures again from raw/', async () => {
    const reportsDir = await mkdtemp(join(tmpdir(), 'soak-live-'));
    const { dir, report } = await runSoak({
      config: { scenario: 'mixed', users: 4, durationMs: 15_000, warmupMs: 3_000, intervalMs: 5_000, driftIntervals: 1, maxDrift: 1.2, disturbance: { otherPct: 5, sharePct: 10 } },
      reportsDir,
      log: (line) => {
        process.stdout.write(`# ${line}\n`);
      },
    });
    const { figures } = report;
    assert.equal(figures.intervals.length, 3);
    for (const i of figures.intervals) {
      assert.ok(i.successes > 0, `interval ${String(i.index)}: no success`);
      assert.deepEqual(Object.keys(i.throughputByScenario).sort(), ['add_order', 'order_query']);
      assert.ok((i.groupCpuMsPerTx.chain ?? 0) > 0, `interval ${String(i.index)}: no chain CPU`);
      assert.ok((i.groupCpuMsPerTx['load generator'] ?? 0) > 0, `interval ${String(i.index)}: no load generator CPU`);
      // Monitoring is not started by a soak: that group has no process, so no data.
      for (const group of SOAK_GROUPS.filter((g) => g !== 'monitoring')) assert.notEqual(i.groupRssBytes[group], null, `${group}: no memory`);
      assert.ok(Object.keys(i.heapBytes).some((id) => id.startsWith('peer')), 'no peer heap');
      assert.ok(i.heapBytes['harness (this benchmark)'] !== undefined, 'no harness heap');
      assert.ok((i.cpuMsPerTx['vegeta (this benchmark)'] ?? 0) > 0, 'no vegeta CPU');
      assert.ok(Object.values(i.ledgerBytesByPeer).every((b) => b !== null && b > 0), 'a peer without ledger folders');
    }
    const heights = figures.intervals.map((i) => i.ledgerHeight ?? 0);
    assert.ok((heights.at(-1) ?? 0) > (heights[0] ?? 0), `the ledger did not grow: ${heights.join(', ')}`);
    assert.equal(figures.drift.find((d) => d.figure === 'CPU ms/tx chain')?.ratio !== null, true);
    assert.ok((figures.chain.byFunction['orders:DeclareOrder']?.['VALID'] ?? 0) > 0, `no valid add order in the blocks: ${JSON.stringify(figures.chain)}`);
    assert.ok(figures.interference.samples >= 12, `${String(figures.interference.samples)} seconds of interference sampled`);

    const files = await readdir(dir);
    for (const f of ['soak.json', 'soak.md', 'soak.html', 'intervals.csv', 'raw', 'charts']) assert.ok(files.includes(f), `${f} missing`);
    assert.match(await readFile(join(dir, 'soak.html'), 'utf8'), /<svg/);

    // Every figure again from raw/ alone.
    assert.deepEqual((await renderSoakReport(dir)).figures, JSON.parse(JSON.stringify(figures)));
    // A figure in soak.json that raw/ does not give is refused.
    const stored = JSON.parse(await readFile(join(dir, 'soak.json'), 'utf8')) as { figures: { totals: { successes: number } } };
    stored.figures.totals.successes += 1;
    await writeFile(join(dir, 'soak.json'), JSON.stringify(stored));
    await assert.rejects(renderSoakReport(dir), (error: unknown) => error instanceof SoakRenderError && /totals/.test(error.message));
  });
});
