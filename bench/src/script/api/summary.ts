/**
 * `@energysale/bench/script/summary`: the end-of-test data handed to `handleSummary(data)` (k6's
 * shape) and `textSummary(data)`, the summary `bench run` prints (k6-summary's textSummary).
 */

export interface MetricSummary {
  readonly type: 'counter' | 'gauge' | 'rate' | 'trend';
  /** 'time': values in ms; 'data': bytes; 'default': plain numbers. */
  readonly contains: 'time' | 'data' | 'default';
  /** counter: count, rate (per s); rate: rate, passes, fails; gauge: value, min, max; trend: avg, min, med, max, p(N). */
  readonly values: Readonly<Record<string, number>>;
  /** With thresholds: each condition and whether it held. */
  readonly thresholds?: Readonly<Record<string, { readonly ok: boolean }>>;
}

export interface CheckSummary {
  readonly name: string;
  readonly path: string;
  readonly passes: number;
  readonly fails: number;
}

export interface GroupSummary {
  readonly name: string;
  /** '' for the root, '::outer::inner' for groups. */
  readonly path: string;
  readonly groups: readonly GroupSummary[];
  readonly checks: readonly CheckSummary[];
}

export interface SummaryData {
  /** Metrics by name; sub-metrics (a threshold's, each scenario's, each group's) as `name{tag:value}`. */
  readonly metrics: Readonly<Record<string, MetricSummary>>;
  readonly root_group: GroupSummary;
  readonly options: { readonly summaryTrendStats: readonly string[]; readonly noColor: boolean };
  readonly state: { readonly isStdOutTTY: boolean; readonly isStdErrTTY: boolean; readonly testRunDurationMs: number };
}

export interface TextSummaryOptions {
  readonly indent?: string;
  readonly enableColors?: boolean;
}

const GREEN = '\u001b[32m';
const RED = '\u001b[31m';
const RESET = '\u001b[0m';

function formatTime(ms: number): string {
  if (ms >= 60_000) {
    const m = Math.floor(ms / 60_000);
    return `${m}m${((ms - m * 60_000) / 1000).toFixed(0)}s`;
  }
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms >= 1) return `${ms.toFixed(2)}ms`;
  return `${(ms * 1000).toFixed(2)}µs`;
}

function formatData(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit] ?? ''}`;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

function formatValue(metric: MetricSummary, value: number): string {
  if (metric.contains === 'time') return formatTime(value);
  if (metric.contains === 'data') return formatData(value);
  return formatNumber(value);
}

function metricLine(metric: MetricSummary, trendStats: readonly string[]): string {
  const v = metric.values;
  switch (metric.type) {
    case 'trend':
      return trendStats.map((stat) => `${stat}=${v[stat] === undefined ? 'n/a' : formatValue(metric, v[stat])}`).join(' ');
    case 'counter': {
      const rate = v.rate ?? 0;
      return `${formatValue(metric, v.count ?? 0)}  ${metric.contains === 'data' ? `${formatData(rate)}/s` : `${formatNumber(Number(rate.toFixed(6)))}/s`}`;
    }
    case 'rate':
      return `${((v.rate ?? 0) * 100).toFixed(2)}% ✓ ${v.passes ?? 0} ✗ ${v.fails ?? 0}`;
    case 'gauge':
      return `${formatValue(metric, v.value ?? 0)} min=${formatValue(metric, v.min ?? 0)} max=${formatValue(metric, v.max ?? 0)}`;
  }
}

function groupLines(group: GroupSummary, indent: string, color: (ok: boolean, text: string) => string): string[] {
  const lines: string[] = [];
  for (const c of group.checks) {
    const total = c.passes + c.fails;
    if (c.fails === 0) lines.push(`${indent}${color(true, `✓ ${c.name}`)}`);
    else lines.push(`${indent}${color(false, `✗ ${c.name}`)}\n${indent}  ↳  ${Math.floor((c.passes / total) * 100)}% — ✓ ${c.passes} / ✗ ${c.fails}`);
  }
  for (const g of group.groups) {
    lines.push('', `${indent}█ ${g.name}`, '');
    lines.push(...groupLines(g, `${indent}  `, color));
  }
  return lines;
}

/** k6's end-of-test summary as text: checks by group, then every metric, sub-metrics under theirs. */
export function textSummary(data: SummaryData, options: TextSummaryOptions = {}): string {
  const indent = options.indent ?? '     ';
  const colors = options.enableColors ?? false;
  const color = (ok: boolean, text: string): string => (colors ? `${ok ? GREEN : RED}${text}${RESET}` : text);
  const lines = groupLines(data.root_group, indent, color);
  const names = Object.keys(data.metrics).sort((a, b) => {
    const [baseA = a] = a.split('{');
    const [baseB = b] = b.split('{');
    return baseA === baseB ? a.length - b.length || a.localeCompare(b) : baseA.localeCompare(baseB);
  });
  const width = Math.max(30, ...names.map((n) => (n.includes('{') ? n.slice(n.indexOf('{')).length + 2 : n.length) + 3));
  if (lines.length > 0) lines.push('');
  for (const name of names) {
    const metric = data.metrics[name];
    if (metric === undefined) continue;
    const sub = name.includes('{');
    const label = sub ? `  ${name.slice(name.indexOf('{')).replace(/^\{/, '{ ').replace(/\}$/, ' }')}` : name;
    const thresholds = Object.values(metric.thresholds ?? {});
    const mark = thresholds.length === 0 ? ' ' : thresholds.every((t) => t.ok) ? color(true, '✓') : color(false, '✗');
    lines.push(`${indent}${mark} ${label}${'.'.repeat(Math.max(3, width - label.length))}: ${metricLine(metric, data.options.summaryTrendStats)}`);
  }
  return `${lines.join('\n')}\n`;
}
