import { join, relative, resolve } from 'node:path';

import {
  locateToolchain,
  monitoring,
  PrometheusClient,
  readRuntime,
  registerLoad,
  PROMETHEUS_JOB,
  STANDING_JOBS,
  startMonitoring,
  StateLayout,
  stateTopology,
  type NativeNetwork,
  type Topology,
} from '@energysale/network';
import { TokenIssuer } from '@energysale/service';

import { gatewayVersion } from '../engine/gateway';
import { ProgressMetrics } from '../progress/metrics';
import { reportDirName } from '../report/render';
import { breakdown } from '../resources/breakdown';
import { DEFAULT_DISTURBANCE, InterferenceSampler, ourRoots, summarise, type DisturbanceRule } from '../resources/interference';
import { isFailure } from '../scenario/log';
import { compiledScript, runScriptTest, type ScriptTestContext } from '../script/benchmark';
import { runningNetwork } from '../table4/load';
import { commit, machine, topologySummary } from '../table4/provenance';
import { CEILING_TESTS, rawCall, type CeilingConfig, type CeilingRaw, type CeilingTest } from './figures';
import { CEILING_SCHEMA, deriveCeiling, exitCodeOf, rawFileOf, writeCeilingReport, type CeilingReport, type CeilingRun } from './report';

/*
 * `bench ceiling` (issue 28, "The ceiling"): what Fabric itself allows on this machine. The
 * calibration chaincode (a no-op read and a one-key write) deployed beside the retail one, then
 * bench/scenarios/ceiling.ts, Table 4's 30 closed-loop users straight to the Fabric Gateway, as a
 * no-op evaluate and as a one-key write, repeated; for each measured window the transactions a
 * second and the CPU each process group spent per transaction (our own-process exporter, through
 * Prometheus), and whether someone else used the machine meanwhile.
 */

const benchRoot = resolve(__dirname, '..', '..');

/** A chaincode deployed beside the retail one, as the state records it. */
type DeployedChaincode = Awaited<ReturnType<NativeNetwork['deployUserChaincode']>>;

/** The calibration chaincode's source and the name it is deployed under. */
export const CALIBRATION = { name: 'calibration', path: join(benchRoot, 'calibration', 'chaincode') } as const;
export const CEILING_SCRIPT = join(benchRoot, 'scenarios', 'ceiling.ts');

/** The org of the script's users (Table 4's: consumer `vu0001`, ...). */
const USERS_ORG = 'consumer';

/** The Prometheus jobs the figures come from (STANDING_JOBS but the service's: no service runs). */
const CEILING_JOBS = STANDING_JOBS.filter((job) => job !== PROMETHEUS_JOB.service);

/** The last second of a window is in Prometheus after its next scrape (every second). */
const SCRAPE_SETTLE_MS = 2500;

export interface CeilingOptions {
  readonly config: CeilingConfig;
  readonly reportsDir: string;
  readonly log: (line: string) => void;
  readonly disturbance?: DisturbanceRule;
  /** The network's state (ENERGYSALE_STATE's by default). */
  readonly layout?: StateLayout;
}

/** Deploys the calibration chaincode beside the retail one; the same source again does nothing. */
export function deployCalibration(network: NativeNetwork, log: (line: string) => void): Promise<DeployedChaincode> {
  log(`deploying the calibration chaincode (${relative(process.cwd(), CALIBRATION.path) || '.'}) as ${CALIBRATION.name}`);
  return network.deployUserChaincode((line) => {
    log(`  ${line}`);
  }, { name: CALIBRATION.name, path: CALIBRATION.path });
}

function endorsementOf(record: DeployedChaincode, topology: Topology): string {
  if (record.policy !== undefined) return record.policy;
  const orgs = topology.peerOrgs.length;
  return `the channel's default, MAJORITY Endorsement (${String(Math.floor(orgs / 2) + 1)} of ${String(orgs)} orgs)`;
}

/** One measured window: the raw data its figures derive from, and what is read beside it. */
type Measured = { raw: CeilingRaw; run: Omit<CeilingRun, 'figures'> };

