import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  DashboardBuilder,
  DashboardCursorSync,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type Panel,
} from '@grafana/grafana-foundation-sdk/dashboard';

import { datasourceRef } from './datasource';
import { selector, type Matchers } from '../promql/build';

/*
 * What the three dashboards share: live settings (5 s refresh over the last 15 minutes, as a
 * benchmark round is watched while it runs), template variables read from a metric's label values,
 * and rows of panels laid out left to right.
 */

/**
 * The classic dashboard JSON model (schema v1): what Grafana's classic file provider reads, in every
 * version since 5 (Grafana 13 migrates it to v2 on load). The SDK deprecates it and its builder in
 * favour of dashboardv2, a Kubernetes-style resource for Grafana 12's API and Git Sync; hence the
 * lint exceptions here and in buildDashboard, and nowhere else.
 */
// eslint-disable-next-line @typescript-eslint/no-deprecated
export type ClassicDashboard = Dashboard;

/** Every dashboard's tag: the provider's folder and Grafana's dashboard search find them by it. */
export const DASHBOARD_TAG = 'energysale';

/** The value Grafana stores for a variable's "All" option. */
const ALL = '$__all';

/**
 * A template variable: the values of `label` on the series of `metric` (narrowed by `matchers`,
 * which may name earlier variables). Multi-valued with "All" (`.*`), so `label=~"$name"` matches.
 */
export interface Variable {
  readonly name: string;
  readonly label: string;
  readonly metric: string;
  readonly labelName: string;
  readonly matchers?: Matchers;
  /** The selected value when the dashboard opens; "All" when absent. */
  readonly current?: string;
}

/** A row of the dashboard: its title and its panels, whose widths add up to whole lines of 24. */
export interface Section {
  readonly title: string;
  readonly panels: readonly cog.Builder<Panel>[];
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly variables: readonly Variable[];
  readonly sections: readonly Section[];
}

/** Grafana's query for a Prometheus variable's values. */
export const labelValuesQuery = (v: Variable): string => `label_values(${selector(v.metric, v.matchers)}, ${v.labelName})`;

function variable(v: Variable): QueryVariableBuilder {
  const current = v.current ?? ALL;
  return new QueryVariableBuilder(v.name)
    .label(v.label)
    .datasource(datasourceRef)
    .query(labelValuesQuery(v))
    .definition(labelValuesQuery(v))
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.NaturalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: [current === ALL ? 'All' : current], value: [current] });
}

export function buildDashboard(spec: DashboardSpec): ClassicDashboard {
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([DASHBOARD_TAG, ...spec.tags])
    .refresh('5s')
    .time({ from: 'now-15m', to: 'now' })
    .timezone('browser')
    .tooltip(DashboardCursorSync.Crosshair)
    .variables(spec.variables.map(variable));
  for (const section of spec.sections) {
    builder.withRow(new RowBuilder(section.title));
    for (const panel of section.panels) builder.withPanel(panel);
  }
  const dashboard = builder.build();
  // Grafana keys a panel's state and links by id; the SDK leaves ids to the caller.
  dashboard.panels?.forEach((panel, i) => {
    panel.id = i + 1;
  });
  return dashboard;
}
