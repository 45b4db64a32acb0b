import { availableParallelism } from 'node:os';
import { join } from 'node:path';

import { orderers, peers, readRuntime, StateLayout, stateTopology } from '@energysale/network';

import { commit, machine, topologySummary } from '../table4/provenance';
import { againstCeiling, ceilings, knee, saturation, scaling, type Objective } from './analysis';
import { ceilingChoiceText, chooseCeiling } from '../ceiling/compare';
import { required } from '../report/derive';
import { defaultInputs, project, type MeasuredCapacity, type ProvinceInputs } from './projection';
import { CAPACITY_SCHEMA, writeCapacityReport, type CapacityReport } from './report';
import { runSweeps, SWEEP_SCENARIOS, type SweepPlan, type SweepScenario, type SweepStep } from './sweep';
import { scriptEngine } from '../script/benchmark';

/*
 * `bench capacity`: the sweeps, their analysis and the provincial projection, written as a capacity
 * report under reports/<time>_capacity-<plan>_<sha>/.
 */

export const CAPACITY_PLANS: Readonly<Record<'full' | 'quick', SweepPlan>> = {
  full: {
    users: [1, 2, 4, 8, 16, 32, 64],
    rates: { add_order: [5, 10, 15, 20, 25, 30], order_query: [50, 100, 150, 200, 250, 300] },
    duration: '20s',
    warmup: '5s',
    preloadOrdersPerUser: 1,
    gatewayUsers: [4, 16, 64],
  },
  quick: {
    users: [1, 2, 4, 8],
    rates: { add_order: [5, 10, 20], order_query: [50, 100, 200] },
    duration: '5s',
    warmup: '2s',
    preloadOrdersPerUser: 1,
    gatewayUsers: [8],
  },
};

/** Latency objectives of the knees: a write answered within 3 s at p99 (the paper's average was 6.1 s), a read within 0.5 s. */
export const OBJECTIVES: Readonly<Record<SweepScenario, Objective>> = { add_order: { p99S: 3 }, order_query: { p99S: 0.5 } };

/** The cost of one transaction at the knee (the open step there), or at the lightest step when no step met the objective. */
function costAt(steps: readonly SweepStep[], scenario: SweepScenario, kneeRate: number | null): SweepStep | undefined {
  const mine = steps.filter((s) => s.scenario === scenario);
  return mine.find((s) => s.model === 'open' && s.load === kneeRate) ?? mine.find((s) => s.model === 'closed' && s.path === 'http');
}

export interface CapacityOptions {
  readonly inputs?: ProvinceInputs;
  /** The network's state (ENERGYSALE_STATE's by default). */
  readonly layout?: StateLayout;
  /** Another plan than the named one's (the growth test's small one). */
  readonly plan?: SweepPlan;
}

export async function runCapacity(planName: string, log: (line: string) => void, reportsDir: string, options: CapacityOptions = {}): Promise<{ dir: string; report: CapacityReport }> {
  const plan = options.plan ?? CAPACITY_PLANS[planName as keyof typeof CAPACITY_PLANS];
  const layout = options.layout ?? new StateLayout();
  const { size, topology } = stateTopology(layout);
  const startedAt = new Date().toISOString();
  const { steps } = await runSweeps(plan, log, layout);
  const knees = SWEEP_SCENARIOS.map((s) => knee(steps, s, OBJECTIVES[s]));
  const [writeKnee, readKnee] = knees;
  const write = costAt(steps, 'add_order', writeKnee?.ratePerS ?? null);
  const read = costAt(steps, 'order_query', readKnee?.ratePerS ?? null);
  const measured: MeasuredCapacity = {
    writeKneePerS: writeKnee?.ratePerS ?? null,
    readKneePerS: readKnee?.ratePerS ?? null,
    writeKneeReached: writeKnee?.reached ?? false,
    readKneeReached: readKnee?.reached ?? false,
    // A projection needs both costs: a sweep with no step of a scenario stops here (NoDataError), never projects from 0.
    chainCpuMsPerWrite: required(write?.cpuMsPerTx.chain ?? null, 'capacity: chain CPU per write'),
    chainCpuMsPerRead: required(read?.cpuMsPerTx.chain ?? null, 'capacity: chain CPU per read'),
    serviceCpuMsPerWrite: required(write?.cpuMsPerTx.service ?? null, 'capacity: service CPU per write'),
    serviceCpuMsPerRead: required(read?.cpuMsPerTx.service ?? null, 'capacity: service CPU per read'),
    cores: availableParallelism(),
    peers: peers(topology).length,
  };
  const sha = commit();
  const here = machine();
  // The peak and knee beside the ceiling of this machine (bench ceiling), when one was measured.
  const fabricCeiling = againstCeiling(steps, knees, await chooseCeiling(reportsDir, here), here);
  log(ceilingChoiceText(fabricCeiling.source, here));
  const report: CapacityReport = {
    schema: CAPACITY_SCHEMA,
    meta: {
      title: `Capacity sweep (${planName} plan) and provincial projection`,
      startedAt,
      endedAt: new Date().toISOString(),
      commit: sha,
      machine: here,
      runtime: (await readRuntime(layout)).kind,
      topology: topologySummary(topology, size),
      plan,
      objectives: OBJECTIVES,
    },
    steps,
    knees,
    scaling: SWEEP_SCENARIOS.map((s) => scaling(steps, s)),
    saturation: SWEEP_SCENARIOS.flatMap((s) => saturation(steps, s, availableParallelism()) ?? []),
    ceilings: SWEEP_SCENARIOS.flatMap((s) => ceilings(steps, s)),
    fabricCeiling,
    projection: project(options.inputs ?? defaultInputs(), measured),
    notes: [
      `Load: bench/scenarios/table4-add-order.ts and table4-order-query.ts on the script runner (${scriptEngine()}, in this process) through nginx and two retail service instances to the Fabric Gateway, all on this one machine (the load generator competes for the same CPU; its share is shown).`,
      'Open model: iterations are scheduled at the offered rate whatever the answers, so latency includes queueing (no coordinated omission); an iteration the engine could not start within its bound of requests in flight is counted as dropped.',
      'Closed model: each user sends its next request when the last is answered; the USL is fitted to these throughputs by least squares.',
      'CPU: the machine from /proc/stat; the chain (every peer, orderer and chaincode process), the service tier and the load generator (this process: the scripts\' HTTP client, or the Fabric client of the gateway steps) from /proc, as % of the whole machine.',
      'Harness ceiling: the gateway steps make the same chaincode calls straight from this process with the service\'s own Fabric client (no HTTP, nginx or service); the difference from the same step over HTTP is what the service costs. tape, the external Fabric load generator, is not served by the Go module proxy here; Caliper, the other external one, measures this network in `bench table4 --engine caliper`.',
      "A closed write step's users wait for the same block (the batch timeout), so its completions come in bursts: a window of a few seconds holds only a few, and its throughput is quantised; compare writes on the full plan's 20 s windows.",
      `Topology: ${size} (${peers(topology).length} peers, ${topology.peerOrgs.length} orgs, ${orderers(topology).length} orderers); \`bench growth\` compares the sizes.`,
    ],
  };
  const now = startedAt;
  const dir = join(reportsDir, `${now.slice(0, 13)}${now.slice(14, 16)}_capacity-${planName}-${size}_${sha.sha.slice(0, 7)}${sha.dirty ? '-dirty' : ''}`);
  await writeCapacityReport(dir, report);
  return { dir, report };
}
