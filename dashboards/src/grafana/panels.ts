import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  BigValueColorMode,
  BigValueGraphMode,
  BigValueTextMode,
  LegendDisplayMode,
  LegendPlacement,
  LineStyleBuilder,
  ReduceDataOptionsBuilder,
  ScaleDistribution,
  ScaleDistributionConfigBuilder,
  SortOrder,
  TooltipDisplayMode,
  VisibilityMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import type { DataSourceRef, DynamicConfigValue, Panel, ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, QueryEditorMode } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

import { datasourceRef } from './datasource';
import { constant, histogramQuantile, type Matchers } from '../promql/build';

/*
 * Every panel of the dashboards is built here from (title, queries, unit): one place decides the
 * datasource, the query ids, the legend and the look, so the dashboards read as lists of what they
 * show.
 */

/** A panel's query: its PromQL and the legend of the series it returns. */
export interface Query {
  readonly expr: string;
  readonly legend: string;
  /** A constant drawn as a dashed reference line (a paper figure, a size of the model). */
  readonly reference?: boolean;
}

export const query = (expr: string, legend: string): Query => ({ expr, legend });

/** A horizontal reference line at `value`: the paper's figure beside the measured one. */
export const reference = (value: number, legend: string): Query => ({ expr: constant(value), legend, reference: true });

/** Grafana unit ids: requests and operations per minute, seconds, percent (0–100), bytes, plain numbers. */
export type Unit = 'reqpm' | 'opm' | 's' | 'percent' | 'bytes' | 'short';

export interface PanelOptions {
  /** Why the panel is there and how to read it (the panel's (i) tooltip). */
  readonly description: string;
  /** Grid columns of 24. */
  readonly width?: number;
  readonly height?: number;
}

export interface TimeseriesOptions extends PanelOptions {
  /** A log axis: for series orders of magnitude apart (the paper's 216 and 40,048 tx/min). */
  readonly logScale?: boolean;
}

export interface StatOptions extends PanelOptions {
  /** Show the series' names (e.g. the Raft leader, the run) rather than, or beside, their values. */
  readonly text?: 'value' | 'name' | 'value_and_name';
  readonly mappings?: ValueMapping[];
}

/** Query ids A, B, C, ... in the order the queries are listed. */
export const refIdOf = (index: number): string => String.fromCharCode('A'.charCodeAt(0) + index);

const target = (q: Query, index: number): DataqueryBuilder =>
  new DataqueryBuilder()
    .refId(refIdOf(index))
    .expr(q.expr)
    .legendFormat(q.legend)
    .editorMode(QueryEditorMode.Code)
    .datasource(datasourceRef);

/** What both panel builders of the SDK share and this module sets. */
interface CommonPanelBuilder extends cog.Builder<Panel> {
  title(title: string): this;
  description(description: string): this;
  datasource(datasource: DataSourceRef): this;
  withTarget(target: cog.Builder<cog.Dataquery>): this;
  unit(unit: string): this;
  height(h: number): this;
  span(w: number): this;
}

function common<B extends CommonPanelBuilder>(builder: B, title: string, queries: readonly Query[], unit: Unit, options: PanelOptions): B {
  builder
    .title(title)
    .description(options.description)
    .datasource(datasourceRef)
    .unit(unit)
    .span(options.width ?? 12)
    .height(options.height ?? 8);
  queries.forEach((q, i) => builder.withTarget(target(q, i)));
  return builder;
}

const dashed: DynamicConfigValue[] = [
  { id: 'custom.lineStyle', value: new LineStyleBuilder().fill('dash').dash([10, 10]).build() },
  { id: 'custom.fillOpacity', value: 0 },
];

/** A time series panel; reference queries are drawn as dashed lines without fill. */
export function timeseries(title: string, queries: readonly Query[], unit: Unit, options: TimeseriesOptions): TimeseriesPanelBuilder {
  const panel = common(new TimeseriesPanelBuilder(), title, queries, unit, options)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(VisibilityMode.Never);
  if (options.logScale === true) panel.scaleDistribution(new ScaleDistributionConfigBuilder().type(ScaleDistribution.Log).log(10));
  queries.forEach((q, i) => {
    if (q.reference === true) panel.overrideByQuery(refIdOf(i), dashed);
  });
  return panel;
}

const textModes = { value: BigValueTextMode.Value, name: BigValueTextMode.Name, value_and_name: BigValueTextMode.ValueAndName } as const;

/** A single-value panel per series: the latest value of each. */
export function stat(title: string, queries: readonly Query[], unit: Unit, options: StatOptions): StatPanelBuilder {
  const panel = common(new StatPanelBuilder(), title, queries, unit, { height: 4, ...options })
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .textMode(textModes[options.text ?? 'value_and_name'])
    .graphMode(BigValueGraphMode.None)
    .colorMode(BigValueColorMode.None);
  if (options.mappings) panel.mappings(options.mappings);
  return panel;
}

/** The quantiles every latency panel shows. */
export const QUANTILES = [0.5, 0.95, 0.99] as const;

/** One query per quantile of a histogram; `legend` gets the quantile's name, e.g. "p95". */
export function quantiles(histogram: string, matchers: Matchers, by: readonly string[], legend: (name: string) => string): Query[] {
  return QUANTILES.map((q) => query(histogramQuantile(q, histogram, matchers, by), legend(`p${Math.round(q * 100)}`)));
}
