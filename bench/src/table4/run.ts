import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { readdirSync, readlinkSync } from 'node:fs';
import { arch, availableParallelism, cpus, release, totalmem, type as osType } from 'node:os';
import { join, resolve } from 'node:path';

import {
  energysale,
  isRunning,
  locateToolchain,
  monitoring,
  NativeNetwork,
  orderers,
  peers,
  PrometheusClient,
  startMonitoring,
  StateLayout,
  type ProcessRecord,
} from '@energysale/network';
import { startServiceTier, stopServiceTier, TokenIssuer } from '@energysale/service';

import { completeReport } from '../report/analyse';
import { reportDirName, writeReport } from '../report/render';
import { PAPER_TABLE_4, type Machine, type PhaseFigures as ReportPhase, type ReportData, type ScenarioResult, type ThresholdSpec } from '../report/schema';
import { resourceWindow, type RangeExport } from '../resources/prometheus';
import { ResourceSampler, stats, type ResourcePoint } from '../resources/sampler';
import { run, type Options, type Summary } from '../scenario';
import type { PhaseFigures } from '../scenario/summary';
import { countOrders } from './ledger';
import { prepare, type Fixture } from './prepare';
import type { Profile } from './profiles';
import { addOrderOptions, orderQueryOptions } from './scenarios';

export class NetworkNotReadyError extends Error {
  override readonly name = 'NetworkNotReadyError';
}

const repoRoot = resolve(__dirname, '..', '..', '..');

function commit(): { sha: string; dirty: boolean } {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return { sha, dirty };
  } catch {
    return { sha: 'unknown', dirty: true };
  }
}

function machine(): Machine {
  return {
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    os: `${osType()} ${arch()}`,
    kernel: release(),
    node: process.version,
  };
}

