import { stringify } from 'yaml';

import type { Topology } from '@energysale/network';

import type { ClassicDashboard } from './dashboard';
import { prometheusDatasource } from './datasource';

/*
 * Where the generated Grafana files go under dashboards/, and Grafana's provisioning files that load
 * them: the datasource, and a file provider reading the dashboards' JSON from the directory the
 * README's `docker run` mounts dashboards/grafana/dashboards/ on.
 */

/** Paths under dashboards/. */
export const GRAFANA_PATHS = {
  datasources: 'grafana/provisioning/datasources/prometheus.yml',
  dashboardProviders: 'grafana/provisioning/dashboards/energysale.yml',
  dashboardsDir: 'grafana/dashboards',
} as const;

/** Where Grafana reads the dashboards' JSON: the mount point of dashboards/grafana/dashboards/. */
export const DASHBOARDS_MOUNT = '/var/lib/grafana/dashboards/energysale';

/** The folder the provisioned dashboards appear in. */
export const DASHBOARDS_FOLDER = 'Energysale';

const header = '# Generated from the topology model and dashboards/src/grafana: `npm run dashboards -- generate`. Do not edit.\n';

const yaml = (value: unknown): string => header + stringify(value, { lineWidth: 0 });

export const dashboardPath = (dashboard: ClassicDashboard): string => `${GRAFANA_PATHS.dashboardsDir}/${dashboard.uid ?? ''}.json`;

/** A dashboard as Grafana's file provider reads it: pretty JSON, as the SDK built it. */
export const dashboardJson = (dashboard: ClassicDashboard): string => `${JSON.stringify(dashboard, null, 2)}\n`;

export function datasourcesYaml(topology: Topology): string {
  return yaml({ apiVersion: 1, datasources: [prometheusDatasource(topology)] });
}

export function dashboardProvidersYaml(): string {
  return yaml({
    apiVersion: 1,
    providers: [
      {
        name: 'energysale',
        orgId: 1,
        folder: DASHBOARDS_FOLDER,
        type: 'file',
        disableDeletion: true,
        // The JSON files are generated: edits in the UI would be lost at the next generate.
        allowUiUpdates: false,
        updateIntervalSeconds: 30,
        options: { path: DASHBOARDS_MOUNT, foldersFromFilesStructure: false },
      },
    ],
  });
}
