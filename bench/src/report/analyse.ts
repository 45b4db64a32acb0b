/**
 * The report's derived sections (paper ratios, Little's law, consistency, thresholds), computed from
 * the measured scenarios alone, so the validator can recompute them and a stored report cannot
 * disagree with its own measurements.
 */
import {
  isPaperTest,
  PAPER_PROFILE,
  PAPER_TABLE_4,
  type ConsistencyCheck,
  type LittlesLawCheck,
  type PaperComparison,
  type ReportData,
  type ScenarioResult,
  type ThresholdMetric,
  type ThresholdOp,
  type ThresholdResult,
  type ThresholdSpec,
} from './schema';

/** What a run measured; {@link completeReport} adds what follows from it. */
export type ReportInput = Omit<ReportData, 'paper' | 'littlesLaw' | 'consistency' | 'thresholds' | 'disturbed'> & {
  thresholds: ThresholdSpec[];
};

export function completeReport(input: ReportInput): ReportData {
  const { thresholds, ...rest } = input;
  return {
    ...rest,
    paper: comparePaper(input.scenarios),
    littlesLaw: littlesLaw(input.scenarios),
    consistency: consistencyChecks(input.scenarios),
    thresholds: evaluateThresholds(input.scenarios, thresholds),
    disturbed: input.scenarios.some((s) => s.interference?.disturbed === true),
  };
}

function ratioOf(measured: number | null, reference: number): number | null {
  return reference === 0 || measured === null ? null : measured / reference;
}

export function comparePaper(scenarios: readonly ScenarioResult[]): PaperComparison[] {
  const comparisons: PaperComparison[] = [];
  for (const s of scenarios) {
    if (!isPaperTest(s.scenario)) continue;
    const paper = PAPER_TABLE_4[s.scenario];
    const measured: PaperComparison['measured'] = {
      avgLatencyS: s.measured.latencyS?.avg ?? null,
      successRatePct: s.measured.successRatePct,
      throughputTxPerMin: s.measured.throughputTxPerMin,
      cpuAvgPct: s.resources.chain.cpuPct.avg,
      memAvgPct: s.resources.chain.memPct.avg,
    };
    comparisons.push({
      scenario: s.scenario,
      engine: s.engine,
      paper,
      measured,
      ratio: {
        avgLatencyS: ratioOf(measured.avgLatencyS, paper.avgLatencyS),
        successRatePct: ratioOf(measured.successRatePct, paper.successRatePct),
        throughputTxPerMin: ratioOf(measured.throughputTxPerMin, paper.throughputTxPerMin),
        cpuAvgPct: ratioOf(measured.cpuAvgPct, paper.cpuAvgPct),
        memAvgPct: ratioOf(measured.memAvgPct, paper.memAvgPct),
      },
    });
  }
  return comparisons;
}

function littlesLawCheck(
  subject: LittlesLawCheck['subject'],
  scenario: string,
  engine: LittlesLawCheck['engine'],
  users: number,
  avgLatencyS: number,
  measuredTxPerMin: number,
): LittlesLawCheck {
  const predictedTxPerMin = (users / avgLatencyS) * 60;
  return {
    subject,
    scenario,
    engine,
    users,
    avgLatencyS,
    predictedTxPerMin,
    measuredTxPerMin,
    ratio: measuredTxPerMin / predictedTxPerMin,
    impliedThinkTimeS: (users * 60) / measuredTxPerMin - avgLatencyS,
  };
}

/**
 * The paper's two tests, then every closed-model run with completions: in a closed loop each user
 * waits for its response, so users / latency bounds the rate; an open model has no such bound.
 */
export function littlesLaw(scenarios: readonly ScenarioResult[]): LittlesLawCheck[] {
  const checks = Object.entries(PAPER_TABLE_4).map(([test, paper]) =>
    littlesLawCheck('paper', test, null, PAPER_PROFILE.users, paper.avgLatencyS, paper.throughputTxPerMin),
  );
  for (const s of scenarios) {
    const { requests, latencyS } = s.measured;
    if (s.executor !== 'closed' || requests === 0 || latencyS === null || latencyS.avg <= 0 || s.window.durationS <= 0) continue;
    const completedPerMin = (requests / s.window.durationS) * 60;
    checks.push(littlesLawCheck('measured', s.scenario, s.engine, s.users, latencyS.avg, completedPerMin));
  }
  return checks;
}

/** One check per run that writes to the ledger and whose commits were counted. */
export function consistencyChecks(scenarios: readonly ScenarioResult[]): ConsistencyCheck[] {
  const checks: ConsistencyCheck[] = [];
  for (const s of scenarios) {
    if (s.chain === null || s.writesPerRequest === 0) continue;
    const expectedTx = s.measured.successes * s.writesPerRequest;
    const difference = s.chain.validTx - expectedTx;
    const toleranceTx = s.users * s.writesPerRequest;
    checks.push({
      scenario: s.scenario,
      engine: s.engine,
      loadGeneratorSuccesses: s.measured.successes,
      writesPerRequest: s.writesPerRequest,
      expectedTx,
      chainValidTx: s.chain.validTx,
      difference,
      toleranceTx,
      agree: Math.abs(difference) <= toleranceTx,
    });
  }
  return checks;
}

/** A scenario's figure a threshold is over; null when it has no data (and the threshold fails). */
export function metricValue(s: ScenarioResult, metric: ThresholdMetric): number | null {
  const m = s.measured;
  switch (metric) {
    case 'throughputTxPerMin':
      return m.throughputTxPerMin;
    case 'successRatePct':
      return m.successRatePct;
    case 'latencyAvgS':
      return m.latencyS?.avg ?? null;
    case 'latencyP50S':
      return m.latencyS?.p50 ?? null;
    case 'latencyP95S':
      return m.latencyS?.p95 ?? null;
    case 'latencyP99S':
      return m.latencyS?.p99 ?? null;
    case 'latencyMaxS':
      return m.latencyS?.max ?? null;
    case 'failures':
      return m.failures;
    case 'droppedIterations':
      return m.droppedIterations;
    case 'chainCpuAvgPct':
      return s.resources.chain.cpuPct.avg;
    case 'chainMemAvgPct':
      return s.resources.chain.memPct.avg;
  }
}

const COMPARE: Readonly<Record<ThresholdOp, (actual: number, limit: number) => boolean>> = {
  '<': (a, l) => a < l,
  '<=': (a, l) => a <= l,
  '>': (a, l) => a > l,
  '>=': (a, l) => a >= l,
};

/** A threshold on a scenario × engine that did not run, or on a figure with no data, fails: a contract nobody measured is not met. */
export function evaluateThresholds(scenarios: readonly ScenarioResult[], specs: readonly ThresholdSpec[]): ThresholdResult[] {
  return specs.map((spec) => {
    const run = scenarios.find((s) => s.scenario === spec.scenario && s.engine === spec.engine);
    const actual = run === undefined ? null : metricValue(run, spec.metric);
    // null: no data, which never meets a threshold.
    return { ...spec, actual, pass: actual !== null && COMPARE[spec.op](actual, spec.limit) };
  });
}
