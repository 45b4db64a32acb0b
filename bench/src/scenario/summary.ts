import { isFailure, type Phase, type RequestLog } from './log';
import { percentile, trendStats, type TrendStats } from './stats';
import {
  evaluateThresholds,
  type MetricData,
  type MetricName,
  type Threshold,
  type ThresholdResult,
} from './thresholds';
import type { Executor, Options, Scenario } from './types';

/**
 * What a run writes to `summaryPath` (k6's handleSummary data, our shape). Latencies in ms, rates
 * of counters per second, times ISO 8601 UTC; a figure with nothing to measure is null.
 */
export interface Summary {
  readonly schemaVersion: 1;
  readonly engine: { readonly name: string; readonly version: string };
  /** First attack started, last response received (warm-ups included). */
  readonly startedAt: string;
  readonly endedAt: string;
  /** The run was stopped early (signal or hard cap): figures cover what ran. */
  readonly aborted: boolean;
  /** 0 when every threshold passed, 99 when one failed (k6's code). */
  readonly exitCode: 0 | 99;
  /** The options as given, without their functions. */
  readonly config: SummaryConfig;
  /** All scenarios' measured windows together (warm-ups excluded). */
  readonly metrics: MetricsSummary;
  /** By check name, all scenarios' measured windows. */
  readonly checks: Readonly<Record<string, CheckCount>>;
  readonly scenarios: Readonly<Record<string, ScenarioSummary>>;
  /** By threshold key, each condition with its measured value. */
  readonly thresholds: Readonly<Record<string, ThresholdResult>>;
}

export interface SummaryConfig {
  readonly scenarios: Readonly<Record<string, ScenarioConfig>>;
  readonly thresholds: Readonly<Record<string, readonly string[]>>;
}

/** A scenario's options without exec, and its checks by name. */
export type ScenarioConfig = Scenario extends infer S
  ? S extends unknown
    ? Omit<S, 'exec' | 'checks'> & { readonly checks: readonly string[] }
    : never
  : never;

export type TrendSummary = { readonly type: 'trend'; readonly unit: 'ms' } & TrendStats;

export interface CounterSummary {
  readonly type: 'counter';
  readonly unit: 'requests' | 'iterations' | 'bytes';
  readonly count: number;
  /** Per second of the window. */
  readonly rate: number | null;
}

export interface RateSummary {
  readonly type: 'rate';
  /** Share of passes, 0–1. */
  readonly rate: number | null;
  readonly passes: number;
  readonly fails: number;
}

export interface MetricsSummary {
  readonly http_req_duration: TrendSummary;
  readonly http_reqs: CounterSummary;
  readonly http_req_failed: RateSummary;
  readonly checks: RateSummary;
  readonly iterations: CounterSummary;
  readonly dropped_iterations: CounterSummary;
  readonly data_received: CounterSummary;
  readonly data_sent: CounterSummary;
}

export interface CheckCount {
  readonly passes: number;
  readonly fails: number;
}

export interface ScenarioSummary {
  readonly executor: Executor['executor'];
  readonly model: 'closed' | 'open';
  /** Its tags, `scenario` included. */
  readonly tags: Readonly<Record<string, string>>;
  readonly measured: PhaseFigures;
  /** The warm-up before the measured window, or null when it had none. */
  readonly warmup: PhaseFigures | null;
  /** One point per second by completion time; `t` in seconds from the measured window's start, negative in the warm-up. */
  readonly series: readonly SeriesPoint[];
}

export interface Window {
  readonly start: string;
  readonly end: string;
  readonly durationS: number;
}

