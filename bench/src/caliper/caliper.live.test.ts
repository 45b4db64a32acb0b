import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';

import { isRunning, NativeNetwork, StateLayout, stateTopology } from '@energysale/network';
import { buildApp, TokenIssuer } from '@energysale/service';

import { ResourceSampler, stats } from '../resources/sampler';
import { chainCountIn, DECLARE_ORDER, scanStart } from '../table4/chain-count';
import { countOrders } from '../table4/ledger';
import { prepare, type Fixture } from '../table4/prepare';
import { PROFILES, type Profile } from '../table4/profiles';
import { roundLabel } from './bench-config';
import { readRecords } from './records';
import { parseCaliperReport } from './report-html';
import { runCaliperRounds, type CaliperRun } from './run';

/*
 * Needs the shared native network (up, healthy). The fixture is prepared through an in-process
 * retail service on an ephemeral 127.0.0.1 port (the service tier of the network stays untouched);
 * Caliper then talks to the peers directly.
 */
void describe('Caliper rounds straight to Fabric (live network)', { timeout: 600_000 }, () => {
  const layout = new StateLayout();
  const network = new NativeNetwork(stateTopology(layout).topology, layout);
  const profile: Profile = { ...PROFILES.quick, users: 4, warmup: '3s', duration: '8s', preloadOrdersPerUser: 1 };
  const app = buildApp({ logger: false });
  let baseUrl = '';
  let tokens: TokenIssuer;
  let fixture: Fixture;
  let outDir: string;
  let result: CaliperRun;

  before(async () => {
    const unhealthy = (await network.status()).filter((n) => !n.healthy).map((n) => n.id);
    assert.deepEqual(unhealthy, [], 'the network must be up');
    const server = await app;
    await server.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    tokens = new TokenIssuer(layout);
    fixture = await prepare(network.topology, layout, tokens, baseUrl, { users: profile.users, preloadOrdersPerUser: profile.preloadOrdersPerUser, log: () => undefined });
    outDir = await mkdtemp(join(tmpdir(), 'caliper-'));
    const records = await network.supervisor.records();
    const chain = records.filter((r) => ['peer', 'orderer', 'chaincode'].includes(r.kind) && isRunning(r));
    const sampler = new ResourceSampler([{ name: 'chain', pids: () => chain.map((r) => r.pid) }]);
    sampler.start();
    const firstBlock = await scanStart(network.topology);
    try {
      result = await runCaliperRounds({
        profile,
        fixture,
        outDir,
        log: (line) => {
          console.log(line);
        },
        resources: (from, to) => {
          const points = sampler.points('chain', from, to);
          const usage = { cpuPct: stats(points.map((p) => p.cpuPercent)), memPct: stats(points.map((p) => p.memoryPercent)) };
          return Promise.resolve({
            resources: { chain: usage, service: null, loadGenerator: null, machine: null, source: '/proc of the network\'s processes, every second' },
            resourceSeries: points.map((p) => ({ t: (p.t - from) / 1000, chain: { cpuPct: p.cpuPercent, memPct: p.memoryPercent }, service: null, loadGenerator: null, machine: null })),
            breakdown: null,
            interference: null,
          });
        },
        chainCount: async (from, to) => (await chainCountIn(network.topology, layout, firstBlock, DECLARE_ORDER, from, to)).count,
      });
    } finally {
      sampler.stop();
    }
  });

  after(async () => {
    await (await app).close();
  });

  void it('runs both rounds with successes and no failure, as Caliper counts them', () => {
    assert.deepEqual(result.scenarios.map((s) => [s.scenario, s.engine, s.executor]), [
      ['add_order', 'caliper', 'closed'],
      ['order_query', 'caliper', 'closed'],
    ]);
    for (const s of result.scenarios) {
      assert.ok(s.measured.successes > 0, `${s.scenario}: no success`);
      assert.equal(s.measured.failures, 0, `${s.scenario}: failures`);
      assert.ok(s.warmUp && s.warmUp.successes > 0 && s.warmUp.failures === 0, `${s.scenario}: warm-up ${JSON.stringify(s.warmUp)}`);
      assert.ok(s.measured.throughputTxPerMin !== null && s.measured.throughputTxPerMin > 0 && s.measured.latencyS !== null && s.measured.latencyS.p95 >= s.measured.latencyS.p50);
      assert.ok(s.timeSeries.some((p) => p.t >= 0 && p.ok > 0));
    }
    for (const file of ['caliper.log', 'report.html', 'network-config.json', 'bench-config.json', 'scenarios.json']) assert.ok(existsSync(join(result.dir, file)), `${file} is missing`);
  });

  void it("keeps records that agree with Caliper's counts, round by round", async () => {
    const { readFile } = await import('node:fs/promises');
    const summaries = parseCaliperReport(await readFile(join(result.dir, 'report.html'), 'utf8'));
    for (const s of result.scenarios) {
      for (const phase of ['warmup', 'measured'] as const) {
        const label = roundLabel(s.scenario as 'add_order' | 'order_query', phase);
        const records = await readRecords(join(result.dir, 'records'), label);
        const successes = records.filter((r) => r.ok).length;
        const caliper = summaries.find((r) => r.name === label);
        assert.deepEqual([successes, records.length - successes], [caliper?.succ, caliper?.fail], label);
      }
    }
  });

  void it('finds every add order Caliper counted on the ledger', async () => {
    const add = result.scenarios.find((s) => s.scenario === 'add_order');
    assert.ok(add?.chain);
    // From the blocks: every success committed as valid, and nothing invalid.
    assert.equal(add.chain.validTx, add.measured.successes);
    assert.deepEqual(add.chain.byValidation, { VALID: add.measured.successes });
    // Warm-up and measured together: every add order of this run the ledger holds (the preloaded
    // orders have ids of their own), none missing and none more.
    const all = await countOrders(tokens, baseUrl, fixture, 0, Date.now());
    assert.equal(all, add.measured.successes + (add.warmUp?.successes ?? 0));
  });
});
