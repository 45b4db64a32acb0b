import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { measurementProblems, MEASUREMENT_SCHEMA, writeMeasurement, type Measurement } from './baseline';
import { DEFAULT_GATE_OPTIONS, GATE_EXIT } from './decide';
import { GATE_FIGURES, type GateFigure } from './figures';
import { DEFAULT_BASELINE, recordBaseline, runGate, type GateRunOptions } from './gate';
import type { MeasureOptions } from './measure';

/** A measurement of `repeats` repeats around the given medians, +-1 % alternating (a quiet machine). */
function measurement(medians: Partial<Record<GateFigure, number>> = {}, repeats = 5, overrides: Partial<Measurement> = {}): Measurement {
  const base: Record<GateFigure, number> = { throughputTxPerMin: 1200, latencyP50S: 1.4, latencyP95S: 2.0, latencyP99S: 2.5, successRatePct: 100, chainCpuMsPerTx: 90, ...medians };
  const values = (v: number, figure: GateFigure): number[] =>
    [...Array(repeats).keys()].map((i) => (figure === 'successRatePct' ? v : v * (1 + (i % 2 === 0 ? 0.01 : -0.01) * Math.ceil(i / 2))));
  const samples = Object.fromEntries(GATE_FIGURES.map((f) => [f, values(base[f], f)])) as Record<GateFigure, number[]>;
  return {
    schema: MEASUREMENT_SCHEMA,
    recordedAt: '2026-11-25T12:00:00.000Z',
    commit: { sha: 'a'.repeat(40), dirty: false },
    machine: { cores: 2, memoryGiB: 23.5, cpuModel: 'test CPU', os: 'Linux x64', kernel: '6', node: 'v20' },
    runtime: 'native',
    config: { users: 30, duration: '20s', warmup: '5s', repeats, batch: 'timeout 2s', topology: 'abc', serviceSettings: {} },
    scenarios: { add_order: samples, order_query: { ...samples, throughputTxPerMin: samples.throughputTxPerMin.map((v) => v * 10) } },
    ...overrides,
  };
}

async function gateWith(baseline: Measurement | string, current: Measurement | Error): Promise<{ run: Awaited<ReturnType<typeof runGate>>; junit: string; summary: string; asked: MeasureOptions[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'gate-'));
  let baselinePath = join(dir, 'baseline.json');
  if (typeof baseline === 'string') baselinePath = baseline;
  else await writeMeasurement(baselinePath, baseline);
  const asked: MeasureOptions[] = [];
  const options: GateRunOptions = {
    baselinePath,
    repeats: 5,
    reportsDir: join(dir, 'reports'),
    gate: DEFAULT_GATE_OPTIONS,
    log: () => undefined,
    measure: (o) => {
      asked.push(o);
      return current instanceof Error ? Promise.reject(current) : Promise.resolve(current);
    },
  };
  const run = await runGate(options);
  return { run, junit: await readFile(join(run.dir, 'junit.xml'), 'utf8'), summary: await readFile(join(run.dir, 'summary.md'), 'utf8'), asked };
}

