/*
 * The Universal Scalability Law (Gunther): throughput at concurrency N is
 *
 *   X(N) = lambda * N / (1 + sigma * (N - 1) + kappa * N * (N - 1))
 *
 * lambda is the throughput of one user alone, sigma the contention (the serial share: queueing on a
 * shared resource), kappa the coherence delay (the cost of keeping copies consistent, which makes
 * throughput fall past a peak). The fit minimises the squared error in X over lambda > 0 and
 * sigma, kappa >= 0: for given sigma and kappa the best lambda has a closed form, and sigma and
 * kappa are found by Nelder-Mead from several starts (through their square roots, so they stay >= 0).
 */

export interface UslCoefficients {
  readonly lambda: number;
  readonly sigma: number;
  readonly kappa: number;
}

export interface UslFit extends UslCoefficients {
  /** 1 - SS_res / SS_tot over the measurements. */
  readonly rSquared: number;
  /** Root-mean-square error, in the throughput's unit. */
  readonly rmse: number;
  /** Concurrency at which the fitted throughput peaks (Infinity when kappa is 0). */
  readonly peakConcurrency: number;
  /** The fitted throughput at that concurrency (lambda / sigma as N grows without bound when kappa is 0). */
  readonly peakThroughput: number;
}

export interface Observation {
  readonly concurrency: number;
  readonly throughput: number;
}

export class UslFitError extends Error {
  override readonly name = 'UslFitError';
}

export function uslThroughput(c: UslCoefficients, n: number): number {
  return (c.lambda * n) / (1 + c.sigma * (n - 1) + c.kappa * n * (n - 1));
}

/** The best lambda for given sigma and kappa, and the squared error it leaves. */
function bestLambda(points: readonly Observation[], sigma: number, kappa: number): { lambda: number; sse: number } {
  const g = points.map((p) => p.concurrency / (1 + sigma * (p.concurrency - 1) + kappa * p.concurrency * (p.concurrency - 1)));
  const lambda = points.reduce((s, p, i) => s + p.throughput * (g[i] ?? 0), 0) / g.reduce((s, v) => s + v * v, 0);
  const sse = points.reduce((s, p, i) => s + (p.throughput - lambda * (g[i] ?? 0)) ** 2, 0);
  return { lambda, sse };
}

/** Nelder-Mead minimisation of f over two variables from a start point. */
function nelderMead(f: (x: readonly [number, number]) => number, start: readonly [number, number], step: number, iterations = 400): [number, number] {
  let simplex: [number, number][] = [
    [start[0], start[1]],
    [start[0] + step, start[1]],
    [start[0], start[1] + step],
  ];
  for (let i = 0; i < iterations; i++) {
    simplex.sort((a, b) => f(a) - f(b));
    const [best, mid, worst] = simplex as [[number, number], [number, number], [number, number]];
    const centroid: [number, number] = [(best[0] + mid[0]) / 2, (best[1] + mid[1]) / 2];
    const towards = (t: number): [number, number] => [centroid[0] + t * (worst[0] - centroid[0]), centroid[1] + t * (worst[1] - centroid[1])];
    const reflected = towards(-1);
    if (f(reflected) < f(best)) {
      const expanded = towards(-2);
      simplex = [best, mid, f(expanded) < f(reflected) ? expanded : reflected];
    } else if (f(reflected) < f(mid)) {
      simplex = [best, mid, reflected];
    } else {
      const contracted = towards(0.5);
      if (f(contracted) < f(worst)) {
        simplex = [best, mid, contracted];
      } else {
        const shrink = (p: [number, number]): [number, number] => [best[0] + (p[0] - best[0]) / 2, best[1] + (p[1] - best[1]) / 2];
        simplex = [best, shrink(mid), shrink(worst)];
      }
    }
  }
  simplex.sort((a, b) => f(a) - f(b));
  return simplex[0] ?? [start[0], start[1]];
}

export function fitUsl(observations: readonly Observation[]): UslFit {
  const points = observations.filter((o) => o.concurrency >= 1 && Number.isFinite(o.throughput));
  if (new Set(points.map((p) => p.concurrency)).size < 3) throw new UslFitError('the USL fit needs measurements at 3 or more concurrency levels');
  if (points.some((p) => p.throughput <= 0)) throw new UslFitError('the USL fit needs a positive throughput at every concurrency level');
  const sse = (x: readonly [number, number]): number => bestLambda(points, x[0] ** 2, x[1] ** 2).sse;
  let best: [number, number] = [0, 0];
  for (const start of [
    [0.1, 0.01],
    [0.3, 0.05],
    [0.01, 0.001],
    [0.6, 0.2],
  ] as const) {
    const found = nelderMead(sse, start, 0.05);
    if (sse(found) < sse(best)) best = found;
  }
  const sigma = best[0] ** 2;
  const kappa = best[1] ** 2;
  const { lambda, sse: residual } = bestLambda(points, sigma, kappa);
  const mean = points.reduce((s, p) => s + p.throughput, 0) / points.length;
  const total = points.reduce((s, p) => s + (p.throughput - mean) ** 2, 0);
  const peakConcurrency = kappa > 0 ? Math.sqrt((1 - sigma) / kappa) : Number.POSITIVE_INFINITY;
  const peakThroughput = kappa > 0 ? uslThroughput({ lambda, sigma, kappa }, Math.max(1, peakConcurrency)) : sigma > 0 ? lambda / sigma : Number.POSITIVE_INFINITY;
  return {
    lambda,
    sigma,
    kappa,
    rSquared: total > 0 ? 1 - residual / total : 1,
    rmse: Math.sqrt(residual / points.length),
    peakConcurrency,
    peakThroughput,
  };
}
