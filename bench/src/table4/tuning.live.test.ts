import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { AdminCli, committedDissemination, describeDissemination, isRunning, locateToolchain, modelDissemination, NativeNetwork, peers, readBatchSettings, StateLayout, queryCommitted } from '@energysale/network';

import { readReport, regenerate } from '../report/render';
import { PROFILES, type Profile } from './profiles';
import { runTable4 } from './run';

/**
 * The tuned profile's ladder, short: the model, then one step changing all three kinds of setting
 * (block cutting, private data dissemination, the peers' environment), then a step that is measured
 * only. Each step once, a few seconds.
 */
const SHORT_TUNED: Profile = {
  ...PROFILES.tuned,
  duration: '5s',
  warmup: '2s',
  preloadOrdersPerUser: 1,
  tuning: {
    steps: [
      { name: 'the model', settings: { batch: { timeout: '2s', maxMessageCount: 10 } } },
      {
        name: 'everything at once',
        settings: { batch: { timeout: '500ms', maxMessageCount: 30 }, dissemination: { requiredPeerCount: 1, maxPeerCount: 1 }, peerEnv: { FABRIC_LOGGING_SPEC: 'warning' } },
      },
      { name: 'measured only', buildsOn: 1, settings: { batch: { timeout: '500ms', maxMessageCount: 30 }, dissemination: { requiredPeerCount: 0, maxPeerCount: 0 } }, notAdopted: 'a test' },
    ],
    repeats: 1,
    duration: '5s',
    warmup: '2s',
  },
};

void describe('the tuning ladder (live network, service tier, Prometheus)', { timeout: 900_000 }, () => {
  void it("measures each step with the CPU per write of each group, adopts only an adoptable step, and leaves the model's settings behind", async () => {
    const reports = await mkdtemp(join(tmpdir(), 'reports-'));
    const lines: string[] = [];
    const { dir, report } = await runTable4(SHORT_TUNED, (line) => lines.push(line), reports, { engines: ['http'] });
    assert.deepEqual(
      report.tuning.map((t) => [t.step, t.buildsOn, t.notAdopted, t.repeats]),
      [
        ['the model', null, null, 1],
        ['everything at once', 0, null, 1],
        ['measured only', 1, 'a test', 1],
      ],
    );
    const model = describeDissemination(await modelDissemination());
    assert.match(report.tuning[0]?.settings ?? '', new RegExp(`max message count 10.*private data ${model}; peers as generated`));
    assert.match(report.tuning[1]?.settings ?? '', /timeout 500ms, max message count 30.*private data requiredPeerCount 1, maxPeerCount 1; peers FABRIC_LOGGING_SPEC=warning/);
    for (const step of report.tuning) {
      const [repeat] = step.repeatFigures;
      assert.ok(repeat && repeat.throughputTxPerMin > 0 && repeat.successRatePct === 100, `${step.step}: ${JSON.stringify(repeat)}`);
      assert.ok(repeat.interference && !repeat.interference.disturbed, `${step.step}: interference ${JSON.stringify(repeat.interference)}`);
      // Every group on the write path spent CPU on it: the peers, the orderers, the chaincode, the service, nginx, the harness.
      for (const group of ['peer', 'orderer', 'chaincode', 'service', 'lb', 'harness']) {
        const ms = step.cpuMsPerWrite.find((g) => g.group === group)?.ms.median ?? 0;
        assert.ok(ms > 0, `${step.step}: ${group} ${ms} ms per write: ${JSON.stringify(step.cpuMsPerWrite)}`);
      }
      assert.ok((step.cpuMsPerWriteTotal?.median ?? 0) > (step.cpuMsPerWrite.find((g) => g.group === 'peer')?.ms.median ?? 0));
    }
    // The tests ran with the faster adoptable step, never the measured-only one.
    const chosen = report.tuning[0] && report.tuning[1] && report.tuning[1].throughputTxPerMin.median > report.tuning[0].throughputTxPerMin.median ? report.tuning[1] : report.tuning[0];
    assert.ok(chosen);
    assert.ok(lines.includes(`the ladder's best step: "${chosen.step}"`), lines.filter((l) => l.includes('best step')).join('\n'));
    assert.ok(report.notes.some((n) => n.includes(`settings during the tests: ${chosen.settings}`)), report.notes.join('\n'));
    // Every tuning figure is derived again from the repeats summary.json keeps.
    assert.deepEqual(await readReport(dir), report);
    await regenerate(dir);

    // The model's settings are back: batch, collections, peers.
    const layout = new StateLayout();
    const network = await NativeNetwork.ofState(layout);
    const ctx = await network.context();
    const batch = await readBatchSettings(ctx);
    assert.deepEqual([batch.timeout, batch.maxMessageCount], [network.topology.channel.batch.timeout, network.topology.channel.batch.maxMessageCount]);
    const cli = new AdminCli(await locateToolchain(), layout, network.topology);
    const first = peers(network.topology)[0] ?? assert.fail('no peer');
    const committed = (await queryCommitted(cli, first, network.topology.channel.name, network.topology.chaincode.name)) ?? assert.fail('no definition committed');
    assert.equal(describeDissemination(committedDissemination(committed) ?? assert.fail('no collections')), model);
    for (const record of (await network.supervisor.records()).filter((r) => r.kind === 'peer' && isRunning(r))) {
      assert.ok(!readFileSync(`/proc/${record.pid}/environ`, 'utf8').includes('FABRIC_LOGGING_SPEC='), `${record.id} still runs with the ladder's environment`);
    }
  });
});
