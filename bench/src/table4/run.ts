import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

import {
  byteSize,
  describeDissemination,
  modelDissemination,
  DockerStatsSampler,
  durationNanos,
  isRunning,
  locateToolchain,
  monitoring,
  orderers,
  peers,
  PrometheusClient,
  readBatchSettings,
  readRuntime,
  registerLoad,
  STANDING_JOBS,
  startMonitoring,
  StateLayout,
  type ProcessRecord,
  type Topology,
} from '@energysale/network';
import { TokenIssuer } from '@energysale/service';

import { CALIPER_VERSION, runCaliperRounds, type CaliperRun } from '../caliper/run';
import { ceilingChoiceText, chooseCeiling, compareWithCeiling } from '../ceiling/compare';
import { completeReport } from '../report/analyse';
import { reportDirName, writeReport } from '../report/render';
import { ENGINES, PAPER_TABLE_4, type Engine, type ChainCount, type ReportData, type ScenarioResult, type ThresholdSpec, type TuningStep, type NodeProfile } from '../report/schema';
import { breakdown, cpuByGroupOver } from '../resources/breakdown';
import { ProgressMetrics } from '../progress/metrics';
import { serveMetrics, type MetricsServer } from '../progress/server';
import { captureProfiles } from '../resources/pprof';
import { resourceWindow, type RangeExport } from '../resources/prometheus';
import { DEFAULT_DISTURBANCE, InterferenceSampler, ourRoots, scenarioInterference, type DisturbanceRule } from '../resources/interference';
import { ResourceSampler, stats, type ResourcePoint } from '../resources/sampler';
import { parseDuration } from '../scenario';
import { encodeRequestRecords } from '../report/request-records';
import { onInterrupt, startOwnServiceTier } from '../interrupt';
import { encodeBlockRecords } from '../report/block-records';
import { blocksFile, CALIPER_RECORDS_DIR, requestsFile } from '../report/raw-files';
import { chainCountIn, DECLARE_ORDER, scanStart, type ChainScan } from './chain-count';
import { commit, machine } from './provenance';
import { runningNetwork, testFigures } from './load';
import { prepare } from './prepare';
import type { Profile } from './profiles';
import { compiledScript, runScriptTest, scriptEngine, TABLE4_SCRIPTS, table4Test, type ScriptTestContext, type ScriptTestRun } from '../script/benchmark';
import { applyWriteSettings, bestStep, describeWriteSettings, restoreModelSettings, runTuningLadder } from './tuning';

export { NetworkNotReadyError } from './load';

const repoRoot = resolve(__dirname, '..', '..', '..');

/** The longest CPU profile taken of a test (pprof samples at 100 Hz: a minute is plenty). */
const PROFILE_MAX_S = 60;

/**
 * The nodes profiled during the HTTP tests: the consumers' first peer (their gateway and an
 * endorser of every add order), the exchange's first peer (endorses every write), the retailers'
 * first peer (commits only) and the first orderer.
 */
function profiledNodes(topology: Topology): { id: string; endpoint: string }[] {
  const firstPeer = (key: string) => peers(topology).find((p) => p.org.key === key);
  const nodes = [firstPeer('consumer'), firstPeer('exchange'), firstPeer('retailer'), orderers(topology)[0]];
  return nodes.filter((n) => n !== undefined).map((n) => ({ id: n.id, endpoint: n.profileEndpoint }));
}
const durationMs = (text: string): number => (durationNanos(text) ?? Number.NaN) / 1e6;
const bytesOf = (text: string): number => byteSize(text) ?? Number.NaN;

/** One line comparing Prometheus's chain CPU with the /proc sampler's over the same window: two independent measurements. */
function crossCheck(result: ScenarioResult, sampler: ResourceSampler): string {
  const from = Date.parse(result.window.start);
  const to = Date.parse(result.window.end);
  const avg = (group: string): number => stats(sampler.points(group, from, to).map((p: ResourcePoint) => p.cpuPercent)).avg;
  const engine = sampler.groups().includes(CHAIN_CONTAINERS) ? `, ${avg(CHAIN_CONTAINERS).toFixed(1)} % from the Docker engine's stats of its containers` : '';
  return `Cross-check, ${result.scenario} (${result.engine}): chain CPU avg ${result.resources.chain.cpuPct.avg.toFixed(1)} % from Prometheus, ${avg('chain').toFixed(1)} % from the /proc sampler${engine} (raw/resources-proc.json).`;
}

