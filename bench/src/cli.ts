#!/usr/bin/env node
// @energysale/network first: its CLI module quiets fabric-contract-api's start-up logs before the
// imports below load the contract (network/src/util/cli.ts).
import { command, defineOptions, isTopologySize, runCli, TOPOLOGY_SIZES, UsageError, type Cli, type ParsedArgs } from '@energysale/network';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { CALIPER_VERSION } from './caliper/run';
import { DEFAULT_USER_LIMIT_S, runUserCaliper, writeCaliperNetworkConfig } from './caliper/user';
import { reportDirName } from './report/render';
import { commit } from './table4/provenance';
import { kneeText } from './capacity/analysis';
import { checkInputs, defaultInputs, DEFAULT_INPUTS, type ProvinceInputs } from './capacity/projection';
import { growthFrom, runGrowth } from './capacity/growth';
import { exitCleanlyOnInterrupt, onInterruptStop } from './interrupt';
import { FAULT_NAMES, type FaultName } from './reliability/faults';
import { runReliability } from './reliability/run';
import { RELIABILITY_VARIANTS } from './reliability/suite';
import { orNoData } from './report/format';
import { runSecurity } from './security/run';
import { CAPACITY_PLANS, runCapacity } from './capacity/run';

import { GATE_FIGURES, type GateFigure } from './gate/figures';
import { DEFAULT_GATE_OPTIONS, GATE_EXIT } from './gate/decide';
import { DEFAULT_BASELINE, recordBaseline, runGate } from './gate/gate';
import type { Engine } from './report/schema';
import { PROFILES, type Profile } from './table4/profiles';
import { DEFAULT_DISTURBANCE, type DisturbanceRule } from './resources/interference';
import { EXIT_DISTURBED, runTable4 } from './table4/run';
import { interferenceNote } from './capacity/report';
import { parseDuration, ScenarioConfigError } from './scenario';
import { controlAddress, EXIT, runCommand } from './script/command';
import { compareEngines, rederiveComparison } from './engine/compare';
import { ScriptCompileError, ScriptInitError } from './script/loader';
import { renderRunReport } from './script/report';
import { ScriptLifecycleError } from './script/runtime/run';
import { SOAK_SCENARIOS, type SoakScenario } from './soak/raw';
import { renderSoakReport, runSoak, soakExitCode } from './soak/run';
import { abConfig, AB_TESTS, runAb } from './ab/run';
import { AB_EXIT, rederiveAb } from './ab/report';
import { ceilingConfig, DEFAULT_CEILING, QUICK_CEILING } from './ceiling/figures';
import { CEILING_EXIT, RATE_UNIT, rederiveCeiling, spreadText } from './ceiling/report';
import { runCeiling } from './ceiling/run';

