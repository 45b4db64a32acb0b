import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { isRunning, NativeNetwork, peerOrg, StateLayout, stateTopology, tail, type Topology } from '@energysale/network';

import type { ChainCount, EngineReported, ScenarioResult } from '../report/schema';
import type { Fixture } from '../table4/prepare';
import type { Profile } from '../table4/profiles';
import { CALIPER_SCENARIOS, caliperBenchConfig, roundLabel, roundsSeconds, type CaliperScenario } from './bench-config';
import { caliperNetworkConfig } from './network-config';
import { deriveRounds, readRecords } from './records';
import { parseCaliperReport, type CaliperRoundSummary } from './report-html';

export const CALIPER_VERSION = '0.6.0';

export interface CaliperRunOptions {
  readonly profile: Profile;
  readonly fixture: Fixture;
  /** Raw data goes in `<outDir>/caliper/`. */
  readonly outDir: string;
  readonly log: (line: string) => void;
  readonly resources: (fromMs: number, toMs: number) => Promise<Pick<ScenarioResult, 'resources' | 'resourceSeries' | 'breakdown' | 'interference'>>;
  /** VALID add-order transactions the ledger committed in [fromMs, toMs]. */
  /** What the chain committed of the measured function in a window (a block scan). */
  readonly chainCount: (fromMs: number, toMs: number) => Promise<ChainCount>;
  /** Caliper workers (local processes); the profile's users are dealt among them. Default 2. */
  readonly workers?: number;
  /** Executables Caliper's `process` monitor watches (raw data in its report); default: the running peers' and orderers'. */
  readonly monitorCommands?: readonly string[];
  readonly topology?: Topology;
  readonly layout?: StateLayout;
}

export interface CaliperRun {
  readonly version: string;
  readonly scenarios: ScenarioResult[];
  /** Which figure comes from where. */
  readonly sources: string;
  readonly dir: string;
}

/** Caliper did not complete the rounds; `logTail` is the end of its log. */
export class CaliperRunError extends Error {
  override readonly name = 'CaliperRunError';
  constructor(
    message: string,
    readonly logTail: string,
    options?: ErrorOptions,
  ) {
    super(`${message}\n--- caliper log (tail) ---\n${logTail}`, options);
  }
}

export const FIGURE_SOURCES =
  'every figure (requests, successes, failures, throughput = successes / window, latency avg/p50/p95/p99/max, the time series, the window: first send to last completion) ' +
  'from the workload modules\' per-transaction records (wall clock around each connector call); Caliper\'s own counts, TPS and average (report.html, latency rounded to 10 ms) are shown beside, as Caliper\'s';

const cliBin = (): string => {
  const manifest = require.resolve('@hyperledger/caliper-cli/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(manifest), pkg.bin.caliper ?? 'caliper.js');
};

export interface CaliperLaunch {
  /** Caliper's working directory. */
  readonly cwd: string;
  /** Where Caliper's output goes (its tail is in a CaliperRunError). */
  readonly logFile: string;
  readonly limitMs: number;
  readonly log: (line: string) => void;
  /** How long the rounds should take, when known: the progress lines say what is left. */
  readonly expectedS?: number;
}

/**
 * Spawns `caliper launch manager` with `args`, bounded by `limitMs` (then SIGINT, then SIGKILL to its
 * process group); rejects with CaliperRunError when Caliper exits non-zero or overruns.
 */
export async function launchCaliper(args: readonly string[], launch: CaliperLaunch): Promise<void> {
  const { cwd, logFile, limitMs, expectedS } = launch;
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [cliBin(), 'launch', 'manager', ...args], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CALIPER_LOGGING_FORMATS_COLORIZE: 'false' },
  });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const bound = { exceeded: false };
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const started = Date.now();
  // A progress line every 10 s: elapsed, and what the rounds have left (Caliper's own log has the details).
  const ticker = setInterval(() => {
    const elapsedS = Math.round((Date.now() - started) / 1000);
    const left = expectedS === undefined ? '' : `, ~${Math.max(0, Math.round(expectedS - elapsedS))} s of rounds left`;
    launch.log(`  caliper: ${elapsedS} s elapsed${left} (${logFile})`);
  }, 10_000);
  const timer = setTimeout(() => {
    bound.exceeded = true;
    killGroup('SIGINT');
    setTimeout(() => {
      killGroup('SIGKILL');
    }, 15_000).unref();
  }, limitMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => {
        resolve(c);
      });
    });
    if (bound.exceeded) throw new CaliperRunError(`Caliper ran longer than ${Math.round(limitMs / 1000)} s and was stopped`, await tail(logFile, 40));
    if (code !== 0) throw new CaliperRunError(`Caliper exited with ${String(code)}`, await tail(logFile, 40));
  } finally {
    clearTimeout(timer);
    clearInterval(ticker);
    await new Promise<void>((resolve) => log.end(resolve));
  }
}

/** The executables of the running peers and orderers: what Caliper's process monitor looks for. */
async function chainCommands(topology: Topology, layout: StateLayout): Promise<string[]> {
  const records = await new NativeNetwork(topology, layout).supervisor.records();
  return [...new Set(records.filter((r) => (r.kind === 'peer' || r.kind === 'orderer') && isRunning(r)).map((r) => r.command))];
}

