/**
 * What `bench run` writes under reports/: run.json (the summary data, thresholds, exit code, with
 * the machine, commit and options that produced them), raw/samples.json.gz (every sample, by
 * metric and tag set: the summary is derived from it again by `rederive`), and run.html (the
 * summary with charts over time).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

import type { Machine } from '../report/schema';
import { escapeXml, lineChart } from '../report/svg';
import { percentile } from '../scenario/stats';
import type { ThresholdResult } from '../scenario/thresholds';
import type { SummaryData } from './api/summary';
import { textSummary } from './api/summary';
import { MetricStore, type MetricType } from './runtime/metrics';
import type { ScriptRunResult } from './runtime/run';
import { DEFAULT_TREND_STATS, summaryData } from './runtime/summary-data';
import { evaluateScriptThresholds, parseScriptThresholds } from './runtime/thresholds';

export const RUN_REPORT_SCHEMA = 1;
export const SAMPLES_FILE = 'raw/samples.json.gz';

export interface RunReport {
  readonly schemaVersion: typeof RUN_REPORT_SCHEMA;
  readonly kind: 'script-run';
  /** The script, relative to the repository when inside it. */
  readonly script: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly commit: { readonly sha: string; readonly dirty: boolean };
  readonly machine: Machine;
  readonly engine: string;
  readonly exitCode: number;
  readonly abortReason: string | null;
  /** The script's options as run (scenarios resolved), and the command line's. */
  readonly options: unknown;
  readonly command: { readonly env: readonly string[]; readonly overrides: unknown };
  readonly thresholds: Readonly<Record<string, ThresholdResult>>;
  readonly summary: SummaryData;
}

/** Every sample of a run, one entry per metric and tag set; times in ms from the run's start. */
export interface RawSamples {
  readonly startedMs: number;
  readonly seconds: number;
  readonly metrics: readonly { readonly name: string; readonly type: MetricType; readonly isTime: boolean }[];
  readonly series: readonly { readonly metric: string; readonly tags: Readonly<Record<string, string>>; readonly values: readonly number[]; readonly offsetsMs: readonly number[] }[];
}

export function rawSamples(result: ScriptRunResult): RawSamples {
  const { store } = result;
  const series = store.metrics().flatMap((def) =>
    store.select(def.name).map((s) => ({
      metric: def.name,
      tags: s.tags,
      // Exact: the summary is derived from these again, figure for figure.
      values: s.values,
      offsetsMs: s.times.map((t) => Math.round((t - result.startedMs) * 10) / 10),
    })),
  );
  return {
    startedMs: result.startedMs,
    seconds: (result.endedMs - result.startedMs) / 1000,
    metrics: store.metrics().map((m) => ({ name: m.name, type: m.type, isTime: m.isTime })),
    series,
  };
}

/** The summary derived again from the raw samples and the options' thresholds. */
export function rederive(raw: RawSamples, report: Pick<RunReport, 'options' | 'summary'>): SummaryData {
  const store = new MetricStore();
  for (const m of raw.metrics) store.define(m.name, m.type, m.isTime);
  for (const s of raw.series) {
    s.values.forEach((v, i) => {
      store.add(s.metric, v, s.tags, raw.startedMs + (s.offsetsMs[i] ?? 0));
    });
  }
  const options = report.options as { thresholds?: Record<string, never[]>; scenarios?: Record<string, unknown> };
  const thresholds = parseScriptThresholds(options.thresholds ?? {}, store);
  const results = evaluateScriptThresholds(thresholds, store, raw.seconds);
  return summaryData(store, {
    seconds: raw.seconds,
    trendStats: report.summary.options.summaryTrendStats.length > 0 ? report.summary.options.summaryTrendStats : DEFAULT_TREND_STATS,
    thresholds,
    results,
    scenarios: Object.keys(options.scenarios ?? {}),
  });
}

/** Per-second points of a metric by scenario: counts (counters) or a percentile (trends). */
function perSecond(raw: RawSamples, metric: string, reduce: 'sum' | 'p50' | 'p95' | 'last'): { name: string; points: [number, number | null][] }[] {
  const byScenario = new Map<string, Map<number, number[]>>();
  for (const s of raw.series) {
    if (s.metric !== metric) continue;
    // Samples without a scenario: the run's (VUs), or setup's and teardown's requests.
    const scenario = s.tags.scenario ?? (metric.startsWith('vus') ? 'all scenarios' : 'setup and teardown');
    let buckets = byScenario.get(scenario);
    if (buckets === undefined) {
      buckets = new Map();
      byScenario.set(scenario, buckets);
    }
    s.values.forEach((v, i) => {
      const second = Math.floor((s.offsetsMs[i] ?? 0) / 1000);
      const bucket = buckets.get(second) ?? [];
      bucket.push(v);
      buckets.set(second, bucket);
    });
  }
  const last = Math.ceil(raw.seconds);
  return [...byScenario.entries()].map(([name, buckets]) => {
    const points: [number, number | null][] = [];
    for (let second = 0; second <= last; second++) {
      const values = buckets.get(second);
      if (values === undefined || values.length === 0) {
        points.push([second, reduce === 'sum' ? 0 : null]);
        continue;
      }
      if (reduce === 'sum') points.push([second, values.reduce((a, b) => a + b, 0)]);
      else if (reduce === 'last') points.push([second, values.at(-1) ?? null]);
      else points.push([second, percentile(Float64Array.from(values).sort(), reduce === 'p50' ? 50 : 95)]);
    }
    return { name, points };
  });
}

