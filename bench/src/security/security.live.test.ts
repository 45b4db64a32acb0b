import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

import { runSecurity } from './run';

/* The API fuzzed on the live network (10,000 invalid requests), the role × transition matrix, and the key scan. */
void describe('API fuzzing and key scan on the live network', { timeout: 900_000 }, () => {
  void it('refuses 10,000 invalid requests with 4xx problems, never 5xx, writes nothing; refuses every illegal step of Table 1; no private key anywhere it looked', async () => {
    const reports = await mkdtemp(join(tmpdir(), 'security-'));
    // A new seed each run explores new cases; the log names it, so a failure replays with --seed.
    const seed = 1 + Math.floor(Math.random() * 2 ** 30);
    const { dir, report } = await runSecurity({ cases: 10_000, seed, repo: resolve(__dirname, '..', '..', '..'), reportsDir: reports, log: (line) => process.stdout.write(`# ${line}\n`) });
    process.stdout.write(`# seed ${seed}: ${JSON.stringify(report.fuzz.byStatus)}\n`);
    assert.equal(report.fuzz.cases, 10_000);
    assert.ok(report.fuzz.operations >= 25, `${report.fuzz.operations} operations`);
    assert.deepEqual(report.fuzz.serverErrors, [], '5xx or no answer');
    assert.deepEqual(report.fuzz.accepted, [], 'invalid input accepted');
    assert.deepEqual(report.fuzz.withoutProblem, [], '4xx without a problem body');
    assert.deepEqual(report.fuzz.heightsAfter, report.fuzz.heightsBefore, 'a ledger write');
    assert.equal(Object.keys(report.fuzz.heightsBefore).length, 7);
    // Authentication, validation and the router all refused something.
    for (const status of ['400', '401']) assert.ok((report.fuzz.byStatus[status] ?? 0) > 0, `no ${status}`);
    assert.ok(report.matrix.states >= 14 && report.matrix.attempts > 500, `${report.matrix.states} states, ${report.matrix.attempts} attempts`);
    assert.deepEqual(report.matrix.violations, [], 'an illegal step accepted, or an order changed');
    assert.equal(report.matrix.refused, report.matrix.attempts);
    assert.ok(report.keys.scanned > 100, `${report.keys.scanned} files scanned`);
    assert.deepEqual(report.keys.findings, []);
    assert.equal(report.passed, true);
    assert.ok(existsSync(join(dir, 'security.json')));
    assert.match(await readFile(join(dir, 'security.md'), 'utf8'), /\*\*Passed\*\*/);
  });
});