export interface PhaseFigures {
  readonly window: Window;
  /** Responses and failures (http_reqs). */
  readonly requests: number;
  readonly successes: number;
  /** Status >= 400 or no response. */
  readonly failures: number;
  /** successes / requests, null without requests. */
  readonly successRate: number | null;
  /** Open model: iterations due in the window; null for the closed model. */
  readonly expectedIterations: number | null;
  /** Open model: expectedIterations minus those started. */
  readonly droppedIterations: number;
  readonly throughput: {
    readonly requestsPerSecond: number | null;
    readonly requestsPerMinute: number | null;
    readonly successesPerSecond: number | null;
    readonly successesPerMinute: number | null;
  };
  readonly metrics: MetricsSummary;
  readonly checks: Readonly<Record<string, CheckCount>>;
}

export interface SeriesPoint {
  readonly t: number;
  readonly requests: number;
  readonly failures: number;
  /** Of the requests completed in this second; null when none did. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number } | null;
}

/** What the runner knows of a scenario after its attacks. */
export interface ScenarioOutcome {
  readonly name: string;
  readonly executor: Executor['executor'];
  readonly model: 'closed' | 'open';
  /** `scenario` and the scenario's tags. */
  readonly tags: Readonly<Record<string, string>>;
  /** Epoch ms; the warm-up's is null when there was none. */
  readonly windows: Readonly<Record<Phase, { readonly startMs: number; readonly endMs: number } | null>>;
  /** Open model: starts due per phase (prorated when aborted); null for the closed model. */
  readonly expected: Readonly<Record<Phase, number>> | null;
}

export interface SummaryInput {
  readonly engine: { readonly name: string; readonly version: string };
  readonly options: Options;
  readonly thresholds: readonly Threshold[];
  readonly scenarios: readonly ScenarioOutcome[];
  readonly log: RequestLog;
  readonly startedMs: number;
  readonly endedMs: number;
  readonly aborted: boolean;
}

export function buildSummary(input: SummaryInput): Summary {
  const measure = new Measure(input.log, input.scenarios);
  const all = new Set(input.scenarios.map((_, i) => i));
  const thresholds = evaluateThresholds(input.thresholds, (metric, tags) => measure.metric(metric, tags));
  const scenarios: Record<string, ScenarioSummary> = {};
  for (const [i, s] of input.scenarios.entries()) {
    const only = new Set([i]);
    scenarios[s.name] = {
      executor: s.executor,
      model: s.model,
      tags: s.tags,
      measured: measure.figures(only, 'measured'),
      warmup: s.windows.warmup === null ? null : measure.figures(only, 'warmup'),
      series: measure.series(i),
    };
  }
  return {
    schemaVersion: 1,
    engine: input.engine,
    startedAt: new Date(input.startedMs).toISOString(),
    endedAt: new Date(input.endedMs).toISOString(),
    aborted: input.aborted,
    exitCode: Object.values(thresholds).every((t) => t.ok) ? 0 : 99,
    config: configOf(input.options),
    metrics: measure.figures(all, 'measured').metrics,
    checks: measure.checks(all, 'measured'),
    scenarios,
    thresholds,
  };
}

function configOf(options: Options): SummaryConfig {
  const scenarios: Record<string, ScenarioConfig> = {};
  for (const [name, scenario] of Object.entries(options.scenarios)) {
    // Through JSON: what the summary file keeps of it, without exec.
    const settings = JSON.stringify({ ...scenario, checks: Object.keys(scenario.checks ?? {}) });
    scenarios[name] = JSON.parse(settings) as ScenarioConfig;
  }
  return { scenarios, thresholds: options.thresholds ?? {} };
}

/** Tags a threshold may filter on that differ between requests of one scenario. */
type RequestFilter = (status: number, method: string) => boolean;

/** Selections of the request log: by scenario, phase and tags. */
class Measure {
  constructor(
    private readonly log: RequestLog,
    private readonly scenarios: readonly ScenarioOutcome[],
  ) {}

