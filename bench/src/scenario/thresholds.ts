import { ThresholdSyntaxError } from './errors';
import { percentile } from './stats';

/** The metrics a run records (k6's names and types). */
export const METRICS = {
  /** Response time of each request, ms. */
  http_req_duration: 'trend',
  /** Requests answered or failed. */
  http_reqs: 'counter',
  /** Share of requests with status >= 400 or no response. */
  http_req_failed: 'rate',
  /** Share of checks that passed. */
  checks: 'rate',
  /** Iterations completed (one request each). */
  iterations: 'counter',
  /** Open model: iterations due that were never started. */
  dropped_iterations: 'counter',
  /** Response body bytes. */
  data_received: 'counter',
  /** Request body bytes. */
  data_sent: 'counter',
} as const;

export type MetricName = keyof typeof METRICS;
export type MetricType = (typeof METRICS)[MetricName];
/** Every type a threshold may be on: a script's custom metrics add gauges. */
export type AnyMetricType = MetricType | 'gauge';

/**
 * k6's aggregation methods. Trend: avg, min, max, med, p(N), count. Counter: count, and rate =
 * count per second of the measured window (as in k6: for http_reqs, requests per second). Rate
 * metrics: rate = the share in [0, 1] of true samples, and count = the number of samples.
 */
export type Aggregation =
  | { readonly kind: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' }
  | { readonly kind: 'percentile'; readonly p: number };

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface ThresholdCondition {
  /** As written, e.g. 'p(95)<500'. */
  readonly source: string;
  readonly aggregation: Aggregation;
  readonly operator: Operator;
  readonly value: number;
}

export interface Threshold {
  /** As written, e.g. 'http_req_duration{scenario:add_order}'. */
  readonly key: string;
  readonly metric: MetricName;
  /** The tag filter: samples whose tags have all these values. */
  readonly tags: Readonly<Record<string, string>>;
  readonly conditions: readonly ThresholdCondition[];
}

/** Tags every request sample has, besides its scenario's (`scenario` and the scenario's `tags`). */
export const REQUEST_TAGS = ['method', 'status', 'expected_response'] as const;

const ALLOWED: Readonly<Record<AnyMetricType, readonly Aggregation['kind'][]>> = {
  trend: ['avg', 'min', 'max', 'med', 'percentile', 'count'],
  counter: ['count', 'rate'],
  rate: ['rate', 'count'],
  gauge: ['value', 'min', 'max'],
};

const KEY = /^([a-z_][a-z0-9_]*)(?:\{(.*)\})?$/;
const CONDITION = /^\s*([a-z][a-z0-9]*)(?:\(\s*([^)]*?)\s*\))?\s*(<=|>=|===|==|!=|<|>)\s*(\S.*?)\s*$/;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Parses k6 thresholds. `scenarioTags` are the tag names scenarios carry (`scenario` included): a
 * filter on a tag no sample has would silently select nothing, so it is an error here.
 */
export function parseThresholds(
  thresholds: Readonly<Record<string, readonly string[]>>,
  scenarioTags: ReadonlySet<string>,
): Threshold[] {
  return Object.entries(thresholds).map(([key, conditions]) => {
    const { metric, tags } = parseThresholdKey(key);
    for (const tag of Object.keys(tags)) {
      const requestTag = (REQUEST_TAGS as readonly string[]).includes(tag) && metric !== 'dropped_iterations';
      const checkTag = tag === 'check' && metric === 'checks';
      if (!scenarioTags.has(tag) && !requestTag && !checkTag) {
        throw new ThresholdSyntaxError(key, `no ${metric} sample has the tag "${tag}"`);
      }
    }
    if (conditions.length === 0) {
      throw new ThresholdSyntaxError(key, 'needs a list of one or more conditions');
    }
    return { key, metric, tags, conditions: conditions.map((c) => parseCondition(c, metric)) };
  });
}

export function parseThresholdKey(key: string): { metric: MetricName; tags: Record<string, string> } {
  const { metric, tags } = splitThresholdKey(key);
  if (!Object.hasOwn(METRICS, metric)) {
    throw new ThresholdSyntaxError(key, `unknown metric "${metric}" (known: ${Object.keys(METRICS).join(', ')})`);
  }
  return { metric: metric as MetricName, tags };
}

/** `metric{tag:value,...}` split into the metric's name (not checked against any list) and the tag filter. */
export function splitThresholdKey(key: string): { metric: string; tags: Record<string, string> } {
  const match = KEY.exec(key.trim());
  if (match === null) throw new ThresholdSyntaxError(key, 'expected metric or metric{tag:value,...}');
  const tags: Record<string, string> = {};
  if (match[2] !== undefined) {
    for (const pair of match[2].split(',')) {
      const colon = pair.indexOf(':');
      const tag = pair.slice(0, colon).trim();
      const value = pair.slice(colon + 1).trim();
      if (colon === -1 || tag === '' || value === '') throw new ThresholdSyntaxError(key, `"${pair}" is not tag:value`);
      if (Object.hasOwn(tags, tag)) throw new ThresholdSyntaxError(key, `tag "${tag}" given twice`);
      tags[tag] = value;
    }
  }
  return { metric: match[1] ?? '', tags };
}

