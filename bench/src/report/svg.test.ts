import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { barChart, escapeXml, lineChart, niceTicks, PALETTE } from './svg';

/** Every opened element is closed in order, and nothing but entities follows an ampersand. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name = '', selfClosing] = match;
    if (selfClosing === '/') continue;
    if (closing === '/') assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else stack.push(name);
  }
  assert.deepEqual(stack, [], 'elements left open');
  assert.doesNotMatch(svg, /&(?!(amp|lt|gt|quot|apos);)/, 'a bare ampersand');
}

const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '');

void describe('niceTicks', () => {
  void it('steps by 1, 2 or 5 times a power of ten and covers the range', () => {
    assert.deepEqual(niceTicks(0, 15), [0, 5, 10, 15]);
    assert.deepEqual(niceTicks(0, 0.9), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(-30, 599), [-200, 0, 200, 400, 600]);
    assert.deepEqual(niceTicks(0, 40047.72), [0, 10000, 20000, 30000, 40000, 50000]);
    assert.deepEqual(niceTicks(3, 3), [3]);
  });
});

void describe('escapeXml', () => {
  void it('escapes the five XML specials', () => {
    assert.equal(escapeXml(`<a href="x">Tom & 'Jerry'</a>`), '&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;');
  });
});

void describe('lineChart', () => {
  const chart = lineChart({
    title: 'latency <p95> & more',
    xLabel: 'seconds',
    yLabel: 'latency (s)',
    series: [
      { name: 'p50', points: [[0, 1], [1, 2], [2, null], [3, 1.5], [4, 1.2]] },
      { name: 'p99 "tail"', points: [[0, 3], [1, 4], [2, 5], [3, 4], [4, 3]] },
    ],
    band: { from: -1, to: 0, label: 'warm-up' },
  });

  void it('is well-formed SVG with its text escaped', () => {
    assertWellFormed(chart);
    assert.match(chart, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(texts(chart).includes('latency &lt;p95&gt; &amp; more'));
    assert.ok(texts(chart).includes('p99 &quot;tail&quot;'));
  });

  void it('draws one path per series, breaking the line where a value is missing', () => {
    const paths = [...chart.matchAll(/<path d="([^"]*)"[^>]*stroke="([^"]*)"/g)];
    const [first, second, ...more] = paths;
    assert.ok(first && second && more.length === 0);
    assert.equal(first[1]?.match(/M/g)?.length, 2);
    assert.equal(first[2], PALETTE[0]);
    assert.equal(second[2], PALETTE[1]);
  });

  void it('labels both axes with ticks, the legend and the shaded band', () => {
    const labels = texts(chart);
    for (const label of ['seconds', 'latency (s)', 'p50', 'warm-up', '-1', '0', '1', '2', '3', '4', '6']) assert.ok(labels.includes(label), label);
  });

  void it('says so when there is nothing to draw', () => {
    const empty = lineChart({ title: 'cpu', xLabel: 's', yLabel: '%', series: [{ name: 'chain', points: [] }] });
    assertWellFormed(empty);
    assert.ok(texts(empty).includes('no data'));
  });

  void it('renders the same input to the same bytes', () => {
    const again = lineChart({ title: 'x', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', points: [[0, 0.1], [1, 0.2]] }] });
    assert.equal(again, lineChart({ title: 'x', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', points: [[0, 0.1], [1, 0.2]] }] }));
  });
});

void describe('barChart', () => {
  const chart = barChart({
    title: 'add order: measured / paper',
    axisLabel: 'measured / paper',
    categories: ['avg response', 'throughput', 'CPU'],
    series: [
      { name: 'http', values: [0.38, 3.58, null], labels: ['2.310 s ×0.38', '772.9 ×3.58', 'n/a'] },
      { name: 'caliper', values: [0.34, 4.07, 1.94], labels: ['a', 'b', 'c'] },
    ],
    scale: 'log',
    reference: { value: 1, label: 'paper' },
  });

  void it('is well-formed, with a bar per plotted value and a label per bar', () => {
    assertWellFormed(chart);
    const bars = [...chart.matchAll(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="16" fill="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(bars, [PALETTE[0], PALETTE[1], PALETTE[0], PALETTE[1], PALETTE[1]]);
    assert.ok(texts(chart).includes('http: n/a'));
    assert.ok(texts(chart).includes('caliper: c'));
  });

  void it('puts decade ticks with 2 and 5 between them on a log axis around the reference', () => {
    const labels = texts(chart);
    for (const tick of ['0.1', '0.2', '0.5', '1', '2', '5', '10']) assert.ok(labels.includes(tick), tick);
    assert.ok(labels.includes('paper'));
  });

  void it('draws bars from zero on a linear axis', () => {
    const linear = barChart({ title: 't', axisLabel: 'tx/min', categories: ['a'], series: [{ name: 's', values: [216.12], labels: ['216.12'] }], scale: 'linear' });
    assertWellFormed(linear);
    assert.ok(texts(linear).includes('250'));
    assert.ok(texts(linear).includes('0'));
  });
});
