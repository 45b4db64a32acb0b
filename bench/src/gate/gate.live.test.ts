import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { DEFAULT_GATE_OPTIONS, GATE_EXIT } from './decide';
import { recordBaseline, runGate, type GateRunOptions } from './gate';

/*
 * The gate on the live network (short windows, 3 repeats): a baseline is recorded, an unchanged run
 * flags no add-order figure, and a run with a regression injected into the service (each ledger
 * write delayed) fails it on the add-order figures.
 */
void describe('bench gate on the live network', { timeout: 900_000 }, () => {
  void it('records a baseline, flags nothing in an unchanged add-order run and fails an injected regression', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gate-live-'));
    const baselinePath = join(dir, 'baseline.json');
    const log = (line: string): void => {
      process.stdout.write(`# ${line}\n`);
    };
    const baseline = await recordBaseline({ out: baselinePath, repeats: 3, users: 10, duration: '6s', warmup: '2s', log });
    for (const scenario of ['add_order', 'order_query'] as const) {
      assert.ok(baseline.scenarios[scenario].throughputTxPerMin.every((v) => v > 0), scenario);
      assert.ok(baseline.scenarios[scenario].chainCpuMsPerTx.every((v) => v > 0), `${scenario}: no chain CPU measured`);
      assert.deepEqual(baseline.scenarios[scenario].successRatePct, [100, 100, 100]);
    }
    const options: GateRunOptions = { baselinePath, repeats: 3, reportsDir: join(dir, 'reports'), gate: DEFAULT_GATE_OPTIONS, log };

    // The unchanged run: no add-order figure may be flagged (the scenario the injected regression
    // hits). Order query is reported, not asserted: on this shared network, aged by the live tests
    // before, its figures drift down between two runs a minute apart (the README's false-alarm
    // measurements: a fresh network per gate passes, an aging one drifts; CI at bc00da0 saw -20 %).
    const unchanged = await runGate(options);
    const table = await readFile(join(unchanged.dir, 'summary.md'), 'utf8');
    assert.ok(unchanged.decision, `the gate did not decide:\n${table}`);
    const falseAlarms = unchanged.decision.regressions.filter((r) => r.scenario === 'add_order');
    assert.deepEqual(falseAlarms.map((r) => r.figure), [], `a false alarm:\n${table}`);
    log(`unchanged run: exit ${unchanged.exitCode}; order query regressions (drift, not asserted): ${unchanged.decision.regressions.filter((r) => r.scenario === 'order_query').map((r) => r.figure).join(', ') || 'none'}`);

    const injected = await runGate({ ...options, serviceSettings: { INJECT_WRITE_DELAY_MS: '1500' } });
    const summary = await readFile(join(injected.dir, 'summary.md'), 'utf8');
    assert.equal(injected.exitCode, GATE_EXIT.regression, summary);
    const flagged = injected.decision?.regressions.map((r) => `${r.scenario} ${r.figure}`) ?? [];
    for (const expected of ['add_order throughputTxPerMin', 'add_order latencyP50S']) assert.ok(flagged.includes(expected), `${expected} not flagged:\n${summary}`);
    assert.match(await readFile(join(injected.dir, 'junit.xml'), 'utf8'), /<failure message="throughput regressed -\d/);
    assert.match(summary, /INJECT_WRITE_DELAY_MS/);
  });
});