  /** The data of one metric over the measured windows of the samples matching `tags` (for thresholds). */
  metric(metric: MetricName, tags: Readonly<Record<string, string>>): MetricData {
    // A tag some scenario carries selects scenarios; method, status, expected_response select requests.
    const scenarioTags: [string, string][] = [];
    const requestTags: Record<string, string> = {};
    let check: string | undefined;
    for (const [key, value] of Object.entries(tags)) {
      if (key === 'check') check = value;
      else if (this.scenarios.some((s) => Object.hasOwn(s.tags, key))) scenarioTags.push([key, value]);
      else requestTags[key] = value;
    }
    const selected = new Set<number>();
    for (const [i, s] of this.scenarios.entries()) {
      if (scenarioTags.every(([k, v]) => s.tags[k] === v)) selected.add(i);
    }
    const filter = requestFilter(requestTags);
    const data = this.collect(selected, 'measured', filter, check);
    switch (metric) {
      case 'http_req_duration':
        return { type: 'trend', sorted: data.latencies.sort() };
      case 'http_reqs':
      case 'iterations':
        return { type: 'counter', count: data.requests, seconds: data.seconds };
      case 'http_req_failed':
        return { type: 'rate', passes: data.failures, fails: data.requests - data.failures };
      case 'checks':
        return { type: 'rate', passes: data.checkPasses, fails: data.checkFails };
      case 'dropped_iterations':
        return { type: 'counter', count: data.dropped, seconds: data.seconds };
      case 'data_received':
        return { type: 'counter', count: data.received, seconds: data.seconds };
      case 'data_sent':
        return { type: 'counter', count: data.sent, seconds: data.seconds };
    }
  }

  figures(selected: ReadonlySet<number>, phase: Phase): PhaseFigures {
    const data = this.collect(selected, phase, () => true, undefined);
    const counter = (unit: CounterSummary['unit'], count: number): CounterSummary => ({
      type: 'counter',
      unit,
      count,
      rate: perSecond(count, data.seconds),
    });
    const successes = data.requests - data.failures;
    const metrics: MetricsSummary = {
      http_req_duration: { type: 'trend', unit: 'ms', ...trendStats(data.latencies) },
      http_reqs: counter('requests', data.requests),
      http_req_failed: rate(data.failures, successes),
      checks: rate(data.checkPasses, data.checkFails),
      iterations: counter('iterations', data.requests),
      dropped_iterations: counter('iterations', data.dropped),
      data_received: counter('bytes', data.received),
      data_sent: counter('bytes', data.sent),
    };
    const rps = perSecond(data.requests, data.seconds);
    const sps = perSecond(successes, data.seconds);
    return {
      window: {
        start: new Date(data.window.startMs).toISOString(),
        end: new Date(data.window.endMs).toISOString(),
        durationS: data.seconds,
      },
      requests: data.requests,
      successes,
      failures: data.failures,
      successRate: data.requests === 0 ? null : successes / data.requests,
      expectedIterations: data.expected,
      droppedIterations: data.dropped,
      throughput: {
        requestsPerSecond: rps,
        requestsPerMinute: rps === null ? null : rps * 60,
        successesPerSecond: sps,
        successesPerMinute: sps === null ? null : sps * 60,
      },
      metrics,
      checks: this.checks(selected, phase),
    };
  }

  checks(selected: ReadonlySet<number>, phase: Phase): Record<string, CheckCount> {
    const counts: Record<string, { passes: number; fails: number }> = {};
    for (let c = 0; c < this.log.checkCount; c++) {
      const { request, name, passed } = this.log.check(c);
      if (!selected.has(this.log.scenarioOf(request)) || this.log.phaseOf(request) !== phase) continue;
      const count = (counts[name] ??= { passes: 0, fails: 0 });
      if (passed) count.passes++;
      else count.fails++;
    }
    return counts;
  }

