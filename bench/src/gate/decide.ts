import { FIGURES, GATE_FIGURES, GATE_SCENARIOS, type GateFigure, type GateScenario } from './figures';
import type { Measurement } from './baseline';
import { compare, type Comparison, type Rule } from './statistics';

/*
 * The gate's decision: every figure of every scenario compared with the baseline (statistics.ts);
 * the build fails when any is a regression. Exit codes: 0 pass, 1 regression, 2 the harness or the
 * environment failed (no baseline, an incomparable one, the network not up, a run that broke).
 */

export const GATE_EXIT = { pass: 0, regression: 1, error: 2 } as const;
export type GateExit = (typeof GATE_EXIT)[keyof typeof GATE_EXIT];

export interface GateOptions {
  /** Standard errors of the difference beyond which a change is more than noise (default 3). */
  readonly k: number;
  /** Overrides of the figures' minimum changes (fractions; percentage points for success rate). */
  readonly minimumChange: Partial<Record<GateFigure, number>>;
}

export const DEFAULT_GATE_OPTIONS: GateOptions = { k: 3, minimumChange: {} };

export interface FigureResult extends Comparison {
  readonly scenario: GateScenario;
  readonly figure: GateFigure;
  readonly rule: Rule;
}

export interface GateDecision {
  readonly exitCode: GateExit;
  readonly results: readonly FigureResult[];
  readonly regressions: readonly FigureResult[];
}

export function ruleOf(figure: GateFigure, options: GateOptions): Rule {
  const base = FIGURES[figure].rule;
  const override = options.minimumChange[figure];
  return override === undefined ? base : { ...base, minimumChange: override };
}

export function decide(baseline: Measurement, current: Measurement, options: GateOptions = DEFAULT_GATE_OPTIONS): GateDecision {
  const results: FigureResult[] = [];
  for (const scenario of GATE_SCENARIOS) {
    for (const figure of GATE_FIGURES) {
      const rule = ruleOf(figure, options);
      const comparison = compare(baseline.scenarios[scenario][figure], current.scenarios[scenario][figure], rule, options.k);
      results.push({ scenario, figure, rule, ...comparison });
    }
  }
  const regressions = results.filter((r) => r.verdict === 'regression');
  return { exitCode: regressions.length > 0 ? GATE_EXIT.regression : GATE_EXIT.pass, results, regressions };
}
