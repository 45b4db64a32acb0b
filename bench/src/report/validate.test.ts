import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { completeReport, evaluateThresholds, littlesLaw } from './analyse';
import { PAPER_TABLE_4, type ReportData } from './schema';
import { fixtureInput, fixtureReport } from './testing/fixture';
import { validateReport } from './validate';

/** The fixture report, changed by `edit` (on a deep copy). */
function edited(edit: (report: ReportData) => void): ReportData {
  const report = structuredClone(fixtureReport());
  edit(report);
  return report;
}

function scenarioOf(report: ReportData, scenario: string, engine: string): ReportData['scenarios'][number] {
  const found = report.scenarios.find((s) => s.scenario === scenario && s.engine === engine);
  assert.ok(found, `${scenario}/${engine} in the fixture`);
  return found;
}

void describe('analyse', () => {
  const report = fixtureReport();

  void it('compares each run of a paper test with Table 4, ratio = measured / paper', () => {
    assert.deepEqual(
      report.paper.map((p) => `${p.scenario}/${p.engine}`),
      ['add_order/http', 'order_query/http', 'add_order/caliper', 'order_query/caliper'],
    );
    const addOrder = report.paper[0];
    const run = scenarioOf(report, 'add_order', 'http');
    assert.ok(run.measured.throughputTxPerMin !== null && run.measured.latencyS !== null);
    assert.equal(addOrder?.ratio.throughputTxPerMin, run.measured.throughputTxPerMin / 216.12);
    assert.equal(addOrder.ratio.avgLatencyS, run.measured.latencyS.avg / 6.108);
    assert.equal(addOrder.ratio.cpuAvgPct, run.resources.chain.cpuPct.avg / 11.92);
    assert.equal(addOrder.ratio.memAvgPct, run.resources.chain.memPct.avg / 16.31);
    assert.deepEqual(addOrder.paper, PAPER_TABLE_4.add_order);
  });

  void it('reproduces the paper’s Little’s law gap: 30 users at 6.108 s allow ~295 tx/min, 216.12 measured, ~2.2 s think time', () => {
    const [addOrder, orderQuery] = littlesLaw([]);
    assert.equal(addOrder?.subject, 'paper');
    assert.equal(addOrder.predictedTxPerMin.toFixed(2), '294.70');
    assert.equal(addOrder.ratio.toFixed(3), '0.733');
    assert.equal(addOrder.impliedThinkTimeS.toFixed(3), '2.221');
    assert.equal(orderQuery?.predictedTxPerMin.toFixed(2), '40909.09');
  });

  void it('checks Little’s law for closed-model runs only, on completed requests', () => {
    const input = fixtureInput();
    const first = input.scenarios[1];
    assert.ok(first);
    input.scenarios[1] = { ...first, executor: 'open' };
    const checks = completeReport(input).littlesLaw.filter((l) => l.subject === 'measured');
    assert.equal(checks.length, input.scenarios.length - 1);
    const query = scenarioOf(report, 'order_query', 'http');
    const check = report.littlesLaw.find((l) => l.scenario === 'order_query' && l.engine === 'http');
    assert.equal(check?.measuredTxPerMin, (query.measured.requests / 600) * 60);
  });

  void it('lets commits differ from successes by the requests in flight at the edges, no more', () => {
    assert.deepEqual(
      report.consistency.map((c) => [c.scenario, c.engine, c.difference, c.toleranceTx, c.agree]),
      [
        ['add_order', 'http', 11, 30, true],
        ['add_order', 'caliper', 11, 30, true],
      ],
    );
    const input = fixtureInput();
    const run = input.scenarios.find((s) => s.scenario === 'add_order' && s.engine === 'http');
    assert.ok(run?.chain);
    run.chain.validTx = run.measured.successes - 31;
    assert.equal(completeReport(input).consistency[0]?.agree, false);
  });

  void it('fails a threshold on a run that did not happen', () => {
    const [result] = evaluateThresholds(report.scenarios, [{ scenario: 'add_order', engine: 'caliper', metric: 'failures', op: '<=', limit: 0 }]);
    assert.equal(result?.pass, true);
    const [missing] = evaluateThresholds(report.scenarios, [{ scenario: 'delete_order', engine: 'http', metric: 'failures', op: '<=', limit: 0 }]);
    assert.deepEqual([missing?.actual, missing?.pass], [null, false]);
    assert.deepEqual(
      report.thresholds.map((t) => t.pass),
      [false, true, true, true, true],
    );
  });
});

