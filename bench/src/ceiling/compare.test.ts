import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';

import { completeReport } from '../report/analyse';
import { buildDocument } from '../report/document';
import { FigureMismatchError, RawDataError } from '../report/rederive';
import { readReport, regenerate, toMarkdown, writeReport } from '../report/render';
import type { Machine, ReportData, ScenarioResult } from '../report/schema';
import { fixtureReport, onMachine } from '../report/testing/fixture';
import { recordsFixture } from '../report/testing/records-fixture';
import { validateReport } from '../report/validate';
import { repoRoot } from '../table4/provenance';
import { ceilingChoiceText, ceilingCost, ceilingSource, ceilingWhichText, chooseCeiling, compareWithCeiling, groupsCost } from './compare';
import { writeCeilingReport } from './report';
import { CEILING_MACHINE, CEILING_RAWS, ceilingReport, disturbed } from './testing/fixture';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ceiling-compare-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The Table 4 fixture on the ceiling fixture's machine, its HTTP tests' CPU split over the groups a real run has. */
function table4(): ReportData {
  const data = fixtureReport();
  const cpu: Record<string, Record<string, number>> = {
    add_order: { peer: 30, orderer: 6, chaincode: 8, service: 12, lb: 2, harness: 4, monitoring: 1 },
    order_query: { peer: 25, chaincode: 10, service: 20, lb: 5, harness: 8, monitoring: 1 },
  };
  const scenarios = data.scenarios.map((s): ScenarioResult => {
    const groups = cpu[s.scenario];
    return groups === undefined || s.breakdown === null ? s : { ...s, breakdown: { ...s.breakdown, cpuByGroup: Object.entries(groups).map(([group, cpuPct]) => ({ group, cpuPct })) } };
  });
  return { ...onMachine(data, CEILING_MACHINE), scenarios };
}

const httpRun = (data: ReportData, scenario: string): ScenarioResult => data.scenarios.find((s) => s.scenario === scenario && s.engine === 'http') ?? assert.fail(scenario);

