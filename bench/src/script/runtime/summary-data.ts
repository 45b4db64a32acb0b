import { percentile } from '../../scenario/stats';
import type { ThresholdResult } from '../../scenario/thresholds';
import type { CheckSummary, GroupSummary, MetricSummary, SummaryData } from '../api/summary';
import { aggregateSeries, type MetricDef, type MetricStore, type Tags } from './metrics';
import type { ScriptThreshold } from './thresholds';

export const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'] as const;

const DATA_METRICS = new Set(['data_sent', 'data_received']);

/** A metric's k6 summary values over the samples `filter` selects; undefined when it has none. */
export function metricSummary(store: MetricStore, def: MetricDef, filter: Tags, seconds: number, trendStats: readonly string[]): MetricSummary | undefined {
  const series = store.select(def.name, filter);
  if (series.every((s) => s.values.length === 0)) return undefined;
  const contains = def.isTime ? 'time' : DATA_METRICS.has(def.name) ? 'data' : 'default';
  const data = aggregateSeries(def.type, series, seconds);
  const values: Record<string, number> = {};
  switch (data.type) {
    case 'trend': {
      const n = data.sorted.length;
      let sum = 0;
      for (const v of data.sorted) sum += v;
      for (const stat of new Set([...trendStats, 'avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'])) {
        const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
        const value =
          stat === 'avg' ? sum / n
          : stat === 'min' ? data.sorted[0]
          : stat === 'max' ? data.sorted[n - 1]
          : stat === 'med' ? percentile(data.sorted, 50)
          : stat === 'count' ? n
          : p?.[1] !== undefined ? percentile(data.sorted, Number(p[1]))
          : undefined;
        if (value !== undefined && value !== null) values[stat] = value;
      }
      break;
    }
    case 'counter':
      values.count = data.count;
      values.rate = data.seconds > 0 ? data.count / data.seconds : 0;
      break;
    case 'rate':
      values.rate = data.passes + data.fails === 0 ? 0 : data.passes / (data.passes + data.fails);
      values.passes = data.passes;
      values.fails = data.fails;
      break;
    case 'gauge':
      values.value = data.value ?? 0;
      values.min = data.min ?? 0;
      values.max = data.max ?? 0;
      break;
  }
  return { type: def.type, contains, values };
}

/** `name{a:1,b:2}`, k6's name of a sub-metric. */
export function subMetricName(metric: string, tags: Tags): string {
  const entries = Object.entries(tags);
  return entries.length === 0 ? metric : `${metric}{${entries.map(([k, v]) => `${k}:${v}`).join(',')}}`;
}

/** The groups and checks of the run, as k6's root_group. */
export function groupTree(store: MetricStore): GroupSummary {
  interface Node {
    name: string;
    path: string;
    groups: Map<string, Node>;
    checks: Map<string, { passes: number; fails: number }>;
  }
  const root: Node = { name: '', path: '', groups: new Map(), checks: new Map() };
  const nodeOf = (path: string): Node => {
    let node = root;
    if (path === '') return node;
    let here = '';
    for (const name of path.split('::').slice(1)) {
      here = `${here}::${name}`;
      let child = node.groups.get(name);
      if (child === undefined) {
        child = { name, path: here, groups: new Map(), checks: new Map() };
        node.groups.set(name, child);
      }
      node = child;
    }
    return node;
  };
  for (const s of store.select('group_duration')) nodeOf(s.tags.group ?? '');
  for (const s of store.select('checks')) {
    const node = nodeOf(s.tags.group ?? '');
    const name = s.tags.check ?? '';
    const count = node.checks.get(name) ?? { passes: 0, fails: 0 };
    for (const v of s.values) {
      if (v !== 0) count.passes += 1;
      else count.fails += 1;
    }
    node.checks.set(name, count);
  }
  const build = (node: Node): GroupSummary => ({
    name: node.name,
    path: node.path,
    groups: [...node.groups.values()].map(build),
    checks: [...node.checks.entries()].map(([name, c]): CheckSummary => ({ name, path: `${node.path}::${name}`, ...c })),
  });
  return build(root);
}

/**
 * k6's handleSummary data: every metric with samples; sub-metrics for each threshold's filter, each
 * scenario (when there are several) and each group (requests, iterations); thresholds attached.
 */
export function summaryData(
  store: MetricStore,
  options: { seconds: number; trendStats: readonly string[]; thresholds: readonly ScriptThreshold[]; results: Readonly<Record<string, ThresholdResult>>; scenarios: readonly string[] },
): SummaryData {
  const metrics: Record<string, MetricSummary> = {};
  const put = (def: MetricDef, filter: Tags): void => {
    const name = subMetricName(def.name, filter);
    if (metrics[name] !== undefined) return;
    const summary = metricSummary(store, def, filter, options.seconds, options.trendStats);
    if (summary !== undefined) metrics[name] = summary;
  };
  for (const def of store.metrics()) put(def, {});
  const perRequest = ['http_req_duration', 'http_reqs', 'fabric_req_duration', 'iterations', 'iteration_duration'];
  if (options.scenarios.length > 1) {
    for (const scenario of options.scenarios) for (const name of perRequest) {
      const def = store.def(name);
      if (def !== undefined) put(def, { scenario });
    }
  }
  for (const group of store.tagValues('group_duration', 'group')) {
    for (const name of ['http_req_duration', 'fabric_req_duration', 'group_duration']) {
      const def = store.def(name);
      if (def !== undefined) put(def, { group });
    }
  }
  for (const threshold of options.thresholds) {
    const def = store.def(threshold.metric);
    if (def === undefined) continue;
    const name = subMetricName(threshold.metric, threshold.tags);
    const result = options.results[threshold.key];
    const existing = metrics[name] ?? metricSummary(store, def, threshold.tags, options.seconds, options.trendStats) ?? {
      type: def.type,
      contains: def.isTime ? 'time' : 'default',
      values: {},
    };
    metrics[name] = {
      ...existing,
      thresholds: Object.fromEntries((result?.conditions ?? []).map((c) => [c.condition, { ok: c.ok }])),
    };
  }
  return {
    metrics,
    root_group: groupTree(store),
    options: { summaryTrendStats: options.trendStats, noColor: true },
    state: { isStdOutTTY: process.stdout.isTTY, isStdErrTTY: process.stderr.isTTY, testRunDurationMs: options.seconds * 1000 },
  };
}
