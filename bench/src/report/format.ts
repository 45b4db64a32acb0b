/**
 * Number formatting for the rendered report. Locale-free on purpose: `toLocaleString` follows the
 * machine's ICU data, and a regenerated report must be byte-identical wherever it is rendered.
 */
import type { PaperFigures } from './schema';

/** `value` with `decimals` decimals and a comma every three integer digits: 40047.72 -> "40,047.72". */
export function fixed(value: number, decimals: number): string {
  const rounded = value.toFixed(decimals);
  const negative = rounded.startsWith('-') && Number(rounded) !== 0;
  const [whole = '0', fraction] = rounded.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** How a figure with nothing to derive it from reads: never 0, never a dash (a dash is "not in this run"). */
export const NO_DATA = 'no data';

/** `value` shown by `show`, or {@link NO_DATA} when it is null. */
export function orNoData(value: number | null, show: (value: number) => string): string {
  return value === null ? NO_DATA : show(value);
}

/** A measured/paper ratio: "×0.38", "×12.4", "×185". */
export function times(ratio: number | null): string {
  if (ratio === null) return 'n/a';
  const decimals = ratio >= 100 ? 0 : ratio >= 10 ? 1 : 2;
  return `×${fixed(ratio, decimals)}`;
}

/** Enough decimals to tell neighbouring ticks `step` apart, and no more. */
export function tickLabel(value: number, step: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return fixed(value, decimals);
}

/** Seconds: milliseconds precision below 10 s, 0.1 s above. */
export function seconds(value: number): string {
  return `${fixed(value, value < 10 ? 3 : 1)} s`;
}

export function percent(value: number): string {
  return `${fixed(value, 2)} %`;
}

export function perMinute(value: number): string {
  return `${fixed(value, 2)} tx/min`;
}

export function integer(value: number): string {
  return fixed(value, 0);
}

/** The five figures of Table 4, in the paper's column order, with how to show and export each
 * (CSV: `paper_<csv>_<unit>` and `ratio_<csv>`). */
export const PAPER_FIGURES = [
  { key: 'avgLatencyS', label: 'avg response', csv: 'latency_avg', unit: 's', show: seconds },
  { key: 'successRatePct', label: 'success', csv: 'success_rate', unit: 'pct', show: percent },
  { key: 'throughputTxPerMin', label: 'throughput', csv: 'throughput', unit: 'tx_per_min', show: perMinute },
  { key: 'cpuAvgPct', label: 'chain CPU avg', csv: 'chain_cpu_avg', unit: 'pct', show: percent },
  { key: 'memAvgPct', label: 'chain memory avg', csv: 'chain_mem_avg', unit: 'pct', show: percent },
] as const satisfies readonly { key: keyof PaperFigures; label: string; csv: string; unit: string; show: (value: number) => string }[];

/** Bytes as B, KiB, MiB or GiB. */
export function bytes(size: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${fixed(value, unit === 0 ? 0 : 1)} ${units[unit] ?? 'B'}`;
}
