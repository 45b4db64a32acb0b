import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import {
  addOrderOptions,
  orderQueryOptions,
  prepareTable4,
  ProgressMetrics,
  PROFILES,
  run,
  serveMetrics,
  VegetaEngine,
  type MetricsServer,
  type Summary,
} from '@energysale/bench';
import { monitoring, PrometheusClient, STANDING_JOBS, startMonitoring, StateLayout, stateTopology } from '@energysale/network';
import { startServiceTier, stopServiceTier, TokenIssuer } from '@energysale/service';

import { dashboardQueries, templateVariables } from './grafana';
import { FABRIC_METRIC, HARNESS_METRIC, RECORDED, SERVICE_METRIC, VEGETA_METRIC } from './metrics';
import { builtInIntervals, expandVariables, metricNamesIn, parseLabelValues } from './promql/inspect';

/*
 * What Grafana would show, checked against the live network: a short load (the two Table 4
 * scenarios and one of refusals, through the lb and the service, with the harness's and vegeta's
 * metrics served), then every template variable and every panel query of every dashboard,
 * expanded as Grafana expands them, evaluated by the live Prometheus at a moment of that load.
 */
const topology = stateTopology().topology;
const layout = new StateLayout();
const endpoints = monitoring(topology);
const prometheus = new PrometheusClient(endpoints.prometheus.endpoint);
const SCRAPE_S = 1;
/** The dashboards' default time range (now-15m). */
const RANGE_S = 900;

void describe('dashboards and rules against the live network (every panel query answered)', { timeout: 600_000 }, () => {
  let progressServer: MetricsServer | undefined;
  let summary: Summary;
  /** A moment inside the load, once Prometheus has scraped past it and evaluated its rules. */
  let at: number;
  let exported: Set<string>;

  before(async () => {
    await startMonitoring(layout, topology);
    const tier = await startServiceTier(layout, { withLb: true, logLevel: 'warn' });
    await prometheus.waitForTargets(STANDING_JOBS);
    const profile = { ...PROFILES.quick, users: 4, duration: '20s', warmup: '2s', preloadOrdersPerUser: 1 };
    const fixture = await prepareTable4(topology, layout, new TokenIssuer(layout), tier.url, { ...profile, log: () => undefined });
    const metrics = new ProgressMetrics();
    progressServer = await serveMetrics(metrics.registry, endpoints.harness.endpoint);
    metrics.runStarted(fixture.runId, 'dashboards-live-test');
    const refusing = fixture.users[0];
    assert.ok(refusing);
    ({ summary } = await run(
      {
        scenarios: {
          ...addOrderOptions(tier.url, profile, fixture).scenarios,
          ...orderQueryOptions(tier.url, profile, fixture).scenarios,
          // Refusals (an order that does not exist): errors by code, endorsement failures, a success rate under 100 %.
          refused: {
            executor: 'constant-arrival-rate',
            rate: 2,
            timeUnit: '1s',
            duration: profile.duration,
            preAllocatedVUs: 2,
            exec: () => ({ method: 'GET', url: `${tier.url}/orders/${fixture.runId}-missing`, headers: { authorization: `Bearer ${refusing.token}` } }),
            checks: { 'refused (404)': (res) => res.status === 404 },
          },
        },
      },
      { engine: await VegetaEngine.locate({ prometheusAddr: endpoints.vegeta.endpoint }), metrics },
    ));
    at = Date.now() - 4_000;
    await sleep(3_000);
    metrics.runEnded(fixture.runId, 'dashboards-live-test');
    exported = new Set((await prometheus.query('group by (__name__) ({__name__=~".+"})', at)).map((s) => s.metric.__name__ ?? ''));
  });
  after(async () => {
    await progressServer?.close();
    await stopServiceTier(layout);
  });

  void it('the load ran: every scenario had responses, the refusals were refused', () => {
    for (const name of ['add_order', 'order_query', 'refused']) {
      const s = summary.scenarios[name];
      assert.ok(s && s.measured.requests > 0, `${name} sent nothing`);
    }
    assert.equal(summary.scenarios['add_order']?.measured.failures, 0);
    assert.equal(summary.scenarios['refused']?.measured.successes, 0);
  });

  void it('every metric the rules and dashboards are written against is exported by some target', () => {
    const catalogue = [...Object.values(FABRIC_METRIC), ...Object.values(SERVICE_METRIC), ...Object.values(HARNESS_METRIC), ...Object.values(VEGETA_METRIC)];
    const missing = catalogue.filter((name) => !['', '_bucket', '_count', '_sum'].some((suffix) => exported.has(`${name}${suffix}`)));
    assert.deepEqual(missing, [], `not exported by any target: ${missing.join(', ')}`);
  });

  void it('every recorded series of the rules has a value during the load', async () => {
    const empty: string[] = [];
    for (const name of Object.values(RECORDED)) if ((await prometheus.query(name, at)).length === 0) empty.push(name);
    assert.deepEqual(empty, [], `recorded series without a value: ${empty.join(', ')}`);
  });

  void it('the alerts the refusals provoke fire, and those of a healthy network do not', async () => {
    const alerts = await prometheus.query('ALERTS', at);
    const active = (name: string): string[] => alerts.filter((a) => a.metric.alertname === name).map((a) => JSON.stringify(a.metric));
    assert.ok(
      alerts.some((a) => a.metric.alertname === 'LoadSuccessRateBelow100' && a.metric.scenario === 'refused'),
      `LoadSuccessRateBelow100 not active for the refusals: ${JSON.stringify(alerts.map((a) => a.metric))}`,
    );
    assert.ok(active('EndorsementFailures').length > 0, 'EndorsementFailures not active though the chaincode refused reads');
    assert.ok(!alerts.some((a) => a.metric.alertname === 'LoadSuccessRateBelow100' && a.metric.scenario === 'add_order'), 'add_order reported below 100 %');
    for (const quiet of ['FabricNodeDown', 'RaftLeaderLost', 'PeerBehind']) assert.deepEqual(active(quiet), [], `${quiet} is active`);
  });

  void it('every template variable has values, and every panel query answers with data, reading only exported metrics', async () => {
    const problems: string[] = [];
    const queries = dashboardQueries(topology);
    const variables = templateVariables(topology);
    assert.ok(queries.length >= 30, `only ${queries.length} panel queries`);
    const dashboards = [...new Set(queries.map((q) => q.dashboard))];
    for (const dashboard of dashboards) {
      // Variables in their order, each expanded with the values chosen before it (org before peer).
      const values: Record<string, string> = builtInIntervals(SCRAPE_S, RANGE_S);
      for (const variable of variables.filter((v) => v.dashboard === dashboard)) {
        const { selector, label } = parseLabelValues(expandVariables(variable.query, values));
        const found = (await prometheus.query(`group by (${label}) (${selector})`, at)).map((s) => s.metric[label] ?? '').filter((v) => v !== '');
        if (found.length === 0) problems.push(`${dashboard}: variable $${variable.name} (${variable.query}) has no values`);
        // Grafana's default: the first value.
        values[variable.name] = found.sort()[0] ?? '';
      }
      for (const q of queries.filter((x) => x.dashboard === dashboard)) {
        const where = `${dashboard} / ${q.panel} / ${q.refId}`;
        const unknown = metricNamesIn(q.expr).filter((name) => !exported.has(name));
        if (unknown.length > 0) problems.push(`${where}: no target exports ${unknown.join(', ')}`);
        try {
          const result = await prometheus.query(expandVariables(q.expr, values), at);
          if (result.length === 0) problems.push(`${where}: empty result for ${q.expr}`);
        } catch (error) {
          problems.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});
