import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { VegetaEngine } from '../engine/vegeta';
import { run } from '../scenario/run';
import { StartedTestServer } from '../testing/http-server';
import { ProgressMetrics } from './metrics';
import { HARNESS_METRIC } from './names';
import { MetricsServerError, serveMetrics } from './server';

/** The value of one sample line `name{labels} value` of an exposition, by exact label text. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

void describe('progress metrics of a run', () => {
  let server: StartedTestServer;
  before(async () => {
    server = await StartedTestServer.start({ delayMs: 5 });
  });
  after(() => server.stop());

  void it('count every response, latency and check of a scenario, and end in phase "done"', async () => {
    const metrics = new ProgressMetrics();
    const { summary } = await run(
      {
        scenarios: {
          reads: {
            executor: 'constant-vus',
            vus: 3,
            duration: '1s',
            warmup: '200ms',
            exec: (vu) => ({ method: 'GET', url: `${server.url}/read/${vu}` }),
            checks: { 'status 200': (res) => res.status === 200, 'never true': () => false },
          },
        },
      },
      { engine: await VegetaEngine.locate(), metrics },
    );
    const s = summary.scenarios['reads'];
    assert.ok(s);
    const all = s.measured.requests + (s.warmup?.requests ?? 0);
    const text = await metrics.registry.metrics();
    assert.equal(sample(text, HARNESS_METRIC.reqs, 'scenario="reads",status="200"'), all);
    assert.equal(sample(text, `${HARNESS_METRIC.duration}_count`, 'scenario="reads"'), all);
    assert.equal(sample(text, HARNESS_METRIC.checks, 'scenario="reads",check="status 200",result="pass"'), all);
    assert.equal(sample(text, HARNESS_METRIC.checks, 'scenario="reads",check="never true",result="fail"'), all);
    assert.equal(sample(text, HARNESS_METRIC.phase, 'scenario="reads",phase="done"'), 1);
    assert.equal(sample(text, HARNESS_METRIC.phase, 'scenario="reads",phase="measured"'), 0);
    assert.equal(sample(text, HARNESS_METRIC.vus, 'scenario="reads"'), 0);
  });

  void it('report the virtual users while a scenario sends, and the run while it lasts', async () => {
    const metrics = new ProgressMetrics();
    metrics.runStarted('r1', 'quick');
    metrics.scenarioPhase('s', 'measured', 30);
    let text = await metrics.registry.metrics();
    assert.equal(sample(text, HARNESS_METRIC.vus, 'scenario="s"'), 30);
    assert.equal(sample(text, HARNESS_METRIC.run, 'run="r1",profile="quick"'), 1);
    metrics.runEnded('r1', 'quick');
    text = await metrics.registry.metrics();
    assert.equal(sample(text, HARNESS_METRIC.run, 'run="r1",profile="quick"'), undefined);
  });
});

void describe('serveMetrics', () => {
  void it('serves the registry at /metrics, 404 elsewhere, and refuses an address in use', async () => {
    const metrics = new ProgressMetrics();
    metrics.response('s', 201, 0.2);
    const probe = await StartedTestServer.start();
    const endpoint = new URL(probe.url).host;
    await probe.stop();
    const served = await serveMetrics(metrics.registry, endpoint);
    try {
      const response = await fetch(served.url);
      assert.equal(response.status, 200);
      assert.equal(sample(await response.text(), HARNESS_METRIC.reqs, 'scenario="s",status="201"'), 1);
      assert.equal((await fetch(`http://${endpoint}/other`)).status, 404);
      await assert.rejects(serveMetrics(metrics.registry, endpoint), (e: unknown) => e instanceof MetricsServerError && e.message.includes(endpoint));
    } finally {
      await served.close();
    }
  });
});
