/**
 * Server-rendered SVG charts for the report: a line chart of several series and a horizontal grouped
 * bar chart. Plain strings, no dependencies, every text escaped; the output depends only on the input,
 * so a regenerated report is byte-identical.
 */
import { tickLabel } from './format';

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies, readable on white. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9'] as const;

const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
const INK = '#222222';
const AXIS = '#666666';
const GRID = '#e3e3e3';
const TITLE_HEIGHT = 28;
const LEGEND_ROW = 20;
/** Rough advance of a 12 px sans-serif character, to lay out labels without measuring them. */
const CHAR_WIDTH = 7;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c] ?? ''};`);
}

/** A coordinate with one decimal, never "-0". */
function px(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return String(rounded === 0 ? 0 : rounded);
}

function colourOf(index: number, colour: string | undefined): string {
  return colour ?? PALETTE[index % PALETTE.length] ?? INK;
}

/** Steps of 1, 2 or 5 × 10^k giving about `target` intervals over [0, max] (or [min, max]). */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${px(x)}" y="${px(y)}"${attributes ? ` ${attributes}` : ''}>${escapeXml(content)}</text>`;
}

interface LegendItem {
  name: string;
  colour: string;
}

/** Legend items in rows under the title; returns the markup and the height it took. */
function legend(items: readonly LegendItem[], left: number, width: number, top: number): { svg: string; height: number } {
  const parts: string[] = [];
  let x = left;
  let row = 0;
  for (const item of items) {
    const itemWidth = 28 + item.name.length * CHAR_WIDTH + 16;
    if (x + itemWidth > left + width && x > left) {
      x = left;
      row += 1;
    }
    const y = top + row * LEGEND_ROW + LEGEND_ROW / 2;
    parts.push(`<line x1="${px(x)}" y1="${px(y)}" x2="${px(x + 22)}" y2="${px(y)}" stroke="${item.colour}" stroke-width="3"/>`);
    parts.push(text(x + 28, y + 4, item.name, `fill="${INK}"`));
    x += itemWidth;
  }
  return { svg: parts.join(''), height: items.length === 0 ? 0 : (row + 1) * LEGEND_ROW };
}

