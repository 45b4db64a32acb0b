/**
 * summary.csv: one row per scenario × engine with the main figures, the paper's figures and the
 * ratios. Numbers at full precision (this file is for tools, report.md is for people); an empty cell
 * is a figure not measured or not in the paper.
 */
import { NO_DATA, PAPER_FIGURES } from './format';
import type { LatencyStats, PaperComparison, PhaseFigures, ReportData, ScenarioResult, Usage } from './schema';

/** What one CSV row is made from: a run and its comparison with the paper, if any. */
export interface Row {
  s: ScenarioResult;
  comparison: PaperComparison | undefined;
}

export type CsvValue = string | number | boolean | null | undefined;
type Value = CsvValue;

const usageColumns = (prefix: string, pick: (s: ScenarioResult) => Usage | null): [string, (r: Row) => Value][] => [
  [`${prefix}_cpu_avg_pct`, ({ s }) => pick(s)?.cpuPct.avg],
  [`${prefix}_cpu_p95_pct`, ({ s }) => pick(s)?.cpuPct.p95],
  [`${prefix}_cpu_max_pct`, ({ s }) => pick(s)?.cpuPct.max],
  [`${prefix}_mem_avg_pct`, ({ s }) => pick(s)?.memPct.avg],
  [`${prefix}_mem_p95_pct`, ({ s }) => pick(s)?.memPct.p95],
  [`${prefix}_mem_max_pct`, ({ s }) => pick(s)?.memPct.max],
];

/** A phase's figure, or "no data" where it had nothing to derive it from (an empty cell is a phase that did not run). */
const figure = (p: PhaseFigures | null, pick: (p: PhaseFigures) => number | null): Value => {
  if (p === null) return undefined;
  const value = pick(p);
  return value === null ? NO_DATA : value;
};
const latency = (pick: (l: LatencyStats) => number) => (p: PhaseFigures): number | null => (p.latencyS === null ? null : pick(p.latencyS));

/** The columns, in order: header and how each row fills it. */
export const CSV_COLUMNS: readonly (readonly [string, (r: Row) => Value])[] = [
  ['scenario', ({ s }) => s.scenario],
  ['engine', ({ s }) => s.engine],
  ['executor', ({ s }) => s.executor],
  ['users', ({ s }) => s.users],
  ['window_start', ({ s }) => s.window.start],
  ['window_end', ({ s }) => s.window.end],
  ['duration_s', ({ s }) => s.window.durationS],
  ['requests', ({ s }) => s.measured.requests],
  ['successes', ({ s }) => s.measured.successes],
  ['failures', ({ s }) => s.measured.failures],
  ['dropped_iterations', ({ s }) => s.measured.droppedIterations],
  ['success_rate_pct', ({ s }) => figure(s.measured, (p) => p.successRatePct)],
  ['throughput_tx_per_min', ({ s }) => figure(s.measured, (p) => p.throughputTxPerMin)],
  ['latency_avg_s', ({ s }) => figure(s.measured, latency((l) => l.avg))],
  ['latency_p50_s', ({ s }) => figure(s.measured, latency((l) => l.p50))],
  ['latency_p95_s', ({ s }) => figure(s.measured, latency((l) => l.p95))],
  ['latency_p99_s', ({ s }) => figure(s.measured, latency((l) => l.p99))],
  ['latency_max_s', ({ s }) => figure(s.measured, latency((l) => l.max))],
  ['warmup_requests', ({ s }) => s.warmUp?.requests],
  ['warmup_success_rate_pct', ({ s }) => figure(s.warmUp, (p) => p.successRatePct)],
  ['warmup_throughput_tx_per_min', ({ s }) => figure(s.warmUp, (p) => p.throughputTxPerMin)],
  ['warmup_latency_avg_s', ({ s }) => figure(s.warmUp, latency((l) => l.avg))],
  ...usageColumns('chain', (s) => s.resources.chain),
  ...usageColumns('service', (s) => s.resources.service),
  ...usageColumns('loadgen', (s) => s.resources.loadGenerator),
  ...usageColumns('machine', (s) => s.resources.machine),
  ['chain_valid_tx', ({ s }) => s.chain?.validTx],
  ['chain_invalid_tx', ({ s }) => s.chain?.invalidTx],
  ['other_cpu_avg_pct', ({ s }) => s.interference?.otherPct.avg],
  ['other_cpu_max_pct', ({ s }) => s.interference?.otherPct.max],
  ['steal_avg_pct', ({ s }) => s.interference?.stealPct.avg],
  ['disturbed', ({ s }) => (s.interference === null ? undefined : String(s.interference.disturbed))],
  ...PAPER_FIGURES.map((f): [string, (r: Row) => Value] => [`paper_${f.csv}_${f.unit}`, ({ comparison }) => comparison?.paper[f.key]]),
  ...PAPER_FIGURES.map((f): [string, (r: Row) => Value] => [`ratio_${f.csv}`, ({ comparison }) => comparison?.ratio[f.key]]),
];

/** RFC 4180: quote a field holding a comma, a quote or a line break. */
function field(value: Value): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV file of rows: a header line, then one line per row, CRLF-terminated (RFC 4180). */
export function csvTable<T>(columns: readonly (readonly [string, (row: T) => CsvValue])[], rows: readonly T[]): string {
  const lines = [columns.map(([header]) => header).join(','), ...rows.map((row) => columns.map(([, value]) => field(value(row))).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

export function toCsv(data: ReportData): string {
  return csvTable(
    CSV_COLUMNS,
    data.scenarios.map((s): Row => ({ s, comparison: data.paper.find((p) => p.scenario === s.scenario && p.engine === s.engine) })),
  );
}
