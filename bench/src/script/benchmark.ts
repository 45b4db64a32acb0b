/**
 * A script as one test of a benchmark: the Table 4 reproduction, its tuning ladder, the regression
 * gate and the capacity sweep run bench/scenarios/table4-*.ts on the script runner (one way to
 * define load), and read their figures from the script's requests as the scenario runner's records,
 * so that the one derivation every report uses (report/derive.ts) serves them all.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ScenarioRecords } from '../scenario/records';
import type { ProgressMetrics } from '../progress/metrics';
import type { Fixture } from '../table4/prepare';
import type { SummaryData } from './api/summary';
import { FIXTURE_ENV } from './api/network';
import { compileScript, type CompiledScript } from './loader';
import { scriptScenarioRecords } from './records';
import type { ScriptNetwork } from './runtime/context';
import type { SampleSink } from './runtime/metrics';
import { runScript, type RunProgress, type ScriptRunResult } from './runtime/run';

/** The scripts of Table 4's two tests (bench/scenarios/lib/table4.ts says what their environment sets). */
export const TABLE4_SCRIPTS = {
  add_order: path.resolve(__dirname, '..', '..', 'scenarios', 'table4-add-order.ts'),
  order_query: path.resolve(__dirname, '..', '..', 'scenarios', 'table4-order-query.ts'),
} as const;
export type Table4Test = keyof typeof TABLE4_SCRIPTS;

/** The in-process engine as reports name it, with undici's version. */
export function scriptEngine(): string {
  const { version } = JSON.parse(readFileSync(path.join(path.dirname(require.resolve('undici')), 'package.json'), 'utf8')) as { version: string };
  return `undici ${version} (in-process)`;
}

export interface ScriptTest {
  readonly script: string;
  /** The measured scenario, and the warm-up scenario before it (its figures apart), if the script has one. */
  readonly scenario: string;
  readonly warmup?: string;
  /** `--env`: the script's options (USERS, DURATION, WARMUP, RATE, VIA, ...). */
  readonly env: Readonly<Record<string, string>>;
  /** Prepared by the harness, handed to the script in a file __ENV.TABLE4_FIXTURE names. */
  readonly fixture?: Fixture;
  /** Which requests are the test's: the service's (http_req_*) or the Fabric calls' (fabric_req_*). Default http. */
  readonly requests?: 'http' | 'fabric';
}

/**
 * One of Table 4's tests as a benchmark runs it: `users` virtual users (or, with env RATE, the
 * open model) for `duration` after a `warmup` scenario, on the harness's fixture.
 */
export function table4Test(test: Table4Test, load: { readonly users: number; readonly duration: string; readonly warmup: string }, fixture: Fixture, env: Readonly<Record<string, string>> = {}): ScriptTest {
  return {
    script: TABLE4_SCRIPTS[test],
    scenario: test,
    warmup: 'warmup',
    fixture,
    env: { USERS: String(load.users), DURATION: load.duration, WARMUP: load.warmup, ...env },
    requests: env.VIA === 'gateway' ? 'fabric' : 'http',
  };
}

/** A test of a benchmark's run on the script runner: its exit code (thresholds), k6's summary, every request it sent. */
export interface ScriptTestRun {
  readonly exitCode: number;
  readonly summary: SummaryData;
  readonly records: readonly ScenarioRecords[];
  /** Each scenario's executor: closed (VUs looping) or open (arrival rate). */
  readonly models: Readonly<Record<string, 'closed' | 'open'>>;
  /** Iterations completed in each scenario (k6's `iterations`; interrupted ones are not counted). */
  readonly iterations: Readonly<Record<string, number>>;
}

export interface ScriptTestContext {
  readonly log: (line: string) => void;
  /** The network the script reaches through its `network` and `fabric` modules (Table 4's scripts need one). */
  readonly network?: ScriptNetwork;
  /** The harness's progress metrics Prometheus scrapes. */
  readonly metrics: ProgressMetrics;
}

const compiled = new Map<string, CompiledScript>();

/** A script compiled (type-checked) once per process: a benchmark runs the same script many times. */
export function compiledScript(file: string): CompiledScript {
  let script = compiled.get(file);
  if (script === undefined) {
    script = compileScript(file);
    compiled.set(file, script);
  }
  return script;
}

