import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { defaultDashboard, type FieldConfig, type Panel, type RowPanel, type VariableModel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dataquery } from '@grafana/grafana-foundation-sdk/prometheus';
import type { Options as StatOptions } from '@grafana/grafana-foundation-sdk/stat';
import type { Options as TimeseriesOptions } from '@grafana/grafana-foundation-sdk/timeseries';
import { parse, stringify } from 'yaml';

import { dashboardsDir, energysale, monitoring } from '@energysale/network';

import { DASHBOARD_TAG, type ClassicDashboard } from './dashboard';
import { dashboardQueries, dashboards, DASHBOARDS_MOUNT, grafanaFiles, GRAFANA_PATHS, PROMETHEUS_DATASOURCE, templateVariables } from './index';
import { RATE_INTERVAL } from '../promql/build';

/*
 * The generated dashboards checked as Grafana will read them: the committed JSON, against the SDK's
 * types (every key one the SDK's Dashboard, Panel, RowPanel, VariableModel and Prometheus query
 * define: the key lists below stop compiling when the SDK's types change), laid out on the grid
 * without overlaps, every query naming the provisioned datasource and only variables its dashboard
 * defines, and valid PromQL by promtool.
 */

/** Every key of an SDK type, so a JSON object can be checked against it at run time. */
type Keys<T> = Readonly<Record<keyof T, true>>;

const DASHBOARD_KEYS: Keys<ClassicDashboard> = {
  id: true, uid: true, title: true, description: true, revision: true, gnetId: true, tags: true, timezone: true, editable: true,
  graphTooltip: true, time: true, timepicker: true, fiscalYearStartMonth: true, liveNow: true, weekStart: true, refresh: true,
  schemaVersion: true, version: true, panels: true, templating: true, annotations: true, links: true, snapshot: true, preload: true,
};
const PANEL_KEYS: Keys<Panel> = {
  type: true, id: true, pluginVersion: true, targets: true, title: true, description: true, transparent: true, datasource: true,
  gridPos: true, links: true, repeat: true, repeatDirection: true, maxPerRow: true, maxDataPoints: true, transformations: true,
  interval: true, timeFrom: true, timeShift: true, hideTimeOverride: true, timeCompare: true, libraryPanel: true, cacheTimeout: true,
  queryCachingTTL: true, options: true, fieldConfig: true,
};
const ROW_KEYS: Keys<RowPanel> = { type: true, collapsed: true, title: true, datasource: true, gridPos: true, id: true, panels: true, repeat: true };
const VARIABLE_KEYS: Keys<VariableModel> = {
  type: true, name: true, label: true, hide: true, skipUrlSync: true, description: true, query: true, datasource: true, current: true,
  multi: true, allowCustomValue: true, options: true, refresh: true, sort: true, includeAll: true, allValue: true, regex: true,
  staticOptions: true, staticOptionsOrder: true, auto: true, auto_min: true, auto_count: true, definition: true,
};
const QUERY_KEYS: Keys<Omit<Dataquery, '_implementsDataqueryVariant'>> = {
  adhocFilters: true, datasource: true, editorMode: true, exemplar: true, expr: true, format: true, groupByKeys: true, hide: true,
  instant: true, intervalFactor: true, intervalMs: true, legendFormat: true, maxDataPoints: true, queryType: true, range: true,
  refId: true, resultAssertions: true, scopes: true, timeRange: true, interval: true,
};
const FIELD_CONFIG_KEYS: Keys<FieldConfig> = {
  displayName: true, displayNameFromDS: true, description: true, path: true, writeable: true, filterable: true, unit: true,
  decimals: true, min: true, max: true, mappings: true, thresholds: true, color: true, links: true, actions: true, noValue: true,
  custom: true, fieldMinMax: true,
};
const OPTIONS_KEYS: Readonly<Record<string, Keys<TimeseriesOptions> | Keys<StatOptions>>> = {
  timeseries: { timezone: true, legend: true, tooltip: true, orientation: true },
  stat: {
    graphMode: true, colorMode: true, justifyMode: true, textMode: true, wideLayout: true, showPercentChange: true,
    reduceOptions: true, text: true, percentChangeColorMode: true, orientation: true,
  },
};
const UNITS = new Set(['reqpm', 'opm', 's', 'percent', 'bytes', 'short']);