function html(report: RunReport, raw: RawSamples): string {
  const charts: string[] = [];
  const chart = (title: string, yLabel: string, series: { name: string; points: [number, number | null][] }[]): void => {
    if (series.length > 0) charts.push(lineChart({ title, xLabel: 'seconds from start', yLabel, series }));
  };
  const request = raw.series.some((s) => s.metric === 'http_reqs') ? 'http' : 'fabric';
  chart(`${request === 'http' ? 'HTTP requests' : 'Fabric calls'} per second`, 'per second', perSecond(raw, `${request}_reqs`, 'sum'));
  chart('Latency p50 by second', 'ms', perSecond(raw, `${request}_req_duration`, 'p50'));
  chart('Latency p95 by second', 'ms', perSecond(raw, `${request}_req_duration`, 'p95'));
  chart('Iterations, by the second they started', 'iterations', perSecond(raw, 'iterations', 'sum'));
  chart('Virtual users', 'VUs', perSecond(raw, 'vus', 'last'));
  const rows = Object.entries(report.thresholds).flatMap(([key, r]) =>
    r.conditions.map((c) => `<tr><td><code>${escapeXml(key)}</code></td><td><code>${escapeXml(c.condition)}</code></td><td>${c.value === null ? 'no data' : c.value.toFixed(3)}</td><td class="${c.ok ? 'ok' : 'fail'}">${c.ok ? 'met' : 'FAILED'}</td></tr>`),
  );
  const verdict = report.exitCode === 0 ? 'passed' : report.exitCode === 99 ? 'a threshold failed (exit 99)' : `exit ${report.exitCode}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bench run ${escapeXml(report.script)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.ok{color:#060}.fail{color:#b00;font-weight:bold}
pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}svg{display:block;margin:1em 0}</style></head><body>
<h1>bench run: ${escapeXml(report.script)}</h1>
<p><b>${escapeXml(verdict)}</b>${report.abortReason === null ? '' : `: ${escapeXml(report.abortReason)}`}</p>
<p>${escapeXml(report.startedAt)} to ${escapeXml(report.endedAt)}; commit ${escapeXml(report.commit.sha.slice(0, 12))}${report.commit.dirty ? ' (dirty)' : ''};
machine ${report.machine.cores} cores ${escapeXml(report.machine.cpuModel)}, ${report.machine.memoryGiB} GiB, Node ${escapeXml(report.machine.node)}; engine ${escapeXml(report.engine)}.</p>
<h2>Thresholds</h2>
${rows.length === 0 ? '<p>None.</p>' : `<table><tr><th>metric</th><th>condition</th><th>value</th><th></th></tr>${rows.join('\n')}</table>`}
<h2>Over time</h2>
${charts.join('\n')}
<h2>End-of-test summary</h2>
<pre>${escapeXml(textSummary(report.summary, { indent: '  ' }))}</pre>
<h2>Options</h2>
<pre>${escapeXml(JSON.stringify(report.options, null, 2))}</pre>
<p>Every figure here is derived from <code>${SAMPLES_FILE}</code> (<code>npm run bench -- run --render DIR</code> derives them again).</p>
</body></html>
`;
}

export async function writeRunReport(dir: string, report: RunReport, raw: RawSamples): Promise<void> {
  await mkdir(path.join(dir, 'raw'), { recursive: true });
  await writeFile(path.join(dir, 'run.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(path.join(dir, SAMPLES_FILE), gzipSync(JSON.stringify(raw)));
  await writeFile(path.join(dir, 'run.html'), html(report, raw));
}

/** Reads a run report, derives its summary again from the raw samples, and renders its HTML again. */
export async function renderRunReport(dir: string): Promise<{ report: RunReport; rederived: SummaryData }> {
  const report = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8')) as RunReport;
  const raw = JSON.parse(gunzipSync(await readFile(path.join(dir, SAMPLES_FILE))).toString('utf8')) as RawSamples;
  const rederived = rederive(raw, report);
  await writeFile(path.join(dir, 'run.html'), html(report, raw));
  return { report, rederived };
}
