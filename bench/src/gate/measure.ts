import { availableParallelism } from 'node:os';

import { describeBatchSettings, isRunning, ledgerHeight, peers, readBatchSettings, readRuntime, StateLayout, topologyHash, type Topology } from '@energysale/network';
import { TokenIssuer } from '@energysale/service';

import { startOwnServiceTier } from '../interrupt';
import { ProgressMetrics } from '../progress/metrics';
import { DEFAULT_DISTURBANCE, InterferenceSampler, ourRoots, summarise, type DisturbanceRule, type InterferenceSummary } from '../resources/interference';
import { ResourceSampler, stats } from '../resources/sampler';
import { required } from '../report/derive';
import { runningNetwork, testFigures } from '../table4/load';
import { runScriptTest, scriptEngine, table4Test, type ScriptTestContext, type ScriptTestRun } from '../script/benchmark';
import { prepare, type Fixture } from '../table4/prepare';
import { PROFILES, type Profile } from '../table4/profiles';
import { commit, machine } from '../table4/provenance';
import { MEASUREMENT_SCHEMA, type Measurement } from './baseline';
import { GATE_SCENARIOS, samplesOf, type FigureValues, type GateScenario } from './figures';

/*
 * The gate's measurement on the running network: the quick Table 4 scenarios (add order, order query:
 * bench/scenarios/table4-*.ts through nginx and the service), each run `repeats` times, interleaved so that a drift of the
 * machine touches both alike. Each repeat gives throughput, latency p50/p95/p99, success rate and the
 * chain's CPU per transaction (CPU time of every peer, orderer and chaincode process in the measured
 * window over its successful requests).
 */

export interface MeasureOptions {
  readonly repeats: number;
  /** Closed-loop users, measured window and warm-up of each repeat (default: the quick profile's). */
  readonly users?: number;
  readonly duration?: string;
  readonly warmup?: string;
  /** Service settings beyond the defaults, e.g. { INJECT_WRITE_DELAY_MS: '200' } (the injected regression). */
  readonly serviceSettings?: Readonly<Record<string, string>>;
  /** When a window counts as disturbed (default: other above 5 % of the machine in more than 10 % of its seconds). */
  readonly disturbance?: DisturbanceRule;
  /** How many times a disturbed window is run again before the gate gives up (default 2). */
  readonly disturbedRetries?: number;
  readonly log: (line: string) => void;
}

/** A window stayed disturbed through every retry: the gate does not judge such figures (exit 2). */
export class DisturbedMeasurementError extends Error {
  override readonly name = 'DisturbedMeasurementError';
}

/** The chain's CPU per successful request over a window, in CPU milliseconds. */
function cpuMsPerTx(sampler: ResourceSampler, from: number, to: number, successes: number): number | null {
  if (successes === 0) return null;
  const coreSeconds = (stats(sampler.points('chain', from, to).map((p) => p.cpuPercent)).avg / 100) * availableParallelism() * ((to - from) / 1000);
  return (coreSeconds * 1000) / successes;
}

/** A repeat's figures, derived from its records; one with no data stops the gate (NoDataError): there is nothing to judge. */
function figuresOf(test: ScriptTestRun, scenario: GateScenario, sampler: ResourceSampler): FigureValues {
  const { measured: p, window } = testFigures(test, scenario);
  const what = (figure: string): string => `${scenario}, ${figure}`;
  return {
    throughputTxPerMin: required(p.throughputTxPerMin, what('throughput')),
    latencyP50S: required(p.latencyS?.p50 ?? null, what('p50 latency')),
    latencyP95S: required(p.latencyS?.p95 ?? null, what('p95 latency')),
    latencyP99S: required(p.latencyS?.p99 ?? null, what('p99 latency')),
    successRatePct: required(p.successRatePct, what('success rate')),
    chainCpuMsPerTx: required(cpuMsPerTx(sampler, Date.parse(window.start), Date.parse(window.end), p.successes), what('chain CPU per transaction')),
  };
}

/** The interference of a measured window (none measured: judged not disturbed, with no sample). */
function interferenceOf(window: { start: string; end: string } | undefined, sampler: InterferenceSampler, rule: DisturbanceRule): InterferenceSummary {
  if (window === undefined) return summarise([], rule);
  return summarise(sampler.between(Date.parse(window.start), Date.parse(window.end)), rule);
}

/** The channel's height on the first peer of the model. */
async function firstPeerHeight(topology: Topology): Promise<number> {
  const [peer] = peers(topology);
  if (!peer) throw new Error('the model has no peer');
  const height = await ledgerHeight(peer, topology.channel.name);
  if (height === undefined) throw new Error(`${peer.id} reports no height of ${topology.channel.name}`);
  return height;
}

