import { availableParallelism } from 'node:os';

import { isRunning, StateLayout } from '@energysale/network';
import { TokenIssuer } from '@energysale/service';

import { startOwnServiceTier } from '../interrupt';
import { ProgressMetrics } from '../progress/metrics';
import { InterferenceSampler, ourRoots, readProcessCpu, summarise, treeWithout, type InterferenceSummary } from '../resources/interference';
import { MachineSource, ResourceSampler, stats } from '../resources/sampler';
import { answeredRequests } from '../resources/served';
import { leakedText } from './analysis';
import { NoDataError, required } from '../report/derive';
import { runScriptTest, table4Test, type ScriptTestContext } from '../script/benchmark';
import { runningNetwork, testFigures } from '../table4/load';
import { prepare, type Fixture } from '../table4/prepare';

/*
 * The capacity sweeps on the running network, through nginx and the service: Table 4's scripts
 * (bench/scenarios/table4-*.ts) with the step's load in their environment,
 *  - closed model: a constant number of users, each sending its next request when the last is
 *    answered, stepped 1, 2, 4, ... (the Universal Scalability Law is fitted to these);
 *  - open model: a constant arrival rate, stepped, whatever the answers: latency then includes the
 *    queueing a closed loop hides (coordinated omission), and iterations the engine could not start
 *    in time are counted as dropped, never left out.
 * Each step reports throughput, latency percentiles, success, dropped iterations, and the CPU of
 * the machine, the chain (peers, orderers, chaincode), the service tier and the load generator.
 *
 * The harness ceiling: closed steps repeated with the scripts' VIA=gateway, the same chaincode calls
 * made straight from this process with the service's own Fabric client, no HTTP, nginx or service
 * in the way; the difference from the same step over HTTP is what the service costs.
 */

export const SWEEP_SCENARIOS = ['add_order', 'order_query'] as const;
export type SweepScenario = (typeof SWEEP_SCENARIOS)[number];

/** How a step's requests reached Fabric: HTTP through nginx and the service, or the Fabric Gateway from this process. */
export type SweepPath = 'http' | 'gateway';