export function parseCondition(source: string, metric: MetricName): ThresholdCondition {
  return parseConditionOf(source, metric, METRICS[metric]);
}

/** A condition on a metric of any type (`metric` names it in errors). */
export function parseConditionOf(source: string, metric: string, type: AnyMetricType): ThresholdCondition {
  const match = CONDITION.exec(source);
  if (match === null) throw new ThresholdSyntaxError(source, 'expected <aggregation><operator><number>, e.g. p(95)<500');
  const [, name = '', argument, op = '', number = ''] = match;
  let aggregation: Aggregation;
  if (name === 'p') {
    const p = argument !== undefined && NUMBER.test(argument) ? Number(argument) : Number.NaN;
    if (!(p > 0 && p <= 100)) throw new ThresholdSyntaxError(source, `percentile "${argument ?? ''}" is not in (0, 100]`);
    aggregation = { kind: 'percentile', p };
  } else if (argument !== undefined) {
    throw new ThresholdSyntaxError(source, `"${name}" takes no argument`);
  } else if (['avg', 'min', 'max', 'med', 'count', 'rate', 'value'].includes(name)) {
    aggregation = { kind: name as 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' };
  } else {
    throw new ThresholdSyntaxError(source, `unknown aggregation "${name}" (avg, min, max, med, p(N), count, rate, value)`);
  }
  if (!ALLOWED[type].includes(aggregation.kind)) {
    const allowed = ALLOWED[type].map((k) => (k === 'percentile' ? 'p(N)' : k)).join(', ');
    throw new ThresholdSyntaxError(source, `${metric} is a ${type}: its aggregations are ${allowed}`);
  }
  if (!NUMBER.test(number)) throw new ThresholdSyntaxError(source, `"${number}" is not a number`);
  const operator = op === '===' ? '==' : (op as Operator);
  return { source, aggregation, operator, value: Number(number) };
}

/** What a metric measured over the samples a threshold (or a summary section) selects. */
export type MetricData =
  | { readonly type: 'trend'; /** ascending */ readonly sorted: Float64Array }
  | { readonly type: 'counter'; readonly count: number; /** the window the count fell in */ readonly seconds: number }
  | { readonly type: 'rate'; readonly passes: number; readonly fails: number };

/** The value of an aggregation; null when there is nothing to aggregate (no samples, no time). */
export function aggregate(data: MetricData, aggregation: Aggregation): number | null {
  switch (data.type) {
    case 'trend': {
      const values = data.sorted;
      const n = values.length;
      switch (aggregation.kind) {
        case 'count':
          return n;
        case 'percentile':
          return percentile(values, aggregation.p);
        case 'med':
          return percentile(values, 50);
        case 'min':
          return n === 0 ? null : (values[0] ?? null);
        case 'max':
          return n === 0 ? null : (values[n - 1] ?? null);
        case 'avg': {
          let sum = 0;
          for (const v of values) sum += v;
          return n === 0 ? null : sum / n;
        }
        case 'rate':
        case 'value':
          return null;
      }
      break;
    }
    case 'counter':
      if (aggregation.kind === 'count') return data.count;
      return data.seconds > 0 ? data.count / data.seconds : null;
    case 'rate': {
      const n = data.passes + data.fails;
      if (aggregation.kind === 'count') return n;
      return n === 0 ? null : data.passes / n;
    }
  }
  return null;
}

export function compare(value: number, operator: Operator, limit: number): boolean {
  switch (operator) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

export interface ConditionResult {
  readonly condition: string;
  readonly ok: boolean;
  /** The measured value; null (and not ok) when there was nothing to measure. */
  readonly value: number | null;
  /** For people: the condition, its value or "no data", and whether it was met. */
  readonly message: string;
}

/** How a condition's outcome reads: "p(95)<500: 412.3, met", "avg<=6108: no data (no samples), failed". */
export function conditionMessage(condition: string, value: number | null, ok: boolean): string {
  return `${condition}: ${value === null ? 'no data (no samples)' : String(value)}, ${ok ? 'met' : 'failed'}`;
}

export interface ThresholdResult {
  readonly ok: boolean;
  readonly conditions: readonly ConditionResult[];
}

/** Evaluates thresholds over the data `measure` selects for a metric and tag filter. */
export function evaluateThresholds(
  thresholds: readonly Threshold[],
  measure: (metric: MetricName, tags: Readonly<Record<string, string>>) => MetricData,
): Record<string, ThresholdResult> {
  const results: Record<string, ThresholdResult> = {};
  for (const threshold of thresholds) {
    const data = measure(threshold.metric, threshold.tags);
    const conditions = threshold.conditions.map((c) => {
      const value = aggregate(data, c.aggregation);
      // No data never meets a threshold.
      const ok = value !== null && compare(value, c.operator, c.value);
      return { condition: c.source, ok, value, message: conditionMessage(c.source, value, ok) };
    });
    results[threshold.key] = { ok: conditions.every((c) => c.ok), conditions };
  }
  return results;
}
