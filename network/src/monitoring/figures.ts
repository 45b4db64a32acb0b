import { PROMETHEUS_JOB } from './config';
import { OWN_PROCESS_METRIC } from './own-exporter';
import { CHAIN_GROUPS, type ProcessGroup } from './own-processes';

/*
 * The PromQL behind the report's resource figures: CPU and memory of a group of processes as shares
 * of the whole machine (PAPER.md Table 4's "chain server CPU/memory"). Every group is read from our
 * own process exporter (own-exporter.ts: exactly the processes this network and this run started,
 * each with its descendants); the machine from node-exporter.
 */

/** Who the report's resource figures are about. */
export type ResourceSubject = 'chain' | 'service' | 'loadGenerator' | 'machine';

/** The window of `irate`: a few scrapes, so a late scrape never leaves a gap. */
const WINDOW = '5s';

const machineCores = 'scalar(count(node_cpu_seconds_total{mode="idle"}))';
const machineMemory = 'scalar(node_memory_MemTotal_bytes)';

const GROUPS: Readonly<Record<Exclude<ResourceSubject, 'machine'>, readonly ProcessGroup[]>> = {
  chain: CHAIN_GROUPS,
  service: ['service', 'lb'],
  loadGenerator: ['vegeta', 'caliper', 'harness'],
};

/** The exporter's groups as a label matcher. */
export const groupSelector = (groups: readonly ProcessGroup[]): string => `group=~"${groups.join('|')}"`;

/**
 * A sum over groups that may have no process now (the service tier stopped, no run going): 0 while
 * the exporter is scraped, no data when it is not (a figure with no data is no data, never 0).
 */
const sumOrZero = (expr: string): string => `(sum(${expr}) or 0 * sum(up{job="${PROMETHEUS_JOB.process}"} == 1))`;

function cpuSeconds(groups: readonly ProcessGroup[]): string {
  return sumOrZero(`irate(${OWN_PROCESS_METRIC.cpuSeconds}{${groupSelector(groups)}}[${WINDOW}])`);
}

function residentBytes(groups: readonly ProcessGroup[]): string {
  return sumOrZero(`${OWN_PROCESS_METRIC.residentBytes}{${groupSelector(groups)}}`);
}

/** CPU of a subject in % of the machine (100 = every core busy). */
export function cpuPercentQuery(subject: ResourceSubject): string {
  if (subject === 'machine') return `100 * (1 - avg(irate(node_cpu_seconds_total{mode="idle"}[${WINDOW}])))`;
  return `100 * ${cpuSeconds(GROUPS[subject])} / ${machineCores}`;
}

/** Resident memory of a subject in % of the machine's memory. */
export function memoryPercentQuery(subject: ResourceSubject): string {
  if (subject === 'machine') return `100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)`;
  return `100 * ${residentBytes(GROUPS[subject])} / ${machineMemory}`;
}

/** CPU of each group over a window of `seconds` ending at the query's time, in % of the machine (the report's breakdown). */
export function cpuPercentByGroupQuery(seconds: number): string {
  return `100 * sum by (group) (increase(${OWN_PROCESS_METRIC.cpuSeconds}[${String(seconds)}s])) / ${String(seconds)} / ${machineCores}`;
}

export const RESOURCE_SUBJECTS: readonly ResourceSubject[] = ['chain', 'service', 'loadGenerator', 'machine'];
