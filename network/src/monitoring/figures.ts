import { CHAIN_GROUPS, type ProcessGroup } from './config';

/*
 * The PromQL behind the report's resource figures: CPU and memory of a group of processes as shares
 * of the whole machine (PAPER.md Table 4's "chain server CPU/memory"). Peers and orderers are read
 * from Fabric's own process metrics (their operations endpoints); everything else (chaincode
 * servers, the service tier, load generators) from process-exporter; the machine from node-exporter.
 */

/** Who the report's resource figures are about. */
export type ResourceSubject = 'chain' | 'service' | 'loadGenerator' | 'machine';

/** The window of `irate`: a few scrapes, so a late scrape never leaves a gap. */
const WINDOW = '5s';

const machineCores = 'scalar(count(node_cpu_seconds_total{mode="idle"}))';
const machineMemory = 'scalar(node_memory_MemTotal_bytes)';

/** Fabric nodes that report their own process metrics: the Prometheus jobs of their operations endpoints. */
const FABRIC_JOBS: readonly ProcessGroup[] = ['peer', 'orderer'];

const GROUPS: Readonly<Record<Exclude<ResourceSubject, 'machine'>, readonly ProcessGroup[]>> = {
  chain: CHAIN_GROUPS,
  service: ['service', 'lb'],
  loadGenerator: ['vegeta', 'caliper', 'harness'],
};

const regex = (names: readonly string[]): string => names.join('|');

function cpuSeconds(groups: readonly ProcessGroup[]): string {
  const fabric = groups.filter((g) => FABRIC_JOBS.includes(g));
  const others = groups.filter((g) => !FABRIC_JOBS.includes(g));
  const terms = [
    ...(fabric.length > 0 ? [`sum(irate(process_cpu_seconds_total{job=~"${regex(fabric)}"}[${WINDOW}]))`] : []),
    ...(others.length > 0 ? [`(sum(irate(namedprocess_namegroup_cpu_seconds_total{groupname=~"${regex(others)}"}[${WINDOW}])) or vector(0))`] : []),
  ];
  return terms.join(' + ');
}

function residentBytes(groups: readonly ProcessGroup[]): string {
  const fabric = groups.filter((g) => FABRIC_JOBS.includes(g));
  const others = groups.filter((g) => !FABRIC_JOBS.includes(g));
  const terms = [
    ...(fabric.length > 0 ? [`sum(process_resident_memory_bytes{job=~"${regex(fabric)}"})`] : []),
    ...(others.length > 0 ? [`(sum(namedprocess_namegroup_memory_bytes{groupname=~"${regex(others)}",memtype="resident"}) or vector(0))`] : []),
  ];
  return terms.join(' + ');
}

/** CPU of a subject in % of the machine (100 = every core busy). */
export function cpuPercentQuery(subject: ResourceSubject): string {
  if (subject === 'machine') return `100 * (1 - avg(irate(node_cpu_seconds_total{mode="idle"}[${WINDOW}])))`;
  return `100 * (${cpuSeconds(GROUPS[subject])}) / ${machineCores}`;
}

/** Resident memory of a subject in % of the machine's memory. */
export function memoryPercentQuery(subject: ResourceSubject): string {
  if (subject === 'machine') return `100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)`;
  return `100 * (${residentBytes(GROUPS[subject])}) / ${machineMemory}`;
}

export const RESOURCE_SUBJECTS: readonly ResourceSubject[] = ['chain', 'service', 'loadGenerator', 'machine'];
