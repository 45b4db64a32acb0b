import { ScenarioConfigError } from '../../scenario/errors';
import { aggregate, type Aggregation, type MetricData } from '../../scenario/thresholds';

/** k6's four metric types. */
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export interface MetricDef {
  readonly name: string;
  readonly type: MetricType;
  /** Trend values are times in ms (shown with units), not plain numbers. */
  readonly isTime: boolean;
}

export type Tags = Readonly<Record<string, string>>;

/** The samples of one metric with one tag set, in arrival order. */
export interface Series {
  readonly tags: Tags;
  readonly values: number[];
  /** Epoch ms of each value. */
  readonly times: number[];
}

/** What a sample is written as when a run streams them (`--out json`): k6's JSON output lines. */
export type SampleSink = (metric: MetricDef, value: number, tags: Tags, timeMs: number) => void;

/** The metrics the runner records itself (k6's names), with their types. */
export const BUILTIN_METRICS: readonly MetricDef[] = [
  { name: 'http_reqs', type: 'counter', isTime: false },
  { name: 'http_req_duration', type: 'trend', isTime: true },
  { name: 'http_req_waiting', type: 'trend', isTime: true },
  { name: 'http_req_receiving', type: 'trend', isTime: true },
  { name: 'http_req_failed', type: 'rate', isTime: false },
  { name: 'data_sent', type: 'counter', isTime: false },
  { name: 'data_received', type: 'counter', isTime: false },
  { name: 'iterations', type: 'counter', isTime: false },
  { name: 'iteration_duration', type: 'trend', isTime: true },
  { name: 'dropped_iterations', type: 'counter', isTime: false },
  { name: 'checks', type: 'rate', isTime: false },
  { name: 'group_duration', type: 'trend', isTime: true },
  { name: 'vus', type: 'gauge', isTime: false },
  { name: 'vus_max', type: 'gauge', isTime: false },
  // Ours, not k6's: iterations that threw (k6 logs them; here a threshold can also bound them).
  { name: 'iteration_errors', type: 'counter', isTime: false },
  // Ours: the Fabric Gateway calls of the `fabric` module.
  { name: 'fabric_reqs', type: 'counter', isTime: false },
  { name: 'fabric_req_duration', type: 'trend', isTime: true },
  { name: 'fabric_req_failed', type: 'rate', isTime: false },
];

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Every sample of a run, by metric and tag set. */
export class MetricStore {
  private readonly defs = new Map<string, MetricDef>();
  private readonly series = new Map<string, Map<string, Series>>();
  private sink: SampleSink | undefined;

  constructor() {
    for (const def of BUILTIN_METRICS) this.defs.set(def.name, def);
  }

  /** Declares a custom metric (a script's `new Trend(...)`); the same name twice must have the same type. */
  define(name: string, type: MetricType, isTime: boolean): MetricDef {
    if (!NAME.test(name)) throw new ScenarioConfigError(`metric name "${name}": letters, digits and '_', not starting with a digit`);
    const known = this.defs.get(name);
    if (known !== undefined) {
      if (known.type !== type) throw new ScenarioConfigError(`metric ${name} is already a ${known.type}, not a ${type}`);
      return known;
    }
    const def = { name, type, isTime };
    this.defs.set(name, def);
    return def;
  }

  def(name: string): MetricDef | undefined {
    return this.defs.get(name);
  }

  metrics(): MetricDef[] {
    return [...this.defs.values()];
  }

  streamTo(sink: SampleSink | undefined): void {
    this.sink = sink;
  }

  add(name: string, value: number, tags: Tags, timeMs = Date.now()): void {
    this.addKeyed(name, value, tags, tagKey(tags), timeMs);
  }

  /** Several samples with one tag set (a request's metrics): the set's key is built once. */
  addAll(samples: readonly (readonly [string, number])[], tags: Tags, timeMs: number): void {
    const key = tagKey(tags);
    for (const [name, value] of samples) this.addKeyed(name, value, tags, key, timeMs);
  }

  private addKeyed(name: string, value: number, tags: Tags, key: string, timeMs: number): void {
    const def = this.defs.get(name);
    if (def === undefined) throw new ScenarioConfigError(`no metric ${name}`);
    let byTags = this.series.get(name);
    if (byTags === undefined) {
      byTags = new Map();
      this.series.set(name, byTags);
    }
    let series = byTags.get(key);
    if (series === undefined) {
      series = { tags, values: [], times: [] };
      byTags.set(key, series);
    }
    series.values.push(value);
    series.times.push(timeMs);
    this.sink?.(def, value, tags, timeMs);
  }

  /** The series of `name` whose tags include all of `filter`. */
  select(name: string, filter: Tags = {}): Series[] {
    const byTags = this.series.get(name);
    if (byTags === undefined) return [];
    const entries = Object.entries(filter);
    const out: Series[] = [];
    for (const series of byTags.values()) {
      if (entries.every(([k, v]) => series.tags[k] === v)) out.push(series);
    }
    return out;
  }

  /** The distinct values `tag` takes among the samples of `name`. */
  tagValues(name: string, tag: string): string[] {
    const values = new Set<string>();
    for (const series of this.series.get(name)?.values() ?? []) {
      const value = series.tags[tag];
      if (value !== undefined) values.add(value);
    }
    return [...values].sort();
  }
}

/**
 * A tag set's key, in the tags' own order (not sorted: this runs for every sample). The same set
 * built in another order is another series of the same metric, which every select() merges alike.
 */
function tagKey(tags: Tags): string {
  let key = '';
  for (const name in tags) key += `${name}\u0000${tags[name] ?? ''}\u0001`;
  return key;
}

export interface GaugeData {
  readonly type: 'gauge';
  /** The last value written. */
  readonly value: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

/** A metric's samples under a filter, as k6 aggregates them. */
export type Aggregate = MetricData | GaugeData;

/** The value of an aggregation of any metric type; null when there is nothing to aggregate. */
export function aggregateValue(data: Aggregate, aggregation: Aggregation): number | null {
  if (data.type !== 'gauge') return aggregate(data, aggregation);
  if (aggregation.kind === 'min' || aggregation.kind === 'max' || aggregation.kind === 'value') return data[aggregation.kind];
  return null;
}

/** Aggregates `series` of a metric of `type`; counters' rate is per second of `seconds`. */
export function aggregateSeries(type: MetricType, series: readonly Series[], seconds: number): Aggregate {
  switch (type) {
    case 'trend': {
      let n = 0;
      for (const s of series) n += s.values.length;
      const sorted = new Float64Array(n);
      let i = 0;
      for (const s of series) for (const v of s.values) sorted[i++] = v;
      sorted.sort();
      return { type, sorted };
    }
    case 'counter': {
      let count = 0;
      for (const s of series) for (const v of s.values) count += v;
      return { type, count, seconds };
    }
    case 'rate': {
      let passes = 0;
      let fails = 0;
      for (const s of series) {
        for (const v of s.values) {
          if (v !== 0) passes += 1;
          else fails += 1;
        }
      }
      return { type, passes, fails };
    }
    case 'gauge': {
      // The last value written, by time, across the series; min and max over all.
      let value: number | null = null;
      let lastTime = -Infinity;
      let min: number | null = null;
      let max: number | null = null;
      for (const s of series) {
        s.values.forEach((v, j) => {
          const t = s.times[j] ?? 0;
          if (t >= lastTime) {
            lastTime = t;
            value = v;
          }
          min = min === null ? v : Math.min(min, v);
          max = max === null ? v : Math.max(max, v);
        });
      }
      return { type, value, min, max };
    }
  }
}