/** Keys of `value` that `keys` (an SDK type's) does not have. */
const unknownKeys = (value: object, keys: object): string[] => Object.keys(value).filter((k) => !Object.hasOwn(keys, k));

const committed = async (path: string): Promise<string> => readFile(join(dashboardsDir, path), 'utf8');

async function committedDashboards(): Promise<ClassicDashboard[]> {
  return Promise.all(dashboards(energysale).map(async (d) => JSON.parse(await committed(`${GRAFANA_PATHS.dashboardsDir}/${d.uid ?? ''}.json`)) as ClassicDashboard));
}

const isRow = (panel: Panel | RowPanel): panel is RowPanel => panel.type === 'row';

/** What is wrong with one dashboard as Grafana and the SDK see it; empty when nothing is. */
function problemsOf(d: ClassicDashboard): string[] {
  const problems: string[] = [];
  const problem = (where: string, what: string): void => {
    problems.push(`${d.uid ?? '?'} ${where}: ${what}`);
  };
  const unknown = (where: string, value: object, keys: object): void => {
    const extra = unknownKeys(value, keys);
    if (extra.length > 0) problem(where, `keys the SDK's type does not have: ${extra.join(', ')}`);
  };
  unknown('dashboard', d, DASHBOARD_KEYS);
  if (d.schemaVersion !== defaultDashboard().schemaVersion) problem('schemaVersion', `${d.schemaVersion}, the SDK's is ${defaultDashboard().schemaVersion}`);
  if (!/^[A-Za-z0-9_-]{8,40}$/.test(d.uid ?? '')) problem('uid', 'not 8 to 40 letters, digits, - or _');
  if (!d.title) problem('title', 'missing');
  if (!d.tags?.includes(DASHBOARD_TAG)) problem('tags', `no "${DASHBOARD_TAG}"`);
  if (d.refresh !== '5s' || d.time?.from !== 'now-15m') problem('refresh/time', `${d.refresh ?? '?'} over ${d.time?.from ?? '?'}`);
  for (const v of d.templating.list ?? []) {
    unknown(`variable ${v.name}`, v, VARIABLE_KEYS);
    if (v.datasource?.uid !== PROMETHEUS_DATASOURCE.uid) problem(`variable ${v.name}`, 'not on the provisioned datasource');
  }
  const panels = d.panels ?? [];
  const ids = panels.map((p) => p.id);
  if (new Set(ids).size !== ids.length) problem('panels', `ids repeat: ${ids.join(', ')}`);
  const titles = panels.filter((p) => !isRow(p)).map((p) => p.title);
  if (new Set(titles).size !== titles.length) problem('panels', 'titles repeat (a query is known by its dashboard and panel title)');
  const cells = new Map<string, string>();
  for (const p of panels) {
    const where = `panel "${p.title ?? '?'}"`;
    if (isRow(p)) unknown(where, p, ROW_KEYS);
    else unknown(where, p, PANEL_KEYS);
    const g = p.gridPos;
    if (!g || ![g.x, g.y, g.w, g.h].every((n) => Number.isInteger(n) && n >= 0) || g.w < 1 || g.h < 1 || g.x + g.w > 24) {
      problem(where, `gridPos ${JSON.stringify(g)} is not inside the 24-column grid`);
      continue;
    }
    for (let x = g.x; x < g.x + g.w; x++) {
      for (let y = g.y; y < g.y + g.h; y++) {
        const other = cells.get(`${x},${y}`);
        if (other !== undefined) problem(where, `overlaps "${other}" at ${x},${y}`);
        cells.set(`${x},${y}`, p.title ?? '?');
      }
    }
    if (isRow(p)) continue;
    const optionKeys = OPTIONS_KEYS[p.type];
    if (!optionKeys) problem(where, `type "${p.type}" is not one the dashboards use`);
    else unknown(`${where} options`, p.options as object, optionKeys);
    if (p.datasource?.uid !== PROMETHEUS_DATASOURCE.uid) problem(where, 'not on the provisioned datasource');
    if (!p.description) problem(where, 'no description');
    const defaults = p.fieldConfig?.defaults ?? {};
    unknown(`${where} field config`, defaults, FIELD_CONFIG_KEYS);
    if (!UNITS.has(defaults.unit ?? '')) problem(where, `unit "${defaults.unit ?? ''}"`);
    const targets = (p.targets ?? []) as Dataquery[];
    if (targets.length === 0) problem(where, 'no queries');
    const refIds = targets.map((t) => t.refId);
    if (new Set(refIds).size !== refIds.length || refIds.includes(undefined)) problem(where, `refIds ${refIds.join(', ')}`);
    for (const t of targets) {
      unknown(`${where} query ${t.refId ?? '?'}`, t, QUERY_KEYS);
      if (!t.expr.trim()) problem(where, `query ${t.refId ?? '?'} has no expr`);
      if (!t.legendFormat?.trim()) problem(where, `query ${t.refId ?? '?'} has no legend`);
      if (t.datasource?.uid !== PROMETHEUS_DATASOURCE.uid) problem(where, `query ${t.refId ?? '?'} is not on the provisioned datasource`);
    }
  }
  return problems;
}

