/**
 * A realistic report for the tests: a paper-profile run (30 users, 10 min, 30 s warm-up) of both
 * tests on both engines plus a no-op baseline, with per-second series drawn from a seeded generator
 * so every call returns the same data.
 */
import { completeReport, type ReportInput } from '../analyse';
import type { Engine, LatencyStats, LoadSample, Machine, PhaseFigures, ReportData, ResourceSample, ScenarioResult, Spread, Usage } from '../schema';
import { deriveTuningSteps, type MeasuredStep } from '../../table4/tuning';
import { scenarioInterference } from '../../resources/interference';

/** Park–Miller: small, seeded, the same on every machine. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));

function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const avg = values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
  return { avg: round(avg, 3), p95: sorted[Math.ceil(sorted.length * 0.95) - 1] ?? 0, max: sorted[sorted.length - 1] ?? 0 };
}

interface RunShape {
  scenario: string;
  engine: Engine;
  writesPerRequest: number;
  /** Mean response time, seconds. */
  latency: number;
  /** Share of requests that fail. */
  failureRate: number;
  /** Chain CPU and memory, % of machine, around which samples vary. */
  chainCpu: number;
  chainMem: number;
  start: string;
  seed: number;
}

const USERS = 30;
const DURATION_S = 600;
const WARM_UP_S = 30;

function usage(samples: readonly ResourceSample[], pick: (r: ResourceSample) => { cpuPct: number; memPct: number } | null): Usage | null {
  const picked = samples.flatMap((r) => {
    const u = pick(r);
    return u === null ? [] : [u];
  });
  if (picked.length === 0) return null;
  return { cpuPct: spread(picked.map((u) => u.cpuPct)), memPct: spread(picked.map((u) => u.memPct)) };
}

/** A phase with data: every figure present. */
type MeasuredPhase = PhaseFigures & { throughputTxPerMin: number; latencyS: LatencyStats };

function phase(samples: readonly LoadSample[], durationS: number, latency: number): MeasuredPhase {
  const successes = samples.reduce((n, s) => n + s.ok, 0);
  const failures = samples.reduce((n, s) => n + s.errors, 0);
  const requests = successes + failures;
  const p50s = samples.flatMap((s) => (s.latencyS === null ? [] : [s.latencyS.p50]));
  const p99s = samples.flatMap((s) => (s.latencyS === null ? [] : [s.latencyS.p99]));
  const p50 = spread(p50s).avg;
  const p99 = spread(p99s).p95;
  return {
    requests,
    successes,
    failures,
    droppedIterations: 0,
    successRatePct: requests === 0 ? null : (successes * 100) / requests,
    throughputTxPerMin: (successes / durationS) * 60,
    latencyS: { avg: latency, p50, p95: round(p50 * 1.9, 4), p99, max: round(p99 * 1.6, 4) },
  };
}

