import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { compare, median, spread } from './statistics';

void describe('gate statistics', () => {
  void it('takes the median and a robust sigma (1.4826 x MAD) that one wild repeat does not move', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    const s = spread([100, 101, 99, 100, 400]);
    assert.equal(s.median, 100);
    assert.ok(Math.abs(s.sigma - 1.4826) < 1e-9, String(s.sigma));
    assert.ok(Math.abs(s.standardError - (1.2533 * 1.4826) / Math.sqrt(5)) < 1e-9);
    assert.equal(s.max, 400);
  });

  void it('fails a drop beyond both the minimum change and the noise, in the direction that is worse', () => {
    const base = [1000, 1010, 990, 1005, 995];
    const drop = compare(base, [800, 810, 790, 805, 795], { direction: 'higher-is-better', minimumChange: 0.1 }, 3);
    assert.equal(drop.verdict, 'regression');
    assert.ok(Math.abs(drop.change + 0.2) < 1e-9);
    const rise = compare(base, [1200, 1210, 1190, 1205, 1195], { direction: 'higher-is-better', minimumChange: 0.1 }, 3);
    assert.equal(rise.verdict, 'improvement');
    // The same rise of a latency is a regression.
    assert.equal(compare(base, [1200, 1210, 1190, 1205, 1195], { direction: 'lower-is-better', minimumChange: 0.1 }, 3).verdict, 'regression');
  });

  void it('lets a small change pass however quiet the machine (minimum change), and a large one pass when the repeats are that noisy', () => {
    const quiet = compare([1000, 1000.5, 999.5], [950, 950.5, 949.5], { direction: 'higher-is-better', minimumChange: 0.1 }, 3);
    assert.equal(quiet.verdict, 'within-noise', 'a 5 % drop is below the 10 % minimum');
    assert.ok(quiet.noise < 0.01);
    const noisy = compare([1000, 1400, 600, 1200, 800], [800, 1200, 400, 1000, 600], { direction: 'higher-is-better', minimumChange: 0.1 }, 3);
    assert.equal(noisy.verdict, 'within-noise', `a 20 % drop within a noise band of ${noisy.band}`);
    assert.ok(noisy.band > 0.2);
    // More repeats of the same spread narrow the band.
    const twenty = (values: readonly number[]): number[] => Array.from({ length: 4 }, () => values).flat();
    const more = compare(twenty([1000, 1400, 600, 1200, 800]), twenty([800, 1200, 400, 1000, 600]), { direction: 'higher-is-better', minimumChange: 0.1 }, 3);
    assert.ok(more.band < noisy.band);
  });

  void it('compares success rates in percentage points', () => {
    const r = compare([100, 100, 100], [99, 98, 99], { direction: 'higher-is-better', minimumChange: 0.5, absolute: true }, 3);
    assert.equal(r.change, -1);
    assert.equal(r.verdict, 'regression');
    assert.equal(compare([100, 100, 100], [99.8, 99.9, 100], { direction: 'higher-is-better', minimumChange: 0.5, absolute: true }, 3).verdict, 'within-noise');
  });
});
