import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { builtInIntervals, expandVariables, metricNamesIn, parseLabelValues } from './inspect';

void describe('metricNamesIn', () => {
  void it('finds the selected metrics, not functions, keywords, labels, strings or durations', () => {
    const expr =
      'histogram_quantile(0.99, sum by (le, scenario) (rate(bench_http_req_duration_seconds_bucket{scenario=~"$scenario", x="a b(c)"}[$__rate_interval])))' +
      ' / on(scenario) group_left() sum(rate(retail_errors_total[5m] offset 1m)) or vector(0) and up{job="peer"} unless scenario:bench:p99';
    assert.deepEqual(metricNamesIn(expr).sort(), ['bench_http_req_duration_seconds_bucket', 'retail_errors_total', 'scenario:bench:p99', 'up'].sort());
  });

  void it('keeps numbers and constants out', () => {
    assert.deepEqual(metricNamesIn('vector(216.12) * 1e3 + 60'), []);
  });
});

void describe('expandVariables', () => {
  void it('replaces $name and ${name}, and refuses an unknown variable', () => {
    assert.equal(expandVariables('x{org=~"$org",node="${peer}"}[$__rate_interval]', { org: 'A', peer: 'p0', __rate_interval: '4s' }), 'x{org=~"A",node="p0"}[4s]');
    assert.throws(() => expandVariables('x{a="$missing"}', {}), /\$missing/);
  });

  void it("gives Grafana's rate interval: at least four scrapes", () => {
    assert.equal(builtInIntervals(1, 900).__rate_interval, '4s');
    assert.equal(builtInIntervals(15, 900).__rate_interval, '60s');
  });
});

void describe('parseLabelValues', () => {
  void it('splits a label_values query into its selector and label', () => {
    assert.deepEqual(parseLabelValues('label_values(ledger_blockchain_height{org=~"$org"}, node)'), { selector: 'ledger_blockchain_height{org=~"$org"}', label: 'node' });
    assert.throws(() => parseLabelValues('query_result(up)'), /label_values/);
  });
});