function run(shape: RunShape): ScenarioResult {
  const next = random(shape.seed);
  const perSecond = USERS / shape.latency;
  const timeSeries: LoadSample[] = [];
  const resourceSeries: ResourceSample[] = [];
  for (let t = -WARM_UP_S; t < DURATION_S; t++) {
    // The first seconds of the warm-up fill the pipeline: fewer completions, slower ones.
    const ramp = Math.min(1, (t + WARM_UP_S + 1) / 8);
    const completed = Math.round(perSecond * ramp * (0.85 + 0.3 * next()));
    const errors = next() < completed * shape.failureRate ? 1 : 0;
    const p50 = round(shape.latency * (0.85 + 0.2 * next()) * (2 - ramp), 4);
    timeSeries.push({
      t,
      ok: completed - errors,
      errors,
      latencyS: completed === 0 ? null : { p50, p95: round(p50 * (1.7 + 0.4 * next()), 4), p99: round(p50 * (2.4 + 0.8 * next()), 4) },
    });
    resourceSeries.push({
      t,
      chain: { cpuPct: round(shape.chainCpu * ramp * (0.8 + 0.4 * next()), 2), memPct: round(shape.chainMem + t / 400 + next(), 2) },
      service: shape.engine === 'http' ? { cpuPct: round(3 + 2 * next(), 2), memPct: round(2.1 + 0.2 * next(), 2) } : null,
      loadGenerator: { cpuPct: round(1 + next(), 2), memPct: round(0.6 + 0.1 * next(), 2) },
      // No draw from the random stream: the other figures stay as they were before this field.
      machine: { cpuPct: round(Math.min(100, shape.chainCpu * ramp + 12), 2), memPct: round(shape.chainMem + 6 + t / 400, 2) },
    });
  }
  const measuredSamples = timeSeries.filter((s) => s.t >= 0);
  const measuredResources = resourceSeries.filter((r) => r.t >= 0);
  const windowStart = Date.parse(shape.start) + WARM_UP_S * 1000;
  const measured = phase(measuredSamples, DURATION_S, shape.latency);
  return {
    scenario: shape.scenario,
    engine: shape.engine,
    executor: 'closed',
    users: USERS,
    writesPerRequest: shape.writesPerRequest,
    window: { start: new Date(windowStart).toISOString(), end: new Date(windowStart + DURATION_S * 1000).toISOString(), durationS: DURATION_S },
    measured,
    warmUp: phase(
      timeSeries.filter((s) => s.t < 0),
      WARM_UP_S,
      shape.latency * 1.3,
    ),
    chain:
      shape.writesPerRequest === 0
        ? null
        : {
            validTx: measured.successes * shape.writesPerRequest + 11,
            invalidTx: 3,
            byValidation: { VALID: measured.successes * shape.writesPerRequest + 11, MVCC_READ_CONFLICT: 3 },
            source: 'block scan of channel energysale, blocks of the measured window',
          },
    // Caliper's own figures, rounded as its report rounds them; the HTTP engine reports none.
    engineReported:
      shape.engine === 'caliper'
        ? { source: 'Caliper 0.6.0, report.html', successes: measured.successes, failures: measured.failures, throughputTxPerMin: Math.round(measured.throughputTxPerMin / 60) * 60, avgLatencyS: round(measured.latencyS.avg, 2) }
        : null,
    timeSeries,
    interference: null,
    resources: {
      chain: usage(measuredResources, (r) => r.chain) ?? { cpuPct: { avg: 0, p95: 0, max: 0 }, memPct: { avg: 0, p95: 0, max: 0 } },
      service: usage(measuredResources, (r) => r.service),
      loadGenerator: usage(measuredResources, (r) => r.loadGenerator),
      machine: usage(measuredResources, (r) => r.machine),
      source: 'Prometheus (own process exporter, node-exporter), 1 s scrape',
    },
    resourceSeries,
    breakdown: {
      stages: [
        { stage: 'write: endorse', component: 'service', avgS: round(shape.latency * 0.2, 4), count: measured.successes * shape.writesPerRequest, per: 'write', metric: 'retail_fabric_write_phase_seconds{phase="endorse"}' },
        { stage: 'validate a block', component: 'peer', avgS: 0.05, count: 120, per: 'block', metric: 'gossip_privdata_validation_duration' },
      ],
      cpuByGroup: [
        { group: 'peer', cpuPct: round(shape.chainCpu * 0.6, 2) },
        { group: 'orderer', cpuPct: round(shape.chainCpu * 0.2, 2) },
      ],
      blocks: shape.writesPerRequest > 0 ? { committed: 120, txPerBlock: 9.5 } : null,
      profiles: [
        {
          node: 'a-consumer-peer',
          seconds: 20,
          cpuCores: 0.33,
          activities: [
            { activity: 'endorsement: ProcessProposal (checks, simulation with the chaincode, signing)', cumPct: 43.7 },
            { activity: 'signature verification (ECDSA verify, all callers)', cumPct: 26.9 },
          ],
          topFunctions: [{ fn: 'p256MulInternal', flatPct: 7.65, cumPct: 7.65 }],
          file: 'pprof/a-consumer-peer.pb.gz',
        },
      ],
    },
  };
}

/** The fixture machine's cores. */
const MACHINE_CORES = 16;

/** A step of the tuning ladder as measured: three repeats (values in repeat order), each with the CPU of the chain and the service. */
function tuningStep(step: string, maxMessageCount: number, tx: number[], avg: number[], p99: number[], buildsOn: number | null): MeasuredStep {
  return {
    step,
    buildsOn,
    settings: `batch timeout 2s, max message count ${maxMessageCount}, absolute max bytes 99 MB, preferred max bytes 512 KB; private data requiredPeerCount 1, maxPeerCount 3; peers as generated (Fabric's defaults)`,
    notAdopted: null,
    scenario: 'add_order',
    repeatFigures: tx.map((throughputTxPerMin, r) => ({
      // Each step's repeats back to back, in ladder order (the step after the one it builds on).
      window: { startMs: 1_764_000_000_000 + ((buildsOn ?? -1) + 1) * 90_000 + r * 30_000, endMs: 1_764_000_020_000 + ((buildsOn ?? -1) + 1) * 90_000 + r * 30_000 },
      throughputTxPerMin,
      latencyAvgS: avg[r] ?? 0,
      latencyP99S: p99[r] ?? 0,
      successRatePct: 100,
      cpuByGroup: [
        { group: 'peer', cpuPct: 52 + r },
        { group: 'service', cpuPct: 12 },
      ],
      interference: { otherPctAvg: 1, disturbed: false },
    })),
  };
}

/**
 * What else used the machine in a run's window: 1 % of noise, and with `burnerFrom` a foreign
 * process (a CPU burner) taking 25 % of the machine from that second on.
 */
function withInterference(s: ScenarioResult, burnerFrom?: number): ScenarioResult {
  const points = s.timeSeries.filter((p) => p.t >= 0).map((p) => {
    const burning = burnerFrom !== undefined && p.t >= burnerFrom;
    return { t: Date.parse(s.window.start) + p.t * 1000, machinePct: 95, oursPct: burning ? 64 : 89, kernelPct: 5, otherPct: burning ? 26 : 1, stealPct: 0, foreign: new Map(burning ? [[4242, { name: 'burner', cpuPct: 25 }]] : []) };
  });
  return { ...s, interference: scenarioInterference(points, Date.parse(s.window.start)) };
}