const ENGINE_CHOICES: Readonly<Record<string, readonly Engine[]>> = { http: ['http'], caliper: ['caliper'], both: ['http', 'caliper'] };

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function count(text: string | undefined, what: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a whole number of at least 1, not ${text}`);
  return n;
}

/** A percentage option, 0 to 100. */
function percentOption(what: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new UsageError(`${what} must be a percentage from 0 to 100, not ${text}`);
  return n;
}

/** --other-above PCT and --other-share PCT: when a measured window counts as disturbed (DEFAULT_DISTURBANCE's where not given). */
function disturbanceOption(values: { readonly 'other-above'?: string; readonly 'other-share'?: string }): DisturbanceRule {
  return {
    otherPct: percentOption('--other-above', values['other-above'], DEFAULT_DISTURBANCE.otherPct),
    sharePct: percentOption('--other-share', values['other-share'], DEFAULT_DISTURBANCE.sharePct),
  };
}

/** --min-change FIGURE=PCT: percent of the baseline (percentage points for success rate) as the rule's fraction. */
function minimumChanges(entries: readonly string[]): Partial<Record<GateFigure, number>> {
  const changes: Partial<Record<GateFigure, number>> = {};
  for (const entry of entries) {
    const [figure, value] = entry.split('=');
    const n = Number(value);
    if (!GATE_FIGURES.includes(figure as GateFigure) || value === undefined || !Number.isFinite(n) || n < 0) {
      throw new UsageError(`--min-change ${entry}: expected FIGURE=NUMBER with FIGURE one of ${GATE_FIGURES.join(', ')}`);
    }
    changes[figure as GateFigure] = figure === 'successRatePct' ? n : n / 100;
  }
  return changes;
}

const GATE_OPTIONS = defineOptions({
  baseline: { type: 'string', default: DEFAULT_BASELINE },
  repeats: { type: 'string' },
  k: { type: 'string' },
  'min-change': { type: 'string', multiple: true, default: [] },
  'allow-other-machine': { type: 'boolean', default: false },
  'inject-write-delay-ms': { type: 'string' },
  reports: { type: 'string', default: 'reports' },
});

async function gate({ values }: ParsedArgs<typeof GATE_OPTIONS>): Promise<number> {
  const k = values.k === undefined ? DEFAULT_GATE_OPTIONS.k : Number(values.k);
  if (!Number.isFinite(k) || k <= 0) throw new UsageError(`--k must be a positive number, not ${values.k ?? ''}`);
  const delay = values['inject-write-delay-ms'];
  if (delay !== undefined && !/^\d+$/.test(delay)) throw new UsageError(`--inject-write-delay-ms must be whole milliseconds, not ${delay}`);
  const result = await runGate({
    baselinePath: values.baseline,
    repeats: count(values.repeats, '--repeats', 5),
    reportsDir: values.reports,
    gate: { k, minimumChange: minimumChanges(values['min-change']) },
    allowOtherMachine: values['allow-other-machine'],
    ...(delay === undefined ? {} : { serviceSettings: { INJECT_WRITE_DELAY_MS: delay } }),
    log: print,
  });
  if (result.error) print(`bench gate: ${result.error.name}: ${result.error.message}`);
  for (const r of result.decision?.regressions ?? []) print(`regression: ${r.scenario} ${r.figure}`);
  print(`gate: exit ${result.exitCode}; ${result.dir}/summary.md`);
  return result.exitCode;
}

const BASELINE_OPTIONS = defineOptions({
  out: { type: 'string', default: DEFAULT_BASELINE },
  repeats: { type: 'string' },
  users: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  from: { type: 'string' },
});

async function baseline({ values }: ParsedArgs<typeof BASELINE_OPTIONS>): Promise<number> {
  const measurement = await recordBaseline({
    out: values.out,
    repeats: count(values.repeats, '--repeats', 5),
    ...(values.users === undefined ? {} : { users: count(values.users, '--users', 1) }),
    ...(values.duration === undefined ? {} : { duration: values.duration }),
    ...(values.warmup === undefined ? {} : { warmup: values.warmup }),
    ...(values.from === undefined ? {} : { from: values.from }),
    log: print,
  });
  print(`baseline written to ${values.out}: ${measurement.config.repeats} repeats, commit ${measurement.commit.sha.slice(0, 12)}`);
  return 0;
}

const CAPACITY_OPTIONS = defineOptions({ plan: { type: 'string', default: 'full' }, inputs: { type: 'string' }, reports: { type: 'string', default: 'reports' } });

async function capacity({ values }: ParsedArgs<typeof CAPACITY_OPTIONS>): Promise<number> {
  if (!(values.plan in CAPACITY_PLANS)) throw new UsageError(`unknown plan ${values.plan} (${Object.keys(CAPACITY_PLANS).join(', ')})`);
  const inputs: ProvinceInputs = { ...defaultInputs(), ...(values.inputs === undefined ? {} : (JSON.parse(await readFile(values.inputs, 'utf8')) as Partial<ProvinceInputs>)) };
  const unknown = Object.keys(inputs).filter((k) => !(k in DEFAULT_INPUTS));
  if (unknown.length > 0) throw new UsageError(`unknown inputs ${unknown.join(', ')} (${Object.keys(DEFAULT_INPUTS).join(', ')})`);
  checkInputs(inputs);
  const { dir, report } = await runCapacity(values.plan, print, values.reports, { inputs });
  for (const k of report.knees) print(`${k.scenario}: knee ${kneeText(k)} (p99 ≤ ${k.objective.p99S} s)`);
  for (const s of report.scaling) print(`${s.scenario}: ${s.fit ? `USL λ ${s.fit.lambda.toFixed(2)}/s, σ ${s.fit.sigma.toFixed(3)}, κ ${s.fit.kappa.toFixed(4)}, R² ${s.fit.rSquared.toFixed(3)}` : `no USL fit (${s.error ?? ''})`}`);
  for (const c of report.ceilings) print(`${c.scenario} harness ceiling: ${c.verdict}`);
  for (const f of report.projection.findings) print(f);
  print(interferenceNote(report.steps));
  print(`capacity report: ${dir}/capacity.html`);
  return report.steps.some((s) => s.interference.disturbed) ? EXIT_DISTURBED : 0;
}

const GROWTH_OPTIONS = defineOptions({ sizes: { type: 'string', default: 'reduced,paper' }, plan: { type: 'string', default: 'quick' }, reports: { type: 'string', default: 'reports' }, from: { type: 'string' } });

async function growth({ values }: ParsedArgs<typeof GROWTH_OPTIONS>): Promise<number> {
  if (values.from !== undefined) {
    const { dir, report } = await growthFrom(values.from.split(','), values.reports);
    for (const f of report.findings) print(f);
    print(`growth report: ${dir}/growth.html`);
    return 0;
  }
  if (!(values.plan in CAPACITY_PLANS)) throw new UsageError(`unknown plan ${values.plan} (${Object.keys(CAPACITY_PLANS).join(', ')})`);
  const sizes = values.sizes.split(',').map((s) => s.trim());
  const unknown = sizes.filter((s) => !isTopologySize(s));
  if (unknown.length > 0 || sizes.length < 2) throw new UsageError(`--sizes needs at least two of ${TOPOLOGY_SIZES.join(', ')} (got ${values.sizes})`);
  const { dir, report } = await runGrowth(sizes.filter(isTopologySize), values.plan, print, values.reports);
  for (const f of report.findings) print(f);
  print(`growth report: ${dir}/growth.html`);
  return report.sizes.some((s) => s.disturbedSteps > 0) ? EXIT_DISTURBED : 0;
}

const RELIABILITY_OPTIONS = defineOptions({ variant: { type: 'string', default: 'full' }, faults: { type: 'string' }, reports: { type: 'string', default: 'reports' } });

async function reliability({ values }: ParsedArgs<typeof RELIABILITY_OPTIONS>): Promise<number> {
  if (!(values.variant in RELIABILITY_VARIANTS)) throw new UsageError(`unknown variant ${values.variant} (${Object.keys(RELIABILITY_VARIANTS).join(', ')})`);
  const faults = values.faults?.split(',').map((f) => f.trim());
  const unknown = faults?.filter((f) => !(FAULT_NAMES as readonly string[]).includes(f)) ?? [];
  if (unknown.length > 0) throw new UsageError(`unknown faults ${unknown.join(', ')} (${FAULT_NAMES.join(', ')})`);
  const { dir, report } = await runReliability(values.variant as keyof typeof RELIABILITY_VARIANTS, print, values.reports, faults ? { faults: faults as FaultName[] } : {});
  for (const v of report.verdicts) print(`${v.fault}: ${v.passed ? 'pass' : `FAIL (${v.reasons.join('; ')})`}`);
  print(`reliability report: ${dir}/reliability.md`);
  return report.passed ? 0 : 1;
}

const SECURITY_OPTIONS = defineOptions({ cases: { type: 'string', default: '10000' }, seed: { type: 'string' }, reports: { type: 'string', default: 'reports' } });

async function security({ values }: ParsedArgs<typeof SECURITY_OPTIONS>): Promise<number> {
  const cases = count(values.cases, '--cases', 10_000);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : count(values.seed, '--seed', 0);
  const { dir, report } = await runSecurity({ cases, seed, repo: resolve(__dirname, '..', '..'), reportsDir: values.reports, log: print });
  print(`role matrix: ${report.matrix.attempts} illegal steps from ${report.matrix.states} states, ${report.matrix.refused} refused, ${report.matrix.violations.length} violations`);
  print(`${report.fuzz.cases} cases (seed ${report.fuzz.seed}): ${JSON.stringify(report.fuzz.byStatus)}; 5xx ${report.fuzz.serverErrors.length}, accepted ${report.fuzz.accepted.length}, without problem ${report.fuzz.withoutProblem.length}; private keys found ${report.keys.findings.length}`);
  print(`identities: ${report.identities.checks.length} checks, ${report.identities.violations.length} not as expected; ${report.identities.revocation.handle} revoked in config block ${report.identities.revocation.configBlock ?? '(held already)'}`);
  print(`private data: ${report.privacy.filter((c) => c.passed).length}/${report.privacy.length} hold; TLS: ${report.tls.filter((p) => p.outcome === p.expected).length}/${report.tls.length} as expected`);
  print(`security report: ${dir}/security.md`);
  return report.passed ? 0 : 1;
}

/** A factor above 1 (--max-drift). */
function factorOption(what: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 1) throw new UsageError(`${what} must be a factor above 1, such as 1.2, not ${text}`);
  return n;
}

const SOAK_OPTIONS = defineOptions({
  scenario: { type: 'string', default: 'add_order' },
  duration: { type: 'string', default: '30m' },
  users: { type: 'string' },
  warmup: { type: 'string', default: '30s' },
  interval: { type: 'string', default: '1m' },
  'drift-window': { type: 'string', default: '5m' },
  'max-drift': { type: 'string' },
  'other-above': { type: 'string' },
  'other-share': { type: 'string' },
  reports: { type: 'string', default: 'reports' },
  render: { type: 'string' },
});

async function soak({ values }: ParsedArgs<typeof SOAK_OPTIONS>): Promise<number> {
  if (values.render !== undefined) {
    const report = await renderSoakReport(values.render);
    print(`${values.render}: every figure derived again from raw/ matches soak.json; rendered again (exit code of the run: ${String(report.exitCode)})`);
    return 0;
  }
  if (!(SOAK_SCENARIOS as readonly string[]).includes(values.scenario)) throw new UsageError(`unknown scenario ${values.scenario} (${SOAK_SCENARIOS.join(', ')})`);
  const intervalMs = parseDuration(values.interval, '--interval');
  if (intervalMs < 1000) throw new UsageError('--interval must be at least 1s');
  const { report, dir } = await runSoak({
    config: {
      scenario: values.scenario as SoakScenario,
      users: count(values.users, '--users', PROFILES.paper.users),
      durationMs: parseDuration(values.duration, '--duration'),
      warmupMs: parseDuration(values.warmup, '--warmup'),
      intervalMs,
      driftIntervals: Math.max(1, Math.round(parseDuration(values['drift-window'], '--drift-window') / intervalMs)),
      maxDrift: factorOption('--max-drift', values['max-drift'], 1.2),
      disturbance: disturbanceOption(values),
    },
    reportsDir: values.reports,
    log: print,
  });
  for (const v of report.figures.verdicts) print(`${v.figure}: drift ${v.ratio === null ? 'no data' : `×${v.ratio.toFixed(3)}`} (${v.rule}) ${v.passed ? 'pass' : `FAIL (${v.reason ?? ''})`}`);
  if (report.figures.interference.disturbed) print(`DISTURBED: someone else's load used the machine during the soak (report: "Verdict"); exit code ${String(soakExitCode(report.figures))}`);
  print(`soak report: ${dir}/soak.html`);
  return report.exitCode;
}

