import { cpuPercentQuery, memoryPercentQuery, type PrometheusClient, type RangeSeries, type ResourceSubject } from '@energysale/network';

import type { ResourceSample, ResourceUsage, Usage, UsageSample } from '../report/schema';
import { stats } from './sampler';

/** The range exports behind one window's figures: the raw data of the report. */
export interface RangeExport {
  readonly subject: ResourceSubject;
  readonly figure: 'cpuPct' | 'memPct';
  readonly query: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly stepS: number;
  readonly result: readonly RangeSeries[];
}

export interface ResourceWindow {
  readonly resources: ResourceUsage;
  readonly resourceSeries: ResourceSample[];
  readonly exports: RangeExport[];
}

export const PROMETHEUS_SOURCE =
  "Prometheus, 1 s scrape: our own process exporter for peers, orderers, chaincode servers, service, nginx and load generators (exactly the network's and the run's processes, by pid and start time, with their descendants), node-exporter for the machine";

/**
 * CPU and memory of the chain, the service tier, the load generator and the whole machine over
 * [fromMs, toMs], one point per `stepS`, from Prometheus. `service: false` leaves the service tier
 * out (null): Caliper drives Fabric directly, so the service is not part of its path.
 */
export async function resourceWindow(prometheus: PrometheusClient, fromMs: number, toMs: number, options: { service: boolean; stepS?: number }): Promise<ResourceWindow> {
  const stepS = options.stepS ?? 1;
  const subjects: ResourceSubject[] = ['chain', ...(options.service ? (['service'] as const) : []), 'loadGenerator', 'machine'];
  const rangeExports: RangeExport[] = [];
  const values = new Map<ResourceSubject, { cpuPct: Map<number, number>; memPct: Map<number, number> }>();
  for (const subject of subjects) {
    const figures = { cpuPct: new Map<number, number>(), memPct: new Map<number, number>() };
    for (const [figure, query] of [['cpuPct', cpuPercentQuery(subject)], ['memPct', memoryPercentQuery(subject)]] as const) {
      const result = await prometheus.queryRange(query, fromMs, toMs, stepS);
      rangeExports.push({ subject, figure, query, fromMs, toMs, stepS, result });
      for (const [t, v] of result[0]?.values ?? []) if (Number.isFinite(v)) figures[figure].set(Math.round(t * 1000), v);
    }
    values.set(subject, figures);
  }
  const chain = values.get('chain');
  // The chain's CPU points are the clock: every subject is evaluated at the same steps.
  const times = [...(chain?.cpuPct.keys() ?? [])].filter((t) => chain?.memPct.has(t)).sort((a, b) => a - b);
  const sample = (subject: ResourceSubject, t: number): UsageSample | null => {
    const v = values.get(subject);
    const cpuPct = v?.cpuPct.get(t);
    const memPct = v?.memPct.get(t);
    return cpuPct === undefined || memPct === undefined ? null : { cpuPct, memPct };
  };
  const resourceSeries: ResourceSample[] = times.map((t) => ({
    t: (t - fromMs) / 1000,
    chain: sample('chain', t) ?? { cpuPct: 0, memPct: 0 },
    service: options.service ? sample('service', t) : null,
    loadGenerator: sample('loadGenerator', t),
    machine: sample('machine', t),
  }));
  const usage = (pick: (s: ResourceSample) => UsageSample | null): Usage | null => {
    const points = resourceSeries.map(pick).filter((p): p is UsageSample => p !== null);
    return points.length === 0 ? null : { cpuPct: stats(points.map((p) => p.cpuPct)), memPct: stats(points.map((p) => p.memPct)) };
  };
  const chainUsage = usage((s) => s.chain);
  if (!chainUsage) throw new ResourceDataError(`Prometheus has no chain CPU/memory between ${new Date(fromMs).toISOString()} and ${new Date(toMs).toISOString()}`);
  return {
    resources: { chain: chainUsage, service: usage((s) => s.service), loadGenerator: usage((s) => s.loadGenerator), machine: usage((s) => s.machine), source: PROMETHEUS_SOURCE },
    resourceSeries,
    exports: rangeExports,
  };
}

export class ResourceDataError extends Error {
  override readonly name = 'ResourceDataError';
}
