/**
 * k6-style load scenarios, thresholds and summaries, and the engines that run them (vegeta); the
 * script runner (`@energysale/bench/script`) and a script as a benchmark's test.
 */
export * from './engine';
export * from './scenario';
export { HARNESS_METRIC, VEGETA_METRIC } from './progress/names';
export { PAPER_TABLE_4, type PaperTest } from './report/schema';
export { ProgressMetrics } from './progress/metrics';
export { MetricsServerError, serveMetrics, type MetricsServer } from './progress/server';
export { prepare as prepareTable4, type Fixture } from './table4/prepare';
export { PROFILES, type Profile } from './table4/profiles';
export { addOrderOptions, orderQueryOptions } from './table4/scenarios';
export { runScriptTest, table4Test, TABLE4_SCRIPTS, type ScriptTest, type ScriptTestRun } from './script/benchmark';
export { CaliperFailedTransactionsError, runUserCaliper, writeCaliperNetworkConfig, type NetworkSource, type UserCaliperOptions, type UserCaliperRun } from './caliper/user';