export async function runCeiling(options: CeilingOptions): Promise<{ dir: string; report: CeilingReport }> {
  const { config, log } = options;
  const layout = options.layout ?? new StateLayout();
  const disturbance = options.disturbance ?? DEFAULT_DISTURBANCE;
  const network = await runningNetwork(layout);
  const { size } = stateTopology(layout);
  const topology = network.topology;
  const startedAt = new Date().toISOString();
  const calibration = await deployCalibration(network, log);

  log('starting monitoring: Prometheus, node-exporter, own process exporter');
  await startMonitoring(layout, topology);
  const prometheus = new PrometheusClient(monitoring(topology).prometheus.endpoint);
  // No service runs: the chain's, the machine's and our own-process exporter's targets are what the figures read.
  await prometheus.waitForTargets(CEILING_JOBS);
  // Type-checked before any window starts.
  compiledScript(CEILING_SCRIPT);
  const interference = new InterferenceSampler(ourRoots(layout));
  // This process's tree (the script runner and its Fabric client) is the network's load: the exporter counts it as the harness.
  const load = registerLoad(layout);
  const context: ScriptTestContext = { log, metrics: new ProgressMetrics(), network: { topology, layout, tokens: new TokenIssuer(layout), baseUrl: undefined } };
  const measured: Measured[] = [];
  try {
    interference.start();
    for (let repeat = 1; repeat <= config.repeats; repeat++) {
      for (const test of CEILING_TESTS) measured.push(await measure(test, repeat, { config, context, prometheus, topology, interference, disturbance, log }));
    }
  } finally {
    interference.stop();
    load.unregister();
  }

  const derived = deriveCeiling(measured.map((m) => m.raw));
  const runs: CeilingRun[] = measured.map((m, i) => ({ ...m.run, figures: derived.runs[i]?.figures ?? notDerived(m.run) }));
  const toolchain = await locateToolchain();
  const sha = commit();
  const report: CeilingReport = {
    schema: CEILING_SCHEMA,
    meta: {
      title: 'The ceiling: what Fabric allows on this machine',
      startedAt,
      endedAt: new Date().toISOString(),
      commit: sha,
      machine: machine(),
      runtime: (await readRuntime(layout)).kind,
      topology: topologySummary(topology, size),
      versions: { fabric: toolchain.versions.fabric, fabricCa: toolchain.versions.fabricCa, fabricGateway: `@hyperledger/fabric-gateway ${gatewayVersion()}` },
      calibration: {
        name: calibration.name,
        version: calibration.version,
        sequence: calibration.sequence,
        packageId: calibration.packageId,
        codeHash: calibration.build.codeHash,
        endorsement: endorsementOf(calibration, topology),
      },
    },
    config: { ...config, script: relative(resolve(benchRoot, '..'), CEILING_SCRIPT), org: USERS_ORG, disturbance },
    runs,
    figures: derived.figures,
    disturbed: runs.some((r) => r.interference.disturbed),
    exitCode: exitCodeOf(runs),
    notes: [
      "Straight to the Fabric Gateway: the script runner in this process calls the gateway peers of the users' org with the service's own Fabric client (one gRPC connection per peer, a Gateway per identity); no nginx, no service. The harness group is this process: the load generator's whole cost.",
      'The calibration chaincode (bench/calibration/chaincode) does the least a chaincode can: Noop returns at once without touching the state; Put writes one key, unique per iteration, without reading it first (no MVCC conflict between writers). What the same load costs against the retail chaincode over this is the retail contract\'s and the service\'s, not Fabric\'s.',
      "CPU per transaction: a group's average share of the machine over the measured window (Prometheus: increase of our own-process exporter's CPU counter, by group) × the cores ÷ successful transactions a second over the same window. Every process group of ours is listed, idle ones too (the retail chaincode's servers share the chaincode group).",
      `Interference: every second the machine's busy CPU split into ours (by pid), the kernel's and other; a window where other was above ${String(disturbance.otherPct)} % of the machine in more than ${String(disturbance.sharePct)} % of its seconds is DISTURBED and its figures are not this system's.`,
      'Every figure above is derived from raw/<test>-<repeat>.json.gz (the window, every call, each group\'s CPU as read) by bench/src/ceiling/figures.ts; `npm run bench -- ceiling --render DIR` derives them again and checks them against ceiling.json.',
    ],
  };
  const dir = join(options.reportsDir, reportDirName({ startedAt, name: 'ceiling', commit: sha }));
  await writeCeilingReport(dir, report, measured.map((m) => m.raw));
  return { dir, report };
}

