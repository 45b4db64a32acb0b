/*
 * The few PromQL shapes the dashboards and the recording rules repeat: a selector, a per-minute or
 * per-second rate, histogram quantiles and means, a constant reference line. Built here once so
 * every panel and rule writes them the same way. Panels rate over Grafana's `$__rate_interval`
 * (which follows the datasource's 1 s scrape interval), rules over a window of the model's scrape
 * interval (rules/windows.ts).
 */

/** Grafana's rate window: at least four scrapes, so a late scrape never empties a rate. */
export const RATE_INTERVAL = '$__rate_interval';

/**
 * Label matchers, label → regular expression. Always `=~`: a multi-value or "All" variable expands
 * to a regex such as `(a|b)` or `.*`, and a plain value matches itself.
 */
export type Matchers = Readonly<Record<string, string>>;

export function selector(metric: string, matchers: Matchers = {}): string {
  const list = Object.entries(matchers).map(([label, regex]) => `${label}=~"${regex}"`);
  return list.length === 0 ? metric : `${metric}{${list.join(', ')}}`;
}

/** `op by (labels) (inner)`, or `op(inner)` with no labels. */
export function aggregate(op: 'sum' | 'max' | 'min' | 'avg', by: readonly string[], inner: string): string {
  return by.length === 0 ? `${op}(${inner})` : `${op} by (${by.join(', ')}) (${inner})`;
}

const rate = (metric: string, matchers: Matchers, window: string): string => `rate(${selector(metric, matchers)}[${window}])`;

/** A counter's rate per second, summed by `by`. */
export function perSecond(metric: string, matchers: Matchers = {}, by: readonly string[] = [], window = RATE_INTERVAL): string {
  return aggregate('sum', by, rate(metric, matchers, window));
}

/** A counter's rate per minute, summed by `by`: the paper counts transactions per minute. */
export function perMinute(metric: string, matchers: Matchers = {}, by: readonly string[] = [], window = RATE_INTERVAL): string {
  return `60 * ${perSecond(metric, matchers, by, window)}`;
}

/** The q-quantile of a Prometheus histogram (its `_bucket` series), by `by`. */
export function histogramQuantile(q: number, histogram: string, matchers: Matchers = {}, by: readonly string[] = [], window = RATE_INTERVAL): string {
  return `histogram_quantile(${q}, ${perSecond(`${histogram}_bucket`, matchers, ['le', ...by], window)})`;
}

/** A histogram's mean over the rate window: the rate of its sum over the rate of its count. */
export function histogramMean(histogram: string, matchers: Matchers = {}, by: readonly string[] = [], window = RATE_INTERVAL): string {
  return `${perSecond(`${histogram}_sum`, matchers, by, window)} / ${perSecond(`${histogram}_count`, matchers, by, window)}`;
}

/** A constant series: a reference line (a figure of the paper, a size of the model). */
export function constant(value: number): string {
  return `vector(${value})`;
}

/**
 * `expr`, or a single 0 labelled `labels` while `expr` has no series: for counters with labels,
 * which exist only from their first increment (errors, failovers), so the panel shows "none so far"
 * rather than "no data". The metric name stays in the expression for the live test's name check.
 */
export function orZero(expr: string, labels: Readonly<Record<string, string>>): string {
  const zero = Object.entries(labels).reduce((inner, [label, value]) => `label_replace(${inner}, "${label}", "${value}", "", "")`, constant(0));
  return `(${expr}) or on() ${zero}`;
}