const RUN_OPTIONS = defineOptions({
  vus: { type: 'string', short: 'u' },
  duration: { type: 'string', short: 'd' },
  iterations: { type: 'string', short: 'i' },
  env: { type: 'string', short: 'e', multiple: true, default: [] },
  out: { type: 'string', short: 'o' },
  'summary-export': { type: 'string' },
  'no-service': { type: 'boolean', default: false },
  'no-report': { type: 'boolean', default: false },
  reports: { type: 'string', default: 'reports' },
  address: { type: 'string' },
  render: { type: 'string' },
});

async function scriptRun({ values, positionals }: ParsedArgs<typeof RUN_OPTIONS>): Promise<number> {
  if (values.render !== undefined) {
    const { report, rederived } = await renderRunReport(values.render);
    const same = JSON.stringify(rederived.metrics) === JSON.stringify(report.summary.metrics);
    print(same ? `every figure of ${values.render}/run.json derived again from raw/: the same` : `figures of ${values.render}/run.json differ from those derived from raw/`);
    return same ? 0 : 1;
  }
  const [script] = positionals;
  if (script === undefined || positionals.length > 1) throw new UsageError('bench run <script.ts> [options]: one script');
  const env: Record<string, string> = {};
  for (const pair of values.env) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--env ${pair}: expected KEY=VALUE`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  let outJson: string | undefined;
  if (values.out !== undefined) {
    if (!values.out.startsWith('json=')) throw new UsageError(`--out ${values.out}: the output is json=FILE`);
    outJson = values.out.slice('json='.length);
  }
  if (values.duration !== undefined) parseDuration(values.duration, '--duration');
  const overrides = {
    ...(values.vus !== undefined && { vus: count(values.vus, '--vus', 1) }),
    ...(values.duration !== undefined && { duration: values.duration }),
    ...(values.iterations !== undefined && { iterations: count(values.iterations, '--iterations', 1) }),
  };
  // Ctrl-C stops the run as k6's does: iterations interrupted, teardown, summary and report, exit 105; a second one at once.
  const stopper = new AbortController();
  const release = onInterruptStop(() => {
    stopper.abort();
  }, EXIT.externalAbort);
  try {
    const { exitCode } = await runCommand({
      script,
      signal: stopper.signal,
      overrides,
      env,
      ...(outJson !== undefined && { outJson }),
      ...(values['summary-export'] !== undefined && { summaryExport: values['summary-export'] }),
      ...(values.address !== undefined && { address: values.address }),
      noService: values['no-service'],
      reportsDir: values['no-report'] ? null : values.reports,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    return exitCode;
  } catch (error) {
    if (error instanceof ScriptCompileError || error instanceof ScriptInitError || error instanceof ScriptLifecycleError) {
      process.stderr.write(`bench run: ${error.message}\n`);
      return EXIT.scriptException;
    }
    if (error instanceof ScenarioConfigError) {
      process.stderr.write(`bench run: ${error.name}: ${error.message}\n`);
      return EXIT.invalidConfig;
    }
    throw error;
  } finally {
    release();
  }
}

const ENGINES_OPTIONS = defineOptions({
  test: { type: 'string', default: 'order_query' },
  users: { type: 'string', default: '30' },
  warmup: { type: 'string', default: '5s' },
  duration: { type: 'string', default: '30s' },
  repeats: { type: 'string', default: '3' },
  reports: { type: 'string', default: 'reports' },
  render: { type: 'string' },
});

async function enginesCommand({ values }: ParsedArgs<typeof ENGINES_OPTIONS>): Promise<number> {
  if (values.render !== undefined) {
    const { same, checked } = await rederiveComparison(values.render);
    print(same ? `${checked} measured windows of ${values.render} derived again from raw/: the same figures` : `figures of ${values.render} differ from those derived from raw/`);
    return same ? 0 : 1;
  }
  if (values.test !== 'order_query' && values.test !== 'add_order') throw new UsageError(`--test is order_query or add_order, not ${values.test}`);
  parseDuration(values.warmup, '--warmup');
  parseDuration(values.duration, '--duration');
  const { dir, comparison } = await compareEngines({
    test: values.test,
    users: count(values.users, '--users', 30),
    warmup: values.warmup,
    duration: values.duration,
    repeats: count(values.repeats, '--repeats', 3),
    reportsDir: values.reports,
    log: print,
  });
  for (const engine of ['vegeta', 'undici'] as const) {
    const e = comparison.byEngine[engine];
    print(`${engine}: ${e.throughputTxPerMin.median.toFixed(1)} tx/min, avg ${e.avgLatencyS.median.toFixed(4)} s, ${e.cpuUsPerRequest.median.toFixed(1)} µs CPU per request (medians of ${comparison.config.repeats})`);
  }
  print(`engines report: ${dir}/engines.md`);
  return comparison.disturbed ? EXIT_DISTURBED : 0;
}

/** `bench scale --vus N`: changes the VUs of the running externally-controlled scenario (k6 scale). */
const SCALE_OPTIONS = defineOptions({ vus: { type: 'string' }, stop: { type: 'boolean', default: false }, address: { type: 'string' } });

async function scale({ values }: ParsedArgs<typeof SCALE_OPTIONS>): Promise<number> {
  const address = values.address ?? (await controlAddress());
  const attributes = { ...(values.vus !== undefined && { vus: count(values.vus, '--vus', 0) }), ...(values.stop && { stopped: true }) };
  if (Object.keys(attributes).length === 0) throw new UsageError('bench scale --vus N | --stop [--address host:port]');
  const response = await fetch(`http://${address}/v1/status`, { method: 'PATCH', body: JSON.stringify({ data: { attributes } }), headers: { 'content-type': 'application/json' } });
  print(`${response.status} ${await response.text()}`.trim());
  return response.ok ? 0 : 1;
}

