import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';

import { monitoring, type Topology } from '@energysale/network';

/**
 * The one datasource every panel, target and variable names: the model's Prometheus. Its uid is
 * fixed, so the provisioned datasource and the dashboards meet without a lookup by name, and a
 * user's Grafana that already has another Prometheus keeps it.
 */
export const PROMETHEUS_DATASOURCE = {
  uid: 'energysale-prometheus',
  type: 'prometheus',
  name: 'Prometheus (energysale)',
} as const;

export const datasourceRef: DataSourceRef = { type: PROMETHEUS_DATASOURCE.type, uid: PROMETHEUS_DATASOURCE.uid };

/** The datasource entry of Grafana's provisioning file (apiVersion 1). */
export function prometheusDatasource(topology: Topology): Record<string, unknown> {
  return {
    name: PROMETHEUS_DATASOURCE.name,
    uid: PROMETHEUS_DATASOURCE.uid,
    type: PROMETHEUS_DATASOURCE.type,
    access: 'proxy',
    url: `http://${monitoring(topology).prometheus.endpoint}`,
    isDefault: true,
    editable: false,
    jsonData: {
      // $__rate_interval is computed from this: four scrapes of 1 s, not Grafana's default 15 s.
      timeInterval: topology.monitoring.scrapeInterval,
      httpMethod: 'POST',
    },
  };
}
