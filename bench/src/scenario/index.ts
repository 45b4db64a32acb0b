/** Load scenarios in k6's vocabulary, run by a LoadEngine (vegeta by default). */
export { parseDuration, type Duration } from './duration';
export { ScenarioConfigError, ThresholdSyntaxError } from './errors';
export { prepare, run, type RunOptions, type RunResult } from './run';
export type { KeptRequest, ScenarioRecords } from './records';
export { percentile, trendStats, type TrendStats } from './stats';
export type {
  CheckCount,
  CounterSummary,
  MetricsSummary,
  PhaseFigures,
  RateSummary,
  ScenarioConfig,
  ScenarioSummary,
  SeriesPoint,
  Summary,
  SummaryConfig,
  TrendSummary,
  Window,
} from './summary';
export {
  aggregate,
  evaluateThresholds,
  METRICS,
  parseCondition,
  parseThresholdKey,
  parseThresholds,
  type Aggregation,
  type ConditionResult,
  type MetricData,
  type MetricName,
  type MetricType,
  type Operator,
  type Threshold,
  type ThresholdCondition,
  type ThresholdResult,
} from './thresholds';
export type {
  ConstantArrivalRate,
  ConstantVus,
  Executor,
  Options,
  Progress,
  RampingArrivalRate,
  Request,
  Response,
  Scenario,
  ScenarioCommon,
  ScenarioPhase,
  ScenarioProgress,
  Stage,
} from './types';