const CEILING_OPTIONS = defineOptions({
  users: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  repeats: { type: 'string' },
  quick: { type: 'boolean', default: false },
  'other-above': { type: 'string' },
  'other-share': { type: 'string' },
  reports: { type: 'string', default: 'reports' },
  render: { type: 'string' },
});

async function ceiling({ values }: ParsedArgs<typeof CEILING_OPTIONS>): Promise<number> {
  if (values.render !== undefined) {
    const { checked, differences } = await rederiveCeiling(values.render, { render: true });
    print(differences.length === 0 ? `${String(checked)} measured windows of ${values.render} derived again from raw/: the same figures; ceiling.md rendered again` : `figures of ${values.render} differ from those derived from raw/: ${differences.join(', ')}`);
    return differences.length === 0 ? 0 : 1;
  }
  const config = ceilingConfig(values);
  const disturbance = disturbanceOption(values);
  const { dir, report } = await runCeiling({ config, disturbance, reportsDir: values.reports, log: print });
  for (const f of report.figures) {
    print(`${f.test}: ${spreadText(f.throughputPerS, 1)} ${RATE_UNIT[f.test]}, CPU per transaction ${f.cpuMsPerTx.map((g) => `${g.group} ${spreadText(g.spread, 3)}`).join(', ')} ms (all ours ${spreadText(f.cpuMsPerTxTotal, 3)} ms)`);
  }
  if (report.exitCode === CEILING_EXIT.disturbed) print(`DISTURBED: someone else's load used the machine during a measured window: these are not this system's ceiling (report: the verdict); exit code ${String(report.exitCode)}`);
  else if (report.exitCode === CEILING_EXIT.callsFailed) print(`calls failed in a measured window: not a ceiling (exit code ${String(report.exitCode)})`);
  print(`ceiling report: ${dir}/ceiling.md`);
  return report.exitCode;
}