  series(scenario: number): SeriesPoint[] {
    const origin = this.scenarios[scenario]?.windows.measured?.startMs ?? 0;
    const buckets = new Map<number, { failures: number; latencies: number[] }>();
    for (let i = 0; i < this.log.length; i++) {
      if (this.log.scenarioOf(i) !== scenario) continue;
      const r = this.log.request(i);
      const t = Math.floor((r.startMs + r.latencyMs - origin) / 1000);
      let bucket = buckets.get(t);
      if (bucket === undefined) buckets.set(t, (bucket = { failures: 0, latencies: [] }));
      bucket.latencies.push(r.latencyMs);
      if (isFailure(r.status)) bucket.failures++;
    }
    if (buckets.size === 0) return [];
    const seconds = [...buckets.keys()];
    const points: SeriesPoint[] = [];
    for (let t = Math.min(...seconds); t <= Math.max(...seconds); t++) {
      const bucket = buckets.get(t);
      if (bucket === undefined) {
        points.push({ t, requests: 0, failures: 0, latencyMs: null });
        continue;
      }
      const sorted = Float64Array.from(bucket.latencies).sort();
      // A bucket holds at least one latency: its percentiles are never null.
      const at = (p: number): number => percentile(sorted, p) as number;
      points.push({
        t,
        requests: sorted.length,
        failures: bucket.failures,
        latencyMs: { p50: at(50), p95: at(95), p99: at(99) },
      });
    }
    return points;
  }

  private collect(selected: ReadonlySet<number>, phase: Phase, filter: RequestFilter, check: string | undefined) {
    const latencies: number[] = [];
    let failures = 0;
    let sent = 0;
    let received = 0;
    const perScenario = new Map<number, number>();
    for (let i = 0; i < this.log.length; i++) {
      if (!selected.has(this.log.scenarioOf(i)) || this.log.phaseOf(i) !== phase) continue;
      const r = this.log.request(i);
      perScenario.set(r.scenario, (perScenario.get(r.scenario) ?? 0) + 1);
      if (!filter(r.status, r.method)) continue;
      latencies.push(r.latencyMs);
      if (isFailure(r.status)) failures++;
      sent += r.bytesSent;
      received += r.bytesReceived;
    }
    let checkPasses = 0;
    let checkFails = 0;
    for (let c = 0; c < this.log.checkCount; c++) {
      const { request, name, passed } = this.log.check(c);
      if (check !== undefined && name !== check) continue;
      if (!selected.has(this.log.scenarioOf(request)) || this.log.phaseOf(request) !== phase) continue;
      const r = this.log.request(request);
      if (!filter(r.status, r.method)) continue;
      if (passed) checkPasses++;
      else checkFails++;
    }
    let expected: number | null = null;
    let dropped = 0;
    let startMs = Number.POSITIVE_INFINITY;
    let endMs = Number.NEGATIVE_INFINITY;
    for (const i of selected) {
      const s = this.scenarios[i];
      const window = s?.windows[phase];
      if (s === undefined || window === null || window === undefined) continue;
      startMs = Math.min(startMs, window.startMs);
      endMs = Math.max(endMs, window.endMs);
      if (s.expected !== null) {
        expected = (expected ?? 0) + s.expected[phase];
        dropped += Math.max(0, s.expected[phase] - (perScenario.get(i) ?? 0));
      }
    }
    if (!Number.isFinite(startMs)) startMs = endMs = 0;
    return {
      latencies: Float64Array.from(latencies),
      requests: latencies.length,
      failures,
      sent,
      received,
      checkPasses,
      checkFails,
      expected,
      dropped,
      window: { startMs, endMs },
      seconds: Math.max(0, endMs - startMs) / 1000,
    };
  }
}

function requestFilter(tags: Readonly<Record<string, string>>): RequestFilter {
  const { method, status, expected_response: expected } = tags;
  return (s, m) =>
    (method === undefined || m === method) &&
    (status === undefined || String(s) === status) &&
    (expected === undefined || String(!isFailure(s)) === expected);
}

function rate(passes: number, fails: number): RateSummary {
  const n = passes + fails;
  return { type: 'rate', rate: n === 0 ? null : passes / n, passes, fails };
}

function perSecond(count: number, seconds: number): number | null {
  return seconds > 0 ? count / seconds : null;
}
