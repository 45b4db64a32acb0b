/**
 * The runtime check of a report: `validateReport(x)` lists every problem (empty when valid). First the
 * shape (each field of each interface of schema.ts has a check, enforced by the compiler through
 * {@link Shape}), then the arithmetic that ties the figures together, then the derived sections
 * against a recomputation.
 */
import { deriveTuningSteps } from '../table4/tuning';
import { comparePaper, consistencyChecks, evaluateThresholds, littlesLaw } from './analyse';
import {
  ENGINES,
  type ChainCount,
  type EngineReported,
  type InterferenceSample,
  type ScenarioInterference,
  type ConsistencyCheck,
  type LatencyStats,
  type LittlesLawCheck,
  type LoadSample,
  type Machine,
  type PaperComparison,
  type PaperFigures,
  type PhaseFigures,
  type ReportData,
  type ResourceSample,
  type Breakdown,
  type RepeatSpread,
  type TuningStep,
  type BreakdownStage,
  type CeilingComparison,
  type CeilingRate,
  type CeilingSource,
  type CeilingTestComparison,
  type CostPair,
  type ActivityShare,
  type NodeProfile,
  type ResourceUsage,
  type RunConfig,
  type RunMeta,
  type ScenarioResult,
  type Spread,
  type ThresholdMetric,
  type ThresholdResult,
  type TopologySummary,
  type TuningRepeat,
  type Usage,
  type UsageSample,
  type Versions,
} from './schema';

type Check = (value: unknown, path: string, problems: string[]) => void;

/** One check per field, none missing and none extra. */
type Shape<T> = { readonly [K in keyof T]-?: Check };

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

function num(bounds: { min?: number; max?: number; integer?: boolean } = {}): Check {
  return (value, path, problems) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(`${path}: expected a finite number, got ${show(value)}`);
      return;
    }
    if (bounds.integer === true && !Number.isInteger(value)) problems.push(`${path}: expected an integer, got ${value}`);
    if (bounds.min !== undefined && value < bounds.min) problems.push(`${path}: ${value} is below ${bounds.min}`);
    if (bounds.max !== undefined && value > bounds.max) problems.push(`${path}: ${value} is above ${bounds.max}`);
  };
}

const anyNumber = num();
const count = num({ min: 0, integer: true });
const positiveCount = num({ min: 1, integer: true });
const nonNegative = num({ min: 0 });
const percent = num({ min: 0, max: 100 });

function str(pattern?: RegExp, what = 'a non-empty string'): Check {
  return (value, path, problems) => {
    if (typeof value !== 'string' || value === '') problems.push(`${path}: expected ${what}, got ${show(value)}`);
    else if (pattern !== undefined && !pattern.test(value)) problems.push(`${path}: expected ${what}, got ${show(value)}`);
  };
}

const text = str();
const anyString: Check = (value, path, problems) => {
  if (typeof value !== 'string') problems.push(`${path}: expected a string, got ${show(value)}`);
};
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const isoTime: Check = (value, path, problems) => {
  if (typeof value !== 'string' || !ISO_TIME.test(value)) problems.push(`${path}: expected an ISO 8601 time, got ${show(value)}`);
  else if (Number.isNaN(Date.parse(value))) problems.push(`${path}: ${show(value)} is not a real time`);
};
const bool: Check = (value, path, problems) => {
  if (typeof value !== 'boolean') problems.push(`${path}: expected true or false, got ${show(value)}`);
};

function oneOf(values: readonly string[]): Check {
  return (value, path, problems) => {
    if (typeof value !== 'string' || !values.includes(value)) problems.push(`${path}: expected one of ${values.join(', ')}, got ${show(value)}`);
  };
}

function nullable(check: Check): Check {
  return (value, path, problems) => {
    if (value !== null) check(value, path, problems);
  };
}

