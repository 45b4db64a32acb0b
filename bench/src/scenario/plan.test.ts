import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseDuration } from './duration';
import { ScenarioConfigError } from './errors';
import { planScenario } from './plan';
import type { Scenario } from './types';

const exec = (): { method: string; url: string } => ({ method: 'GET', url: 'http://127.0.0.1:1/' });

void describe('parseDuration', () => {
  void it("reads k6's durations", () => {
    assert.equal(parseDuration('500ms', 'd'), 500);
    assert.equal(parseDuration('30s', 'd'), 30_000);
    assert.equal(parseDuration('10m', 'd'), 600_000);
    assert.equal(parseDuration('1m30s', 'd'), 90_000);
    assert.equal(parseDuration('1.5s', 'd'), 1_500);
    assert.equal(parseDuration('1h', 'd'), 3_600_000);
  });

  for (const text of ['', '30', 's', '30 s', '-1s', '1d', '1m30']) {
    void it(`rejects "${text}" naming the option`, () => {
      assert.throws(() => parseDuration(text, 'scenario x: duration'), /scenario x: duration: ".*" is not a duration/);
    });
  }
});

void describe('planScenario', () => {
  void it('runs constant-vus as one closed attack, warm-up first', () => {
    const plan = planScenario('q', { executor: 'constant-vus', vus: 30, duration: '10m', warmup: '30s', exec });
    assert.equal(plan.durationMs, 630_000);
    assert.equal(plan.vus, 30);
    assert.deepEqual(plan.attacks, [
      { offsetMs: 0, durationMs: 630_000, pacing: { model: 'closed', workers: 30 }, warmupMs: 30_000, warmupRequests: 0 },
    ]);
  });

  void it('runs constant-arrival-rate as one open attack with rate × duration starts', () => {
    const plan = planScenario('o', {
      executor: 'constant-arrival-rate',
      rate: 13_000,
      timeUnit: '1m',
      duration: '3m',
      warmup: '1m',
      preAllocatedVUs: 10,
      maxVUs: 50,
      exec,
    });
    assert.deepEqual(plan.attacks, [
      {
        offsetMs: 0,
        durationMs: 240_000,
        pacing: { model: 'open', requests: 52_000, workers: 10, maxWorkers: 50 },
        warmupMs: 60_000,
        warmupRequests: 13_000,
      },
    ]);
  });

  void it('runs a ramp as steps whose starts add up to the integral of the rate', () => {
    const scenario: Scenario = {
      executor: 'ramping-arrival-rate',
      startRate: 0,
      stages: [
        { target: 10, duration: '10s' },
        { target: 10, duration: '5s' },
        { target: 3, duration: '2500ms' },
      ],
      preAllocatedVUs: 2,
      exec,
    };
    const plan = planScenario('r', scenario);
    const requests = plan.attacks.map((a) => (a.pacing.model === 'open' ? a.pacing.requests : Number.NaN));
    // 0 -> 10 over 10 s: 50; 10 for 5 s: 50; 10 -> 3 over 2.5 s: 16.25.
    assert.equal(
      requests.reduce((a, b) => a + b),
      116,
    );
    assert.deepEqual(requests, [1, 1, 3, 3, 5, 5, 7, 7, 9, 9, 50, 9, 5, 2]);
    assert.equal(plan.attacks.length, 10 + 1 + 3);
    assert.deepEqual(
      plan.attacks.slice(10).map((a) => [a.offsetMs, a.durationMs]),
      [
        [10_000, 5_000],
        [15_000, 1_000],
        [16_000, 1_000],
        [17_000, 500],
      ],
    );
    assert.equal(plan.durationMs, 17_500);
  });

  void it("warms a ramp up at its start rate", () => {
    const plan = planScenario('r', {
      executor: 'ramping-arrival-rate',
      startRate: 20,
      stages: [{ target: 20, duration: '2s' }],
      warmup: '3s',
      preAllocatedVUs: 2,
      exec,
    });
    assert.deepEqual(
      plan.attacks.map((a) => [a.offsetMs, a.durationMs, a.warmupRequests]),
      [
        [0, 3_000, 60],
        [3_000, 2_000, 0],
      ],
    );
  });

  for (const [what, scenario, message] of [
    ['vus 0', { executor: 'constant-vus', vus: 0, duration: '1s', exec }, /vus must be an integer >= 1, not 0/],
    ['a fractional rate', { executor: 'constant-arrival-rate', rate: 1.5, duration: '1s', preAllocatedVUs: 1, exec }, /rate must be an integer/],
    ['maxVUs below preAllocatedVUs', { executor: 'constant-arrival-rate', rate: 1, duration: '1s', preAllocatedVUs: 5, maxVUs: 2, exec }, /maxVUs/],
    ['a zero duration', { executor: 'constant-vus', vus: 1, duration: '0s', exec }, /duration must be longer than 0/],
    ['no stages', { executor: 'ramping-arrival-rate', stages: [], preAllocatedVUs: 1, exec }, /stages is empty/],
    ['a bad timeout', { executor: 'constant-vus', vus: 1, duration: '1s', timeout: '5', exec }, /timeout: "5" is not a duration/],
  ] as const) {
    void it(`rejects ${what}`, () => {
      assert.throws(
        () => planScenario('s', scenario),
        (error: unknown) => error instanceof ScenarioConfigError && /^scenario s: /.test(error.message) && message.test(error.message),
      );
    });
  }
});
