/** k6-style load scenarios, thresholds and summaries, and the engines that run them (vegeta). */
export * from './engine';
export * from './scenario';
export { HARNESS_METRIC, VEGETA_METRIC } from './progress/names';
export { PAPER_TABLE_4, type PaperTest } from './report/schema';
