import { cpuPercentQuery, memoryPercentQuery, RESOURCE_SUBJECTS, type Topology } from '@energysale/network';

import { FABRIC_METRIC, HARNESS_METRIC, RECORDED, RESOURCE_RECORDS } from '../metrics';
import { histogramMean, histogramQuantile, perSecond } from '../promql/build';
import { rateWindow, scrapeInterval } from './windows';
import type { RecordingRule, RuleGroup } from './rule-file';

/*
 * The series the dashboards and the report read, computed once by Prometheus: the load's figures by
 * scenario (from the harness's progress metrics), the ledger's own count of what it committed, and
 * the resource figures. Every group is evaluated each scrape, so a recorded series is never staler
 * than the samples it comes from.
 */

const BY_SCENARIO = ['scenario'];

/**
 * Requests answered 2xx per second, by scenario. A scenario whose requests all failed has no 2xx
 * series at all; it counts 0 here rather than vanishing, so its success ratio reads 0, not nothing.
 */
function successesPerSecond(window: string): string {
  return `(${perSecond(HARNESS_METRIC.reqs, { status: '2..' }, BY_SCENARIO, window)} or 0 * ${perSecond(HARNESS_METRIC.reqs, {}, BY_SCENARIO, window)})`;
}

const latencyQuantile = (quantile: number, window: string): string => histogramQuantile(quantile, HARNESS_METRIC.duration, {}, BY_SCENARIO, window);

function loadRules(window: string): RecordingRule[] {
  return [
    { record: RECORDED.txPerMinute, expr: `60 * ${successesPerSecond(window)}` },
    // No requests in the window gives 0/0: no sample, so a finished scenario drops out instead of reading 0.
    { record: RECORDED.successRatio, expr: `${successesPerSecond(window)} / ${perSecond(HARNESS_METRIC.reqs, {}, BY_SCENARIO, window)}` },
    { record: RECORDED.latencyP50, expr: latencyQuantile(0.5, window) },
    { record: RECORDED.latencyP95, expr: latencyQuantile(0.95, window) },
    { record: RECORDED.latencyP99, expr: latencyQuantile(0.99, window) },
    { record: RECORDED.latencyAvg, expr: histogramMean(HARNESS_METRIC.duration, {}, BY_SCENARIO, window) },
  ];
}

/**
 * Valid application transactions committed per minute, by channel. Each peer counts every
 * transaction it commits, so summing over peers would count each one once per peer; the fullest
 * peer's count is the ledger's. Config transactions (channel updates) are not the load's.
 */
function ledgerRules(window: string): RecordingRule[] {
  const valid = perSecond(FABRIC_METRIC.transactionCount, { validation_code: 'VALID', transaction_type: 'ENDORSER_TRANSACTION' }, ['channel', 'instance'], window);
  return [{ record: RECORDED.ledgerTxPerMinute, expr: `60 * max by (channel) (${valid})` }];
}

/** The report's resource figures verbatim, so a dashboard and the report cannot disagree. */
function resourceRules(): RecordingRule[] {
  return RESOURCE_SUBJECTS.flatMap((subject) => [
    { record: RESOURCE_RECORDS[subject].cpu, expr: cpuPercentQuery(subject) },
    { record: RESOURCE_RECORDS[subject].memory, expr: memoryPercentQuery(subject) },
  ]);
}

export function recordingGroups(topology: Topology): RuleGroup<RecordingRule>[] {
  const interval = scrapeInterval(topology);
  const window = rateWindow(topology);
  return [
    { name: 'energysale.load', interval, rules: loadRules(window) },
    { name: 'energysale.ledger', interval, rules: ledgerRules(window) },
    { name: 'energysale.resources', interval, rules: resourceRules() },
  ];
}
