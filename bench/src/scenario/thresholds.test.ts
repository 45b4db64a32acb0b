import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ThresholdSyntaxError } from './errors';
import { aggregate, evaluateThresholds, parseCondition, parseThresholdKey, parseThresholds, type MetricData } from './thresholds';

const TAGS = new Set(['scenario', 'kind']);

void describe('parseThresholdKey', () => {
  void it('reads a metric and its tag filter', () => {
    assert.deepEqual(parseThresholdKey('http_req_duration{scenario:add_order}'), {
      metric: 'http_req_duration',
      tags: { scenario: 'add_order' },
    });
    assert.deepEqual(parseThresholdKey('http_reqs{ scenario : a , kind:write}'), {
      metric: 'http_reqs',
      tags: { scenario: 'a', kind: 'write' },
    });
    assert.deepEqual(parseThresholdKey('checks'), { metric: 'checks', tags: {} });
  });

  for (const [key, reason] of [
    ['http_req_durations', /unknown metric "http_req_durations"/],
    ['http_req_duration{scenario}', /"scenario" is not tag:value/],
    ['http_req_duration{scenario:}', /is not tag:value/],
    ['http_req_duration{scenario:a', /expected metric or metric\{tag:value/],
    ['http_req_duration{scenario:a,scenario:b}', /given twice/],
  ] as const) {
    void it(`rejects ${key}`, () => {
      assert.throws(
        () => parseThresholdKey(key),
        (error: unknown) => error instanceof ThresholdSyntaxError && error.expression === key && reason.test(error.message),
      );
    });
  }
});

void describe('parseCondition', () => {
  void it('reads k6 expressions', () => {
    assert.deepEqual(parseCondition('avg<6108', 'http_req_duration'), {
      source: 'avg<6108',
      aggregation: { kind: 'avg' },
      operator: '<',
      value: 6108,
    });
    assert.deepEqual(parseCondition('p(99.9) <= 1000', 'http_req_duration').aggregation, { kind: 'percentile', p: 99.9 });
    assert.equal(parseCondition('rate===1', 'checks').operator, '==');
    assert.equal(parseCondition('rate>=216.12', 'http_reqs').value, 216.12);
    assert.equal(parseCondition('count>=1e3', 'iterations').value, 1000);
    assert.equal(parseCondition('med!=0', 'http_req_duration').operator, '!=');
  });

  for (const [condition, metric, reason] of [
    ['p95<500', 'http_req_duration', /unknown aggregation "p95"/],
    ['p(0)<500', 'http_req_duration', /not in \(0, 100\]/],
    ['p(101)<500', 'http_req_duration', /not in \(0, 100\]/],
    ['p()<500', 'http_req_duration', /not in \(0, 100\]/],
    ['avg(1)<5', 'http_req_duration', /takes no argument/],
    ['avg<', 'http_req_duration', /expected <aggregation><operator><number>/],
    ['avg=<5', 'http_req_duration', /"<5" is not a number|expected/],
    ['avg<5ms', 'http_req_duration', /"5ms" is not a number/],
    ['rate<0.1', 'http_req_duration', /http_req_duration is a trend: its aggregations are avg, min, max, med, p\(N\), count/],
    ['p(95)<1', 'http_reqs', /http_reqs is a counter/],
    ['avg<1', 'checks', /checks is a rate/],
  ] as const) {
    void it(`rejects ${condition} on ${metric}`, () => {
      assert.throws(
        () => parseCondition(condition, metric),
        (error: unknown) => error instanceof ThresholdSyntaxError && reason.test(error.message),
      );
    });
  }
});

void describe('parseThresholds', () => {
  void it('parses every key and condition', () => {
    const t = parseThresholds({ 'http_req_duration{scenario:a,status:200}': ['p(95)<500', 'max<900'] }, TAGS)[0];
    assert.ok(t);
    assert.equal(t.metric, 'http_req_duration');
    assert.deepEqual(t.tags, { scenario: 'a', status: '200' });
    assert.equal(t.conditions.length, 2);
  });

  void it('rejects a tag no sample carries, and an empty condition list', () => {
    assert.throws(() => parseThresholds({ 'http_reqs{senario:a}': ['count>0'] }, TAGS), /no http_reqs sample has the tag "senario"/);
    assert.throws(() => parseThresholds({ 'dropped_iterations{status:200}': ['count==0'] }, TAGS), /tag "status"/);
    assert.throws(() => parseThresholds({ 'http_reqs{check:x}': ['count>0'] }, TAGS), /tag "check"/);
    assert.doesNotThrow(() => parseThresholds({ 'checks{check:x}': ['rate==1'] }, TAGS));
    assert.throws(() => parseThresholds({ http_reqs: [] }, TAGS), /one or more conditions/);
  });
});

void describe('aggregate and evaluateThresholds', () => {
  const trend: MetricData = { type: 'trend', sorted: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) };

  void it('aggregates a trend', () => {
    assert.equal(aggregate(trend, { kind: 'avg' }), 5.5);
    assert.equal(aggregate(trend, { kind: 'min' }), 1);
    assert.equal(aggregate(trend, { kind: 'max' }), 10);
    assert.equal(aggregate(trend, { kind: 'med' }), 5.5);
    assert.equal(aggregate(trend, { kind: 'count' }), 10);
    assert.ok(Math.abs((aggregate(trend, { kind: 'percentile', p: 95 }) ?? 0) - 9.55) < 1e-9);
  });

  void it("gives a counter's rate per second of its window, and a rate metric's share", () => {
    assert.equal(aggregate({ type: 'counter', count: 600, seconds: 3 }, { kind: 'rate' }), 200);
    assert.equal(aggregate({ type: 'counter', count: 600, seconds: 0 }, { kind: 'rate' }), null);
    assert.equal(aggregate({ type: 'rate', passes: 3, fails: 1 }, { kind: 'rate' }), 0.75);
    assert.equal(aggregate({ type: 'rate', passes: 3, fails: 1 }, { kind: 'count' }), 4);
    assert.equal(aggregate({ type: 'rate', passes: 0, fails: 0 }, { kind: 'rate' }), null);
  });

  void it('reports each condition with its value; nothing measured fails', () => {
    const thresholds = parseThresholds(
      {
        'http_req_duration{scenario:a}': ['p(95)<10', 'avg<5'],
        'http_req_duration{scenario:b}': ['p(95)<10'],
        checks: ['rate==1'],
      },
      TAGS,
    );
    const data: Record<string, MetricData> = {
      a: trend,
      b: { type: 'trend', sorted: new Float64Array(0) },
      '': { type: 'rate', passes: 10, fails: 0 },
    };
    const results = evaluateThresholds(thresholds, (_metric, tags) => data[tags['scenario'] ?? ''] ?? trend);
    const a = results['http_req_duration{scenario:a}'];
    assert.equal(a?.ok, false);
    assert.deepEqual(
      a.conditions.map((c) => ({ condition: c.condition, ok: c.ok, value: c.value === null ? null : Math.round(c.value * 1000) / 1000 })),
      [
        { condition: 'p(95)<10', ok: true, value: 9.55 },
        { condition: 'avg<5', ok: false, value: 5.5 },
      ],
    );
    assert.equal(a.conditions[1]?.message, 'avg<5: 5.5, failed');
    assert.deepEqual(results['http_req_duration{scenario:b}'], {
      ok: false,
      conditions: [{ condition: 'p(95)<10', ok: false, value: null, message: 'p(95)<10: no data (no samples), failed' }],
    });
    assert.equal(results['checks']?.ok, true);
  });
});