export interface SweepStep {
  readonly scenario: SweepScenario;
  readonly path: SweepPath;
  readonly model: 'closed' | 'open';
  /** Users (closed) or the offered arrival rate per second (open). */
  readonly load: number;
  readonly requests: number;
  readonly successes: number;
  readonly successRatePct: number;
  /** Successful requests per second over the measured window. */
  readonly throughputPerS: number;
  readonly latencyS: { readonly avg: number; readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  /** Open model: iterations due in the window and those the engine could not start; 0 and null for closed. */
  readonly expectedIterations: number | null;
  readonly droppedIterations: number;
  /** Average CPU over the window, % of the whole machine. */
  readonly cpuPct: { readonly machine: number; readonly chain: number; readonly service: number; readonly loadGenerator: number };
  /** CPU milliseconds per successful request: the chain's, the service tier's, the load generator's. */
  /** CPU ms per successful transaction; null ("no data") when the step had no success to share it by. */
  readonly cpuMsPerTx: { readonly chain: number | null; readonly service: number | null; readonly loadGenerator: number | null };
  /**
   * Requests the service tier answered from the step's start to its end (warm-up included), /metrics
   * and /health aside, from its own counters: an HTTP step's own; none in a gateway step, unless the
   * previous step's requests ran into it (then its service CPU is theirs).
   */
  readonly serviceRequests: number;
  /** Someone else's CPU during the measured window (disturbed: its figures are not this system's alone). */
  readonly interference: InterferenceSummary;
  readonly window: { readonly start: string; readonly end: string; readonly durationS: number };
}

export interface SweepPlan {
  /** Closed-model user counts, ascending. */
  readonly users: readonly number[];
  /** Open-model arrival rates per second, ascending, per scenario. */
  readonly rates: Readonly<Record<SweepScenario, readonly number[]>>;
  /** Measured window and warm-up of every step. */
  readonly duration: string;
  readonly warmup: string;
  /** Preloaded orders per user for the query steps. */
  readonly preloadOrdersPerUser: number;
  /** Closed-model user counts (among `users`) repeated through the Fabric Gateway engine: the harness ceiling. */
  readonly gatewayUsers: readonly number[];
}

/** The open model's bound on requests in flight: enough for every arrival to wait up to 10 s, at most 1,000. */
export function maxInFlight(ratePerS: number, identities: number): number {
  return Math.min(1000, Math.max(identities, Math.ceil(ratePerS * 10)));
}

export interface SweepRun {
  readonly steps: readonly SweepStep[];
  readonly users: number;
}

/** Runs the closed then the open sweep of each scenario, in one service-tier session, and returns every step. */
export async function runSweeps(plan: SweepPlan, log: (line: string) => void, layout: StateLayout = new StateLayout()): Promise<SweepRun> {
  const network = await runningNetwork(layout);
  const tier = await startOwnServiceTier(layout, { withLb: true, logLevel: 'warn' });
  const records = (await network.supervisor.records()).filter(isRunning);
  const pidsOf = (kinds: readonly string[]): number[] => records.filter((r) => kinds.includes(r.kind)).map((r) => r.pid);
  const sampler = new ResourceSampler([
    new MachineSource(),
    { name: 'chain', pids: () => pidsOf(['peer', 'orderer', 'chaincode']) },
    { name: 'service', pids: () => pidsOf(['service', 'lb']) },
    // This process and its tree (the scripts' HTTP client, or the Fabric client of the gateway
    // steps), without the network's nodes when this process started them (bench growth).
    { name: 'loadGenerator', pids: () => [...treeWithout(process.pid, records.map((r) => r.pid), readProcessCpu())] },
  ]);
  const interference = new InterferenceSampler(ourRoots(layout));
  const tokens = new TokenIssuer(layout);
  const context: ScriptTestContext = { log, metrics: new ProgressMetrics(), network: { topology: network.topology, layout, tokens, baseUrl: tier.url } };
  try {
    // Enough identities for the largest closed step; the open steps spread their arrivals over them.
    const identities = Math.max(...plan.users, 1);
    const fixture = await prepare(network.topology, layout, tokens, tier.url, { users: identities, preloadOrdersPerUser: plan.preloadOrdersPerUser, log });
    sampler.start();
    interference.start();
    const steps: SweepStep[] = [];
    let n = 0;
    const step = async (scenario: SweepScenario, path: SweepPath, model: SweepStep['model'], value: number): Promise<void> => {
      const own: Fixture = { ...fixture, runId: `${fixture.runId}-s${n++}` };
      // Closed: `value` users; open: `value` arrivals a second over every identity, at most maxInFlight in flight.
      const users = model === 'closed' ? value : identities;
      const env = { ...(model === 'open' && { RATE: String(value), MAX_VUS: String(maxInFlight(value, identities)) }), ...(path === 'gateway' && { VIA: 'gateway' }) };
      log(`${scenario} (${path}), ${model} model, ${model === 'closed' ? `${value} users` : `${value}/s offered`}: ${plan.warmup} warm-up, ${plan.duration} measured`);
      const answeredBefore = await answeredRequests(tier.instances);
      const test = await runScriptTest(table4Test(scenario, { users, duration: plan.duration, warmup: plan.warmup }, own, env), context);
      await sampler.settled();
      const serviceRequests = (await answeredRequests(tier.instances)) - answeredBefore;
      const { measured: p, window } = testFigures(test, scenario);
      const dropped = test.records[0]?.droppedIterations.measured ?? 0;
      const what = (figure: string): string => `${scenario} (${path}) at ${value}${model === 'closed' ? ' users' : '/s'}, ${figure}`;
      const from = Date.parse(window.start);
      const to = Date.parse(window.end);
      const cpu = (group: string): number => stats(sampler.points(group, from, to).map((point) => point.cpuPercent)).avg;
      const perTx = (group: string): number | null => (p.successes > 0 ? ((cpu(group) / 100) * availableParallelism() * (to - from)) / p.successes : null);
      const result: SweepStep = {
        scenario,
        path,
        model,
        load: value,
        requests: p.requests,
        successes: p.successes,
        successRatePct: required(p.successRatePct, what('success rate')),
        throughputPerS: required(p.throughputTxPerMin, what('throughput')) / 60,
        latencyS: p.latencyS ?? notDerived(what('latency')),
        // Due in the window: those that ran (the measured scenario's gracefulStop outlasts the request timeout: none is interrupted) and the dropped.
        expectedIterations: model === 'open' ? (test.iterations[scenario] ?? 0) + dropped : null,
        droppedIterations: dropped,
        cpuPct: { machine: cpu('machine'), chain: cpu('chain'), service: cpu('service'), loadGenerator: cpu('loadGenerator') },
        cpuMsPerTx: { chain: perTx('chain'), service: perTx('service'), loadGenerator: perTx('loadGenerator') },
        serviceRequests,
        interference: summarise(interference.between(from, to)),
        window,
      };
      log(
        `  ${result.throughputPerS.toFixed(1)}/s, p99 ${result.latencyS.p99.toFixed(3)} s, ${result.successRatePct.toFixed(2)} % ok, ${result.droppedIterations} dropped, ` +
          `machine CPU ${result.cpuPct.machine.toFixed(0)} % (chain ${result.cpuPct.chain.toFixed(0)}, service ${result.cpuPct.service.toFixed(0)}, load generator ${result.cpuPct.loadGenerator.toFixed(0)}), ` +
          `other ${result.interference.otherPct.avg.toFixed(1)} %${result.interference.disturbed ? ' DISTURBED' : ''}`,
      );
      if (path === 'gateway' && serviceRequests > 0) log(`  ${leakedText(result)}`);
      steps.push(result);
    };
    for (const scenario of SWEEP_SCENARIOS) {
      for (const users of plan.users) await step(scenario, 'http', 'closed', users);
      for (const users of plan.gatewayUsers) await step(scenario, 'gateway', 'closed', users);
      for (const rate of plan.rates[scenario]) await step(scenario, 'http', 'open', rate);
    }
    sampler.stop();
    await sampler.settled();
    return { steps, users: identities };
  } finally {
    sampler.stop();
    interference.stop();
    await tier.stop();
  }
}

function notDerived(what: string): never {
  throw new NoDataError(`${what}: no data`);
}