/** The sampler's group of the chain's containers (docker runtime): the Docker engine's own account of them. */
const CHAIN_CONTAINERS = 'chainContainers';

export interface Table4Run {
  readonly dir: string;
  readonly exitCode: 0 | typeof EXIT_THRESHOLD_FAILED | typeof EXIT_DISTURBED;
  readonly report: ReportData;
}

export interface Table4Options {
  /** Which load generators run the two tests: our scripts through the service (bench/scenarios/table4-*.ts), Caliper straight to Fabric. Default both. */
  readonly engines?: readonly Engine[];
  /** When a measured window counts as disturbed by someone else's load (default: above 5 % of the machine in more than 10 % of its seconds). */
  readonly disturbance?: DisturbanceRule;
}

/** Exit codes of a run, as k6's: 99 a threshold failed; 98 a window was disturbed (its figures are not this system's alone), whatever the thresholds said. */
export const EXIT_THRESHOLD_FAILED = 99;
export const EXIT_DISTURBED = 98;

/** Every file under `dir`, as raw report files named `<prefix>/<relative path>`. */
async function rawTree(dir: string, prefix: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[`${prefix}/${relative(dir, path)}`] = await readFile(path);
  }
  return files;
}

/** Caliper's per-transaction records gzipped (`.jsonl.gz`, a tenth of the size; caliper/records.ts reads both), everything else as it is. */
function gzipRecords(files: Record<string, Buffer>): Record<string, Buffer> {
  return Object.fromEntries(
    Object.entries(files).map(([name, content]) => (name.startsWith(`${CALIPER_RECORDS_DIR}/`) && name.endsWith('.jsonl') ? [`${name}.gz`, gzipSync(content)] : [name, content])),
  );
}

/**
 * The main job: PAPER.md Table 4 on our deployment. With the native network up, starts monitoring
 * (Prometheus and its exporters) and the service tier (nginx and two instances), prepares users and
 * data through the service, measures the tuning ladder when the profile has one, applies the
 * profile's batch settings, runs the add-order test then the order-query test with each engine
 * (closed loop of the profile's users, warm-up excluded), reads CPU and memory and where the time
 * goes from Prometheus, counts the orders the ledger committed in each measured window, restores
 * the channel's settings, and writes the report.
 */