const AB_OPTIONS = defineOptions({
  a: { type: 'string' },
  b: { type: 'string', default: '.' },
  test: { type: 'string', default: 'order_query' },
  users: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  repeats: { type: 'string' },
  'cpu-prof': { type: 'boolean', default: false },
  'other-above': { type: 'string' },
  'other-share': { type: 'string' },
  reports: { type: 'string', default: 'reports' },
  render: { type: 'string' },
});

async function ab({ values }: ParsedArgs<typeof AB_OPTIONS>): Promise<number> {
  if (values.render !== undefined) {
    const { checked, differences } = await rederiveAb(values.render, { render: true });
    print(differences.length === 0 ? `${String(checked)} measured windows of ${values.render} derived again from raw/: the same figures; ab.md rendered again` : `figures of ${values.render} differ from those derived from raw/: ${differences.join(', ')}`);
    return differences.length === 0 ? 0 : 1;
  }
  if (values.a === undefined) throw new UsageError('--a REV|DIR is required: the build B is measured against');
  const config = abConfig(values);
  const disturbance = disturbanceOption(values);
  const { dir, report } = await runAb({ a: values.a, b: values.b, config, disturbance, reportsDir: values.reports, log: print });
  for (const c of report.comparisons.filter((x) => x.figure === 'throughputTxPerMin' || x.figure === 'cpuMsPerRequest.service')) {
    print(`${c.test} ${c.figure}: A ${spreadText(c.a, 3)}, B ${spreadText(c.b, 3)}, B ÷ A ${c.ratio === null ? 'no data' : c.ratio.toFixed(3)}`);
  }
  if (report.exitCode === AB_EXIT.disturbed) print(`DISTURBED: someone else's load used the machine during a measured window (exit code ${String(report.exitCode)})`);
  else if (report.exitCode === AB_EXIT.thresholdFailed) print(`a window's thresholds failed (exit code ${String(report.exitCode)})`);
  print(`A/B report: ${dir}/ab.md`);
  return report.exitCode;
}

const TABLE4_OPTIONS = defineOptions({ profile: { type: 'string', default: 'paper' }, engine: { type: 'string', default: 'both' }, 'other-above': { type: 'string' }, 'other-share': { type: 'string' } });

async function table4({ values }: ParsedArgs<typeof TABLE4_OPTIONS>): Promise<number> {
  const profile = (PROFILES as Record<string, Profile | undefined>)[values.profile];
  if (!profile) throw new Error(`unknown profile ${values.profile} (${Object.keys(PROFILES).join(', ')})`);
  const engines = ENGINE_CHOICES[values.engine];
  if (!engines) throw new Error(`unknown engine ${values.engine} (${Object.keys(ENGINE_CHOICES).join(', ')})`);
  const disturbance = disturbanceOption(values);
  const started = Date.now();
  const result = await runTable4(
    profile,
    (line) => {
      process.stdout.write(`${line}\n`);
    },
    undefined,
    { engines, disturbance },
  );
  for (const p of result.report.paper) {
    process.stdout.write(
      `${p.scenario} (${p.engine}): ${orNoData(p.measured.throughputTxPerMin, (v) => `${v.toFixed(1)} tx/min`)} (paper ${p.paper.throughputTxPerMin}), avg ${orNoData(p.measured.avgLatencyS, (v) => `${v.toFixed(3)} s`)} (paper ${p.paper.avgLatencyS}), ` +
        `success ${orNoData(p.measured.successRatePct, (v) => `${v.toFixed(2)} %`)}, chain CPU ${orNoData(p.measured.cpuAvgPct, (v) => `${v.toFixed(1)} %`)}, memory ${orNoData(p.measured.memAvgPct, (v) => `${v.toFixed(1)} %`)}\n`,
    );
  }
  if (result.report.disturbed) process.stdout.write(`DISTURBED: someone else's load used the machine during a measured window (report: "Interference"); exit code ${result.exitCode}\n`);
  process.stdout.write(`report: ${result.dir}/report.html (${Math.round((Date.now() - started) / 1000)} s)\n`);
  return result.exitCode;
}