void describe('bench gate', () => {
  void it("passes (exit 0) an unchanged run, measured with the baseline's load shape", async () => {
    const { run, junit, summary, asked } = await gateWith(measurement(), measurement());
    assert.equal(run.exitCode, GATE_EXIT.pass);
    assert.deepEqual(asked.map((a) => [a.users, a.duration, a.warmup, a.repeats]), [[30, '20s', '5s', 5]]);
    assert.match(junit, /<testsuites name="bench gate" tests="12" failures="0" errors="0"/);
    assert.equal((junit.match(/<testcase /g) ?? []).length, 12);
    assert.match(summary, /^## bench gate: PASS \(exit 0\)/);
    assert.ok(existsSync(join(run.dir, 'current.json')));
  });

  void it('says when the ledger grew since the baseline by more than a baseline run adds (a note, not a verdict), and not otherwise', async () => {
    const baseline = measurement({}, 5, { ledger: { heightAtStart: 40, heightAtEnd: 400 } });
    const fresh = await gateWith(baseline, measurement({}, 5, { ledger: { heightAtStart: 45, heightAtEnd: 410 } }));
    assert.doesNotMatch(fresh.summary, /Not like for like/);
    assert.match(fresh.summary, /ledger height 40–400/);
    const grown = await gateWith(baseline, measurement({}, 5, { ledger: { heightAtStart: 2400, heightAtEnd: 2760 } }));
    assert.equal(grown.run.exitCode, GATE_EXIT.pass, 'a warning, not a verdict');
    assert.match(grown.summary, /⚠️ Not like for like: the ledger is 2400 blocks high, the baseline's was 40: it grew by more than a baseline run adds \(360 blocks\)/);
    assert.match(grown.summary, /no figure drifting with the ledger \(docs\/soak.md\)/);
    // A baseline from before heights were recorded: nothing to say.
    assert.doesNotMatch((await gateWith(measurement(), measurement({}, 5, { ledger: { heightAtStart: 2400, heightAtEnd: 2760 } }))).summary, /Not like for like/);
  });

  void it('fails (exit 1) a regressed figure, naming it in JUnit and the summary, and not an improved one', async () => {
    const current = measurement({ throughputTxPerMin: 900, latencyP50S: 1.0 });
    const { run, junit, summary } = await gateWith(measurement(), current);
    assert.equal(run.exitCode, GATE_EXIT.regression);
    assert.deepEqual(run.decision?.regressions.map((r) => `${r.scenario} ${r.figure}`), ['add_order throughputTxPerMin', 'order_query throughputTxPerMin']);
    assert.equal(run.decision.results.filter((r) => r.verdict === 'improvement').length, 2);
    assert.match(junit, /failures="2" errors="0"/);
    assert.match(junit, /<failure message="throughput regressed -25.0 %" type="regression">/);
    assert.match(summary, /FAIL \(exit 1\): 2 regressions/);
    assert.match(summary, /\| add_order \| throughput \(tx\/min\) \|.*\| -25\.0 % \|.*❌ regression \|/);
  });

  void it('errs (exit 2) without a baseline, with an incomparable one, and when the measurement fails', async () => {
    const missing = await gateWith('/nonexistent/baseline.json', measurement());
    assert.equal(missing.run.exitCode, GATE_EXIT.error);
    assert.equal(missing.run.error?.name, 'BaselineError');
    assert.match(missing.junit, /errors="1"/);
    assert.match(missing.junit, /<error message="BaselineError: cannot read the baseline/);
    assert.match(missing.summary, /ERROR \(exit 2\)/);
    assert.equal(missing.asked.length, 0, 'measured without a baseline');

    const elsewhere = await gateWith(measurement(), measurement({}, 5, { machine: { cores: 8, memoryGiB: 64, cpuModel: 'other CPU', os: 'Linux x64', kernel: '6', node: 'v20' } }));
    assert.equal(elsewhere.run.exitCode, GATE_EXIT.error);
    assert.equal(elsewhere.run.error?.name, 'IncomparableBaselineError');
    assert.match(elsewhere.run.error.message, /machine cores: baseline 2, now 8/);

    // A baseline that names no engine was recorded with vegeta: not compared with the scripts' engine.
    const scripts = { ...measurement().config, engine: 'undici 7.30.2 (in-process)' };
    const vegetaEra = await gateWith(measurement(), measurement({}, 5, { config: scripts }));
    assert.equal(vegetaEra.run.exitCode, GATE_EXIT.error);
    assert.equal(vegetaEra.run.error?.name, 'IncomparableBaselineError');
    assert.match(vegetaEra.run.error.message, /load engine: baseline "vegeta", now "undici 7.30.2 \(in-process\)"/);
    assert.equal((await gateWith(measurement({}, 5, { config: scripts }), measurement({}, 5, { config: scripts }))).run.exitCode, GATE_EXIT.pass);

    const broken = await gateWith(measurement(), Object.assign(new Error('the network is not up'), { name: 'NetworkNotReadyError' }));
    assert.equal(broken.run.exitCode, GATE_EXIT.error);
    assert.match(broken.junit, /NetworkNotReadyError: the network is not up/);

    const dir = await mkdtemp(join(tmpdir(), 'gate-'));
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ ...measurement(), schema: 'something else' }));
    const invalid = await gateWith(join(dir, 'bad.json'), measurement());
    assert.equal(invalid.run.exitCode, GATE_EXIT.error);
    assert.match(invalid.run.error?.message ?? '', /is not a gate measurement/);
  });

  void it('refuses a baseline measured with an injected regression', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gate-'));
    const injected = measurement({}, 5, { config: { ...measurement().config, serviceSettings: { INJECT_WRITE_DELAY_MS: '200' } } });
    await writeMeasurement(join(dir, 'current.json'), injected);
    await assert.rejects(recordBaseline({ out: join(dir, 'baseline.json'), repeats: 5, from: join(dir, 'current.json'), log: () => undefined }), /injected regression is no baseline/);
    assert.equal(existsSync(join(dir, 'baseline.json')), false);
  });

  void it('has a committed baseline that is a valid measurement', async () => {
    assert.deepEqual(measurementProblems(JSON.parse(await readFile(DEFAULT_BASELINE, 'utf8'))), []);
  });
});