export function fixtureInput(): ReportInput {
  const scenarios = [
    run({ scenario: 'noop', engine: 'http', writesPerRequest: 0, latency: 0.004, failureRate: 0, chainCpu: 0.4, chainMem: 9.8, start: '2025-03-04T09:00:00.000Z', seed: 7 }),
    withInterference(run({ scenario: 'add_order', engine: 'http', writesPerRequest: 1, latency: 2.31, failureRate: 0.002, chainCpu: 21.5, chainMem: 10.2, start: '2025-03-04T09:11:00.000Z', seed: 11 })),
    run({ scenario: 'order_query', engine: 'http', writesPerRequest: 0, latency: 0.021, failureRate: 0, chainCpu: 34.2, chainMem: 10.9, start: '2025-03-04T09:22:00.000Z', seed: 13 }),
    // Someone else's CPU burner started 8 minutes into this window: the run is disturbed.
    withInterference(run({ scenario: 'add_order', engine: 'caliper', writesPerRequest: 1, latency: 2.05, failureRate: 0, chainCpu: 23.1, chainMem: 11.1, start: '2025-03-04T09:33:00.000Z', seed: 17 }), 480),
    run({ scenario: 'order_query', engine: 'caliper', writesPerRequest: 0, latency: 0.012, failureRate: 0, chainCpu: 41.0, chainMem: 11.4, start: '2025-03-04T09:44:00.000Z', seed: 19 }),
  ];
  return {
    meta: {
      title: 'Table 4 reproduction, paper profile',
      name: 'table4',
      profile: 'paper',
      startedAt: '2025-03-04T09:00:00.000Z',
      endedAt: '2025-03-04T09:54:30.000Z',
      commit: { sha: 'd72ad59c0b7e4f3a9e21c5b8a6f0d3e4b1c2a7f9', dirty: false },
    },
    machine: { cores: MACHINE_CORES, memoryGiB: 62.7, cpuModel: 'AMD EPYC 7B13', os: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-31-cloud-amd64', node: 'v20.20.2' },
    versions: { fabric: '2.5.12', fabricCa: '1.5.15', vegeta: '12.12.0', caliper: '0.6.0' },
    config: {
      topology: { orgs: ['ExchangeOrg', 'ConsumerOrg', 'RetailerOrg'], peers: 7, orderers: 3, ledgerDatabases: 7, hosts: 4, channel: 'energysale', consensus: 'etcdraft' },
      batchTimeoutS: 2,
      batchSize: { maxMessageCount: 10, absoluteMaxBytes: 103809024, preferredMaxBytes: 524288 },
      users: USERS,
      durationS: DURATION_S,
      warmUpS: WARM_UP_S,
    },
    scenarios,
    thresholds: [
      { scenario: 'add_order', engine: 'http', metric: 'successRatePct', op: '>=', limit: 99.9 },
      { scenario: 'add_order', engine: 'http', metric: 'latencyP95S', op: '<', limit: 6.108 },
      { scenario: 'add_order', engine: 'http', metric: 'throughputTxPerMin', op: '>=', limit: 216.12 },
      { scenario: 'order_query', engine: 'http', metric: 'latencyAvgS', op: '<=', limit: 0.044 },
      { scenario: 'order_query', engine: 'caliper', metric: 'failures', op: '<=', limit: 0 },
    ],
    tuning: deriveTuningSteps(
      [
        tuningStep("Fabric's defaults (the model)", 10, [1100, 1080, 1130], [1.62, 1.66, 1.58], [2.8, 2.9, 2.7], null),
        tuningStep('max message count 10 → 30', 30, [1290, 1320, 1350], [1.36, 1.33, 1.39], [2.1, 2.0, 2.3], 0),
      ],
      MACHINE_CORES,
    ),
    notes: ['Everything ran on one machine; the paper used four servers and a separate client.', 'Caliper rounds used the same 30 workers as the HTTP runs.'],
    // No ceiling measured on the fixture's machine (bench/src/ceiling/compare.test.ts compares with one).
    ceiling: { source: null, tests: [] },
  };
}

/** The report as if run on `machine`: what depends on its cores (the tuning steps' CPU per write) derived again. */
export function onMachine(data: ReportData, machine: Machine): ReportData {
  return { ...data, machine, tuning: deriveTuningSteps(data.tuning, machine.cores) };
}

export function fixtureReport(): ReportData {
  return completeReport(fixtureInput());
}

export const FIXTURE_RAW: Readonly<Record<string, string | Buffer>> = {
  'config.json': `${JSON.stringify({ profile: 'paper', users: USERS, duration: '10m', warmup: '30s' }, null, 2)}\n`,
  'vegeta/add_order.results.bin': Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]),
  'caliper/report.json': '{"rounds":[]}\n',
  'prometheus/export.json': '{"status":"success","data":{"resultType":"matrix","result":[]}}\n',
};
