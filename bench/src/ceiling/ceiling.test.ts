import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';

import { UsageError } from '@energysale/network';

import type { InterferenceSummary } from '../resources/interference';
import { aggregate, ceilingConfig, DEFAULT_CEILING, msPerTransaction, QUICK_CEILING, rawCall, runFigures, spreadOf, type CeilingRaw } from './figures';
import {
  CEILING_EXIT,
  ceilingMarkdown,
  deriveCeiling,
  exitCodeOf,
  fractionOfCeiling,
  latestCeiling,
  rawFileOf,
  rederiveCeiling,
  spreadText,
  writeCeilingReport,
  type CeilingReport,
} from './report';
import { ceilingReport, ceilingWindow, disturbed, quiet } from './testing/fixture';

/** The shared fixture's, under the names these tests were written with. */
const window = ceilingWindow;
const report = (raws: readonly CeilingRaw[], interference?: (raw: CeilingRaw) => InterferenceSummary): CeilingReport => ceilingReport(raws, interference);

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ceiling-test-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

void describe("the ceiling's options", () => {
  void it('are the default, or the quick variant, with each option given over it', () => {
    assert.deepEqual(ceilingConfig({}), DEFAULT_CEILING);
    assert.deepEqual(ceilingConfig({ quick: true }), QUICK_CEILING);
    assert.deepEqual(ceilingConfig({ quick: true, repeats: '2', users: '10' }), { ...QUICK_CEILING, repeats: 2, users: 10 });
    assert.deepEqual(ceilingConfig({ duration: '1m30s', warmup: '0s' }), { ...DEFAULT_CEILING, duration: '1m30s', warmup: '0s' });
  });

  void it('refuses what is no number of users or repeats, no duration, or no measured window, naming the option', () => {
    for (const [options, option] of [
      [{ users: '0' }, '--users'],
      [{ users: '2.5' }, '--users'],
      [{ users: '' }, '--users'],
      [{ repeats: '0' }, '--repeats'],
      [{ repeats: 'three' }, '--repeats'],
      [{ duration: '0s' }, '--duration'],
      [{ duration: '15' }, '--duration'],
      [{ warmup: 'soon' }, '--warmup'],
    ] as const) {
      assert.throws(() => ceilingConfig(options), (error: unknown) => error instanceof UsageError && error.message.includes(option), JSON.stringify(options));
    }
  });
});

void describe("the ceiling's figures", () => {
  void it('CPU per transaction: the cores a group kept busy over the transactions a second', () => {
    // Half of a 2-core machine at 100 transactions a second: one core, 10 ms each.
    assert.equal(msPerTransaction(50, 2, 100), 10);
    assert.equal(msPerTransaction(50, 2, 0), null);
    assert.equal(msPerTransaction(50, 2, null), null);
  });

  void it('keeps a latency to the µs in raw/', () => {
    assert.deepEqual(rawCall(1000, 12.3456789, true), [1000, 12.346, 1]);
    assert.deepEqual(rawCall(1000, 0.0004, false), [1000, 0, 0]);
  });

  void it("derives one window's throughput from its successes and each group's CPU per transaction, largest first", () => {
    const figures = runFigures(window('write', 1, 100, 2, { harness: 10, peer: 50, orderer: 5 }));
    assert.equal(figures.measured.requests, 102);
    assert.equal(figures.measured.successes, 100);
    assert.equal(figures.throughputPerS, 10);
    assert.deepEqual(
      figures.cpu.map((g) => [g.group, g.msPerTx]),
      [
        ['peer', 100],
        ['harness', 20],
        ['orderer', 10],
      ],
    );
    assert.equal(figures.cpuMsPerTxTotal, 130);
  });

  void it('a window with no success has no CPU per transaction: no data, never 0', () => {
    const figures = runFigures(window('write', 1, 0, 5, { peer: 50 }));
    assert.equal(figures.throughputPerS, 0);
    assert.equal(figures.cpu[0]?.msPerTx, null);
    assert.equal(figures.cpuMsPerTxTotal, null);
  });

  void it('medians and ranges over the repeats; a group missing from a repeat counts only where it was', () => {
    const runs = [
      runFigures(window('evaluate', 1, 90, 0, { peer: 45, chaincode: 10 })),
      runFigures(window('evaluate', 2, 120, 0, { peer: 60 })),
      runFigures(window('evaluate', 3, 100, 0, { peer: 50, chaincode: 10 })),
    ];
    const figures = aggregate('evaluate', runs);
    assert.equal(figures.repeats, 3);
    assert.deepEqual([figures.throughputPerS?.median, figures.throughputPerS?.min, figures.throughputPerS?.max], [10, 9, 12]);
    assert.deepEqual(
      figures.cpuMsPerTx.map((g) => [g.group, g.spread?.median, g.spread?.values.length]),
      [
        ['peer', 100, 3],
        ['chaincode', (20 + 200 / 9) / 2, 2],
      ],
    );
    assert.equal(spreadOf([null, undefined, Number.NaN]), null);
  });

  void it('derives the windows in order and each test once, evaluate before write', () => {
    const derived = deriveCeiling([window('write', 1, 10, 0, {}), window('evaluate', 1, 10, 0, {}), window('write', 2, 20, 0, {})]);
    assert.deepEqual(
      derived.runs.map((r) => `${r.test}${String(r.repeat)}`),
      ['write1', 'evaluate1', 'write2'],
    );
    assert.deepEqual(
      derived.figures.map((f) => [f.test, f.repeats]),
      [
        ['evaluate', 1],
        ['write', 2],
      ],
    );
  });

  void it('exit code: disturbed above all, then a failed call, else 0', () => {
    const run = (thresholdsPassed: boolean, interference: InterferenceSummary) => ({ thresholdsPassed, interference });
    assert.equal(exitCodeOf([run(true, quiet()), run(true, quiet())]), CEILING_EXIT.ok);
    assert.equal(exitCodeOf([run(true, quiet()), run(false, quiet())]), CEILING_EXIT.callsFailed);
    assert.equal(exitCodeOf([run(false, quiet()), run(true, disturbed)]), CEILING_EXIT.disturbed);
  });
});