function frame(width: number, height: number, title: string, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${px(height)}" viewBox="0 0 ${width} ${px(height)}" role="img" aria-label="${escapeXml(title)}" font-family="${FONT}" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${px(height)}" fill="#ffffff"/>`,
    text(width / 2, 19, title, `text-anchor="middle" font-size="14" font-weight="bold" fill="${INK}"`),
    body,
    '</svg>',
  ].join('\n');
}

export interface LineSeries {
  name: string;
  /** [x, y] pairs in ascending x; a null y breaks the line. */
  points: readonly (readonly [number, number | null])[];
  colour?: string;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  width?: number;
  height?: number;
  /** A shaded stretch of x, e.g. the warm-up before the measured window. */
  band?: { from: number; to: number; label: string };
}

/** Lines over a shared x axis; y starts at 0 (every quantity the report plots is non-negative). */
export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 600;
  const height = spec.height ?? 300;
  const margin = { left: 72, right: 20, bottom: 46 };
  const plotWidth = width - margin.left - margin.right;
  const items = spec.series.map((s, i) => ({ name: s.name, colour: colourOf(i, s.colour) }));
  const key = legend(items, margin.left, plotWidth, TITLE_HEIGHT);
  const top = TITLE_HEIGHT + key.height + (spec.band ? 20 : 10);
  const plotHeight = height - top - margin.bottom;

  const xs = spec.series.flatMap((s) => s.points.map(([x]) => x));
  if (spec.band) xs.push(spec.band.from, spec.band.to);
  const ys = spec.series.flatMap((s) => s.points.flatMap(([, y]) => (y === null ? [] : [y])));
  const parts: string[] = [key.svg];
  if (ys.length === 0) {
    parts.push(text(margin.left + plotWidth / 2, top + plotHeight / 2, 'no data', `text-anchor="middle" fill="${AXIS}" font-size="14"`));
    return frame(width, height, spec.title, parts.join('\n'));
  }

  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs) > xMin ? Math.max(...xs) : xMin + 1;
  const xTicks = niceTicks(xMin, xMax).filter((t) => t >= xMin && t <= xMax);
  // A little headroom, so a series at its maximum does not run along the frame.
  const yTicks = niceTicks(0, Math.max(...ys) * 1.04 || 1);
  const yTop = yTicks[yTicks.length - 1] ?? 1;
  const toX = (x: number): number => margin.left + ((x - xMin) / (xMax - xMin)) * plotWidth;
  const toY = (y: number): number => top + plotHeight - (y / yTop) * plotHeight;
  const yStep = (yTicks[1] ?? yTop) - (yTicks[0] ?? 0);
  const xStep = (xTicks[1] ?? xMax) - (xTicks[0] ?? xMin);

  if (spec.band) {
    const from = toX(spec.band.from);
    parts.push(`<rect x="${px(from)}" y="${px(top)}" width="${px(toX(spec.band.to) - from)}" height="${px(plotHeight)}" fill="#f1f1f1"/>`);
    parts.push(text(from, top - 5, spec.band.label, `fill="${AXIS}" font-size="11"`));
  }
  for (const tick of yTicks) {
    const y = toY(tick);
    parts.push(`<line x1="${margin.left}" y1="${px(y)}" x2="${px(margin.left + plotWidth)}" y2="${px(y)}" stroke="${GRID}"/>`);
    parts.push(text(margin.left - 6, y + 4, tickLabel(tick, yStep), `text-anchor="end" fill="${INK}" font-size="11"`));
  }
  for (const tick of xTicks) {
    const x = toX(tick);
    parts.push(`<line x1="${px(x)}" y1="${px(top + plotHeight)}" x2="${px(x)}" y2="${px(top + plotHeight + 5)}" stroke="${AXIS}"/>`);
    parts.push(text(x, top + plotHeight + 18, tickLabel(tick, xStep), `text-anchor="middle" fill="${INK}" font-size="11"`));
  }
  parts.push(`<line x1="${margin.left}" y1="${px(top)}" x2="${margin.left}" y2="${px(top + plotHeight)}" stroke="${AXIS}"/>`);
  parts.push(`<line x1="${margin.left}" y1="${px(top + plotHeight)}" x2="${px(margin.left + plotWidth)}" y2="${px(top + plotHeight)}" stroke="${AXIS}"/>`);
  parts.push(text(margin.left + plotWidth / 2, height - 8, spec.xLabel, `text-anchor="middle" fill="${INK}"`));
  const yMid = top + plotHeight / 2;
  parts.push(text(16, yMid, spec.yLabel, `text-anchor="middle" fill="${INK}" transform="rotate(-90 16 ${px(yMid)})"`));

  spec.series.forEach((s, i) => {
    const item = items[i];
    if (item === undefined) return;
    const segments: string[] = [];
    const dots: string[] = [];
    s.points.forEach(([x, y], j) => {
      if (y === null) return;
      const previous = s.points[j - 1]?.[1] ?? null;
      const next = s.points[j + 1]?.[1] ?? null;
      segments.push(`${previous === null ? 'M' : 'L'}${px(toX(x))} ${px(toY(y))}`);
      if (previous === null && next === null) dots.push(`<circle cx="${px(toX(x))}" cy="${px(toY(y))}" r="2.5" fill="${item.colour}"/>`);
    });
    parts.push(`<path d="${segments.join('')}" fill="none" stroke="${item.colour}" stroke-width="1.8" stroke-linejoin="round"/>`);
    parts.push(...dots);
  });
  return frame(width, height, spec.title, parts.join('\n'));
}

export interface BarSeries {
  name: string;
  /** One value per category; null draws no bar (nothing measured, or not on a log scale). */
  values: readonly (number | null)[];
  /** One label per category, shown right of the plot beside the bar. */
  labels: readonly string[];
  colour?: string;
}

export interface BarChartSpec {
  title: string;
  axisLabel: string;
  categories: readonly string[];
  series: readonly BarSeries[];
  /** Log scales suit ratios: ×0.1 and ×10 lie equally far from ×1. */
  scale: 'linear' | 'log';
  /** Where bars start: default 0 (linear) or 1 (log). */
  baseline?: number;
  /** A marked value on the axis, e.g. the paper's figure at ×1. */
  reference?: { value: number; label: string };
  tickFormat?: (value: number) => string;
  width?: number;
}

interface Axis {
  toUnit: (value: number) => number;
  ticks: number[];
  label: (tick: number) => string;
}

function logAxis(values: readonly number[], format: ((value: number) => string) | undefined): Axis {
  let lo = 10 ** Math.floor(Math.log10(Math.min(...values)) + 1e-9);
  let hi = 10 ** Math.ceil(Math.log10(Math.max(...values)) - 1e-9);
  if (hi <= lo) {
    lo /= 10;
    hi *= 10;
  }
  const decades = Math.round(Math.log10(hi / lo));
  const ticks: number[] = [];
  for (let d = 0; d <= decades; d++) {
    const power = Number((lo * 10 ** d).toPrecision(6));
    ticks.push(power);
    if (decades <= 2 && d < decades) ticks.push(Number((power * 2).toPrecision(6)), Number((power * 5).toPrecision(6)));
  }
  const span = Math.log10(hi / lo);
  return { toUnit: (v) => Math.log10(v / lo) / span, ticks, label: format ?? ((t) => tickLabel(t, t)) };
}

function linearAxis(values: readonly number[], format: ((value: number) => string) | undefined): Axis {
  const ticks = niceTicks(Math.min(0, ...values), Math.max(...values));
  const lo = ticks[0] ?? 0;
  const hi = ticks[ticks.length - 1] ?? 1;
  const step = (ticks[1] ?? hi) - lo;
  return { toUnit: (v) => (hi === lo ? 0 : (v - lo) / (hi - lo)), ticks, label: format ?? ((t) => tickLabel(t, step)) };
}

/** Horizontal bars, one group per category, one bar per series, drawn from the baseline. */
export function barChart(spec: BarChartSpec): string {
  const width = spec.width ?? 900;
  const log = spec.scale === 'log';
  const baseline = spec.baseline ?? (log ? 1 : 0);
  const plottable = (v: number | null): v is number => v !== null && Number.isFinite(v) && (!log || v > 0);
  const values = spec.series.flatMap((s) => s.values.filter(plottable));
  const domain = [...values, baseline, ...(spec.reference ? [spec.reference.value] : [])];
  const axis = log ? logAxis(domain, spec.tickFormat) : linearAxis(domain, spec.tickFormat);

  const labelWidth = Math.min(320, Math.max(80, ...spec.categories.map((c) => c.length * CHAR_WIDTH + 16)));
  const valueWidth = Math.min(320, Math.max(60, ...spec.series.flatMap((s) => s.labels.map((l) => (s.name.length + l.length + 2) * CHAR_WIDTH + 16))));
  const left = labelWidth;
  const plotWidth = width - labelWidth - valueWidth - 12;
  const items = spec.series.map((s, i) => ({ name: s.name, colour: colourOf(i, s.colour) }));
  const key = legend(items, left, plotWidth + valueWidth, TITLE_HEIGHT);
  const top = TITLE_HEIGHT + key.height + (spec.reference ? 24 : 10);
  const barHeight = 16;
  const groupHeight = Math.max(1, spec.series.length) * (barHeight + 3) + 14;
  const plotHeight = spec.categories.length * groupHeight;
  const height = top + plotHeight + 46;
  const toX = (v: number): number => left + axis.toUnit(v) * plotWidth;

  const parts: string[] = [key.svg];
  for (const tick of axis.ticks) {
    const x = toX(tick);
    parts.push(`<line x1="${px(x)}" y1="${px(top)}" x2="${px(x)}" y2="${px(top + plotHeight)}" stroke="${GRID}"/>`);
    parts.push(`<line x1="${px(x)}" y1="${px(top + plotHeight)}" x2="${px(x)}" y2="${px(top + plotHeight + 5)}" stroke="${AXIS}"/>`);
    parts.push(text(x, top + plotHeight + 18, axis.label(tick), `text-anchor="middle" fill="${INK}" font-size="11"`));
  }
  parts.push(`<line x1="${left}" y1="${px(top + plotHeight)}" x2="${px(left + plotWidth)}" y2="${px(top + plotHeight)}" stroke="${AXIS}"/>`);
  parts.push(text(left + plotWidth / 2, height - 8, spec.axisLabel, `text-anchor="middle" fill="${INK}"`));

  spec.categories.forEach((category, c) => {
    const groupTop = top + c * groupHeight + 7;
    parts.push(text(left - 8, groupTop + (groupHeight - 14) / 2 + 4, category, `text-anchor="end" fill="${INK}"`));
    spec.series.forEach((s, i) => {
      const y = groupTop + i * (barHeight + 3);
      const value = s.values[c] ?? null;
      if (plottable(value)) {
        const from = toX(baseline);
        const to = toX(value);
        const colour = items[i]?.colour ?? INK;
        parts.push(`<rect x="${px(Math.min(from, to))}" y="${px(y)}" width="${px(Math.max(1, Math.abs(to - from)))}" height="${barHeight}" fill="${colour}"/>`);
      }
      parts.push(text(left + plotWidth + 12, y + barHeight - 4, `${s.name}: ${s.labels[c] ?? ''}`, `fill="${INK}"`));
    });
  });
  const x0 = toX(baseline);
  parts.push(`<line x1="${px(x0)}" y1="${px(top)}" x2="${px(x0)}" y2="${px(top + plotHeight)}" stroke="${AXIS}"/>`);
  if (spec.reference) {
    const x = toX(spec.reference.value);
    parts.push(`<line x1="${px(x)}" y1="${px(top - 6)}" x2="${px(x)}" y2="${px(top + plotHeight)}" stroke="${INK}" stroke-width="1.5" stroke-dasharray="6 3"/>`);
    parts.push(text(x, top - 10, spec.reference.label, `text-anchor="middle" fill="${INK}" font-size="11"`));
  }
  return frame(width, height, spec.title, parts.join('\n'));
}
