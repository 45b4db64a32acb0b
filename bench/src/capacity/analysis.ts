import { CEILING_TEST_OF, CHAIN_SIDE_GROUPS, ceilingCost, ceilingRate, ceilingSource, SERVICE_SIDE_GROUPS, type ChosenCeiling } from '../ceiling/compare';
import type { CeilingTest } from '../ceiling/figures';
import { fractionOfCeiling } from '../ceiling/report';
import { orNoData } from '../report/format';
import type { CeilingRate, CeilingSource, CostPair, Machine } from '../report/schema';
import type { SweepPath, SweepScenario, SweepStep } from './sweep';
import { fitUsl, uslThroughput, type UslFit } from './usl';

/*
 * What the sweeps say: the knee of each open sweep (the highest offered rate served within the
 * latency objective, every request successful, none dropped), the USL fit of each closed sweep, and
 * which resource is nearest saturation at the heaviest step.
 */

export interface Objective {
  /** The p99 latency a step must stay under to count as served, in seconds. */
  readonly p99S: number;
}

export interface Knee {
  readonly scenario: SweepScenario;
  readonly objective: Objective;
  /** The highest offered rate (per second) that met the objective; null when none did. */
  readonly ratePerS: number | null;
  /** The throughput achieved at that rate. */
  readonly throughputPerS: number | null;
  /**
   * Whether a higher step failed the objective: the knee then lies between ratePerS and that step.
   * False when every step up to the sweep's highest met it: the knee is at least ratePerS, not found.
   */
  readonly reached: boolean;
  /** Why each higher step failed, e.g. "30/s: p99 4.1 s > 3 s; 12 dropped". */
  readonly beyond: readonly string[];
}

export interface ScalingFit {
  readonly scenario: SweepScenario;
  readonly fit: UslFit | null;
  /** Why there is no fit (too few levels, a level with no throughput). */
  readonly error: string | null;
  /** The fitted curve at each measured user count, beside the measurement. */
  readonly points: readonly { readonly users: number; readonly measured: number; readonly fitted: number | null }[];
}

export interface Saturation {
  readonly scenario: SweepScenario;
  /** The step with the highest machine CPU. */
  readonly step: { readonly model: SweepStep['model']; readonly load: number };
  readonly machineCpuPct: number;
  /** The groups by CPU at that step, largest first. */
  readonly shares: readonly { readonly group: 'chain' | 'service' | 'loadGenerator'; readonly cpuPct: number }[];
  readonly verdict: string;
}

function failures(step: SweepStep, objective: Objective): string[] {
  const why: string[] = [];
  if (step.latencyS.p99 > objective.p99S) why.push(`p99 ${step.latencyS.p99.toFixed(2)} s > ${objective.p99S} s`);
  if (step.successRatePct < 100) why.push(`${step.successRatePct.toFixed(2)} % successful`);
  if (step.droppedIterations > 0) why.push(`${step.droppedIterations} iterations dropped`);
  return why;
}

export function knee(steps: readonly SweepStep[], scenario: SweepScenario, objective: Objective): Knee {
  const open = steps.filter((s) => s.scenario === scenario && s.path === 'http' && s.model === 'open').sort((a, b) => a.load - b.load);
  let best: SweepStep | undefined;
  const beyond: string[] = [];
  for (const step of open) {
    const why = failures(step, objective);
    if (why.length === 0) best = step;
    else beyond.push(`${step.load}/s: ${why.join('; ')}`);
  }
  // Only failures above the knee explain it; one below it (a noisy step) is still listed.
  const top = best?.load;
  const reached = top !== undefined && open.some((s) => s.load > top && failures(s, objective).length > 0);
  return { scenario, objective, ratePerS: best?.load ?? null, throughputPerS: best?.throughputPerS ?? null, reached, beyond };
}

/** A knee as a person reads it: "10/s", "200/s or more (every step met the objective)", "none met it". */
export function kneeText(k: Pick<Knee, 'ratePerS' | 'reached'>): string {
  if (k.ratePerS === null) return 'none met it';
  return k.reached ? `${String(k.ratePerS)}/s` : `${String(k.ratePerS)}/s or more (the sweep's highest step met the objective: the knee was not reached)`;
}