void describe('validateReport', () => {
  void it('accepts the fixture', () => {
    assert.deepEqual(validateReport(fixtureReport()), []);
  });

  void it('refuses a disturbed flag the scenarios do not bear out, and chain counts that do not add up', () => {
    assert.deepEqual(
      validateReport(
        edited((r) => {
          r.disturbed = false;
        }),
      ),
      ['report.disturbed: false, but the scenarios say true'],
    );
    const problems = validateReport(
      edited((r) => {
        const chain = scenarioOf(r, 'add_order', 'http').chain;
        assert.ok(chain);
        chain.byValidation = { ...chain.byValidation, DUPLICATE_TXID: 1 };
      }),
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /validTx \d+ and invalidTx 3 are not what byValidation counts \(\d+, 4\)/);
  });

  void it('refuses what is not a report at all', () => {
    assert.deepEqual(validateReport(null), ['report: expected an object, got null']);
    assert.deepEqual(validateReport([]), ['report: expected an object, got []']);
  });

  void it('names missing and unexpected fields', () => {
    const problems = validateReport(
      edited((r) => {
        delete (r.meta as Partial<ReportData['meta']>).commit;
        Object.assign(r.machine, { gpu: 'none' });
      }),
    );
    assert.deepEqual(problems, ['report.meta.commit: missing', 'report.machine.gpu: unexpected field']);
  });

  void it('refuses percentages outside 0–100, negative counts, wrong types and bad times', () => {
    const problems = validateReport(
      edited((r) => {
        const run = r.scenarios[1];
        assert.ok(run);
        run.resources.chain.cpuPct.max = 140;
        run.measured.failures = -1;
        (run.resourceSeries[0] as { chain: { memPct: unknown } }).chain.memPct = '12';
        r.meta.startedAt = 'yesterday';
      }),
    );
    assert.deepEqual(problems, [
      'report.meta.startedAt: expected an ISO 8601 time, got "yesterday"',
      'report.scenarios[1].measured.failures: -1 is below 0',
      'report.scenarios[1].resources.chain.cpuPct.max: 140 is above 100',
      'report.scenarios[1].resourceSeries[0].chain.memPct: expected a finite number, got "12"',
    ]);
  });

  void it('checks the arithmetic that ties the figures together', () => {
    const problems = validateReport(
      edited((r) => {
        const run = r.scenarios[1];
        assert.ok(run?.measured.latencyS);
        run.measured.successes -= 1;
        run.measured.latencyS.p95 = run.measured.latencyS.p99 + 1;
        const copy = r.scenarios[0];
        assert.ok(copy);
        r.scenarios.push(structuredClone(copy));
        r.littlesLaw.pop();
      }),
    );
    assert.ok(problems.some((p) => p.startsWith('report.scenarios[1].measured: successes ') && p.includes('is not requests')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('report.scenarios[1].measured.successRatePct:')));
    assert.ok(problems.some((p) => p.startsWith('report.scenarios[1].measured.latencyS: p95')));
    assert.ok(problems.includes('report.scenarios[5]: noop/http appears twice'));
  });

  void it('recomputes the derived sections: a tampered ratio, verdict or agreement is caught', () => {
    const problems = validateReport(
      edited((r) => {
        const [paper] = r.paper;
        const [threshold] = r.thresholds;
        const [consistency] = r.consistency;
        assert.ok(paper && threshold && consistency);
        paper.ratio.throughputTxPerMin = 1;
        threshold.pass = true;
        consistency.agree = false;
      }),
    );
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0] ?? '', /^report\.paper\[0\]\.ratio\.throughputTxPerMin: 1 but the scenarios give 3\.\d+$/);
    assert.equal(problems[1], 'report.consistency[0].agree: false but the scenarios give true');
    assert.equal(problems[2], 'report.thresholds[0].pass: true but the scenarios give false');
  });
});
