import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { fitUsl, uslThroughput, UslFitError } from './usl';

const LEVELS = [1, 2, 4, 8, 16, 32, 64];

void describe('Universal Scalability Law fit', () => {
  void it('recovers known coefficients from exact synthetic data', () => {
    const truth = { lambda: 120, sigma: 0.06, kappa: 0.0015 };
    const fit = fitUsl(LEVELS.map((n) => ({ concurrency: n, throughput: uslThroughput(truth, n) })));
    assert.ok(Math.abs(fit.lambda / truth.lambda - 1) < 1e-3, `lambda ${fit.lambda}`);
    assert.ok(Math.abs(fit.sigma - truth.sigma) < 1e-3, `sigma ${fit.sigma}`);
    assert.ok(Math.abs(fit.kappa - truth.kappa) < 1e-4, `kappa ${fit.kappa}`);
    assert.ok(fit.rSquared > 0.9999);
    assert.ok(Math.abs(fit.peakConcurrency - Math.sqrt((1 - truth.sigma) / truth.kappa)) < 0.5);
  });

  void it('recovers them within a few percent from data with 3 % noise, and a linear system as sigma = kappa = 0', () => {
    const truth = { lambda: 40, sigma: 0.2, kappa: 0.004 };
    const wobble = [1.03, 0.97, 1.02, 0.98, 1.01, 0.99, 1.0];
    const fit = fitUsl(LEVELS.map((n, i) => ({ concurrency: n, throughput: uslThroughput(truth, n) * (wobble[i] ?? 1) })));
    assert.ok(Math.abs(fit.lambda / truth.lambda - 1) < 0.06, `lambda ${fit.lambda}`);
    assert.ok(Math.abs(fit.sigma - truth.sigma) < 0.05, `sigma ${fit.sigma}`);
    assert.ok(Math.abs(fit.kappa - truth.kappa) < 0.002, `kappa ${fit.kappa}`);
    assert.ok(fit.rSquared > 0.98);
    const linear = fitUsl(LEVELS.map((n) => ({ concurrency: n, throughput: 10 * n })));
    assert.ok(linear.sigma < 1e-6 && linear.kappa < 1e-8, `${linear.sigma} ${linear.kappa}`);
    assert.equal(linear.peakConcurrency, Number.POSITIVE_INFINITY);
  });

  void it('refuses fewer than 3 levels or a level with no throughput', () => {
    assert.throws(() => fitUsl([{ concurrency: 1, throughput: 1 }, { concurrency: 2, throughput: 2 }]), UslFitError);
    assert.throws(() => fitUsl([1, 2, 4].map((n) => ({ concurrency: n, throughput: n === 4 ? 0 : n }))), UslFitError);
  });
});