/** What Caliper's report says of a round. */
function caliperReported(caliper: CaliperRoundSummary): EngineReported {
  return {
    source: `Caliper ${CALIPER_VERSION}, report.html (round ${caliper.name})`,
    successes: caliper.succ,
    failures: caliper.fail,
    throughputTxPerMin: caliper.throughputTps * 60,
    avgLatencyS: caliper.avgLatencyS,
  };
}

/**
 * Table 4's two tests with Caliper 0.6 straight to Fabric (no HTTP service), on the fixture the HTTP
 * tests use: writes the network and benchmark configs, runs `caliper launch manager` (a warm-up and
 * a measured round per test), and turns Caliper's report and the workloads' records into the
 * report's scenario results. Everything Caliper wrote stays in `<outDir>/caliper/`.
 */
export async function runCaliperRounds(options: CaliperRunOptions): Promise<CaliperRun> {
  const layout = options.layout ?? new StateLayout();
  const topology = options.topology ?? stateTopology(layout).topology;
  const { profile, fixture, log } = options;
  const dir = join(options.outDir, 'caliper');
  const recordsDir = join(dir, 'records');
  await mkdir(recordsDir, { recursive: true });

  const consumers = peerOrg(topology, 'consumer');
  const exchange = topology.peerOrgs.find((o) => o.role === 'exchange') ?? consumers;
  const networkConfig = join(dir, 'network-config.json');
  const benchConfig = join(dir, 'bench-config.json');
  await writeFile(networkConfig, JSON.stringify(caliperNetworkConfig(topology, layout, { identities: fixture.users.map((u) => ({ orgKey: consumers.key, user: u.user })) }), null, 2));
  const config = caliperBenchConfig({
    profile,
    workers: options.workers ?? 2,
    monitorCommands: options.monitorCommands ?? (await chainCommands(topology, layout)),
    round: {
      recordsDir,
      channel: topology.channel.name,
      chaincode: topology.chaincode.name,
      userMspId: consumers.mspId,
      exchangeMspId: exchange.mspId,
      runId: fixture.runId,
      users: fixture.users.map((u) => u.user),
      packageId: fixture.packageId,
      seller: fixture.seller,
      preloaded: fixture.preloaded,
    },
  });
  await writeFile(benchConfig, JSON.stringify(config, null, 2));

  const report = join(dir, 'report.html');
  const logFile = join(dir, 'caliper.log');
  const limitS = roundsSeconds(profile) * 1.5 + 180;
  log(`caliper ${CALIPER_VERSION}: ${profile.users} users, ${profile.warmup} warm-up + ${profile.duration} per test, stopped after ${Math.round(limitS)} s at most`);
  await launchCaliper(
    [
      '--caliper-workspace', dir,
      '--caliper-networkconfig', networkConfig,
      '--caliper-benchconfig', benchConfig,
      '--caliper-flow-only-test',
      '--caliper-report-path', report,
    ],
    { cwd: dir, logFile, limitMs: limitS * 1000, log, expectedS: roundsSeconds(profile) },
  );

  let summaries: CaliperRoundSummary[];
  try {
    summaries = parseCaliperReport(await readFile(report, 'utf8'));
  } catch (error) {
    throw new CaliperRunError('Caliper wrote no readable report', await tail(logFile, 40), { cause: error });
  }
  const scenarios: ScenarioResult[] = [];
  for (const scenario of CALIPER_SCENARIOS) {
    scenarios.push(await scenarioResult(scenario, summaries, recordsDir, options, await tail(logFile, 40)));
    log(`caliper ${scenario}: ${JSON.stringify(scenarios.at(-1)?.measured)}`);
  }
  await writeFile(join(dir, 'scenarios.json'), JSON.stringify({ version: CALIPER_VERSION, sources: FIGURE_SOURCES, summaries, scenarios }, null, 2));
  return { version: CALIPER_VERSION, scenarios, sources: FIGURE_SOURCES, dir };
}

async function scenarioResult(scenario: CaliperScenario, summaries: readonly CaliperRoundSummary[], recordsDir: string, options: CaliperRunOptions, logTail: string): Promise<ScenarioResult> {
  const round = (phase: 'warmup' | 'measured'): CaliperRoundSummary => {
    const found = summaries.find((s) => s.name === roundLabel(scenario, phase));
    if (!found) throw new CaliperRunError(`Caliper's report has no round ${roundLabel(scenario, phase)}`, logTail);
    return found;
  };
  const derived = deriveRounds(await readRecords(recordsDir, roundLabel(scenario, 'measured')), await readRecords(recordsDir, roundLabel(scenario, 'warmup')));
  if (derived === null) throw new CaliperRunError(`the ${scenario} workload recorded no transaction`, logTail);
  const { window, measured, warmUp, timeSeries } = derived;
  const from = Date.parse(window.start);
  const to = Date.parse(window.end);
  const writes = scenario === 'add_order' ? 1 : 0;
  const { resources, resourceSeries, breakdown, interference } = await options.resources(from, to);
  return {
    scenario,
    engine: 'caliper',
    executor: 'closed',
    users: options.profile.users,
    writesPerRequest: writes,
    // The window of the Caliper round: first send to last completion of its records.
    window,
    measured,
    warmUp,
    chain: writes > 0 ? await options.chainCount(from, to) : null,
    engineReported: caliperReported(round('measured')),
    timeSeries,
    resources,
    resourceSeries,
    breakdown,
    interference,
  };
}
