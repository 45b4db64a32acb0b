import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { isRunning, StateLayout, Supervisor } from '@energysale/network';

import { DEFAULT_GATE_OPTIONS, GATE_EXIT } from './decide';
import { startBurner } from '../testing/burner';
import { recordBaseline, runGate, type GateRunOptions } from './gate';

/*
 * The gate on the live network (short windows, 3 repeats): a baseline is recorded, an unchanged run
 * does not flag add-order throughput or p50, and a run with a regression injected into the service (each ledger
 * write delayed) fails it on the add-order figures.
 */
void describe('bench gate on the live network', { timeout: 900_000 }, () => {
  void it('records a baseline, flags no add-order throughput or p50 in an unchanged run and fails an injected regression on them', async () => {
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

    // The unchanged run must not flag the figures the injected regression is required to flag below
    // (add-order throughput and p50). The rest is printed, not asserted: on this shared network, aged
    // by the live tests before, order query drifts down between two runs a minute apart (CI at
    // bc00da0: -20 %), and a 6 s window's add-order p95/p99 is a few requests, moved by whole 2 s
    // batch timeouts (a fresh network here at a93ae7e: p99 1.14 s, then 2.38 s).
    const decisive = ['add_order throughputTxPerMin', 'add_order latencyP50S'];
    const unchanged = await runGate(options);
    const table = await readFile(join(unchanged.dir, 'summary.md'), 'utf8');
    assert.ok(unchanged.decision, `the gate did not decide:\n${table}`);
    const flaggedUnchanged = unchanged.decision.regressions.map((r) => `${r.scenario} ${r.figure}`);
    assert.deepEqual(flaggedUnchanged.filter((f) => decisive.includes(f)), [], `a false alarm:\n${table}`);
    log(`unchanged run: exit ${unchanged.exitCode}; other figures flagged (not asserted): ${flaggedUnchanged.join(', ') || 'none'}`);

    const injected = await runGate({ ...options, serviceSettings: { INJECT_WRITE_DELAY_MS: '1500' } });
    const summary = await readFile(join(injected.dir, 'summary.md'), 'utf8');
    assert.equal(injected.exitCode, GATE_EXIT.regression, summary);
    const flagged = injected.decision?.regressions.map((r) => `${r.scenario} ${r.figure}`) ?? [];
    for (const expected of decisive) assert.ok(flagged.includes(expected), `${expected} not flagged:\n${summary}`);
    assert.match(await readFile(join(injected.dir, 'junit.xml'), 'utf8'), /<failure message="throughput regressed -\d/);
    assert.match(summary, /INJECT_WRITE_DELAY_MS/);

    // A run beside someone else's CPU burner is never judged: repeated as disturbed, then refused (exit 2).
    const burner = startBurner(120);
    try {
      const disturbed = await runGate({ ...options, repeats: 1, disturbedRetries: 1 });
      assert.equal(disturbed.exitCode, GATE_EXIT.error, `judged beside a burner: exit ${disturbed.exitCode}`);
      assert.equal(disturbed.error?.name, 'DisturbedMeasurementError', disturbed.error?.message);
      assert.match(disturbed.error.message, new RegExp(`pid ${String(burner.pid)}`));
      assert.equal(disturbed.decision, undefined, 'a disturbed measurement was judged');
    } finally {
      burner.stop();
    }
  });

  void it('stops the service tier it started when interrupted (SIGTERM), and exits 143', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gate-interrupt-'));
    const serviceTier = async () => (await new Supervisor(new StateLayout()).records()).filter((r) => (r.kind === 'service' || r.kind === 'lb') && isRunning(r));
    const child = spawn(process.execPath, [join(__dirname, '..', 'cli.js'), 'baseline', '--repeats', '1', '--users', '2', '--duration', '20s', '--warmup', '2s', '--out', join(dir, 'b.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      out += chunk;
    });
    const exited = once(child, 'exit') as Promise<[number | null]>;
    // Interrupted while it measures, the tier up and the script running.
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (/repeat 1\/1: add_order/.test(out)) resolve();
      });
      void exited.then(() => {
        reject(new Error(`bench baseline ended before it measured:\n${out}`));
      });
    });
    assert.ok((await serviceTier()).length > 0, 'no service tier while it measured');
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 143, out);
    assert.match(out, /SIGTERM: stopping what this run started/);
    assert.deepEqual((await serviceTier()).map((r) => r.id), [], `left running after the interrupt:\n${out}`);
  });
});
