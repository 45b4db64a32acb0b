/**
 * The p-th percentile (0–100) of ascending `sorted` values, interpolating linearly between the two
 * closest ranks as k6's Trend does: index p/100 × (n − 1). null for no values.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const index = (p / 100) * (n - 1);
  const below = sorted[Math.floor(index)] ?? Number.NaN;
  const above = sorted[Math.ceil(index)] ?? Number.NaN;
  return below + (above - below) * (index - Math.floor(index));
}

export interface TrendStats {
  readonly count: number;
  readonly avg: number | null;
  readonly min: number | null;
  readonly med: number | null;
  readonly max: number | null;
  readonly 'p(90)': number | null;
  readonly 'p(95)': number | null;
  readonly 'p(99)': number | null;
}

/** Sorts `values` in place and returns its k6 Trend figures. */
export function trendStats(values: Float64Array): TrendStats {
  values.sort();
  const n = values.length;
  let sum = 0;
  for (const v of values) sum += v;
  return {
    count: n,
    avg: n === 0 ? null : sum / n,
    min: n === 0 ? null : (values[0] ?? null),
    med: percentile(values, 50),
    max: n === 0 ? null : (values[n - 1] ?? null),
    'p(90)': percentile(values, 90),
    'p(95)': percentile(values, 95),
    'p(99)': percentile(values, 99),
  };
}
