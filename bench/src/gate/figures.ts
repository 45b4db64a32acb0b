import type { Rule } from './statistics';

/*
 * What the gate compares, for each scenario: throughput, latency percentiles, success rate and the
 * chain's CPU per transaction, each with the direction that is better and the smallest change worth
 * failing a build for (defaults; `bench gate --min-change figure=pct` overrides).
 */

export const GATE_SCENARIOS = ['add_order', 'order_query'] as const;
export type GateScenario = (typeof GATE_SCENARIOS)[number];

export const GATE_FIGURES = ['throughputTxPerMin', 'latencyP50S', 'latencyP95S', 'latencyP99S', 'successRatePct', 'chainCpuMsPerTx'] as const;
export type GateFigure = (typeof GATE_FIGURES)[number];

export interface FigureInfo {
  readonly label: string;
  readonly unit: string;
  readonly rule: Rule;
}

/**
 * The defaults: throughput may not drop by 10 %, p50 rise by 15 %, p95 by 20 %, p99 by 30 % (the
 * tail is the noisiest), success rate drop by 0.5 percentage points, chain CPU per transaction rise
 * by 15 %, each only when also beyond the measured noise (statistics.ts).
 */
export const FIGURES: Readonly<Record<GateFigure, FigureInfo>> = {
  throughputTxPerMin: { label: 'throughput', unit: 'tx/min', rule: { direction: 'higher-is-better', minimumChange: 0.1 } },
  latencyP50S: { label: 'latency p50', unit: 's', rule: { direction: 'lower-is-better', minimumChange: 0.15 } },
  latencyP95S: { label: 'latency p95', unit: 's', rule: { direction: 'lower-is-better', minimumChange: 0.2 } },
  latencyP99S: { label: 'latency p99', unit: 's', rule: { direction: 'lower-is-better', minimumChange: 0.3 } },
  successRatePct: { label: 'success rate', unit: '%', rule: { direction: 'higher-is-better', minimumChange: 0.5, absolute: true } },
  chainCpuMsPerTx: { label: 'chain CPU per transaction', unit: 'CPU ms', rule: { direction: 'lower-is-better', minimumChange: 0.15 } },
};

/** One repeat of one scenario: a value of each figure. */
export type FigureValues = Readonly<Record<GateFigure, number>>;

/** A scenario's repeats, figure by figure. */
export type ScenarioSamples = Readonly<Record<GateFigure, readonly number[]>>;

/** Repeats (in run order) as figure-by-figure value lists. */
export function samplesOf(repeats: readonly FigureValues[]): ScenarioSamples {
  return Object.fromEntries(GATE_FIGURES.map((f) => [f, repeats.map((r) => r[f])])) as Record<GateFigure, number[]>;
}
