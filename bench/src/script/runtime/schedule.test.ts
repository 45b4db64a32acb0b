import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { arrivalOffsets, rampingVuSteps } from './schedule';

void describe('rampingVuSteps (ramping-vus)', () => {
  it('adds a VU each time the ramp reaches the next integer and ends each stage at its target', () => {
    const steps = rampingVuSteps(0, [
      { durationMs: 4_000, target: 4 },
      { durationMs: 2_000, target: 4 },
      { durationMs: 2_000, target: 0 },
    ]);
    assert.deepEqual(steps, [
      { atMs: 0, vus: 0 },
      { atMs: 1_000, vus: 1 },
      { atMs: 2_000, vus: 2 },
      { atMs: 3_000, vus: 3 },
      { atMs: 4_000, vus: 4 },
      { atMs: 6_500, vus: 3 },
      { atMs: 7_000, vus: 2 },
      { atMs: 7_500, vus: 1 },
      { atMs: 8_000, vus: 0 },
    ]);
  });

  it('jumps at once in a stage of no length', () => {
    assert.deepEqual(rampingVuSteps(1, [{ durationMs: 0, target: 5 }, { durationMs: 1_000, target: 5 }]), [{ atMs: 0, vus: 5 }]);
  });
});

void describe('arrivalOffsets (arrival-rate executors)', () => {
  it('starts a constant rate at 0, 1/r, 2/r, ... within the duration', () => {
    const offsets = [...arrivalOffsets(4, [{ durationMs: 2_000, target: 4 }], 1_000)];
    assert.deepEqual(offsets, [0, 250, 500, 750, 1_000, 1_250, 1_500, 1_750]);
  });

  it('follows the integral of a linear ramp: 0 to 10/s over 2 s starts 10 iterations, denser at the end', () => {
    const offsets = [...arrivalOffsets(0, [{ durationMs: 2_000, target: 10 }], 1_000)];
    assert.equal(offsets.length, 10);
    // The k-th start is where 2.5·t² = k (t in s): t = sqrt(k/2.5).
    offsets.forEach((t, k) => {
      assert.ok(Math.abs(t - Math.sqrt(k / 2.5) * 1000) < 1e-6, `start ${k} at ${t}`);
    });
    const firstSecond = offsets.filter((t) => t < 1_000).length;
    assert.equal(firstSecond, 3); // 2.5 due in the first second: starts 0, 1, 2
  });

  it('honours timeUnit and stages of several rates', () => {
    // 60 per minute for 1 s, then 0 per minute: one start per second while it lasts.
    const offsets = [...arrivalOffsets(60, [{ durationMs: 3_000, target: 60 }, { durationMs: 2_000, target: 0 }], 60_000)];
    assert.equal(offsets.slice(0, 3).join(','), '0,1000,2000');
    assert.equal(offsets.length, 4); // 3 in the flat stage, 1 (of 1 due) as it ramps down
    assert.ok(offsets.every((t, i) => i === 0 || t > (offsets[i - 1] ?? 0)));
  });
});
