import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';

import { runCliScript } from '@energysale/network';

import { AB_EXIT, readAbReport, rederiveAb } from './report';

/*
 * `bench ab` on the shared network, as a user runs it: side A this commit built from a revision (a
 * git export in the cache, built there), side B this checkout; one short window a side with CPU
 * profiles. Nothing is asserted of the figures' size (the machine is shared): only that each side
 * ran its own build, every figure is there and derived again, the same, from raw/, and that the
 * profiles name where the service's time went.
 */

const cli = join(__dirname, '..', 'cli.js');
const repo = join(__dirname, '..', '..', '..');

void describe('bench ab (live)', { timeout: 900_000 }, () => {
  let reports: string | undefined;
  after(async () => {
    if (reports !== undefined) await rm(reports, { recursive: true, force: true });
  });

  void it('measures a revision against this checkout, window by window, and writes a report derived again from raw/', async () => {
    reports = await mkdtemp(join(tmpdir(), 'ab-live-'));
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    const run = await runCliScript(cli, ['ab', '--a', 'HEAD', '--b', repo, '--users', '4', '--duration', '4s', '--warmup', '2s', '--repeats', '1', '--cpu-prof', '--reports', relative(process.cwd(), reports)], { timeoutMs: 840_000 });
    const said = `exit ${String(run.code)}\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`;
    // --reports is given relative to this process's directory, not the instances' (their profiles land in the report all the same).
    // 99: the paper's thresholds (4 users do not reach its rate); 98: someone else used the machine. Either way the report is whole.
    assert.ok(([AB_EXIT.ok, AB_EXIT.thresholdFailed, AB_EXIT.disturbed] as number[]).includes(run.code ?? -1), said);
    const dir = /A\/B report: (\S+)\/ab\.md/.exec(run.stdout)?.[1];
    assert.ok(dir !== undefined && existsSync(join(dir, 'ab.md')), said);

    const report = await readAbReport(dir);
    assert.equal(report.sides.A.commit, head);
    assert.match(report.sides.A.build, /energysale-bench\/ab\/[0-9a-f]{40}\/service\/dist$/);
    assert.equal(report.sides.B.build, join(repo, 'service', 'dist'));
    assert.deepEqual(report.windows.map((w) => [w.test, w.side, w.repeat]), [['order_query', 'A', 1], ['order_query', 'B', 1]]);
    for (const w of report.windows) {
      assert.equal(w.figures.successRatePct, 100, `${w.side}: every request served`);
      assert.ok((w.figures.throughputTxPerMin ?? 0) > 0, `${w.side}: requests in the window`);
      assert.ok((w.figures.cpuMsPerRequest.service ?? 0) > 0, `${w.side}: the service's CPU measured`);
      assert.ok((w.figures.cpuMsPerRequest.peer ?? 0) > 0, `${w.side}: the peers' CPU measured`);
    }
    const throughput = report.comparisons.find((c) => c.figure === 'throughputTxPerMin');
    assert.ok(throughput?.ratio !== null && throughput?.ratio !== undefined && throughput.ratio > 0, 'B ÷ A');

    // Two instances a side, each profile saved and summarised: the gateway client's gRPC is in every one.
    assert.equal(report.profiles.length, 4);
    for (const p of report.profiles) {
      assert.ok(existsSync(join(dir, p.file)), p.file);
      assert.ok(p.summary.busyMs > 0);
      assert.ok(p.summary.byPackage.some((s) => s.name === '@grpc/grpc-js'), `${p.side} ${p.instance}: ${p.summary.byPackage.map((s) => s.name).join(', ')}`);
    }

    const again = await rederiveAb(dir);
    assert.deepEqual(again.differences, []);
    assert.equal(again.checked, 2);
    assert.match(await readFile(join(dir, 'ab.md'), 'utf8'), /## B against A/);
  });
});