void describe('the ceiling report', () => {
  const raws = [
    window('evaluate', 1, 1000, 0, { peer: 40, chaincode: 20, harness: 25 }, 5),
    window('write', 1, 100, 0, { peer: 60, orderer: 10, chaincode: 5, harness: 10 }, 300),
    window('evaluate', 2, 1100, 0, { peer: 42, chaincode: 21, harness: 26 }, 5),
    window('write', 2, 110, 0, { peer: 62, orderer: 11, chaincode: 5, harness: 10 }, 290),
  ];

  void it('renders the medians, every group per transaction and each repeat, and says when the figures are clean', () => {
    const md = ceilingMarkdown(report(raws));
    assert.match(md, /^Clean: no measured window was disturbed/m);
    assert.match(md, /\| evaluate \(no-op read\) \| 105\.0 \(100\.0–110\.0\) \| 100\.00 \(100\.00–100\.00\) \|/);
    assert.match(md, /\| orderer \| no data \| 20\.000 \(20\.000–20\.000\) \|/);
    assert.match(md, /\| all ours \| /);
    assert.equal(md.match(/raw\/(evaluate|write)-\d\.json\.gz/g)?.length, 4);
  });

  void it('refuses to present disturbed figures as clean, naming the foreign process', () => {
    const r = report(raws, (raw) => (raw.test === 'write' && raw.repeat === 2 ? disturbed : quiet()));
    assert.equal(r.exitCode, CEILING_EXIT.disturbed);
    const md = ceilingMarkdown(r);
    assert.match(md, /\*\*DISTURBED\*\*: someone else's load used the machine during write repeat 2 \(stress pid 4242 28\.0 %\)\. These figures are not this system's ceiling/);
    assert.doesNotMatch(md, /^Clean:/m);
    assert.match(md, /\| write \| 2 \| .* \| DISTURBED \(other 30\.0 %/);
  });

  void it('says when calls failed, and shows a single repeat without a range and a missing figure as no data', () => {
    const r = report([window('evaluate', 1, 90, 10, { peer: 40 })]);
    assert.equal(r.exitCode, CEILING_EXIT.callsFailed);
    assert.match(ceilingMarkdown(r), /\*\*CALLS FAILED\*\* in evaluate repeat 1/);
    assert.equal(spreadText(r.figures[0]?.throughputPerS ?? null, 1), '9.0');
    assert.equal(spreadText(null, 1), 'no data');
  });

  void it('derives every figure again from raw/, and names what differs when raw/ is not what the figures came from', async () => {
    const dir = await tempDir();
    const r = report(raws);
    await writeCeilingReport(dir, r, raws);
    const again = await rederiveCeiling(dir, { render: true });
    assert.deepEqual(again.differences, []);
    assert.equal(again.checked, 4);
    assert.equal(await readFile(join(dir, 'ceiling.md'), 'utf8'), ceilingMarkdown(r));
    const tampered = window('write', 2, 111, 0, { peer: 62, orderer: 11, chaincode: 5, harness: 10 }, 290);
    await writeFile(join(dir, rawFileOf('write', 2)), gzipSync(JSON.stringify(tampered)));
    assert.deepEqual((await rederiveCeiling(dir)).differences, ['write repeat 2', 'medians over the repeats']);
  });

  void it('the latest report: by time in its name, clean and of this machine when asked; a throughput as a fraction of it', async () => {
    const reports = await tempDir();
    const clean = report(raws);
    const noisy = report(raws, () => disturbed);
    await writeCeilingReport(join(reports, '2026-12-06T1900_ceiling_aaaaaaa'), clean, raws);
    await writeCeilingReport(join(reports, '2026-12-06T2000_ceiling_bbbbbbb-dirty'), noisy, raws);
    await writeCeilingReport(join(reports, '2026-12-06T2100_table4-quick_ccccccc'), clean, raws);
    assert.equal((await latestCeiling(reports))?.dir, join(reports, '2026-12-06T2000_ceiling_bbbbbbb-dirty'));
    assert.equal((await latestCeiling(reports, { clean: true }))?.dir, join(reports, '2026-12-06T1900_ceiling_aaaaaaa'));
    assert.equal(await latestCeiling(reports, { machine: { cores: 4, cpuModel: 'Test CPU' } }), null);
    assert.equal(await latestCeiling(join(reports, 'none')), null);
    // The evaluate ceiling's median is 105 a second.
    assert.equal(fractionOfCeiling(clean, 'evaluate', 84), 0.8);
    assert.equal(fractionOfCeiling(clean, 'evaluate', null), null);
    assert.equal(fractionOfCeiling({ figures: [] }, 'write', 10), null);
  });
});