/** The Grafana variables a text uses: $name, ${name}, ${name:format}, [[name]]; Grafana's own ($__...) left out. */
function variablesUsed(text: string): string[] {
  const names = [...text.matchAll(/\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
  return [...new Set(names.filter((n) => !n.startsWith('__')))];
}

/** Grafana's expansion, for promtool: every variable matches anything, the rate window is a few scrapes. */
const expanded = (expr: string): string => expr.replaceAll(RATE_INTERVAL, '4s').replace(/\$\{\w+(?::[^}]*)?\}|\$\w+/g, '.*');

void describe('Grafana dashboards', () => {
  void it('are dashboards as the SDK types them: known keys, its schema version, the grid, the datasource, a legend and a unit on every query', async () => {
    const all = await committedDashboards();
    assert.equal(all.length, 3);
    assert.deepEqual(all.flatMap(problemsOf), []);
  });

  void it('the checks above catch a broken dashboard', () => {
    const [table4] = dashboards(energysale);
    assert.ok(table4?.panels);
    const [first, second] = table4.panels.filter((p): p is Panel => !isRow(p));
    assert.ok(first?.gridPos && second?.gridPos);
    second.gridPos = { ...first.gridPos };
    (first as Panel & { colour?: string }).colour = 'red';
    first.targets = [];
    const problems = problemsOf(table4).join('\n');
    assert.match(problems, /overlaps/);
    assert.match(problems, /keys the SDK's type does not have: colour/);
    assert.match(problems, /no queries/);
  });

  void it('have unique uids, each in the file named for it', async () => {
    const uids = dashboards(energysale).map((d) => d.uid);
    assert.equal(new Set(uids).size, uids.length);
    const files = (await readdir(join(dashboardsDir, GRAFANA_PATHS.dashboardsDir))).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(files, uids.map((uid) => `${uid ?? ''}.json`).sort(), 'a JSON file in dashboards/grafana/dashboards/ that no dashboard generates');
  });

  void it('use only variables their dashboard defines, each defined before the variables that use it, and none unused', () => {
    assert.deepEqual(variablesUsed('rate(x{a=~"$org", b=~"${peer:regex}", c="[[route]]"}[$__rate_interval])'), ['org', 'peer', 'route']);
    for (const d of dashboards(energysale)) {
      const defined = (d.templating.list ?? []).map((v) => v.name);
      const queries = dashboardQueries(energysale).filter((q) => q.dashboard === d.uid);
      for (const q of queries) {
        for (const name of variablesUsed(q.expr)) assert.ok(defined.includes(name), `${d.uid ?? ''} "${q.panel}" ${q.refId} uses $${name}, which the dashboard does not define`);
      }
      templateVariables(energysale)
        .filter((v) => v.dashboard === d.uid)
        .forEach((v, i) => {
          for (const name of variablesUsed(v.query)) assert.ok(defined.slice(0, i).includes(name), `${d.uid ?? ''} variable ${v.name} uses $${name} before it is defined`);
        });
      const used = new Set(queries.flatMap((q) => variablesUsed(q.expr)));
      assert.deepEqual(defined.filter((name) => !used.has(name)), [], `${d.uid ?? ''}: variables no panel uses`);
    }
  });

  void it('compute every rate over $__rate_interval', () => {
    for (const q of dashboardQueries(energysale)) {
      for (const [, window] of q.expr.matchAll(/\[([^\]]*)\]/g)) assert.equal(window, RATE_INTERVAL, `${q.dashboard} "${q.panel}" ${q.refId}: ${q.expr}`);
    }
  });

  void it('list every panel query and every variable for the live test', async () => {
    const queries = dashboardQueries(energysale);
    const targets = (await committedDashboards()).flatMap((d) => (d.panels ?? []).flatMap((p) => (isRow(p) ? [] : (p.targets ?? []) as Dataquery[])));
    assert.deepEqual(queries.map((q) => q.expr), targets.map((t) => t.expr));
    const keys = queries.map((q) => `${q.dashboard}/${q.panel}/${q.refId}`);
    assert.equal(new Set(keys).size, keys.length);
    const variables = templateVariables(energysale);
    assert.deepEqual(variables.map((v) => `${v.dashboard}/${v.name}`), [
      'energysale-table4/scenario',
      'energysale-fabric/org',
      'energysale-fabric/peer',
      'energysale-fabric/orderer',
      'energysale-fabric/channel',
      'energysale-service/instance',
      'energysale-service/route',
    ]);
    for (const v of variables) assert.match(v.query, /^label_values\(.+, \w+\)$/);
  });

  void it('are PromQL Prometheus accepts, variable queries\' selectors included (promtool check rules)', async () => {
    const selectors = templateVariables(energysale).map((v) => v.query.replace(/^label_values\((.+), \w+\)$/, '$1'));
    const exprs = [...dashboardQueries(energysale).map((q) => q.expr), ...selectors].map(expanded);
    const dir = await mkdtemp(join(tmpdir(), 'grafana-queries-'));
    try {
      const file = join(dir, 'queries.yml');
      await writeFile(file, stringify({ groups: [{ name: 'grafana', rules: exprs.map((expr, i) => ({ record: `grafana_query_${i}`, expr })) }] }));
      const { stdout } = await promisify(execFile)('promtool', ['check', 'rules', file]);
      assert.match(stdout, new RegExp(`SUCCESS: ${exprs.length} rules found`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

});

void describe('Grafana provisioning', () => {
  void it('the files committed under dashboards/ are the generated ones (regenerate: npm run dashboards -- generate)', async () => {
    const files = grafanaFiles(energysale);
    assert.equal(files.length, 2 + dashboards(energysale).length);
    for (const [path, text] of files) assert.equal(await committed(path), text, `dashboards/${path} is out of date`);
  });

  void it('provisions the model\'s Prometheus under the uid the dashboards name, at its scrape interval', async () => {
    const config = parse(await committed(GRAFANA_PATHS.datasources)) as { apiVersion: number; datasources: Record<string, unknown>[] };
    assert.equal(config.apiVersion, 1);
    assert.equal(config.datasources.length, 1);
    assert.deepEqual(config.datasources[0], {
      name: PROMETHEUS_DATASOURCE.name,
      uid: PROMETHEUS_DATASOURCE.uid,
      type: 'prometheus',
      access: 'proxy',
      url: `http://${monitoring(energysale).prometheus.endpoint}`,
      isDefault: true,
      editable: false,
      jsonData: { timeInterval: energysale.monitoring.scrapeInterval, httpMethod: 'POST' },
    });
  });

  void it('a file provider reads the dashboards where the README mounts dashboards/grafana/dashboards/', async () => {
    const config = parse(await committed(GRAFANA_PATHS.dashboardProviders)) as { apiVersion: number; providers: { type: string; options: { path: string } }[] };
    assert.equal(config.apiVersion, 1);
    assert.deepEqual(config.providers.map((p) => [p.type, p.options.path]), [['file', DASHBOARDS_MOUNT]]);
    const readme = await committed('grafana/README.md');
    assert.ok(readme.includes(`$PWD/dashboards/${GRAFANA_PATHS.dashboardsDir}:${DASHBOARDS_MOUNT}:ro`), 'README: the dashboards mount');
    for (const path of [GRAFANA_PATHS.datasources, GRAFANA_PATHS.dashboardProviders]) {
      const dir = path.slice(0, path.lastIndexOf('/'));
      const mounted = dir.replace('grafana/provisioning', '/etc/grafana/provisioning');
      assert.ok(readme.includes(`$PWD/dashboards/${dir}:${mounted}:ro`), `README: the mount of ${dir}`);
    }
  });
});
