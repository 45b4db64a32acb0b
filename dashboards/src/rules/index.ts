import type { Topology } from '@energysale/network';

/** The rule files under dashboards/ (placeholder until the rules land). */
export function ruleFiles(_topology: Topology): (readonly [string, string])[] {
  return [];
}
