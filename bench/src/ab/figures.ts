import type { Spread } from '../gate/statistics';
import { msPerTransaction, spreadOf } from '../ceiling/figures';
import { deriveScenario } from '../report/request-records';
import type { ScenarioRecords } from '../scenario';
import type { Table4Test } from '../script/benchmark';

/*
 * The figures of an A/B run, derived from its raw windows (the same function live and again from
 * raw/): each window's throughput, latency and CPU per request of each process group; over the
 * repeats of a side, median and spread; B against A, the ratio of the medians.
 */

export const AB_SIDES = ['A', 'B'] as const;
export type AbSideName = (typeof AB_SIDES)[number];

/** The process groups measured by pid, as the state records their kinds (lb: nginx), and this benchmark's process (the load generator). */
export const AB_GROUPS = ['peer', 'orderer', 'chaincode', 'service', 'lb', 'loadGenerator'] as const;
export type AbGroup = (typeof AB_GROUPS)[number];

/** One measured window as sampled: its requests (raw/<...>.requests.gz) and each group's CPU, a point a second. */
export interface AbRaw {
  readonly test: Table4Test;
  readonly side: AbSideName;
  readonly repeat: number;
  readonly cores: number;
  /** Each group's CPU over the window: [epoch ms at the end of the interval, % of the whole machine]. */
  readonly cpu: Readonly<Record<AbGroup, readonly (readonly [number, number])[]>>;
}

export interface AbWindowFigures {
  readonly throughputTxPerMin: number | null;
  readonly latencyP50S: number | null;
  readonly latencyP99S: number | null;
  readonly successRatePct: number | null;
  /** Each group's CPU per successful request, ms (its average share over the window × cores ÷ requests a second). */
  readonly cpuMsPerRequest: Readonly<Record<AbGroup, number | null>>;
}

const average = (values: readonly number[]): number | null => (values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length);

/** A window's figures from its requests and its CPU points (those inside the measured window). */
export function windowFigures(records: ScenarioRecords, raw: Pick<AbRaw, 'cpu' | 'cores'>): AbWindowFigures {
  const { measured, window } = deriveScenario(records);
  const [from, to] = [Date.parse(window.start), Date.parse(window.end)];
  const perS = measured.throughputTxPerMin === null ? null : measured.throughputTxPerMin / 60;
  const cpuMs = (group: AbGroup): number | null => {
    // A point stands for the second before it: those ending inside the window.
    const share = average(raw.cpu[group].filter(([t]) => t > from && t <= to).map(([, pct]) => pct));
    return share === null ? null : msPerTransaction(share, raw.cores, perS);
  };
  return {
    throughputTxPerMin: measured.throughputTxPerMin,
    latencyP50S: measured.latencyS?.p50 ?? null,
    latencyP99S: measured.latencyS?.p99 ?? null,
    successRatePct: measured.successRatePct,
    cpuMsPerRequest: Object.fromEntries(AB_GROUPS.map((g) => [g, cpuMs(g)])) as Record<AbGroup, number | null>,
  };
}

/** The figures compared, in the order the report lists them. */
export const AB_FIGURES = ['throughputTxPerMin', 'latencyP50S', 'latencyP99S', 'successRatePct', ...AB_GROUPS.map((g) => `cpuMsPerRequest.${g}` as const)] as const;
export type AbFigure = (typeof AB_FIGURES)[number];

export function figureOf(figures: AbWindowFigures, figure: AbFigure): number | null {
  if (figure.startsWith('cpuMsPerRequest.')) return figures.cpuMsPerRequest[figure.slice('cpuMsPerRequest.'.length) as AbGroup];
  return figures[figure as Exclude<AbFigure, `cpuMsPerRequest.${string}`>];
}

/** One figure of one test, both sides over their repeats, and B's median over A's. */
export interface AbComparison {
  readonly test: Table4Test;
  readonly figure: AbFigure;
  readonly a: Spread | null;
  readonly b: Spread | null;
  /** B's median ÷ A's; null when either has no data or A's is 0. */
  readonly ratio: number | null;
}

export function compare(windows: readonly { test: Table4Test; side: AbSideName; figures: AbWindowFigures }[]): AbComparison[] {
  const tests = [...new Set(windows.map((w) => w.test))];
  return tests.flatMap((test) =>
    AB_FIGURES.map((figure) => {
      const side = (name: AbSideName): Spread | null => spreadOf(windows.filter((w) => w.test === test && w.side === name).map((w) => figureOf(w.figures, figure)));
      const [a, b] = [side('A'), side('B')];
      return { test, figure, a, b, ratio: a && b && a.median !== 0 ? b.median / a.median : null };
    }),
  );
}

/** The sides' order in repeat `r`: A B, then B A, and so on, so that a drift of the machine touches both alike. */
export function sidesOfRepeat(r: number): readonly AbSideName[] {
  return r % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
}
