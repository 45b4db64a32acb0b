import { resolve } from 'node:path';

import { stringify } from 'yaml';

import { monitoring, orderers, peers, serviceInstances, type ServiceInfo, type Topology } from '../topology';

/*
 * Prometheus configuration, generated from the topology model. It is plain data, independent of
 * where the binaries live, so the same text is written into a network's state (what the running
 * Prometheus reads) and committed under dashboards/ (what a user's Prometheus or the compose
 * deployment would mount); a test keeps the committed copy current.
 */

/** The jobs of prometheus.yml: what a query selects to tell a peer's series from an orderer's (both keep a ledger). */
export const PROMETHEUS_JOB = {
  orderer: 'orderer',
  peer: 'peer',
  service: 'service',
  vegeta: 'vegeta',
  harness: 'harness',
  node: 'node',
  /** Our own process exporter (own-exporter.ts): CPU and memory of exactly this network's processes. */
  process: 'process',
  prometheus: 'prometheus',
} as const;

/** Jobs whose targets exist only while a benchmark runs (vegeta's and the harness's endpoints): down between runs. */
export const LOAD_GENERATOR_JOBS: readonly string[] = [PROMETHEUS_JOB.vegeta, PROMETHEUS_JOB.harness];

/** Jobs whose targets are up whenever the network, the service tier and monitoring are. */
export const STANDING_JOBS: readonly string[] = Object.values(PROMETHEUS_JOB).filter((job) => !LOAD_GENERATOR_JOBS.includes(job));

interface Target {
  readonly endpoint: string;
  readonly labels: Record<string, string>;
}

const job = (name: string, targets: readonly Target[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  job_name: name,
  ...extra,
  static_configs: targets.map((t) => ({ targets: [t.endpoint], labels: t.labels })),
});

/** Where prometheus.yml finds the recording and alert rules: relative to it, as committed under dashboards/. */
export const RULE_FILES = 'rules/*.yml';

/**
 * prometheus.yml: every peer and orderer operations endpoint, the service instances, the load
 * generators (vegeta and the harness, up only while a benchmark runs), and the machine's exporters.
 * `ruleFiles`: where the rules are, for a config written somewhere else than dashboards/.
 */
export function prometheusConfig(topology: Topology, ruleFiles: string = RULE_FILES): string {
  const m = monitoring(topology);
  const interval = topology.monitoring.scrapeInterval;
  const single = (info: ServiceInfo): Target[] => [{ endpoint: info.endpoint, labels: { node: info.id, host: info.host.name } }];
  return stringify({
    global: { scrape_interval: interval, evaluation_interval: interval, external_labels: { deployment: topology.domain } },
    rule_files: [ruleFiles],
    scrape_configs: [
      job(
        PROMETHEUS_JOB.orderer,
        orderers(topology).map((o) => ({ endpoint: o.operationsEndpoint, labels: { node: o.id, org: o.org.name, host: o.host.name } })),
      ),
      job(
        PROMETHEUS_JOB.peer,
        peers(topology).map((p) => ({ endpoint: p.operationsEndpoint, labels: { node: p.id, org: p.org.name, host: p.host.name } })),
      ),
      job(
        PROMETHEUS_JOB.service,
        serviceInstances(topology).map((s) => ({ endpoint: s.endpoint, labels: { node: s.id, host: s.host.name } })),
      ),
      job(PROMETHEUS_JOB.vegeta, single(m.vegeta)),
      job(PROMETHEUS_JOB.harness, single(m.harness)),
      job(PROMETHEUS_JOB.node, single(m.nodeExporter)),
      job(PROMETHEUS_JOB.process, single(m.ownExporter)),
      job(PROMETHEUS_JOB.prometheus, single(m.prometheus)),
    ],
  }, { lineWidth: 0 });
}


/** The repository's dashboards/ folder: network/{src,dist}/monitoring -> ../../../dashboards. */
export const dashboardsDir = resolve(__dirname, '..', '..', '..', 'dashboards');

/** The generated monitoring files by name, as committed under dashboards/. */
export function monitoringFiles(topology: Topology): [string, string][] {
  const header = '# Generated from the topology model (network/src/monitoring/config.ts): `npm run network -- monitoring config`. Do not edit.\n';
  return [['prometheus.yml', header + prometheusConfig(topology)]];
}
