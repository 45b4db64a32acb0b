import type { Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dataquery } from '@grafana/grafana-foundation-sdk/prometheus';

import type { Topology } from '@energysale/network';

import type { ClassicDashboard } from './dashboard';
import { fabricDashboard } from './fabric';
import { dashboardJson, dashboardPath, dashboardProvidersYaml, datasourcesYaml, GRAFANA_PATHS } from './provisioning';
import { serviceDashboard } from './service';
import { table4Dashboard } from './table4';

/*
 * Grafana dashboards as code (Grafana Foundation SDK), generated into dashboards/grafana/ with the
 * provisioning files that load them; and what the live test needs to run every panel's query and
 * every variable's query against the running Prometheus.
 */

export { PROMETHEUS_DATASOURCE } from './datasource';
export { DASHBOARDS_MOUNT, GRAFANA_PATHS } from './provisioning';

/** The three dashboards: Table 4 live, Fabric network, Service. */
export function dashboards(topology: Topology): ClassicDashboard[] {
  return [table4Dashboard(), fabricDashboard(topology), serviceDashboard()];
}

/** The Grafana dashboards and provisioning files under dashboards/. */
export function grafanaFiles(topology: Topology): (readonly [string, string])[] {
  return [
    [GRAFANA_PATHS.datasources, datasourcesYaml(topology)],
    [GRAFANA_PATHS.dashboardProviders, dashboardProvidersYaml()],
    ...dashboards(topology).map((d) => [dashboardPath(d), dashboardJson(d)] as const),
  ];
}

export interface DashboardQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
}

export interface TemplateVariable {
  readonly dashboard: string;
  readonly name: string;
  readonly query: string;
}

const isPanel = (panel: Panel | RowPanel): panel is Panel => panel.type !== 'row';

/** Every panel target of every dashboard, by dashboard uid and panel title. */
export function dashboardQueries(topology: Topology): DashboardQuery[] {
  return dashboards(topology).flatMap((d) =>
    (d.panels ?? []).filter(isPanel).flatMap((panel) =>
      (panel.targets ?? []).map((target) => {
        const { refId, expr } = target as Dataquery;
        return { dashboard: d.uid ?? '', panel: panel.title ?? '', refId: refId ?? '', expr };
      }),
    ),
  );
}

/** Every template variable of every dashboard, in the order Grafana resolves them (a variable may use earlier ones). */
export function templateVariables(topology: Topology): TemplateVariable[] {
  return dashboards(topology).flatMap((d) =>
    (d.templating.list ?? []).map((v) => ({ dashboard: d.uid ?? '', name: v.name, query: typeof v.query === 'string' ? v.query : JSON.stringify(v.query) })),
  );
}
