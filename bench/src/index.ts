/** k6-style load scenarios, thresholds and summaries, and the engines that run them (vegeta). */
export * from './engine';
export * from './scenario';