/** Every sample of a run into the harness's progress metrics (requests, Fabric calls and checks by scenario). */
export function progressSink(metrics: ProgressMetrics): SampleSink {
  return (def, value, tags) => {
    if (def.name === 'http_req_duration' || def.name === 'fabric_req_duration') metrics.response(tags.scenario ?? '', Number(tags.status ?? 0), value / 1000);
    else if (def.name === 'checks') metrics.check(tags.scenario ?? '', tags.check ?? '', value !== 0);
  };
}

/** k6's progress line: the run, then each scenario's share of its planned time, VUs and iterations. */
function progressLine(p: RunProgress): string {
  const time = (ms: number): string => `${Math.floor(ms / 60_000)}m${((ms % 60_000) / 1000).toFixed(1)}s`;
  const head = `running (${time(p.elapsedMs)}), ${p.vus}/${p.vusMax} VUs, ${p.completed} complete and ${p.interrupted} interrupted iterations`;
  const lines = p.scenarios.map((s) => {
    const share = s.plannedMs === 0 ? 100 : Math.min(100, Math.round((s.elapsedMs / s.plannedMs) * 100));
    return `${s.name.padEnd(16)} [${String(share).padStart(3)}% ] ${s.state === 'done' ? 'done' : `${s.vus} VUs`}  ${time(s.elapsedMs)}/${time(s.plannedMs)}  ${s.completed} iterations${s.dropped > 0 ? `, ${s.dropped} dropped` : ''}`;
  });
  return [head, ...lines].join('\n');
}

/** How often a run prints its progress line. */
const PROGRESS_EVERY_MS = 5_000;

/**
 * A run's onProgress for the harness: each scenario's phase and VUs into the progress metrics (the
 * `warmup` scenario as warm-up, the others as measured), and k6's progress line to `log` every 5 s.
 */
export function progressReporter(metrics: ProgressMetrics, log: (line: string) => void, warmup?: string): (progress: RunProgress) => void {
  let last = 0;
  return (p) => {
    for (const s of p.scenarios) metrics.scenarioPhase(s.name, s.state === 'running' ? (s.name === warmup ? 'warmup' : 'measured') : s.state, s.vus);
    if (p.elapsedMs - last < PROGRESS_EVERY_MS) return;
    last = p.elapsedMs;
    log(progressLine(p));
  };
}

/** Runs one test; a script error (compile, setup, options) throws, a failed threshold is the exit code. */
export async function runScriptTest(test: ScriptTest, context: ScriptTestContext): Promise<ScriptTestRun> {
  const script = compiledScript(test.script);
  const work = test.fixture === undefined ? undefined : await mkdtemp(path.join(tmpdir(), 'script-test-'));
  try {
    const env = { ...test.env };
    if (work !== undefined) {
      const file = path.join(work, 'fixture.json');
      await writeFile(file, JSON.stringify(test.fixture));
      env[FIXTURE_ENV] = file;
    }
    const result = await runScript(script, {
      env,
      ...(context.network !== undefined && { network: context.network }),
      log: context.log,
      sink: progressSink(context.metrics),
      onProgress: progressReporter(context.metrics, (line) => { context.log(line.replace(/^/gm, '  ')); }, test.warmup),
    });
    if (result.exitCode !== 0 && result.exitCode !== 99) throw new ScriptTestError(`${path.basename(test.script)} exited ${result.exitCode}: ${result.abortReason ?? 'see the lines above'}`);
    return {
      exitCode: result.exitCode,
      summary: result.data,
      records: [scriptScenarioRecords(result, test.scenario, test.warmup, test.requests ?? 'http')],
      models: Object.fromEntries(result.scenarios.map((s) => [s.name, s.source.executor.endsWith('arrival-rate') ? 'open' : 'closed'])),
      iterations: iterationsOf(result),
    };
  } finally {
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  }
}

function iterationsOf(result: ScriptRunResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const plan of result.scenarios) out[plan.name] = result.store.select('iterations', { scenario: plan.name }).reduce((n, s) => n + s.values.length, 0);
  return out;
}

/** A test's script stopped the run (a setup error, an abort) rather than measuring. */
export class ScriptTestError extends Error {
  override readonly name = 'ScriptTestError';
}