function arrayOf(check: Check): Check {
  return (value, path, problems) => {
    if (!Array.isArray(value)) {
      problems.push(`${path}: expected a list, got ${show(value)}`);
      return;
    }
    value.forEach((item, i) => {
      check(item, `${path}[${i}]`, problems);
    });
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks of keys a report may leave out (a field added after reports without it were written). */
const OPTIONAL = new WeakSet<Check>();

function optional(check: Check): Check {
  const wrapped: Check = (value, path, problems) => {
    check(value, path, problems);
  };
  OPTIONAL.add(wrapped);
  return wrapped;
}

function object<T>(shape: Shape<T>): Check {
  return (value, path, problems) => {
    if (!isRecord(value)) {
      problems.push(`${path}: expected an object, got ${show(value)}`);
      return;
    }
    for (const [key, check] of Object.entries<Check>(shape)) {
      if (!Object.hasOwn(value, key)) {
        if (!OPTIONAL.has(check)) problems.push(`${path}.${key}: missing`);
      } else check(value[key], `${path}.${key}`, problems);
    }
    for (const key of Object.keys(value)) {
      if (!Object.hasOwn(shape, key)) problems.push(`${path}.${key}: unexpected field`);
    }
  };
}

/** An object of any keys, each value passing `check` (e.g. counts by validation code). */
function recordOf(check: Check): Check {
  return (value, path, problems) => {
    if (!isRecord(value)) {
      problems.push(`${path}: expected an object, got ${show(value)}`);
      return;
    }
    for (const [key, item] of Object.entries(value)) check(item, `${path}.${key}`, problems);
  };
}

/** A chain count whose codes add up: VALID is validTx, the others invalidTx. */
const chainCount: Check = (value, path, problems) => {
  object<ChainCount>({ validTx: count, invalidTx: count, byValidation: recordOf(count), source: text })(value, path, problems);
  if (!isRecord(value) || !isRecord(value.byValidation)) return;
  const codes = value.byValidation as Record<string, number>;
  const valid = codes['VALID'] ?? 0;
  const invalid = Object.entries(codes).reduce((sum, [code, n]) => (code === 'VALID' ? sum : sum + n), 0);
  if (value.validTx !== valid || value.invalidTx !== invalid) problems.push(`${path}: validTx ${String(value.validTx)} and invalidTx ${String(value.invalidTx)} are not what byValidation counts (${valid}, ${invalid})`);
};

const engine = oneOf(ENGINES);
const thresholdMetrics: readonly ThresholdMetric[] = [
  'throughputTxPerMin',
  'successRatePct',
  'latencyAvgS',
  'latencyP50S',
  'latencyP95S',
  'latencyP99S',
  'latencyMaxS',
  'failures',
  'droppedIterations',
  'chainCpuAvgPct',
  'chainMemAvgPct',
];

const meta = object<RunMeta>({
  title: text,
  name: str(/^[a-z0-9][a-z0-9_-]*$/, 'a slug of a-z, 0-9, _ and -'),
  profile: text,
  startedAt: isoTime,
  endedAt: isoTime,
  commit: object<RunMeta['commit']>({ sha: str(/^[0-9a-f]{40}$/, 'a 40-hex commit sha'), dirty: bool }),
});

const machine = object<Machine>({
  cores: positiveCount,
  memoryGiB: num({ min: 0, max: 1e6 }),
  cpuModel: text,
  os: text,
  kernel: text,
  node: text,
  bootId: optional(text),
});

const versions = object<Versions>({ fabric: nullable(text), fabricCa: nullable(text), vegeta: nullable(text), caliper: nullable(text) });

const topology = object<TopologySummary>({
  orgs: arrayOf(text),
  peers: count,
  orderers: count,
  ledgerDatabases: count,
  hosts: positiveCount,
  channel: text,
  consensus: text,
});

const config = object<RunConfig>({
  topology,
  batchTimeoutS: nonNegative,
  batchSize: object<RunConfig['batchSize']>({ maxMessageCount: positiveCount, absoluteMaxBytes: positiveCount, preferredMaxBytes: positiveCount }),
  users: positiveCount,
  durationS: nonNegative,
  warmUpS: nonNegative,
});

const latency = object<LatencyStats>({ avg: nonNegative, p50: nonNegative, p95: nonNegative, p99: nonNegative, max: nonNegative });

const phase = object<PhaseFigures>({
  requests: count,
  successes: count,
  failures: count,
  droppedIterations: count,
  successRatePct: nullable(percent),
  throughputTxPerMin: nullable(nonNegative),
  latencyS: nullable(latency),
});

const spread = (bounded: Check): Check => object<Spread>({ avg: bounded, p95: bounded, max: bounded });
const usage = object<Usage>({ cpuPct: spread(percent), memPct: spread(percent) });
const usageSample = object<UsageSample>({ cpuPct: percent, memPct: percent });
const avgMax = object<{ avg: number; max: number }>({ avg: percent, max: percent });

const scenario = object<ScenarioResult>({
  scenario: str(/^[a-z0-9][a-z0-9_-]*$/, 'a slug of a-z, 0-9, _ and -'),
  engine,
  executor: oneOf(['closed', 'open']),
  users: positiveCount,
  writesPerRequest: count,
  window: object<ScenarioResult['window']>({ start: isoTime, end: isoTime, durationS: nonNegative }),
  measured: phase,
  warmUp: nullable(phase),
  chain: nullable(chainCount),
  engineReported: nullable(object<EngineReported>({ source: text, successes: count, failures: count, throughputTxPerMin: nonNegative, avgLatencyS: nullable(nonNegative) })),
  timeSeries: arrayOf(
    object<LoadSample>({
      t: anyNumber,
      ok: count,
      errors: count,
      latencyS: nullable(object<NonNullable<LoadSample['latencyS']>>({ p50: nonNegative, p95: nonNegative, p99: nonNegative })),
    }),
  ),
  resources: object<ResourceUsage>({ chain: usage, service: nullable(usage), loadGenerator: nullable(usage), machine: nullable(usage), source: text }),
  resourceSeries: arrayOf(
    object<ResourceSample>({ t: anyNumber, chain: usageSample, service: nullable(usageSample), loadGenerator: nullable(usageSample), machine: nullable(usageSample) }),
  ),
  breakdown: nullable(
    object<Breakdown>({
      stages: arrayOf(object<BreakdownStage>({ stage: text, component: text, avgS: nonNegative, count: nonNegative, per: text, metric: text })),
      cpuByGroup: arrayOf(object<Breakdown['cpuByGroup'][number]>({ group: text, cpuPct: percent })),
      blocks: nullable(object<NonNullable<Breakdown['blocks']>>({ committed: nonNegative, txPerBlock: nonNegative })),
      profiles: arrayOf(
        object<NodeProfile>({
          node: text,
          seconds: nonNegative,
          cpuCores: nonNegative,
          activities: arrayOf(object<ActivityShare>({ activity: text, cumPct: percent })),
          topFunctions: arrayOf(object<NodeProfile['topFunctions'][number]>({ fn: text, flatPct: percent, cumPct: percent })),
          file: text,
        }),
      ),
    }),
  ),
  interference: nullable(
    object<ScenarioInterference>({
      rule: object<ScenarioInterference['rule']>({ otherPct: percent, sharePct: percent }),
      samples: count,
      otherPct: avgMax,
      stealPct: avgMax,
      kernelPct: avgMax,
      aboveSharePct: percent,
      disturbed: bool,
      foreign: arrayOf(object<ScenarioInterference['foreign'][number]>({ pid: positiveCount, name: anyString, cpuPct: percent })),
      series: arrayOf(object<InterferenceSample>({ t: anyNumber, machinePct: percent, oursPct: percent, kernelPct: percent, otherPct: percent, stealPct: percent })),
      source: text,
    }),
  ),
});

const repeatSpread = object<RepeatSpread>({ median: nonNegative, min: nonNegative, max: nonNegative, values: arrayOf(nonNegative) });

const paperFigures = object<PaperFigures>({
  avgLatencyS: nonNegative,
  successRatePct: percent,
  throughputTxPerMin: nonNegative,
  cpuAvgPct: percent,
  memAvgPct: percent,
});

const costPair = object<CostPair>({ test: nullable(nonNegative), ceiling: nullable(nonNegative) });

const ceilingComparison = object<CeilingComparison>({
  source: nullable(
    object<CeilingSource>({
      dir: text,
      startedAt: isoTime,
      commit: object<CeilingSource['commit']>({ sha: text, dirty: bool }),
      clean: bool,
      machine: object<CeilingSource['machine']>({ cores: positiveCount, cpuModel: text }),
      sameBoot: optional(bool),
    }),
  ),
  tests: arrayOf(
    object<CeilingTestComparison>({
      scenario: oneOf(['add_order', 'order_query']),
      engine,
      ceilingTest: oneOf(['evaluate', 'write']),
      throughputPerS: nullable(nonNegative),
      ceilingPerS: nullable(object<CeilingRate>({ median: nonNegative, min: nonNegative, max: nonNegative })),
      fraction: nullable(nonNegative),
      groups: arrayOf(object<CeilingTestComparison['groups'][number]>({ group: text, test: nullable(nonNegative), ceiling: nullable(nonNegative) })),
      serviceMsPerTx: costPair,
      chainMsPerTx: costPair,
    }),
  ),
});

const report = object<ReportData>({
  meta,
  machine,
  versions,
  config,
  scenarios: arrayOf(scenario),
  paper: arrayOf(
    object<PaperComparison>({
      scenario: oneOf(['add_order', 'order_query']),
      engine,
      paper: paperFigures,
      measured: object<PaperComparison['measured']>({
        avgLatencyS: nullable(nonNegative),
        successRatePct: nullable(percent),
        throughputTxPerMin: nullable(nonNegative),
        cpuAvgPct: percent,
        memAvgPct: percent,
      }),
      ratio: object<PaperComparison['ratio']>({
        avgLatencyS: nullable(nonNegative),
        successRatePct: nullable(nonNegative),
        throughputTxPerMin: nullable(nonNegative),
        cpuAvgPct: nullable(nonNegative),
        memAvgPct: nullable(nonNegative),
      }),
    }),
  ),
  littlesLaw: arrayOf(
    object<LittlesLawCheck>({
      subject: oneOf(['paper', 'measured']),
      scenario: text,
      engine: nullable(engine),
      users: positiveCount,
      avgLatencyS: nonNegative,
      predictedTxPerMin: nonNegative,
      measuredTxPerMin: nonNegative,
      ratio: nonNegative,
      impliedThinkTimeS: anyNumber,
    }),
  ),
  consistency: arrayOf(
    object<ConsistencyCheck>({
      scenario: text,
      engine,
      loadGeneratorSuccesses: count,
      writesPerRequest: count,
      expectedTx: count,
      chainValidTx: count,
      difference: num({ integer: true }),
      toleranceTx: count,
      agree: bool,
    }),
  ),
  thresholds: arrayOf(
    object<ThresholdResult>({
      scenario: text,
      engine,
      metric: oneOf(thresholdMetrics),
      op: oneOf(['<', '<=', '>', '>=']),
      limit: anyNumber,
      actual: nullable(anyNumber),
      pass: bool,
    }),
  ),
  notes: arrayOf(anyString),
  tuning: arrayOf(
    object<TuningStep>({
      step: text,
      buildsOn: nullable(count),
      settings: text,
      notAdopted: nullable(text),
      scenario: text,
      repeats: positiveCount,
      throughputTxPerMin: repeatSpread,
      latencyAvgS: repeatSpread,
      latencyP99S: repeatSpread,
      successRatePct: repeatSpread,
      cpuMsPerWrite: arrayOf(object<TuningStep['cpuMsPerWrite'][number]>({ group: text, ms: repeatSpread })),
      cpuMsPerWriteTotal: nullable(repeatSpread),
      throughputVsPrevious: nullable(nonNegative),
      repeatFigures: arrayOf(
        object<TuningRepeat>({
          window: object<TuningRepeat['window']>({ startMs: count, endMs: count }),
          throughputTxPerMin: nonNegative,
          latencyAvgS: nonNegative,
          latencyP99S: nonNegative,
          successRatePct: percent,
          cpuByGroup: arrayOf(object<TuningRepeat['cpuByGroup'][number]>({ group: text, cpuPct: percent })),
          interference: nullable(object<NonNullable<TuningRepeat['interference']>>({ otherPctAvg: percent, disturbed: bool })),
        }),
      ),
    }),
  ),
  disturbed: bool,
  ceiling: nullable(ceilingComparison),
});

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function ordered(path: string, pairs: readonly (readonly [string, number])[], problems: string[]): void {
  for (let i = 1; i < pairs.length; i++) {
    const [lowName, low] = pairs[i - 1] ?? ['', 0];
    const [highName, high] = pairs[i] ?? ['', 0];
    if (low > high) problems.push(`${path}: ${lowName} ${low} exceeds ${highName} ${high}`);
  }
}

function checkPhase(path: string, p: PhaseFigures, problems: string[]): void {
  if (p.successes + p.failures !== p.requests) {
    problems.push(`${path}: successes ${p.successes} + failures ${p.failures} is not requests ${p.requests}`);
  }
  const rate = p.requests === 0 ? null : (p.successes * 100) / p.requests;
  if (rate === null ? p.successRatePct !== null : p.successRatePct === null || Math.abs(rate - p.successRatePct) > 0.01) {
    problems.push(`${path}.successRatePct: ${String(p.successRatePct)} but successes / requests is ${rate === null ? 'no data' : String(rate)}`);
  }
  if ((p.requests === 0) !== (p.latencyS === null)) problems.push(`${path}.latencyS: ${p.latencyS === null ? 'no data' : 'figures'} for ${p.requests} requests`);
  const l = p.latencyS;
  if (l === null) return;
  ordered(`${path}.latencyS`, [['p50', l.p50], ['p95', l.p95], ['p99', l.p99], ['max', l.max]], problems);
  if (l.avg > l.max) problems.push(`${path}.latencyS: avg ${l.avg} exceeds max ${l.max}`);
}

function checkSpread(path: string, s: Spread, problems: string[]): void {
  ordered(path, [['avg', s.avg], ['max', s.max]], problems);
  ordered(path, [['p95', s.p95], ['max', s.max]], problems);
}

function checkAscending(path: string, samples: readonly { t: number }[], problems: string[]): void {
  for (let i = 1; i < samples.length; i++) {
    const previous = samples[i - 1]?.t ?? -Infinity;
    if ((samples[i]?.t ?? Infinity) <= previous) {
      problems.push(`${path}[${i}].t: not after the sample before`);
      return;
    }
  }
}

function checkScenario(path: string, s: ScenarioResult, problems: string[]): void {
  checkPhase(`${path}.measured`, s.measured, problems);
  if (s.warmUp !== null) checkPhase(`${path}.warmUp`, s.warmUp, problems);
  if (Date.parse(s.window.end) < Date.parse(s.window.start)) problems.push(`${path}.window: ends before it starts`);
  checkAscending(`${path}.timeSeries`, s.timeSeries, problems);
  checkAscending(`${path}.resourceSeries`, s.resourceSeries, problems);
  for (const sample of s.timeSeries) {
    if (sample.latencyS !== null) ordered(`${path}.timeSeries[t=${sample.t}].latencyS`, [['p50', sample.latencyS.p50], ['p95', sample.latencyS.p95], ['p99', sample.latencyS.p99]], problems);
  }
  const { chain, service, loadGenerator, machine } = s.resources;
  for (const [name, u] of [['chain', chain], ['service', service], ['loadGenerator', loadGenerator], ['machine', machine]] as const) {
    if (u === null) continue;
    checkSpread(`${path}.resources.${name}.cpuPct`, u.cpuPct, problems);
    checkSpread(`${path}.resources.${name}.memPct`, u.memPct, problems);
  }
}

/** Lists where `stored` differs from `expected`, numbers compared to 1e-9 relative. */
function differences(path: string, stored: unknown, expected: unknown, problems: string[]): void {
  if (typeof stored === 'number' && typeof expected === 'number') {
    if (!close(stored, expected)) problems.push(`${path}: ${stored} but the scenarios give ${expected}`);
    return;
  }
  if (Array.isArray(stored) && Array.isArray(expected)) {
    if (stored.length !== expected.length) {
      problems.push(`${path}: ${stored.length} entries but the scenarios give ${expected.length}`);
      return;
    }
    stored.forEach((item, i) => {
      differences(`${path}[${i}]`, item, expected[i], problems);
    });
    return;
  }
  if (isRecord(stored) && isRecord(expected)) {
    for (const key of Object.keys(expected)) differences(`${path}.${key}`, stored[key], expected[key], problems);
    return;
  }
  if (stored !== expected) problems.push(`${path}: ${show(stored)} but the scenarios give ${show(expected)}`);
}

function checkReport(data: ReportData, problems: string[]): void {
  if (Date.parse(data.meta.endedAt) < Date.parse(data.meta.startedAt)) problems.push('report.meta: endedAt is before startedAt');
  const seen = new Set<string>();
  data.scenarios.forEach((s, i) => {
    const key = `${s.scenario}/${s.engine}`;
    if (seen.has(key)) problems.push(`report.scenarios[${i}]: ${key} appears twice`);
    seen.add(key);
    checkScenario(`report.scenarios[${i}]`, s, problems);
  });
  differences('report.paper', data.paper, comparePaper(data.scenarios), problems);
  differences('report.littlesLaw', data.littlesLaw, littlesLaw(data.scenarios), problems);
  differences('report.consistency', data.consistency, consistencyChecks(data.scenarios), problems);
  const disturbed = data.scenarios.some((s) => s.interference?.disturbed === true);
  if (data.disturbed !== disturbed) problems.push(`report.disturbed: ${String(data.disturbed)}, but the scenarios say ${String(disturbed)}`);
  const specs = data.thresholds.map(({ scenario, engine, metric, op, limit }) => ({ scenario, engine, metric, op, limit }));
  differences('report.thresholds', data.thresholds, evaluateThresholds(data.scenarios, specs), problems);
  if (data.ceiling !== null) checkCeiling(data.ceiling, data.scenarios, problems);
  // Each tuning step's figures are those its repeats give.
  if (data.tuning.some((t) => t.repeatFigures.length === 0)) problems.push('report.tuning: a step without the repeats its figures come from');
  else differences('report.tuning', data.tuning, deriveTuningSteps(data.tuning, data.machine.cores), problems);
}

/**
 * The ceiling comparison's arithmetic against the scenarios (its ceiling side is checked against the
 * ceiling report by `render`): each test's throughput is its scenario's, its fraction that over the
 * ceiling's median; no test without a ceiling.
 */
function checkCeiling(c: CeilingComparison, scenarios: readonly ScenarioResult[], problems: string[]): void {
  if (c.source === null && c.tests.length > 0) problems.push('report.ceiling.tests: figures without a ceiling report to compare with');
  c.tests.forEach((t, i) => {
    const path = `report.ceiling.tests[${i}]`;
    const s = scenarios.find((x) => x.scenario === t.scenario && x.engine === t.engine);
    if (s === undefined) {
      problems.push(`${path}: no scenario ${t.scenario}/${t.engine}`);
      return;
    }
    const perS = s.measured.throughputTxPerMin === null ? null : s.measured.throughputTxPerMin / 60;
    differences(`${path}.throughputPerS`, t.throughputPerS, perS, problems);
    const fraction = perS === null || t.ceilingPerS === null || t.ceilingPerS.median <= 0 ? null : perS / t.ceilingPerS.median;
    differences(`${path}.fraction`, t.fraction, fraction, problems);
    if (t.ceilingPerS !== null) ordered(`${path}.ceilingPerS`, [['min', t.ceilingPerS.min], ['median', t.ceilingPerS.median], ['max', t.ceilingPerS.max]], problems);
  });
}

/** Every problem with `x` as a {@link ReportData}, each naming its path; empty when it is one. */
export function validateReport(x: unknown): string[] {
  const problems: string[] = [];
  report(x, 'report', problems);
  if (problems.length === 0) checkReport(x as ReportData, problems);
  return problems;
}

export class InvalidReportError extends Error {
  override readonly name = 'InvalidReportError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid report:\n  ${problems.join('\n  ')}`);
  }
}