export async function runTable4(profile: Profile, log: (line: string) => void, reportsDir = join(repoRoot, 'reports'), options: Table4Options = {}): Promise<Table4Run> {
  const engines = options.engines ?? ENGINES;
  const layout = new StateLayout();
  const network = await runningNetwork(layout);
  const topology = network.topology;
  const toolchain = await locateToolchain();
  const runtime = await readRuntime(layout);
  const startedAt = new Date().toISOString();

  log('starting monitoring: Prometheus, node-exporter, own process exporter');
  await startMonitoring(layout, topology);
  const prometheus = new PrometheusClient(monitoring(topology).prometheus.endpoint);
  log('starting the service tier: nginx in front of two service instances');
  const tier = await startOwnServiceTier(layout, { withLb: true, logLevel: 'warn' });
  // The harness's target comes up only with the load.
  await prometheus.waitForTargets(STANDING_JOBS);
  const records = async (kinds: readonly ProcessRecord['kind'][]): Promise<ProcessRecord[]> =>
    (await network.supervisor.records()).filter((r) => kinds.includes(r.kind) && isRunning(r));
  // Read again once the tuning ladder is done: its steps may restart the peers.
  let chain = await records(['peer', 'orderer', 'chaincode']);
  const service = await records(['service', 'lb']);
  // Ours, by pid: every process of the state (nodes, service tier, monitoring) and this benchmark's own tree.
  const interference = new InterferenceSampler(ourRoots(layout));
  const disturbance = options.disturbance ?? DEFAULT_DISTURBANCE;
  const sampler = new ResourceSampler([
    { name: 'chain', pids: () => chain.map((r) => r.pid) },
    { name: 'service', pids: () => service.map((r) => r.pid) },
    // The scripts' engine runs in this process.
    { name: 'loadGenerator', pids: () => [process.pid] },
    ...(runtime.kind === 'docker' ? [new DockerStatsSampler(CHAIN_CONTAINERS, chain.flatMap((r) => (r.container === undefined ? [] : [r.container])))] : []),
  ]);
  const modelBatch = topology.channel.batch;
  let settingsChanged = false;
  // Interrupted (Ctrl-C, SIGTERM): the model's settings back, as `finally` below does (the tier stops by itself).
  const interrupted = onInterrupt(async () => {
    if (settingsChanged) await restoreModelSettings(network, modelBatch, log);
  });
  // The harness's own metrics (the scripts' requests and checks), scraped by Prometheus while the run lasts.
  const endpoints = monitoring(topology);
  const progress = new ProgressMetrics();
  const tokens = new TokenIssuer(layout);
  const load: ScriptTestContext = { log, metrics: progress, network: { topology, layout, tokens, baseUrl: tier.url } };
  const runTest = (test: Parameters<typeof runScriptTest>[0]): Promise<ScriptTestRun> => runScriptTest(test, load);
  let progressServer: MetricsServer | undefined;
  const staging = await mkdtemp(join(tmpdir(), 'table4-'));
  // This process's tree (the harness and its scripts, Caliper) is the network's load while the run lasts: the own-process exporter counts it.
  const loadRegistration = registerLoad(layout);
  try {
    progressServer = await serveMetrics(progress.registry, endpoints.harness.endpoint);
    progress.runStarted(startedAt, profile.name);
    const fixture = await prepare(topology, layout, tokens, tier.url, { users: profile.users, preloadOrdersPerUser: profile.preloadOrdersPerUser, log });
    let tuning: TuningStep[] = [];
    // The last second of a window is in Prometheus after its next scrape.
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 2500));
    const here = machine();
    const modelSpread = describeDissemination(await modelDissemination());
    // From here: the ladder's repeats are windows someone else's load may disturb too.
    interference.start();
    if (profile.tuning) {
      settingsChanged = true;
      tuning = await runTuningLadder(profile.tuning, {
        network,
        profile,
        fixture,
        log,
        runTest,
        cores: here.cores,
        modelDissemination: modelSpread,
        cpuByGroup: async (from, to) => {
          await settle();
          return cpuByGroupOver(prometheus, from, to);
        },
        interference: (from, to) => {
          interference.sample();
          const i = scenarioInterference(interference.between(from, to), from, disturbance);
          return { otherPctAvg: i.otherPct.avg, disturbed: i.disturbed };
        },
      });
    }
    let chosen: string | null = null;
    let settings: string | null = null;
    if (profile.settings === 'best-of-ladder') {
      const best = bestStep(tuning);
      const step = profile.tuning?.steps[best];
      const measured = tuning[best];
      if (!step || !measured) throw new Error('no adoptable step of the tuning ladder had every request succeed: nothing to tune with');
      chosen = step.name;
      settings = measured.settings;
      log(`the ladder's best step: "${step.name}"`);
      await applyWriteSettings(network, step.settings, log);
      chain = await records(['peer', 'orderer', 'chaincode']);
    }
    const batch = await readBatchSettings(await network.context());
    settings ??= `${describeWriteSettings(batch, { batch }, { dissemination: modelSpread })} (the model's: Fabric's defaults)`;
    log(`settings for the tests: ${settings}`);
    sampler.start();
    const firstBlock = await scanStart(topology);
    const tests: { name: string; test: ScriptTestRun }[] = [];
    const profiles = new Map<string, NodeProfile[]>();
    if (engines.includes('http')) {
      for (const name of ['add_order', 'order_query'] as const) {
        log(`${name} (${relative(repoRoot, TABLE4_SCRIPTS[name])}, through the service): ${profile.users} users, ${profile.warmup} warm-up, ${profile.duration} measured`);
        // Type-checked before the clock below starts.
        compiledScript(TABLE4_SCRIPTS[name]);
        // CPU profiles of the profiled nodes, from the start of the measured window.
        const warmupMs = parseDuration(profile.warmup, 'warmup');
        const profileS = Math.min(PROFILE_MAX_S, Math.max(1, parseDuration(profile.duration, 'duration') / 1000 - 2));
        const profiling = new Promise((r) => setTimeout(r, warmupMs + 1000)).then(() => captureProfiles(profiledNodes(topology), profileS, staging, name));
        // A failed profile must not leave the test unawaited, nor hide the test's own failure.
        profiling.catch(() => undefined);
        tests.push({ name, test: await runTest(table4Test(name, profile, fixture)) });
        profiles.set(name, await profiling);
      }
    }
    await settle();
    const rangeExports: RangeExport[] = [];
    const windowOf = async (from: number, to: number, withService: boolean): Promise<Pick<ScenarioResult, 'resources' | 'resourceSeries' | 'breakdown' | 'interference'>> => {
      const { resources, resourceSeries, exports: ranges } = await resourceWindow(prometheus, from, to, { service: withService });
      rangeExports.push(...ranges);
      // The sampler's last second of the window may still be to come when a test ends: sample now.
      interference.sample();
      return { resources, resourceSeries, breakdown: await breakdown(prometheus, topology, from, to), interference: scenarioInterference(interference.between(from, to), from, disturbance) };
    };
    // Counts from the blocks written since the tests began; the scanned transactions go to raw/.
    const scans: { file: string; scan: ChainScan }[] = [];
    const countIn = async (file: string, from: number, to: number): Promise<ChainCount> => {
      const scan = await chainCountIn(topology, layout, firstBlock, DECLARE_ORDER, from, to);
      scans.push({ file, scan });
      return scan.count;
    };
    const scenarios: ScenarioResult[] = [];
    for (const { name, test } of tests) {
      const result = await scenarioResult(name, test, profile, windowOf, (from, to) => countIn(blocksFile(name, 'http'), from, to));
      if (result.breakdown) result.breakdown.profiles = profiles.get(name) ?? [];
      scenarios.push(result);
    }
    let caliper: CaliperRun | null = null;
    if (engines.includes('caliper')) {
      log(`Caliper ${CALIPER_VERSION} (straight to Fabric): add order and order query, ${profile.users} users (fixed-load), ${profile.warmup} warm-up round, ${profile.duration} measured round`);
      caliper = await runCaliperRounds({
        profile,
        fixture,
        outDir: staging,
        log,
        monitorCommands: [...new Set(chain.filter((r) => r.kind !== 'chaincode').map((r) => r.command))],
        resources: async (from, to) => {
          await settle();
          return windowOf(from, to, false);
        },
        chainCount: (from, to) => countIn(blocksFile('add_order', 'caliper'), from, to),
      });
      scenarios.push(...caliper.scenarios);
    }
    sampler.stop();
    interference.stop();
    await sampler.settled();
    const ran = [...new Set(scenarios.map((s) => s.engine))];
    // The HTTP tests beside the ceiling of this machine (bench ceiling), when one was measured.
    const ceiling = compareWithCeiling(scenarios, here, await chooseCeiling(reportsDir, here));
    log(ceilingChoiceText(ceiling.source, here));
    const report = completeReport({
      meta: { title: `Table 4 reproduction (${profile.name})`, name: `table4-${profile.name}`, profile: profile.name, startedAt, endedAt: new Date().toISOString(), commit: commit() },
      machine: here,
      versions: { fabric: toolchain.versions.fabric, fabricCa: toolchain.versions.fabricCa, vegeta: null, caliper: caliper?.version ?? null },
      config: {
        topology: {
          orgs: topology.peerOrgs.map((o) => o.name),
          peers: peers(topology).length,
          orderers: orderers(topology).length,
          ledgerDatabases: peers(topology).length,
          hosts: topology.hosts.length,
          channel: topology.channel.name,
          consensus: 'etcdraft',
        },
        batchTimeoutS: durationMs(batch.timeout) / 1000,
        batchSize: { maxMessageCount: batch.maxMessageCount, absoluteMaxBytes: bytesOf(batch.absoluteMaxBytes), preferredMaxBytes: bytesOf(batch.preferredMaxBytes) },
        users: profile.users,
        durationS: parseDuration(profile.duration, 'duration') / 1000,
        warmUpS: parseDuration(profile.warmup, 'warmup') / 1000,
      },
      scenarios,
      thresholds: paperThresholdSpecs(ran),
      tuning,
      ceiling,
      notes: [
        ...(ran.includes('http')
          ? [
              `HTTP engine: bench/scenarios/table4-add-order.ts and table4-order-query.ts on the script runner, ${scriptEngine()} in the harness process → nginx (lb) → two retail service instances → Fabric Gateway, as the paper's Web/application/chain tiers, all on one machine.`,
            ]
          : []),
        ...(caliper ? [`Caliper engine: Caliper ${caliper.version} workers → Fabric Gateway of the peers directly (no service), the same users and orders. ${caliper.sources}.`] : []),
        runtime.kind === 'docker'
          ? `Runtime: docker, each node a container (images ${runtime.imagePrefix}*) on the host network, labelled with the model's host it stands for.`
          : 'Runtime: native, each node a process on this machine, each host of the model a loopback address.',
        `LevelDB state databases (the paper used CouchDB, not installable here); settings during the tests: ${settings}${chosen ? ` (the tuning ladder's best step, "${chosen}"; the model's were restored after the run)` : ''}.`,
        'Connection reuse in every profile: the script runner keeps its connections alive, nginx keeps 64 idle upstream connections per worker, each service instance holds one gRPC connection per peer.',
        'The chain is every peer, orderer and chaincode server process; CPU and memory are shares of the whole machine, scraped by Prometheus every second.',
        ...scenarios.filter((s) => s.engine === 'http').map((s) => crossCheck(s, sampler)),
      ],
    });
    const dir = join(reportsDir, reportDirName(report.meta));
    await mkdir(dir, { recursive: true });
    const raw: Record<string, string | Buffer> = {
      ...Object.fromEntries(tests.map(({ name, test }) => [`${name}.summary.json`, JSON.stringify(test.summary, null, 2)])),
      // Every request of each HTTP test: what its figures are derived from, by the live run and by `render`.
      ...Object.fromEntries(tests.flatMap(({ test }) => test.records.map((r) => [requestsFile(r.scenario, 'http'), encodeRequestRecords(r)]))),
      'resources-proc.json': JSON.stringify(Object.fromEntries(sampler.groups().map((g) => [g, sampler.points(g)]))),
      'prometheus-range-exports.json': JSON.stringify(rangeExports),
      ...Object.fromEntries(scans.map(({ file, scan }) => [file, encodeBlockRecords({ source: scan.count.source, transactions: scan.transactions })])),
      'config.json': JSON.stringify({ profile, engines, runtime, batch, topology: topology, versions: toolchain.versions }, null, 2),
      ...(caliper ? gzipRecords(await rawTree(caliper.dir, 'caliper')) : {}),
      ...(existsSync(join(staging, 'pprof')) ? await rawTree(join(staging, 'pprof'), 'pprof') : {}),
    };
    await writeReport(dir, report, raw);
    const exitCode = report.disturbed ? EXIT_DISTURBED : tests.some(({ test }) => test.exitCode !== 0) || report.thresholds.some((t) => !t.pass) ? EXIT_THRESHOLD_FAILED : 0;
    await writeFile(join(dir, 'exit-code'), `${exitCode}\n`);
    return { dir, exitCode, report };
  } finally {
    sampler.stop();
    interference.stop();
    progress.runEnded(startedAt, profile.name);
    loadRegistration.unregister();
    await progressServer?.close();
    if (settingsChanged) await restoreModelSettings(network, modelBatch, log);
    interrupted();
    await tier.stop();
    await rm(staging, { recursive: true, force: true });
  }
}