export async function measure(options: MeasureOptions): Promise<Measurement> {
  const { log } = options;
  const layout = new StateLayout();
  const network = await runningNetwork(layout);
  const profile: Profile = {
    ...PROFILES.quick,
    users: options.users ?? PROFILES.quick.users,
    duration: options.duration ?? PROFILES.quick.duration,
    warmup: options.warmup ?? PROFILES.quick.warmup,
  };
  const serviceSettings = options.serviceSettings ?? {};
  const recordedAt = new Date().toISOString();
  log(`starting the service tier${Object.keys(serviceSettings).length > 0 ? ` with ${JSON.stringify(serviceSettings)}` : ''}`);
  const tier = await startOwnServiceTier(layout, { withLb: true, logLevel: 'warn', settings: serviceSettings });
  const chain = (await network.supervisor.records()).filter((r) => ['peer', 'orderer', 'chaincode'].includes(r.kind) && isRunning(r));
  const sampler = new ResourceSampler([{ name: 'chain', pids: () => chain.map((r) => r.pid) }]);
  // Ours, by pid: the state's processes and this process's tree; everything else is someone else's.
  const interference = new InterferenceSampler(ourRoots(layout));
  const rule = options.disturbance ?? DEFAULT_DISTURBANCE;
  const retries = options.disturbedRetries ?? 2;
  const tokens = new TokenIssuer(layout);
  const load: ScriptTestContext = { log, metrics: new ProgressMetrics(), network: { topology: network.topology, layout, tokens, baseUrl: tier.url } };
  try {
    const fixture = await prepare(network.topology, layout, tokens, tier.url, { users: profile.users, preloadOrdersPerUser: profile.preloadOrdersPerUser, log });
    const batch = describeBatchSettings(await readBatchSettings(await network.context()));
    const repeats: Record<GateScenario, FigureValues[]> = { add_order: [], order_query: [] };
    const heightAtStart = await firstPeerHeight(network.topology);
    sampler.start();
    interference.start();
    for (let r = 0; r < options.repeats; r++) {

      for (const scenario of GATE_SCENARIOS) {
        log(`repeat ${r + 1}/${options.repeats}: ${scenario}, ${profile.users} users, ${profile.warmup} warm-up, ${profile.duration} measured`);
        // Each attempt writes orders of its own (ids from its run id): a repeated window declares new orders.
        const attempt = (n: number): Promise<ScriptTestRun> => {
          const own: Fixture = { ...fixture, runId: `${fixture.runId}-g${r}${n > 0 ? `a${n}` : ''}` };
          return runScriptTest(table4Test(scenario, profile, own), load);
        };
        let test = await attempt(0);
        // A window measured beside someone else's load is run again (at most `retries` times), never judged.
        for (let retry = 0; ; retry++) {
          interference.sample();
          const window = interferenceOf(testFigures(test, scenario).window, interference, rule);
          if (!window.disturbed) break;
          const why = `other ${window.otherPct.avg.toFixed(1)} % on average, above ${String(rule.otherPct)} % in ${window.aboveSharePct.toFixed(0)} % of the seconds; ${window.foreign.map((f) => `${f.name} (pid ${f.pid}) ${f.cpuPct.toFixed(1)} %`).join(', ') || 'no single process'}`;
          if (retry >= retries) throw new DisturbedMeasurementError(`repeat ${r + 1} of ${scenario} was disturbed ${retry + 1} times in a row (${why}): the gate judges no figure measured beside someone else's load; run it on a quiet machine`);
          log(`  DISTURBED (${why}): run again (${retry + 1} of at most ${retries})`);
          test = await attempt(retry + 1);
        }
        await sampler.settled();
        const figures = figuresOf(test, scenario, sampler);
        log(`  ${figures.throughputTxPerMin.toFixed(1)} tx/min, p50 ${figures.latencyP50S.toFixed(3)} s, p99 ${figures.latencyP99S.toFixed(3)} s, ${figures.successRatePct.toFixed(2)} % ok, ${figures.chainCpuMsPerTx.toFixed(1)} CPU ms/tx`);
        repeats[scenario].push(figures);
      }
    }
    sampler.stop();
    interference.stop();
    await sampler.settled();
    return {
      schema: MEASUREMENT_SCHEMA,
      recordedAt,
      commit: commit(),
      machine: machine(),
      runtime: (await readRuntime(layout)).kind,
      ledger: { heightAtStart, heightAtEnd: await firstPeerHeight(network.topology) },
      config: { users: profile.users, duration: profile.duration, warmup: profile.warmup, repeats: options.repeats, batch, topology: topologyHash(network.topology), serviceSettings: { ...serviceSettings }, engine: scriptEngine() },
      scenarios: { add_order: samplesOf(repeats.add_order), order_query: samplesOf(repeats.order_query) } as Measurement['scenarios'],
    };
  } finally {
    sampler.stop();
    interference.stop();
    // The tier goes: an injected regression must not outlive its run.
    await tier.stop();
  }
}