/** Pids of the processes whose executable is `exe` (the load generator's vegeta processes). */
function pidsOf(exe: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/exe`) === exe) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

const seconds = (ms: number | null | undefined): number => (ms ?? 0) / 1000;

function phase(figures: PhaseFigures): ReportPhase {
  const d = figures.metrics.http_req_duration;
  return {
    requests: figures.requests,
    successes: figures.successes,
    failures: figures.failures,
    droppedIterations: figures.droppedIterations,
    successRatePct: (figures.successRate ?? 0) * 100,
    throughputTxPerMin: figures.throughput.successesPerMinute ?? 0,
    latencyS: { avg: seconds(d.avg), p50: seconds(d.med), p95: seconds(d['p(95)']), p99: seconds(d['p(99)']), max: seconds(d.max) },
  };
}

/** One line comparing Prometheus's chain CPU with the /proc sampler's over the same window: two independent measurements. */
function crossCheck(result: ScenarioResult, sampler: ResourceSampler): string {
  const from = Date.parse(result.window.start);
  const to = Date.parse(result.window.end);
  const proc = stats(sampler.points('chain', from, to).map((p: ResourcePoint) => p.cpuPercent));
  return `Cross-check, ${result.scenario} (${result.engine}): chain CPU avg ${result.resources.chain.cpuPct.avg.toFixed(1)} % from Prometheus, ${proc.avg.toFixed(1)} % from the /proc sampler (raw/resources-proc.json).`;
}

export interface Table4Run {
  readonly dir: string;
  readonly exitCode: 0 | 99;
  readonly report: ReportData;
}

/**
 * The main job: PAPER.md Table 4 on our deployment. With the native network up, starts the
 * service tier (nginx and two instances), prepares users and data through the service, runs the
 * add-order test then the order-query test (each a closed loop of the profile's users, warm-up
 * excluded), samples chain, service and load-generator CPU and memory every second, counts the
 * orders the ledger committed in the measured window, and writes the report.
 */
export async function runTable4(profile: Profile, log: (line: string) => void, reportsDir = join(repoRoot, 'reports')): Promise<Table4Run> {
  const layout = new StateLayout();
  const network = new NativeNetwork(energysale, layout);
  const unhealthy = (await network.status()).filter((n) => !n.healthy).map((n) => n.id);
  if (unhealthy.length > 0) throw new NetworkNotReadyError(`the network is not up (${unhealthy.join(', ')}): run \`npm run network -- up\``);
  const toolchain = await locateToolchain();
  const startedAt = new Date().toISOString();

  log('starting monitoring: Prometheus, node-exporter, process-exporter');
  await startMonitoring(layout, energysale);
  const prometheus = new PrometheusClient(monitoring(energysale).prometheus.endpoint);
  log('starting the service tier: nginx in front of two service instances');
  const tier = await startServiceTier(layout, { withLb: true, logLevel: 'warn' });
  await prometheus.waitForTargets();
  const records = async (kinds: readonly ProcessRecord['kind'][]): Promise<ProcessRecord[]> =>
    (await network.supervisor.records()).filter((r) => kinds.includes(r.kind) && isRunning(r));
  const chain = await records(['peer', 'orderer', 'chaincode']);
  const service = await records(['service', 'lb']);
  const sampler = new ResourceSampler([
    { name: 'chain', pids: () => chain.map((r) => r.pid) },
    { name: 'service', pids: () => service.map((r) => r.pid) },
    { name: 'loadGenerator', pids: () => pidsOf(toolchain.bin.vegeta) },
  ]);
  try {
    const tokens = new TokenIssuer(layout);
    const fixture = await prepare(energysale, layout, tokens, tier.url, { users: profile.users, preloadOrdersPerUser: profile.preloadOrdersPerUser, log });
    sampler.start();
    const summaries: Summary[] = [];
    for (const [name, options] of [
      ['add order', addOrderOptions(tier.url, profile, fixture)],
      ['order query', orderQueryOptions(tier.url, profile, fixture)],
    ] as const) {
      log(`${name}: ${profile.users} users, ${profile.warmup} warm-up, ${profile.duration} measured`);
      summaries.push(await runTest(options, log));
    }
    sampler.stop();
    // The last second of a window is in Prometheus after its next scrape.
    await new Promise((r) => setTimeout(r, 2500));
    const rangeExports: RangeExport[] = [];
    const scenarios: ScenarioResult[] = [];
    for (const summary of summaries) {
      const result = await scenarioResult(summary, profile, prometheus, fixture, tokens, tier.url);
      scenarios.push(result.scenario);
      rangeExports.push(...result.exports);
    }
    const report = completeReport({
      meta: { title: `Table 4 reproduction (${profile.name})`, name: `table4-${profile.name}`, profile: profile.name, startedAt, endedAt: new Date().toISOString(), commit: commit() },
      machine: machine(),
      versions: { fabric: toolchain.versions.fabric, fabricCa: toolchain.versions.fabricCa, vegeta: toolchain.versions.vegeta, caliper: null },
      config: {
        topology: {
          orgs: energysale.peerOrgs.map((o) => o.name),
          peers: peers(energysale).length,
          orderers: orderers(energysale).length,
          ledgerDatabases: peers(energysale).length,
          hosts: energysale.hosts.length,
          channel: energysale.channel.name,
          consensus: 'etcdraft',
        },
        batchTimeoutS: Number.parseFloat(energysale.channel.batch.timeout),
        batchSize: {
          maxMessageCount: energysale.channel.batch.maxMessageCount,
          absoluteMaxBytes: Number.parseFloat(energysale.channel.batch.absoluteMaxBytes) * 2 ** 20,
          preferredMaxBytes: Number.parseFloat(energysale.channel.batch.preferredMaxBytes) * 2 ** 10,
        },
        users: profile.users,
        durationS: summaries[0]?.scenarios.add_order?.measured.window.durationS ?? 0,
        warmUpS: summaries[0]?.scenarios.add_order?.warmup?.window.durationS ?? 0,
      },
      scenarios,
      thresholds: paperThresholdSpecs(),
      notes: [
        'Client → nginx (lb) → two retail service instances → Fabric Gateway, as the paper\'s Web/application/chain tiers, all on one machine.',
        'LevelDB state databases (the paper used CouchDB, not installable here); Raft batch settings are Fabric\'s defaults.',
        'The chain is every peer, orderer and chaincode server process; CPU and memory are shares of the whole machine, scraped by Prometheus every second.',
        ...scenarios.map((s) => crossCheck(s, sampler)),
        'The Caliper rounds (direct Fabric path) are not in this report yet.',
      ],
    });
    const dir = join(reportsDir, reportDirName(report.meta));
    await mkdir(dir, { recursive: true });
    const raw: Record<string, string> = {
      'add_order.summary.json': JSON.stringify(summaries[0], null, 2),
      'order_query.summary.json': JSON.stringify(summaries[1], null, 2),
      'resources-proc.json': JSON.stringify({ chain: sampler.points('chain'), service: sampler.points('service'), loadGenerator: sampler.points('loadGenerator') }),
      'prometheus-range-exports.json': JSON.stringify(rangeExports),
      'config.json': JSON.stringify({ profile, topology: energysale, versions: toolchain.versions }, null, 2),
    };
    await writeReport(dir, report, raw);
    const exitCode = summaries.some((s) => s.exitCode !== 0) || report.thresholds.some((t) => !t.pass) ? 99 : 0;
    await writeFile(join(dir, 'exit-code'), `${exitCode}\n`);
    return { dir, exitCode, report };
  } finally {
    sampler.stop();
    await stopServiceTier(layout);
  }
}