export const benchCli: Cli = {
  name: 'bench',
  summary: 'Load scripts, the Table 4 reproduction, the regression gate and the capacity, reliability, security and soak studies.',
  bareExitCode: 0,
  commands: [
    command({
      name: 'run',
      summary: 'run a k6-shaped TypeScript script on the network (thresholds, summary, report)',
      usage: `run <script.ts> [--vus N] [--duration D] [--iterations I] [--env K=V ...] [--out json=FILE]
[--summary-export FILE] [--no-service] [--no-report] [--reports DIR] [--address HOST:PORT]
run --render DIR`,
      help: `A k6-shaped TypeScript script (options, default function, setup/teardown, handleSummary; all seven
executors), type-checked then run by the in-process engine (undici), on this machine's network when it
is up (the retail service started in front of it; the script's network module reaches it). The k6
end-of-test summary; exit 0, 99 when a threshold failed (abortOnFail stops the run early, also 99),
104 invalid options, 105 interrupted (Ctrl-C), 107 a type error or a script that throws outside
iterations, 108 test.abort().
Writes reports/<time>_run-<script>_<sha>/ (run.json, run.html, raw/samples.json.gz); --render DIR
derives its figures again from raw/. The scripts under bench/scenarios/ are examples; README
"Writing your own scenario".
  -u, --vus N, -d, --duration D, -i, --iterations I   override the script's options
  -e, --env K=V            the script's __ENV (repeatable)
  -o, --out json=FILE      every sample as JSON lines
  --summary-export FILE    the end-of-test summary as JSON
  --no-service             no retail service started in front of the network
  --no-report              no report directory
  --reports DIR            where reports go (default reports)
  --address HOST:PORT      the control API's address (bench scale)`,
      options: RUN_OPTIONS,
      positionals: true,
      run: scriptRun,
    }),
    command({
      name: 'scale',
      summary: 'change the VUs of a running externally-controlled scenario (k6 scale)',
      usage: 'scale --vus N | --stop [--address HOST:PORT]',
      help: `Changes the VUs of the running externally-controlled scenario of \`bench run\`, or stops it.
  --vus N              the VUs from now on
  --stop               stop the run
  --address HOST:PORT  the run's control API (default: the one the running \`bench run\` recorded)`,
      options: SCALE_OPTIONS,
      run: scale,
    }),
    command({
      name: 'engines',
      summary: "vegeta and the script runner's undici engine on one fixture, compared",
      usage: `engines [--test order_query|add_order] [--users 30] [--warmup 5s] [--duration 30s] [--repeats 3] [--reports DIR]
engines --render DIR`,
      help: `vegeta (through the scenario runner) and the script runner's undici engine on one fixture, the same
Table 4 test, --repeats times each in alternating order: throughput, latency and the load generator's CPU
per request. Writes reports/<time>_engines-<test>_<sha>/ (engines.json, engines.md, raw/). Exit 98 when disturbed.
--render DIR derives every measured window's figures again from DIR/raw/.`,
      options: ENGINES_OPTIONS,
      run: enginesCommand,
    }),
    command({
      name: 'table4',
      summary: "reproduce PAPER.md Table 4 on the running native network (http and Caliper)",
      usage: 'table4 [--profile paper|quick|tuned] [--engine http|caliper|both] [--other-above PCT] [--other-share PCT]',
      help: `Reproduces PAPER.md Table 4 on the running native network (npm run network -- up): add order and
order query, closed loop of 30 users, bench/scenarios/table4-*.ts through nginx and the retail service (http) and
with Caliper straight to Fabric (caliper); CPU and memory from Prometheus, started by the command.
Writes reports/<date>_table4-<profile>_<sha>/.

profiles: paper  30 users, 30 s warm-up + 10 min per test, Fabric's default batch settings
          quick  the same, 5 s + 20 s (CI and tests)
          tuned  measures the tuning ladder, then runs the tests with its best adoptable step (the
                 model's settings are restored after): add order under block cutting, private
                 data dissemination, the peers' validation parallelism and log level, each step
                 3 repeats with the CPU per write of each process group (~20 min in all)
Interference: every second, the machine's busy CPU is split into ours (the network's processes and
this benchmark's, by pid), the kernel's and other (someone else's); a measured window where other
was above --other-above % of the machine (default 5) in more than --other-share % of its seconds
(default 10) is DISTURBED, and the report names the foreign processes.
Exit code 0 when the paper's figures are met, 99 when a threshold failed (as k6), 98 when a window
was disturbed (its figures are not this system's alone; whatever the thresholds said), 1 on error.`,
      options: TABLE4_OPTIONS,
      run: table4,
    }),
    command({
      name: 'ceiling',
      summary: "what Fabric allows on this machine: a no-op evaluate and a one-key write, 30 users straight to the gateway",
      usage: `ceiling [--users 30] [--duration D] [--warmup W] [--repeats N] [--quick] [--other-above PCT] [--other-share PCT] [--reports DIR]
ceiling --render DIR`,
      help: `The ceiling: deploys the calibration chaincode (bench/calibration/chaincode: a no-op read and a
one-key write, nothing else) beside the retail one as \`calibration\` (the same source again does
nothing), then runs bench/scenarios/ceiling.ts on the running network: --users closed-loop users
(each its own identity) straight to the Fabric Gateway, no nginx or service, TEST=evaluate then
TEST=write, --repeats times. For each measured window: transactions a second, and the CPU each
process group (peer, orderer, chaincode, harness, ...) spent per transaction, from our own-process
exporter through Prometheus (started by the command); median and spread over the repeats.
Writes reports/<time>_ceiling_<sha>/ (ceiling.json, ceiling.md, raw/).
  --users N        closed-loop users (default ${String(DEFAULT_CEILING.users)})
  --duration D     measured window of each test (default ${DEFAULT_CEILING.duration})
  --warmup W       warm-up before it, figures apart (default ${DEFAULT_CEILING.warmup}; 0s for none)
  --repeats N      evaluate then write, N times (default ${String(DEFAULT_CEILING.repeats)})
  --quick          the short variant CI runs: --duration ${QUICK_CEILING.duration} --warmup ${QUICK_CEILING.warmup} --repeats ${String(QUICK_CEILING.repeats)} (options given still count)
  --other-above PCT, --other-share PCT   when a window is disturbed (as table4's: default ${String(DEFAULT_DISTURBANCE.otherPct)} and ${String(DEFAULT_DISTURBANCE.sharePct)})
  --reports DIR    where the report directory goes (default reports)
  --render DIR     derive every figure of DIR again from DIR/raw/, check them against ceiling.json, render ceiling.md again
Exit code 0, 98 when a window was disturbed (the figures are not this system's ceiling), 99 when a
call failed (not a ceiling either), 1 on error.`,
      options: CEILING_OPTIONS,
      run: ceiling,
    }),
    command({
      name: 'ab',
      summary: 'two builds of the retail service measured against each other: throughput and CPU per request, B ÷ A',
      usage: `ab --a REV|DIR [--b REV|DIR] [--test order_query|add_order|both] [--users N] [--duration D] [--warmup W]
[--repeats N] [--cpu-prof] [--other-above PCT] [--other-share PCT] [--reports DIR]
ab --render DIR`,
      help: `A/B of the service on the running network: side A and side B are two builds of the retail service,
each a git revision (exported into the toolchain's cache outside the repo and built there once) or
a directory holding a built checkout (--b's default: . , this one). The fixture is prepared once;
then, --repeats times, each side in turn (A B, then B A, ...) starts its service tier (nginx and
the model's instances) and runs Table 4's test(s) through it. For each measured window: throughput,
latency, and the CPU per request of each process group by pid (peers, orderers, chaincode servers,
service instances, nginx, this process); B ÷ A as the ratio of the medians. With --cpu-prof each
instance writes a V8 CPU profile (node --cpu-prof), summarised by package and function in the
report. Only the service differs between the sides: the network, chaincode and channel are shared.
Writes reports/<time>_ab_<sha>/ (ab.json, ab.md, raw/, profiles/).
  --test T         ${Object.keys(AB_TESTS).join(' | ')} (default order_query)
  --users N, --duration D, --warmup W   the load of each window (default the quick profile's: 30, 20s, 5s)
  --repeats N      windows a side (default 3)
  --cpu-prof       profile the service instances of every window
  --render DIR     derive every figure of DIR again from DIR/raw/, check them against ab.json, render ab.md again
Exit code 0, 98 when a window was disturbed, 99 when a window's thresholds failed, 1 on error.`,
      options: AB_OPTIONS,
      run: ab,
    }),
    command({
      name: 'gate',
      summary: "the regression gate: the quick scenarios N times, each figure compared with the baseline",
      usage: `gate [--baseline FILE] [--repeats N] [--k K] [--min-change FIGURE=PCT ...] [--allow-other-machine]
[--inject-write-delay-ms MS] [--reports DIR]`,
      help: `The regression gate: the quick scenarios N times (default 5) with the baseline's load shape,
each figure (throughput, latency p50/p95/p99, success rate, chain CPU per transaction)
compared with the baseline (default bench/baselines/quick.json); a change fails only when
worse than both its minimum (--min-change throughputTxPerMin=10: percent, success rate in
percentage points) and K standard errors of the difference of the medians (default 3).
Writes reports/<time>_gate_<sha>/ (junit.xml, summary.md, gate.json, current.json).
--inject-write-delay-ms: a deliberate regression in the service (the gate's own proof).
Exit code 0 pass, 1 regression, 2 harness or environment error.`,
      options: GATE_OPTIONS,
      run: async (parsed) => {
        try {
          return await gate(parsed);
        } catch (error) {
          // Whatever stopped the gate before it decided is the harness's or the environment's failure.
          process.stderr.write(`bench gate: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
          return GATE_EXIT.error;
        }
      },
    }),
    command({
      name: 'baseline',
      summary: "measure the gate's figures (or take a gate run's) and write the baseline",
      usage: 'baseline [--out FILE] [--repeats N] [--users U] [--duration D] [--warmup W] [--from current.json]',
      help: `Measures the same as the gate (or takes --from a gate run's current.json) and writes the baseline
(default bench/baselines/quick.json).`,
      options: BASELINE_OPTIONS,
      run: baseline,
    }),
    command({
      name: 'capacity',
      summary: 'closed- and open-model sweeps, the knee, what saturates first, the provincial projection',
      usage: 'capacity [--plan full|quick] [--inputs FILE.json] [--reports DIR]',
      help: `Closed-model sweep (users 1, 2, 4, ...; Universal Scalability Law fit) and open-model
sweep (arrival rates stepped; the knee: highest rate with p99 within the objective, all
successful, none dropped) of add order and order query, what saturates first, and the
provincial projection (--inputs: a JSON object overriding ${Object.keys(DEFAULT_INPUTS).join(', ')}).
The harness ceiling: closed steps repeated straight to the Fabric Gateway (no HTTP, nginx or
service): what the service costs. Runs on the state's network, of whatever size it was made.
Writes reports/<time>_capacity-<plan>-<size>_<sha>/ (capacity.json, .csv, .html). Plan full ~15 min, quick ~3 min.
Each step's interference is measured as table4's; exit code 98 when a step was disturbed.`,
      options: CAPACITY_OPTIONS,
      run: capacity,
    }),
    command({
      name: 'growth',
      summary: "cost growth with the network's size: the capacity sweep on each size in turn",
      usage: `growth [--sizes reduced,paper] [--plan full|quick] [--reports DIR]
growth --from DIR,DIR`,
      help: `Cost growth with the network's size: each size (network up --size) brought up in turn in its
own state (<state>-<size>), the capacity sweep run on it, the network taken down; then chain
CPU per transaction, knees and saturation compared. Needs the default network down.
Writes reports/<time>_growth-<plan>_<sha>/ (growth.json, .csv, .html) beside each size's capacity report.
--from: compares capacity reports made before. Exit code 98 when a step of any size was disturbed.`,
      options: GROWTH_OPTIONS,
      run: growth,
    }),
    command({
      name: 'reliability',
      summary: 'faults under the 30-user add-order load; ledgers and acknowledged orders reconciled',
      usage: 'reliability [--variant ci|full] [--faults F,...] [--reports DIR]',
      help: `Faults under the 30-user add-order load (${FAULT_NAMES.join(', ')}), each injected and
undone within the load; then every peer's ledger awaited until they agree and every
acknowledged order reconciled (lost, duplicated, wrong state), with error windows and
recovery times. Native runtime; the network is restored after each fault.
Writes reports/<time>_reliability-<variant>_<sha>/ (reliability.json, .md).
Exit code 0 when nothing acknowledged was lost and writes kept succeeding through every fault, 1 otherwise.`,
      options: RELIABILITY_OPTIONS,
      run: reliability,
    }),
    command({
      name: 'security',
      summary: "fuzz the API, the role matrix, identities, private data, TLS and a key scan",
      usage: 'security [--cases N] [--seed S] [--reports DIR]',
      help: `Fuzzes the service's API from its OpenAPI document (N invalid requests, default 10000, seeded:
--seed replays a run): each must be refused with a 4xx problem body, none answered 5xx, no
ledger write (every peer's height unchanged); runs Table 1's role × transition matrix (every step
the flow does not allow, by every actor, from every reachable state: refused, order unchanged); checks
identities through the service and at the peers (another's key, an unknown CA, forged tokens, and an
identity revoked on the chain: CA revocation, CRL in the channel config); private data (no view or peer
outside the collection shows the terms; the public hash verifies); TLS on every endpoint; and scans the
tracked files, the network's logs and the reports for private keys. Writes reports/<time>_security_<sha>/ (security.json, .md).
Exit code 0 when all hold, 1 otherwise.`,
      options: SECURITY_OPTIONS,
      run: security,
    }),
    command({
      name: 'caliper',
      summary: 'run your own Caliper benchmark (benchconfig and workload modules) against the network',
      usage: 'caliper --benchconfig FILE [--workspace DIR] [--allow-failures] [--timeout S] [--reports DIR]',
      help: `Runs Caliper ${CALIPER_VERSION} (caliper launch manager) with your benchconfig and workload modules against the
state's network, with a network config derived from the model: every org's users as identities
(invokerIdentity consumer1 with invokerMspId ConsumerOrgMSP, ...), the chaincodes committed on the channel
as contracts, and Caliper's stock connector when client authentication is optional, ours (which presents
the org's TLS client certificate) when required. Prints succ, fail and TPS per round. Exit 1 when any
transaction failed: Caliper itself exits 0 then.
Writes reports/<time>_caliper_<sha>/ (network-config.json, caliper.log, report.html).
  --benchconfig FILE   your benchmark configuration (YAML)
  --workspace DIR      where the benchconfig's module paths resolve (default: the benchconfig's folder)
  --allow-failures     exit 0 even when transactions failed
  --timeout S          stop Caliper after S seconds (default ${DEFAULT_USER_LIMIT_S})
  --reports DIR        where the report directory goes (default reports)`,
      options: { benchconfig: { type: 'string' }, workspace: { type: 'string' }, 'allow-failures': { type: 'boolean' }, timeout: { type: 'string' }, reports: { type: 'string', default: 'reports' } },
      run: async ({ values }) => {
        if (values.benchconfig === undefined) throw new UsageError('--benchconfig is required');
        const limitS = values.timeout === undefined ? DEFAULT_USER_LIMIT_S : Number(values.timeout);
        if (!Number.isInteger(limitS) || limitS <= 0) throw new UsageError(`--timeout must be a whole number of seconds, not ${values.timeout ?? ''}`);
        const outDir = join(values.reports, reportDirName({ startedAt: new Date().toISOString(), name: 'caliper', commit: commit() }));
        await runUserCaliper({
          benchConfig: values.benchconfig,
          ...(values.workspace === undefined ? {} : { workspace: values.workspace }),
          outDir,
          allowFailures: values['allow-failures'] === true,
          limitS,
          log: print,
        });
        print(`caliper report: ${outDir}/report.html`);
        return 0;
      },
    }),
    command({
      name: 'caliper-config',
      summary: "write Caliper's network config for this network (for caliper launch manager run by hand)",
      usage: 'caliper-config --out FILE',
      help: `Writes Caliper's network config (version 2.0) for the state's network to FILE: every org's users as
identities, the chaincodes committed on the channel as contracts, each org's peers with their TLS roots
and certificate names; Caliper's stock connector (caliper.blockchain: fabric) when client authentication
is optional, ours (a module path) when required.
  --out FILE   where to write it (JSON, which Caliper reads as it reads YAML)`,
      options: { out: { type: 'string' } },
      run: async ({ values }) => {
        if (values.out === undefined) throw new UsageError('--out is required');
        const config = await writeCaliperNetworkConfig(values.out, {});
        print(`wrote ${values.out}: ${config.caliper.blockchain === 'fabric' ? "Caliper's stock connector" : 'our mutual-TLS connector'}, contracts ${config.channels.flatMap((c) => c.contracts.map((k) => k.id)).join(', ')}`);
        return 0;
      },
    }),
    command({
      name: 'soak',
      summary: 'one scenario held for a long time; the drift of every figure, interval by interval',
      usage: `soak [--scenario add_order|order_query|mixed] [--duration 30m] [--users 30] [--warmup 30s] [--interval 1m]
[--drift-window 5m] [--max-drift 1.2] [--other-above PCT] [--other-share PCT] [--reports DIR]
soak --render DIR`,
      help: `One scenario held for --duration on the running network (closed loop, vegeta through nginx and
the service; mixed: the users split between add order and order query). At each --interval:
throughput, latency p50/p99, CPU ms per transaction and resident memory of every process of ours
(the state's, by pid, and this benchmark's tree), Go and Node heaps, every peer's height and ledger
folders on disk, and interference. Each figure's drift: the mean of its last --drift-window over
its first. Writes reports/<time>_soak-<scenario>_<sha>/ (soak.json, .md, .html, intervals.csv,
raw/). Exit code 0, 99 when throughput fell, or the chain's CPU per transaction or the median
latency grew, by more than --max-drift (a factor), 98 when disturbed, 1 on error.
--render DIR derives every figure again from DIR/raw/, checks them against soak.json, renders again.`,
      options: SOAK_OPTIONS,
      run: soak,
    }),
  ],
};

// Run as the bench CLI; imported (by its test), the table alone.
if (require.main === module) {
  exitCleanlyOnInterrupt((line) => {
    process.stderr.write(`bench: ${line}\n`);
  });
  runCli(benchCli);
}