void describe('Table 4 against the ceiling', () => {
  const ceiling = ceilingReport(CEILING_RAWS);

  void it('gives each HTTP test as a fraction of the ceiling of its kind: add order of the write, order query of the evaluate', () => {
    const data = table4();
    const c = compareWithCeiling(data.scenarios, data.machine, { dir: join(repoRoot, 'reports', '2026-12-06T1940_ceiling_abcdef0'), report: ceiling });
    assert.deepEqual(c.source, {
      dir: join('reports', '2026-12-06T1940_ceiling_abcdef0'),
      startedAt: '2026-12-06T19:40:00.000Z',
      commit: { sha: 'abcdef0123456789', dirty: false },
      clean: true,
      machine: { cores: 2, cpuModel: 'Test CPU' },
    });
    // Only the HTTP tests, in the run's order; Caliper's are not compared.
    assert.deepEqual(
      c.tests.map((t) => [t.scenario, t.engine, t.ceilingTest]),
      [
        ['add_order', 'http', 'write'],
        ['order_query', 'http', 'evaluate'],
      ],
    );
    const [write, read] = c.tests;
    assert.ok(write && read);
    const addOrderPerS = (httpRun(data, 'add_order').measured.throughputTxPerMin ?? 0) / 60;
    assert.equal(write.throughputPerS, addOrderPerS);
    // The write ceiling: 10 and 11 a second over two repeats.
    assert.deepEqual(write.ceilingPerS, { median: 10.5, min: 10, max: 11 });
    assert.equal(write.fraction, addOrderPerS / 10.5);
    assert.deepEqual(read.ceilingPerS, { median: 105, min: 100, max: 110 });
    assert.equal(read.fraction, (httpRun(data, 'order_query').measured.throughputTxPerMin ?? 0) / 60 / 105);
  });

  void it("sets each group's CPU per transaction beside the ceiling's, and the service side's beside the chain's", () => {
    const data = table4();
    const [write] = compareWithCeiling(data.scenarios, CEILING_MACHINE, { dir: repoRoot, report: ceiling }).tests;
    assert.ok(write?.throughputPerS);
    const perTx = (pct: number): number => ((pct / 100) * 2 * 1000) / (write.throughputPerS ?? 1);
    // Every group of either side, in the exporter's order: chain, service tier, load generator, monitoring.
    assert.deepEqual(
      write.groups.map((g) => g.group),
      ['peer', 'orderer', 'chaincode', 'service', 'lb', 'harness', 'monitoring'],
    );
    const peer = write.groups[0];
    assert.equal(peer?.test, perTx(30));
    // The write ceiling's peer: 60 % and 62 % of 2 cores at 10 and 11 a second, 120 and 112.7 ms: median 116.4.
    assert.equal(peer.ceiling, (120 + (0.62 * 2000) / 11) / 2);
    assert.deepEqual(write.groups.find((g) => g.group === 'service'), { group: 'service', test: perTx(12), ceiling: null });
    assert.deepEqual(write.groups.find((g) => g.group === 'monitoring'), { group: 'monitoring', test: perTx(1), ceiling: null });
    assert.ok(Math.abs((write.serviceMsPerTx.test ?? 0) - perTx(12 + 2 + 4)) < 1e-9);
    assert.ok(Math.abs((write.chainMsPerTx.test ?? 0) - perTx(30 + 6 + 8)) < 1e-9);
    // At the ceiling the load generator alone is the service side (no service runs): 10 % of 2 cores at 10 and 11 a second.
    assert.equal(write.serviceMsPerTx.ceiling, (20 + 200 / 11) / 2);
    // The chain's sum per repeat, then the median: (75 % at 10/s, 78 % at 11/s).
    assert.equal(write.chainMsPerTx.ceiling, ceilingCost(ceiling, 'write', ['peer', 'orderer', 'chaincode']));
    assert.ok(Math.abs((write.chainMsPerTx.ceiling ?? 0) - (150 + 1560 / 11) / 2) < 1e-9);
    assert.equal(groupsCost([{ group: 'peer', cpuPct: 50 }], ['service'], 2, 10), null);
    assert.equal(groupsCost([{ group: 'peer', cpuPct: 50 }], ['peer'], 2, null), null);
  });

  void it('renders the fraction, the ceiling used and the cost table; the JSON with it is valid, and a wrong fraction is not', () => {
    const data = table4();
    const withCeiling = { ...data, ceiling: compareWithCeiling(data.scenarios, CEILING_MACHINE, { dir: join(repoRoot, 'reports', 'x_ceiling_y'), report: ceiling }) };
    assert.deepEqual(validateReport(withCeiling), []);
    const md = toMarkdown(buildDocument(withCeiling, []));
    assert.match(md, /## Against the ceiling \(what Fabric allows on this machine\)/);
    assert.match(md, /Ceiling report reports\/x_ceiling_y, measured 2026-12-06T19:40:00\.000Z at commit abcdef012345 on 2 cores, Test CPU: the latest clean ceiling of this machine/);
    assert.match(md, /\| add order \| http \| write \(one key\) \| [\d.,]+\/s \| 10\.5\/s \(10\.0–11\.0\) \| [\d.]+ \([\d.]+ %\) \|/);
    assert.match(md, /- service \(service, nginx, the load generator\) per request: [\d.,]+ ms in the test, 19\.091 ms at the ceiling/);
    assert.match(md, /- chain \(peer, orderer, chaincode\) per request: [\d.,]+ ms in the test, 145\.909 ms at the ceiling/);
    assert.match(md, /\| service \| [\d.,]+ ms \| no data \|/);
    const [first] = withCeiling.ceiling.tests;
    assert.ok(first);
    const wrong = { ...withCeiling, ceiling: { ...withCeiling.ceiling, tests: [{ ...first, fraction: (first.fraction ?? 0) * 2 }] } };
    assert.match(validateReport(wrong).join('\n'), /report\.ceiling\.tests\[0\]\.fraction: /);
    assert.match(validateReport({ ...withCeiling, ceiling: { source: null, tests: [first] } }).join('\n'), /figures without a ceiling report/);
  });

  void it('says plainly when no ceiling was measured on this machine, and gives no figure', () => {
    const data = fixtureReport();
    assert.deepEqual(data.ceiling, { source: null, tests: [] });
    const md = toMarkdown(buildDocument(data, []));
    assert.match(md, /No ceiling measured on this machine \(16 cores, AMD EPYC 7B13\): run npm run bench -- ceiling/);
    assert.doesNotMatch(md, /Fraction of the ceiling/);
  });
});

void describe('choosing the ceiling', () => {
  void it('takes the latest clean one of this machine, else the latest of it, never one of another machine', async () => {
    const reports = await tempDir();
    const clean = ceilingReport(CEILING_RAWS);
    const noisy = ceilingReport(CEILING_RAWS, () => disturbed);
    const elsewhere = ceilingReport(CEILING_RAWS, undefined, { ...CEILING_MACHINE, cpuModel: 'Another CPU' });
    await writeCeilingReport(join(reports, '2026-12-06T1900_ceiling_aaaaaaa'), noisy, CEILING_RAWS);
    // No clean one of this machine yet: the latest of it, which says it is not clean.
    const fallback = await chooseCeiling(reports, CEILING_MACHINE);
    assert.equal(fallback?.dir, join(reports, '2026-12-06T1900_ceiling_aaaaaaa'));
    assert.ok(fallback);
    assert.equal(ceilingSource(fallback, CEILING_MACHINE).clean, false);
    await writeCeilingReport(join(reports, '2026-12-06T2000_ceiling_bbbbbbb'), clean, CEILING_RAWS);
    await writeCeilingReport(join(reports, '2026-12-06T2100_ceiling_ccccccc-dirty'), noisy, CEILING_RAWS);
    // The latest of another machine is ignored.
    await writeCeilingReport(join(reports, '2026-12-06T2200_ceiling_ddddddd'), elsewhere, CEILING_RAWS);
    assert.equal((await chooseCeiling(reports, CEILING_MACHINE))?.dir, join(reports, '2026-12-06T2000_ceiling_bbbbbbb'));
    assert.equal((await chooseCeiling(reports, { cores: 2, cpuModel: 'Another CPU' }))?.dir, join(reports, '2026-12-06T2200_ceiling_ddddddd'));
    assert.equal(await chooseCeiling(reports, { cores: 4, cpuModel: 'Test CPU' }), null);
    assert.equal(compareWithCeiling(table4().scenarios, CEILING_MACHINE, null).source, null);
  });

  void it("prefers one of this boot, clean first; one of another boot (a VM's speed can change across boots) says so", async () => {
    const reports = await tempDir();
    const earlier = { ...CEILING_MACHINE, bootId: 'boot-1' };
    const here = { ...CEILING_MACHINE, bootId: 'boot-2' };
    await writeCeilingReport(join(reports, '2026-12-06T1900_ceiling_aaaaaaa'), ceilingReport(CEILING_RAWS, undefined, earlier), CEILING_RAWS);
    // Only another boot's: used, and marked.
    const other = await chooseCeiling(reports, here);
    assert.ok(other);
    const source = ceilingSource(other, here);
    assert.deepEqual([source.clean, source.sameBoot], [true, false]);
    assert.match(ceilingWhichText(source), /^the latest clean ceiling of this machine .*; ANOTHER BOOT: measured before this machine last booted .*run npm run bench -- ceiling on this boot$/);
    assert.match(ceilingChoiceText(source, here), /\(ANOTHER BOOT: none of this boot; its fractions are only indicative\)$/);
    // This boot's, even NOT clean, before another boot's clean one; this boot's clean one before both.
    await writeCeilingReport(join(reports, '2026-12-06T2000_ceiling_bbbbbbb'), ceilingReport(CEILING_RAWS, () => disturbed, here), CEILING_RAWS);
    await writeCeilingReport(join(reports, '2026-12-06T2100_ceiling_ccccccc'), ceilingReport(CEILING_RAWS, undefined, earlier), CEILING_RAWS);
    assert.equal((await chooseCeiling(reports, here))?.dir, join(reports, '2026-12-06T2000_ceiling_bbbbbbb'));
    await writeCeilingReport(join(reports, '2026-12-06T1950_ceiling_ddddddd'), ceilingReport(CEILING_RAWS, undefined, here), CEILING_RAWS);
    const mine = await chooseCeiling(reports, here);
    assert.equal(mine?.dir, join(reports, '2026-12-06T1950_ceiling_ddddddd'));
    assert.ok(mine);
    assert.equal(ceilingSource(mine, here).sameBoot, true);
    assert.doesNotMatch(ceilingWhichText(ceilingSource(mine, here)), /ANOTHER BOOT/);
    // A machine without a boot id (a report from before it): the latest clean one of its kind, and no sameBoot.
    assert.equal((await chooseCeiling(reports, CEILING_MACHINE))?.dir, join(reports, '2026-12-06T2100_ceiling_ccccccc'));
    assert.equal(Object.hasOwn(ceilingSource(mine, CEILING_MACHINE), 'sameBoot'), false);
  });
});

void describe('render derives the comparison with the ceiling again', () => {
  /** A Table 4 report (raw/ as a run leaves it) compared with a ceiling report written beside it. */
  async function written(machine: Machine = CEILING_MACHINE): Promise<{ dir: string; ceilingDir: string }> {
    const root = await tempDir();
    const ceilingDir = join(root, '2026-12-06T1940_ceiling_abcdef0');
    await writeCeilingReport(ceilingDir, ceilingReport(CEILING_RAWS), CEILING_RAWS);
    const { data, raw } = recordsFixture();
    const chosen = await chooseCeiling(root, machine);
    const here = onMachine(data, machine);
    const { thresholds, ...rest } = here;
    const report = completeReport({ ...rest, thresholds: thresholds.map(({ scenario, engine, metric, op, limit }) => ({ scenario, engine, metric, op, limit })), ceiling: compareWithCeiling(here.scenarios, machine, chosen) });
    assert.ok(report.ceiling?.source && report.ceiling.tests.length > 0);
    const dir = join(root, 'table4');
    await writeReport(dir, report, raw);
    return { dir, ceilingDir };
  }

  void it('from the JSON and the ceiling report it names, relative to the repository', async () => {
    const { dir, ceilingDir } = await written();
    const stored = await readReport(dir);
    assert.equal(stored.ceiling?.source?.dir, relative(repoRoot, ceilingDir));
    const md = await readFile(join(dir, 'report.md'), 'utf8');
    const again = await regenerate(dir);
    assert.ok(again.rederivedFigures > 0);
    assert.equal(await readFile(join(dir, 'report.md'), 'utf8'), md);
  });

  void it('of a machine with a boot id, compared with a ceiling of another boot: says so, and derives it again', async () => {
    const { dir } = await written({ ...CEILING_MACHINE, bootId: 'this-boot' });
    const stored = await readReport(dir);
    assert.equal(stored.machine.bootId, 'this-boot');
    assert.equal(stored.ceiling?.source?.sameBoot, false);
    const md = await readFile(join(dir, 'report.md'), 'utf8');
    assert.match(md, /ANOTHER BOOT: measured before this machine last booted/);
    await regenerate(dir);
    assert.equal(await readFile(join(dir, 'report.md'), 'utf8'), md);
  });

  void it('refuses a comparison the ceiling report does not give, naming the figure; says when the ceiling report is gone', async () => {
    const { dir, ceilingDir } = await written();
    const json = JSON.parse(await readFile(join(ceilingDir, 'ceiling.json'), 'utf8')) as { figures: { throughputPerS: { median: number } }[] };
    const [evaluate] = json.figures;
    assert.ok(evaluate);
    evaluate.throughputPerS.median = 200;
    await writeFile(join(ceilingDir, 'ceiling.json'), JSON.stringify(json));
    await assert.rejects(regenerate(dir), (error: unknown) => {
      assert.ok(error instanceof FigureMismatchError, String(error));
      assert.match(error.mismatches.join('\n'), /ceiling\.tests\[1\]\.ceilingPerS\.median: summary\.json 105/);
      assert.match(error.mismatches.join('\n'), /ceiling\.tests\[1\]\.fraction/);
      return true;
    });
    await rm(ceilingDir, { recursive: true });
    await assert.rejects(regenerate(dir), (error: unknown) => error instanceof RawDataError && /the ceiling report this report was compared with cannot be read/.test(error.message));
  });

  void it('reads a report of schema 4 as one not compared with a ceiling', async () => {
    const { dir } = await written();
    const { schemaVersion, ceiling, ...v4 } = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as ReportData & { schemaVersion: number };
    assert.equal(schemaVersion, 6);
    assert.ok(ceiling);
    assert.ok(v4.tuning.length > 0);
    // Schema 4 and 5 stored tuning steps without their repeats: such a report is refused, one without steps is read.
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ schemaVersion: 5, ...v4, ceiling }));
    await assert.rejects(readReport(dir), /schema 5 tuning steps lack the repeats their figures come from/);
    v4.tuning = [];
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ schemaVersion: 4, ...v4 }));
    assert.equal((await readReport(dir)).ceiling, null);
    await regenerate(dir);
    assert.match(await readFile(join(dir, 'report.md'), 'utf8'), /Not compared: this report is of schema 4/);
    await writeFile(join(dir, 'summary.json'), JSON.stringify({ schemaVersion: 3, ...v4 }));
    await assert.rejects(readReport(dir), /schema version 3, this renderer reads 4, 5 and 6/);
  });
});