async function runTest(options: Options, log: (line: string) => void): Promise<Summary> {
  let last = 0;
  const { summary } = await run(options, {
    onProgress: (p) => {
      if (p.elapsedMs - last < 5000 && p.remainingMs > 0) return;
      last = p.elapsedMs;
      const parts = Object.entries(p.scenarios).map(([name, s]) => `${name} ${s.phase}: ${s.requests} responses, ${s.failed} failed, ${s.lastSecond}/s`);
      log(`  ${Math.round(p.elapsedMs / 1000)} s elapsed, ${Math.max(0, Math.round(p.remainingMs / 1000))} s left: ${parts.join('; ')}`);
    },
  });
  return summary;
}

async function scenarioResult(
  summary: Summary,
  profile: Profile,
  prometheus: PrometheusClient,
  fixture: Fixture,
  tokens: TokenIssuer,
  baseUrl: string,
): Promise<{ scenario: ScenarioResult; exports: RangeExport[] }> {
  const [name, s] = Object.entries(summary.scenarios)[0] ?? [];
  if (!name || !s) throw new Error('a test ran no scenario');
  const from = Date.parse(s.measured.window.start);
  const to = Date.parse(s.measured.window.end);
  const writes = name === 'add_order' ? 1 : 0;
  const { resources, resourceSeries, exports: rangeExports } = await resourceWindow(prometheus, from, to, { service: true });
  const scenario: ScenarioResult = {
    scenario: name,
    engine: 'http',
    executor: s.model,
    users: profile.users,
    writesPerRequest: writes,
    window: s.measured.window,
    measured: phase(s.measured),
    warmUp: s.warmup ? phase(s.warmup) : null,
    chain: writes > 0 ? { validTx: await countOrders(tokens, baseUrl, fixture, from, to), invalidTx: 0, source: 'orders of this run on the ledger whose transaction time is in the measured window (service, exchange view)' } : null,
    timeSeries: s.series
      .filter((p) => p.t >= 0)
      .map((p) => ({ t: p.t, ok: p.requests - p.failures, errors: p.failures, latencyS: p.latencyMs ? { p50: p.latencyMs.p50 / 1000, p95: p.latencyMs.p95 / 1000, p99: p.latencyMs.p99 / 1000 } : null })),
    resources,
    resourceSeries,
  };
  return { scenario, exports: rangeExports };
}

/** The paper's figures as the report's thresholds: at least its throughput, at most its latency, all successful. */
function paperThresholdSpecs(): ThresholdSpec[] {
  return (['add_order', 'order_query'] as const).flatMap((scenario): ThresholdSpec[] => {
    const paper = PAPER_TABLE_4[scenario];
    return [
      { scenario, engine: 'http', metric: 'latencyAvgS', op: '<=', limit: paper.avgLatencyS },
      { scenario, engine: 'http', metric: 'throughputTxPerMin', op: '>=', limit: paper.throughputTxPerMin },
      { scenario, engine: 'http', metric: 'successRatePct', op: '>=', limit: paper.successRatePct },
    ];
  });
}