function notDerived(run: Pick<CeilingRun, 'test' | 'repeat'>): never {
  throw new Error(`the ${run.test} window of repeat ${String(run.repeat)} was not derived`);
}

interface MeasureContext {
  readonly config: CeilingConfig;
  readonly context: ScriptTestContext;
  readonly prometheus: PrometheusClient;
  readonly topology: Topology;
  readonly interference: InterferenceSampler;
  readonly disturbance: DisturbanceRule;
  readonly log: (line: string) => void;
}

/** The cores breakdown()'s shares are of: node-exporter's count, as its query divides by. */
async function machineCores(prometheus: PrometheusClient, atMs: number): Promise<number> {
  const [sample] = await prometheus.query('count(node_cpu_seconds_total{mode="idle"})', atMs);
  if (sample === undefined || !Number.isFinite(sample.value) || sample.value < 1) throw new Error('Prometheus has no count of the machine\'s cores (node-exporter not scraped?)');
  return sample.value;
}

/** Runs one test once: the script's warm-up and measured window, then what Prometheus and the interference sampler saw in it. */
async function measure(test: CeilingTest, repeat: number, m: MeasureContext): Promise<Measured> {
  m.log(`${test}, repeat ${String(repeat)} of ${String(m.config.repeats)}: ${String(m.config.users)} users, ${m.config.warmup} warm-up, ${m.config.duration} measured`);
  const ran = await runScriptTest(
    {
      script: CEILING_SCRIPT,
      scenario: test,
      warmup: 'warmup',
      env: { TEST: test, USERS: String(m.config.users), DURATION: m.config.duration, WARMUP: m.config.warmup },
      requests: 'fabric',
    },
    m.context,
  );
  const records = ran.records[0];
  const window = records?.windows.measured;
  if (records === undefined || window == null) throw new Error(`ceiling ${test}: the script measured no window`);
  await new Promise((r) => setTimeout(r, SCRAPE_SETTLE_MS));
  m.interference.sample();
  const read = await breakdown(m.prometheus, m.topology, window.startMs, window.endMs);
  const raw: CeilingRaw = {
    test,
    repeat,
    window: { startMs: window.startMs, endMs: window.endMs },
    calls: records.requests.filter((r) => r.phase === 'measured').map((r) => rawCall(r.startMs, r.latencyMs, !isFailure(r.status))),
    cpuByGroup: read.cpuByGroup,
    cores: await machineCores(m.prometheus, window.endMs),
  };
  const interference = summarise(m.interference.between(window.startMs, window.endMs), m.disturbance);
  const ok = raw.calls.filter((c) => c[2] === 1).length;
  m.log(
    `  ${String(ok)} of ${String(raw.calls.length)} calls succeeded in ${((window.endMs - window.startMs) / 1000).toFixed(1)} s` +
      `${ran.exitCode === 0 ? '' : ' (thresholds failed)'}; other ${interference.otherPct.avg.toFixed(1)} %${interference.disturbed ? ', DISTURBED' : ''}`,
  );
  return {
    raw,
    run: {
      test,
      repeat,
      raw: rawFileOf(test, repeat),
      window: { start: new Date(window.startMs).toISOString(), end: new Date(window.endMs).toISOString() },
      thresholdsPassed: ran.exitCode === 0,
      interference,
      stages: read.stages,
      blocks: read.blocks,
    },
  };
}
