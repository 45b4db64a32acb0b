import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NoDataError } from '../report/derive';
import type { TuningStep } from '../report/schema';
import { bestStep, repeatSpread } from './tuning';

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

void describe('bestStep', () => {
  const step = (median: number, minSuccess: number): TuningStep => ({
    step: `s${median}`,
    settings: '',
    scenario: 'add_order',
    repeats: 3,
    throughputTxPerMin: repeatSpread([median]),
    latencyAvgS: repeatSpread([1]),
    latencyP99S: repeatSpread([2]),
    successRatePct: repeatSpread([minSuccess, 100]),
    throughputVsPrevious: null,
  });
  void it('picks the highest median throughput', () => {
    assert.equal(bestStep([step(1092, 100), step(1443, 100), step(1266, 100)]), 1);
  });
  void it('never picks a step where a request failed, however fast', () => {
    assert.equal(bestStep([step(1092, 100), step(2000, 99.5)]), 0);
  });
  void it('has none when every step failed somewhere', () => {
    assert.equal(bestStep([step(1092, 99)]), -1);
  });
});