export function scaling(steps: readonly SweepStep[], scenario: SweepScenario, path: SweepPath = 'http'): ScalingFit {
  const closed = steps.filter((s) => s.scenario === scenario && s.path === path && s.model === 'closed').sort((a, b) => a.load - b.load);
  const observations = closed.map((s) => ({ concurrency: s.load, throughput: s.throughputPerS }));
  try {
    const fit = fitUsl(observations);
    return { scenario, fit, error: null, points: closed.map((s) => ({ users: s.load, measured: s.throughputPerS, fitted: uslThroughput(fit, s.load) })) };
  } catch (error) {
    return { scenario, fit: null, error: error instanceof Error ? error.message : String(error), points: closed.map((s) => ({ users: s.load, measured: s.throughputPerS, fitted: null })) };
  }
}

export function saturation(steps: readonly SweepStep[], scenario: SweepScenario, cores: number): Saturation | null {
  const mine = steps.filter((s) => s.scenario === scenario && s.path === 'http');
  const heaviest = mine.reduce<SweepStep | undefined>((a, s) => (a === undefined || s.cpuPct.machine > a.cpuPct.machine ? s : a), undefined);
  if (!heaviest) return null;
  const shares = (['chain', 'service', 'loadGenerator'] as const).map((group) => ({ group, cpuPct: heaviest.cpuPct[group] })).sort((a, b) => b.cpuPct - a.cpuPct);
  const [first] = shares;
  const saturated = heaviest.cpuPct.machine >= 90;
  const verdict = saturated
    ? `the machine's CPU (${cores} cores) saturates first: ${heaviest.cpuPct.machine.toFixed(0)} % busy at ${heaviest.model === 'closed' ? `${heaviest.load} users` : `${heaviest.load}/s`}, ${first?.group ?? ''} the largest share (${first?.cpuPct.toFixed(0) ?? ''} %)`
    : `no resource saturated: the machine's CPU peaked at ${heaviest.cpuPct.machine.toFixed(0)} %, so the limit is latency (queueing in Fabric: batch timeout, endorsement, commit) rather than capacity`;
  return { scenario, step: { model: heaviest.model, load: heaviest.load }, machineCpuPct: heaviest.cpuPct.machine, shares, verdict };
}

/** A step's figures as the harness ceiling compares them. */
export interface PathFigures {
  readonly throughputPerS: number;
  readonly p50S: number;
  readonly p99S: number;
  readonly successRatePct: number;
  readonly cpuMsPerTx: SweepStep['cpuMsPerTx'];
  /** Requests the service tier answered during the step (SweepStep.serviceRequests). */
  readonly serviceRequests: number;
}

/** The same closed step over HTTP (the scripts' HTTP client, nginx, the service) and straight to the Fabric Gateway: what the service costs. */
export interface Ceiling {
  readonly scenario: SweepScenario;
  readonly users: number;
  readonly http: PathFigures;
  readonly gateway: PathFigures;
  /** Gateway throughput over HTTP throughput at the same users. */
  readonly throughputRatio: number;
  /** What HTTP adds to the median latency, seconds. */
  readonly addedP50S: number;
  /** CPU ms per transaction the HTTP path spends beyond the chain (service tier + load generator) minus the gateway path's load generator. */
  readonly serviceCpuMsPerTx: number | null;
  readonly verdict: string;
}

/** A gateway step the service answered requests in: not the gateway path's figures alone. */
export function leakedText(step: Pick<SweepStep, 'serviceRequests'> | PathFigures): string {
  return `the service answered ${String(step.serviceRequests)} requests during this gateway step (the previous step's, still in flight): its service CPU is theirs, not the gateway path's`;
}

const figures = (s: SweepStep): PathFigures => ({ throughputPerS: s.throughputPerS, p50S: s.latencyS.p50, p99S: s.latencyS.p99, successRatePct: s.successRatePct, cpuMsPerTx: s.cpuMsPerTx, serviceRequests: s.serviceRequests });

