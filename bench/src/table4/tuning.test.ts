import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PROFILES } from './profiles';
import { NoDataError } from '../report/derive';
import type { TuningRepeat } from '../report/schema';
import { bestStep, deriveTuningSteps, ladderOrder, repeatSpread, type MeasuredStep } from './tuning';

void describe('repeatSpread', () => {
  void it('gives the median of an odd number of repeats, and their range', () => {
    assert.deepEqual(repeatSpread([1130, 1080, 1100]), { median: 1100, min: 1080, max: 1130, values: [1130, 1080, 1100] });
  });
  void it('averages the middle two of an even number', () => {
    assert.equal(repeatSpread([4, 1, 3, 2]).median, 2.5);
  });
  void it('has no data without repeats: never zeros', () => {
    assert.throws(() => repeatSpread([]), (error: unknown) => error instanceof NoDataError && /no data/.test(error.message));
  });
});

const repeat = (tx: number, cpu: Record<string, number>, success = 100): TuningRepeat => ({
  window: { startMs: 0, endMs: 20_000 },
  throughputTxPerMin: tx,
  latencyAvgS: 0.5,
  latencyP99S: 1,
  successRatePct: success,
  cpuByGroup: Object.entries(cpu).map(([group, cpuPct]) => ({ group, cpuPct })),
  interference: null,
});

const measured = (step: string, buildsOn: number | null, repeats: TuningRepeat[], notAdopted: string | null = null): MeasuredStep => ({
  step,
  buildsOn,
  settings: step,
  notAdopted,
  scenario: 'add_order',
  repeatFigures: repeats,
});

void describe('deriveTuningSteps', () => {
  void it("gives each group's CPU per write: its share × the cores ÷ writes a second, median of the repeats", () => {
    // 3,000 writes/min = 50/s; the peers at 50 % of 2 cores = 1 core = 20 ms per write.
    const [step] = deriveTuningSteps([measured('a', null, [repeat(3000, { peer: 50, service: 10 }), repeat(6000, { peer: 50, service: 10 }), repeat(3000, { peer: 40, service: 10 })])], 2);
    assert.ok(step);
    assert.deepEqual(step.cpuMsPerWrite.map((g) => g.group), ['peer', 'service']);
    assert.deepEqual(step.cpuMsPerWrite[0]?.ms, { median: 16, min: 10, max: 20, values: [20, 10, 16] });
    assert.equal(step.cpuMsPerWriteTotal?.median, 20);
    assert.equal(step.throughputTxPerMin.median, 3000);
  });
  void it('compares each step with the one it builds on, not with a measured-only step before it', () => {
    const steps = deriveTuningSteps(
      [
        measured('base', null, [repeat(1000, { peer: 10 })]),
        measured('risky', 0, [repeat(3000, { peer: 10 })], 'loses data'),
        measured('next', 0, [repeat(1500, { peer: 10 })]),
      ],
      2,
    );
    assert.deepEqual(steps.map((s) => s.throughputVsPrevious), [null, 3, 1.5]);
  });
  void it('leaves out a group some repeat did not measure, and has no total when a repeat measured none', () => {
    const [step] = deriveTuningSteps([measured('a', null, [repeat(600, { peer: 5, lb: 1 }), repeat(600, {})])], 2);
    assert.ok(step);
    assert.deepEqual(step.cpuMsPerWrite, []);
    assert.equal(step.cpuMsPerWriteTotal, null);
  });
});

void describe('ladderOrder', () => {
  void it('runs the steps forward, then backward, round by round: a drift over the ladder touches every step alike', () => {
    assert.deepEqual(ladderOrder(3, 3), [
      [0, 1, 2],
      [2, 1, 0],
      [0, 1, 2],
    ]);
  });
});

void describe('bestStep', () => {
  const steps = (list: [number, number, string | null][]) => deriveTuningSteps(list.map(([tx, success, not], i) => measured(`s${i}`, i === 0 ? null : i - 1, [repeat(tx, {}, success), repeat(tx, {}, 100)], not)), 2);
  void it('picks the highest median throughput', () => {
    assert.equal(bestStep(steps([[1092, 100, null], [1443, 100, null], [1266, 100, null]])), 1);
  });
  void it('adopts a step only when every repeat of it beat every repeat of the best so far', () => {
    const ladder = (...ranges: [number, number][]) => deriveTuningSteps(ranges.map(([low, high], i) => measured(`s${i}`, i === 0 ? null : i - 1, [repeat(low, {}), repeat((low + high) / 2, {}), repeat(high, {})])), 2);
    // Defaults 2,000-2,400; a step at 2,300-2,900 (median 2,600) overlaps them: the defaults stay.
    assert.equal(bestStep(ladder([2000, 2400], [2300, 2900])), 0);
    // 2,450-2,600 is above them all; a later 2,550-2,700 overlaps the new best's: the first gain stays; 2,650-2,750 is above.
    assert.equal(bestStep(ladder([2000, 2400], [2450, 2600], [2550, 2700])), 1);
    assert.equal(bestStep(ladder([2000, 2400], [2450, 2600], [2650, 2750])), 2);
  });
  void it('never picks a step where a request failed, however fast', () => {
    assert.equal(bestStep(steps([[1092, 100, null], [2000, 99.5, null]])), 0);
  });
  void it('never picks a step that is measured only, however fast', () => {
    assert.equal(bestStep(steps([[1092, 100, null], [2000, 100, 'loses data']])), 0);
  });
  void it('has none when every step failed somewhere', () => {
    assert.equal(bestStep(steps([[1092, 99, null]])), -1);
  });
});

void describe('the tuned profile', () => {
  const ladder = PROFILES.tuned.tuning;
  void it("starts from the model and builds every step on an earlier one that may be adopted", () => {
    assert.ok(ladder);
    assert.deepEqual(ladder.steps[0]?.settings, { batch: { timeout: '2s', maxMessageCount: 10 } });
    ladder.steps.forEach((step, i) => {
      if (i === 0) return;
      const on = step.buildsOn ?? i - 1;
      assert.ok(on < i, `${step.name} builds on a later step`);
      assert.equal(ladder.steps[on]?.notAdopted, undefined, `${step.name} builds on a step never adopted`);
    });
  });
  void it('never adopts a dissemination that acknowledges a write before a second member peer holds its terms', () => {
    for (const step of ladder?.steps ?? []) {
      if ((step.settings.dissemination?.requiredPeerCount ?? 1) < 1) assert.ok(step.notAdopted, step.name);
    }
  });
});