/** An HTTP test's result: its load figures derived from its records (as `render` derives them again), the rest measured around its window. */
async function scenarioResult(
  name: string,
  test: ScriptTestRun,
  profile: Profile,
  windowOf: (from: number, to: number, withService: boolean) => Promise<Pick<ScenarioResult, 'resources' | 'resourceSeries' | 'breakdown' | 'interference'>>,
  countIn: (from: number, to: number) => Promise<ChainCount>,
): Promise<ScenarioResult> {
  const model = test.models[name];
  if (!model) throw new Error(`the test ran no scenario ${name}`);
  const { window, measured, warmUp, timeSeries } = testFigures(test, name);
  const from = Date.parse(window.start);
  const to = Date.parse(window.end);
  const writes = name === 'add_order' ? 1 : 0;
  return {
    scenario: name,
    engine: 'http',
    executor: model,
    users: profile.users,
    writesPerRequest: writes,
    window,
    measured,
    warmUp,
    chain: writes > 0 ? await countIn(from, to) : null,
    engineReported: null,
    timeSeries,
    ...(await windowOf(from, to, true)),
  };
}

/** The paper's figures as the report's thresholds: at least its throughput, at most its latency, all successful. */
function paperThresholdSpecs(engines: readonly Engine[]): ThresholdSpec[] {
  return engines.flatMap((engine) =>
    (['add_order', 'order_query'] as const).flatMap((scenario): ThresholdSpec[] => {
      const paper = PAPER_TABLE_4[scenario];
      return [
        { scenario, engine, metric: 'latencyAvgS', op: '<=', limit: paper.avgLatencyS },
        { scenario, engine, metric: 'throughputTxPerMin', op: '>=', limit: paper.throughputTxPerMin },
        { scenario, engine, metric: 'successRatePct', op: '>=', limit: paper.successRatePct },
      ];
    }),
  );
}
