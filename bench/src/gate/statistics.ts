/*
 * The statistics of the regression gate. A figure (say add-order throughput) is measured N times in
 * the baseline and N times now. Each side is summarised by its median and a robust spread:
 *
 *   sigma = 1.4826 * MAD            (the median absolute deviation, scaled to a normal's sigma)
 *   se    = 1.2533 * sigma / sqrt(N) (standard error of a median of N normal samples)
 *
 * The change is (current median - baseline median) / baseline median, signed so that positive is
 * worse for the figure. It counts as a regression only when it is larger than the noise band
 *
 *   band = max(minimum change, k * sqrt(se_baseline^2 + se_current^2) / baseline median)
 *
 * i.e. both a practical threshold (a 3 % drop on a quiet machine is not worth a red build) and a
 * statistical one (k standard errors of the difference of the two medians, default k = 3: about a
 * 0.3 % false-alarm rate per figure if the repeats were normal). A noisy machine widens the band by
 * itself; more repeats narrow it. A change as large in the good direction is an improvement: reported,
 * never failing. Success rate is compared in percentage points instead (a drop larger than the
 * figure's minimum fails), since its spread is usually zero.
 */

export type Direction = 'higher-is-better' | 'lower-is-better';

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** 1.4826 x the median absolute deviation: a robust estimate of one repeat's sigma. */
  readonly sigma: number;
  /** Standard error of the median. */
  readonly standardError: number;
  readonly values: readonly number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

export function spread(values: readonly number[]): Spread {
  const m = median(values);
  const sigma = 1.4826 * median(values.map((v) => Math.abs(v - m)));
  return {
    median: m,
    min: Math.min(...values),
    max: Math.max(...values),
    sigma,
    standardError: values.length > 0 ? (1.2533 * sigma) / Math.sqrt(values.length) : Number.NaN,
    values: [...values],
  };
}

export interface Rule {
  readonly direction: Direction;
  /** The smallest change that may fail the gate: a fraction of the baseline (0.1 = 10 %), or percentage points with `absolute`. */
  readonly minimumChange: number;
  /** Compare differences in the figure's own unit (percentage points) rather than relative to the baseline. */
  readonly absolute?: boolean;
}

export type Verdict = 'regression' | 'improvement' | 'within-noise';

export interface Comparison {
  readonly baseline: Spread;
  readonly current: Spread;
  /** Current over baseline minus 1 (relative rules), or the difference (absolute rules); signed as the figure moves. */
  readonly change: number;
  /** How far a change must go, in the same terms as `change`, to be more than noise. */
  readonly band: number;
  /** k x the combined standard error, in the same terms: the statistical part of the band. */
  readonly noise: number;
  readonly verdict: Verdict;
}

/** Compares one figure's repeats now with the baseline's under a rule and k (standard errors of the difference). */
export function compare(baselineValues: readonly number[], currentValues: readonly number[], rule: Rule, k: number): Comparison {
  const baseline = spread(baselineValues);
  const current = spread(currentValues);
  const combined = k * Math.sqrt(baseline.standardError ** 2 + current.standardError ** 2);
  const scale = rule.absolute ? 1 : Math.abs(baseline.median);
  const change = rule.absolute ? current.median - baseline.median : scale === 0 ? 0 : current.median / baseline.median - 1;
  const noise = scale === 0 ? 0 : combined / scale;
  const band = Math.max(rule.minimumChange, noise);
  const worse = rule.direction === 'higher-is-better' ? -change : change;
  const verdict: Verdict = worse > band ? 'regression' : -worse > band ? 'improvement' : 'within-noise';
  return { baseline, current, change, band, noise, verdict };
}
