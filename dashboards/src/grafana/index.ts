import type { Topology } from '@energysale/network';

/** The Grafana dashboards and provisioning files under dashboards/ (placeholder until the dashboards land). */
export function grafanaFiles(_topology: Topology): (readonly [string, string])[] {
  return [];
}
