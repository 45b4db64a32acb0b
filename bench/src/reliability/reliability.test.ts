import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { summarise } from '../resources/interference';
import { reconcile } from './reconcile';
import { judge, RELIABILITY_SCHEMA, reliabilityMarkdown, type ReliabilityReport } from './report';
import type { FaultResult } from './suite';

const order = (id: string, status = 'submitted', stage = 'drafting') => ({ id, createdAt: '2026-11-26T00:00:00Z', status, stage });

void describe('reconciling a load with the ledger', () => {
  void it('finds acknowledged orders lost, duplicated, in the wrong state, and orders nobody sent; counts late commits', () => {
    const outcomes = [
      { id: 'a', status: 201 },
      { id: 'b', status: 201 },
      { id: 'c', status: 201 },
      { id: 'd', status: 502 },
      { id: 'e', status: 0 },
      { id: 'f', status: 201 },
    ];
    const r = reconcile(outcomes, [order('a'), order('c'), order('c'), order('d'), order('f', 'cancelled'), order('z')]);
    assert.deepEqual(r.lost, ['b']);
    assert.deepEqual(r.duplicated, ['c']);
    assert.deepEqual(r.wrongState, ['f']);
    assert.equal(r.unacknowledgedCommitted, 1, 'd failed to its client but committed');
    assert.deepEqual(r.unknown, ['z']);
    assert.equal(r.listed, 5, 'a, c, d, f, z: distinct');
    assert.deepEqual(reconcile(outcomes.slice(0, 1), [order('a')]), { lost: [], duplicated: [], wrongState: [], unacknowledgedCommitted: 0, unknown: [], listed: 1 });
  });
});

void describe('judging a fault', () => {
  const result = (over: Partial<FaultResult> = {}): FaultResult => ({
    fault: 'orderer-leader',
    description: 'kill the leader',
    hit: ['orderer9.example.org'],
    injectedAt: '2026-11-26T00:00:10Z',
    restoredAt: '2026-11-26T00:00:20Z',
    sent: 100,
    acknowledged: 99,
    failed: 1,
    acknowledgedDuringFault: 30,
    measured: { throughputTxPerMin: 600, successRatePct: 99, p50S: 2, p99S: 4 },
    errorWindowS: 1.5,
    recoveryS: 2,
    restoreS: 8,
    catchUpS: 0.4,
    reconciliation: { lost: [], duplicated: [], wrongState: [], unacknowledgedCommitted: 0, unknown: [], listed: 99 },
    chain: { validTx: 99, invalidTx: 2, byValidation: { VALID: 99, DUPLICATE_TXID: 2 }, source: 'block scan' },
    failures: { '503': 1 },
    interference: summarise([]),
    ...over,
  });

  void it('passes only when nothing acknowledged is lost and writes were acknowledged during the fault', () => {
    assert.deepEqual(judge(result()), { fault: 'orderer-leader', durable: true, available: true, passed: true, reasons: [] });
    const lost = judge(result({ reconciliation: { lost: ['x1', 'x2'], duplicated: [], wrongState: [], unacknowledgedCommitted: 0, unknown: [], listed: 97 }, chain: { validTx: 97, invalidTx: 0, byValidation: { VALID: 97 }, source: 'block scan' } }));
    assert.equal(lost.durable, false);
    assert.deepEqual(lost.reasons, ['2 acknowledged orders lost (x1, x2)']);
    const disagree = judge(result({ chain: { validTx: 98, invalidTx: 0, byValidation: { VALID: 98 }, source: 'block scan' } }));
    assert.deepEqual(disagree.reasons, ['the blocks hold 98 valid add orders, the ledger lists 99 orders of the load']);
    const unavailable = judge(result({ acknowledgedDuringFault: 0 }));
    assert.deepEqual([unavailable.durable, unavailable.available, unavailable.passed], [true, false, false]);
  });

  void it('writes a markdown table with every figure and the verdicts', () => {
    const burner = { t: 0, machinePct: 90, oursPct: 50, kernelPct: 1, otherPct: 39, stealPct: 0, foreign: new Map([[4242, { name: 'burner', cpuPct: 39 }]]) };
    const faults = [result(), result({ fault: 'peer-per-org', acknowledgedDuringFault: 0, failures: { '502': 14 }, failed: 14, interference: summarise([burner, { ...burner, t: 1 }]) })];
    const report: ReliabilityReport = {
      schema: RELIABILITY_SCHEMA,
      meta: {
        startedAt: '2026-11-26T00:00:00Z',
        endedAt: '2026-11-26T00:05:00Z',
        commit: { sha: 'd'.repeat(40), dirty: false },
        machine: { cores: 2, memoryGiB: 23.5, cpuModel: 'test CPU', os: 'Linux x64', kernel: '6', node: 'v20' },
        runtime: 'native',
        variant: 'ci',
        load: { users: 30, warmup: '3s', duration: '24s', faults: ['orderer-leader', 'peer-per-org'] },
      },
      faults,
      verdicts: faults.map(judge),
      passed: false,
    };
    const md = reliabilityMarkdown(report);
    assert.match(md, /\| orderer-leader \| orderer9\.example\.org \| 100 \| 99 \| 30 \| 1 \(1× 503\) \| 0 \| 0 \| 99 VALID, 2 DUPLICATE_TXID \| 1\.5 \| 2 \| 8 \| 0\.4 \| 600 \| 0\.0 \| pass \|/);
    assert.match(md, /\| peer-per-org \|.*\| 14 \(14× 502\) \|.*FAIL: no write was acknowledged while the fault lasted \|/);
    assert.match(md, /\*\*FAILED\*\*/);
    assert.match(md, /\| 39\.0 DISTURBED \|/);
    assert.match(md, /- DISTURBED \*\*peer-per-org\*\*: burner \(pid 4242\) 39\.0 %/);
  });
});