export function ceilings(steps: readonly SweepStep[], scenario: SweepScenario): Ceiling[] {
  const closed = (path: SweepPath) => steps.filter((s) => s.scenario === scenario && s.model === 'closed' && s.path === path);
  const http = closed('http');
  return closed('gateway').flatMap((g): Ceiling[] => {
    const h = http.find((s) => s.load === g.load);
    if (!h) return [];
    const throughputRatio = h.throughputPerS > 0 ? g.throughputPerS / h.throughputPerS : Number.NaN;
    const addedP50S = h.latencyS.p50 - g.latencyS.p50;
    // A path without a success has no CPU per transaction: what follows from it has no data either.
    const { service, loadGenerator } = h.cpuMsPerTx;
    const gatewayLoadGenerator = g.cpuMsPerTx.loadGenerator;
    const serviceCpuMsPerTx = service === null || loadGenerator === null || gatewayLoadGenerator === null ? null : service + loadGenerator - gatewayLoadGenerator;
    const chain = h.cpuMsPerTx.chain === null || g.cpuMsPerTx.chain === null ? null : (h.cpuMsPerTx.chain + g.cpuMsPerTx.chain) / 2;
    const ms = (v: number): string => v.toFixed(1);
    const verdict =
      `${g.load} users: ${g.throughputPerS.toFixed(1)}/s straight to the gateway, ${h.throughputPerS.toFixed(1)}/s through the service (×${throughputRatio.toFixed(2)}); ` +
      `HTTP adds ${(addedP50S * 1000).toFixed(0)} ms to the median and ${orNoData(serviceCpuMsPerTx, ms)} CPU ms per transaction beside the chain's ${orNoData(chain, ms)}` +
      (g.serviceRequests > 0 ? `; ${leakedText(g)}` : '');
    return [{ scenario, users: g.load, http: figures(h), gateway: figures(g), throughputRatio, addedP50S, serviceCpuMsPerTx, verdict }];
  });
}

/** One scenario's sweep beside the ceiling of its kind of transaction (bench ceiling): what Fabric alone allows here. */
export interface ScenarioAgainstCeiling {
  readonly scenario: SweepScenario;
  readonly ceilingTest: CeilingTest;
  /** The ceiling's transactions a second, median (min–max) over its repeats. */
  readonly ceilingPerS: CeilingRate | null;
  /** The HTTP step with the highest throughput, and its CPU per transaction beside the ceiling's; null without an HTTP step. */
  readonly peak: {
    readonly model: SweepStep['model'];
    readonly load: number;
    readonly throughputPerS: number;
    readonly fraction: number | null;
    /** The service tier and the load generator (at the ceiling: the load generator alone, straight to the gateway). */
    readonly serviceMsPerTx: CostPair;
    /** Peer, orderer, chaincode. */
    readonly chainMsPerTx: CostPair;
  } | null;
  /** The knee's throughput as a fraction of the ceiling; null when no step met the objective. */
  readonly knee: { readonly ratePerS: number; readonly reached: boolean; readonly throughputPerS: number; readonly fraction: number | null } | null;
}

export interface CapacityAgainstCeiling {
  /** The ceiling report compared with; null when none of this machine was found (then no scenario is compared). */
  readonly source: CeilingSource | null;
  readonly scenarios: readonly ScenarioAgainstCeiling[];
}

/**
 * Each scenario's peak and knee as fractions of the chosen ceiling (ceiling/compare.ts's choice and
 * figures, as the Table 4 report's), and the CPU per transaction at the peak beside the ceiling's.
 */
export function againstCeiling(steps: readonly SweepStep[], knees: readonly Knee[], chosen: ChosenCeiling | null, here: Pick<Machine, 'bootId'>, root?: string): CapacityAgainstCeiling {
  if (chosen === null) return { source: null, scenarios: [] };
  const { report } = chosen;
  const scenarios = [...new Set(steps.map((s) => s.scenario))].map((scenario): ScenarioAgainstCeiling => {
    const ceilingTest = CEILING_TEST_OF[scenario];
    const peakStep = steps.filter((s) => s.scenario === scenario && s.path === 'http').reduce<SweepStep | undefined>((a, s) => (a === undefined || s.throughputPerS > a.throughputPerS ? s : a), undefined);
    const k = knees.find((x) => x.scenario === scenario);
    const { chain, service, loadGenerator } = peakStep?.cpuMsPerTx ?? { chain: null, service: null, loadGenerator: null };
    return {
      scenario,
      ceilingTest,
      ceilingPerS: ceilingRate(report, ceilingTest),
      peak:
        peakStep === undefined
          ? null
          : {
              model: peakStep.model,
              load: peakStep.load,
              throughputPerS: peakStep.throughputPerS,
              fraction: fractionOfCeiling(report, ceilingTest, peakStep.throughputPerS),
              serviceMsPerTx: { test: service === null || loadGenerator === null ? null : service + loadGenerator, ceiling: ceilingCost(report, ceilingTest, SERVICE_SIDE_GROUPS) },
              chainMsPerTx: { test: chain, ceiling: ceilingCost(report, ceilingTest, CHAIN_SIDE_GROUPS) },
            },
      knee:
        k === undefined || k.ratePerS === null || k.throughputPerS === null
          ? null
          : { ratePerS: k.ratePerS, reached: k.reached, throughputPerS: k.throughputPerS, fraction: fractionOfCeiling(report, ceilingTest, k.throughputPerS) },
    };
  });
  return { source: ceilingSource(chosen, here, root), scenarios };
}
