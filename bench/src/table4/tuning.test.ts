import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { repeatSpread } from './tuning';

void describe('repeatSpread', () => {
  void it('gives the median of an odd number of repeats, and their range', () => {
    assert.deepEqual(repeatSpread([1130, 1080, 1100]), { median: 1100, min: 1080, max: 1130, values: [1130, 1080, 1100] });
  });
  void it('averages the middle two of an even number', () => {
    assert.equal(repeatSpread([4, 1, 3, 2]).median, 2.5);
  });
  void it('is all zeros without repeats rather than NaN', () => {
    assert.deepEqual(repeatSpread([]), { median: 0, min: 0, max: 0, values: [] });
  });
});
