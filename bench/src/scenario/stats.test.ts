import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { percentile, trendStats } from './stats';

void describe('percentile (k6: linear between the closest ranks)', () => {
  const oneToTen = Float64Array.from({ length: 10 }, (_, i) => i + 1);

  void it('matches numpy.percentile on 1..10', () => {
    const expected: [number, number][] = [
      [50, 5.5],
      [90, 9.1],
      [95, 9.55],
      [99, 9.91],
      [99.9, 9.991],
      [100, 10],
    ];
    for (const [p, value] of expected) {
      assert.ok(Math.abs((percentile(oneToTen, p) ?? Number.NaN) - value) < 1e-9, `p(${p})`);
    }
  });

  void it('interpolates between ranks: p(40) of 15, 20, 35, 40, 50 is 29', () => {
    assert.equal(percentile(Float64Array.from([15, 20, 35, 40, 50]), 40), 29);
  });

  void it('is the value itself for one value, null for none', () => {
    assert.equal(percentile(Float64Array.from([7]), 95), 7);
    assert.equal(percentile(new Float64Array(0), 95), null);
  });
});

void describe('trendStats', () => {
  void it('sorts and aggregates', () => {
    const stats = trendStats(Float64Array.from([40, 10, 30, 20]));
    const expected = { count: 4, avg: 25, min: 10, med: 25, max: 40, 'p(90)': 37, 'p(95)': 38.5, 'p(99)': 39.7 };
    for (const [name, value] of Object.entries(expected)) {
      const actual = stats[name as keyof typeof stats];
      assert.ok(actual !== null && Math.abs(actual - value) < 1e-9, `${name}: ${String(actual)}`);
    }
  });

  void it('gives nulls without values', () => {
    const stats = trendStats(new Float64Array(0));
    assert.equal(stats.count, 0);
    assert.equal(stats.avg, null);
    assert.equal(stats['p(99)'], null);
  });
});
