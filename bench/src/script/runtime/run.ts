/**
 * Runs a script as k6 runs one: init (the module's top level), setup(), the scenarios side by side
 * with their executors, teardown(), thresholds, the end-of-test summary (or handleSummary).
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';

import { parseDuration } from '../../scenario/duration';
import { ScenarioConfigError } from '../../scenario/errors';
import type { ThresholdResult } from '../../scenario/thresholds';
import type { Options } from '../api/options';
import type { SummaryData } from '../api/summary';
import { compileScript, evaluateScript, type CompiledScript } from '../loader';
import {
  contextTags,
  currentCall,
  inCall,
  IterationInterrupted,
  setRun,
  TestAborted,
  type CallContext,
  type RunContext,
  type ScenarioInfo,
  type ScriptNetwork,
  type VuInfo,
} from './context';
import { plannedMs, runExecutor, sleepUntil, type ScenarioDriver, type Vu, type VuControl } from './executors';
import { MetricStore, type SampleSink } from './metrics';
import { resolveScenarios, type Overrides, type ScenarioPlan } from './resolve';
import { DEFAULT_TREND_STATS, summaryData } from './summary-data';
import { abortingConditions, evaluateScriptThresholds, parseScriptThresholds } from './thresholds';

/** k6's exit codes. */
export const EXIT = {
  ok: 0,
  thresholdsFailed: 99,
  invalidConfig: 104,
  externalAbort: 105,
  scriptException: 107,
  scriptAborted: 108,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface ScenarioProgressLine {
  readonly name: string;
  readonly executor: string;
  readonly vus: number;
  readonly completed: number;
  readonly interrupted: number;
  readonly dropped: number;
  readonly elapsedMs: number;
  readonly plannedMs: number;
  readonly state: 'waiting' | 'running' | 'done';
}

export interface RunProgress {
  readonly elapsedMs: number;
  readonly vus: number;
  readonly vusMax: number;
  readonly completed: number;
  readonly interrupted: number;
  readonly scenarios: readonly ScenarioProgressLine[];
}

export interface ScriptRunOptions {
  /** `--env K=V` (over the process's environment). */
  readonly env?: Readonly<Record<string, string>>;
  readonly overrides?: Overrides;
  readonly network?: ScriptNetwork;
  /** Stops the run (Ctrl-C): running iterations are interrupted, teardown runs, exit code 105. */
  readonly signal?: AbortSignal;
  /** Every sample as it is taken (--out json, Prometheus progress metrics). */
  readonly sink?: SampleSink;
  /** Once a second. */
  readonly onProgress?: (progress: RunProgress) => void;
  /** The VU controls of externally-controlled scenarios, by scenario, once they start. */
  readonly onControl?: (scenario: string, control: VuControl) => void;
  /** Lines for the person running it (iteration errors, notes); default stderr. */
  readonly log?: (line: string) => void;
}

export interface ScriptRunResult {
  readonly exitCode: ExitCode;
  /** Why the run ended early, if it did. */
  readonly abortReason: string | undefined;
  readonly data: SummaryData;
  readonly thresholds: Readonly<Record<string, ThresholdResult>>;
  /** The script's handleSummary outputs (key: stdout, stderr or a file path), or undefined without one. */
  readonly handleSummary: Readonly<Record<string, string>> | undefined;
  readonly store: MetricStore;
  readonly scenarios: readonly ScenarioPlan[];
  /** Each scenario that started: from its start for its planned length (gracefulStop excluded), epoch ms. */
  readonly windows: Readonly<Record<string, { readonly startMs: number; readonly endMs: number }>>;
  readonly startedMs: number;
  readonly endedMs: number;
  readonly iterationErrors: number;
}

/** setup() or teardown() threw, or took longer than allowed. */
export class ScriptLifecycleError extends Error {
  override readonly name = 'ScriptLifecycleError';
}

const ABORT_EVAL_MS = 2_000;
/** Distinct iteration errors printed in full; the rest are counted. */
const ERRORS_SHOWN = 5;

type ScriptFn = (data: unknown) => unknown;

/** Runs the script at `file` (or compiled already); a compile error throws ScriptCompileError before anything runs. */
export async function runScript(file: string | CompiledScript, options: ScriptRunOptions = {}): Promise<ScriptRunResult> {
  const compiled = typeof file === 'string' ? compileScript(file) : file;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const store = new MetricStore();
  if (options.sink !== undefined) store.streamTo(options.sink);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, options.env);
  const stop = new AbortController();
  let abortReason: string | undefined;
  let exitOverride: ExitCode | undefined;
  const abort = (reason: string, code: ExitCode): void => {
    if (stop.signal.aborted) return;
    abortReason = reason;
    exitOverride = code;
    stop.abort();
  };
  const counts = { completed: 0, interrupted: 0, active: 0, allocated: 0, errors: 0 };
  let resolvedOptions: unknown = {};
  const run: RunContext = {
    store,
    env,
    tags: {},
    startMs: Date.now(),
    network: options.network,
    resources: new Map(),
    options: undefined,
    vusActive: () => counts.active,
    vusAllocated: () => counts.allocated,
    iterationsCompleted: () => counts.completed,
    iterationsInterrupted: () => counts.interrupted,
    abort: (reason) => {
      abort(`the script aborted the test: ${reason}`, EXIT.scriptAborted);
    },
  };
  Object.defineProperty(run, 'options', { get: () => resolvedOptions });
  const onSignal = (): void => {
    abort('stopped from outside (signal)', EXIT.externalAbort);
  };
  options.signal?.addEventListener('abort', onSignal, { once: true });
  defineGlobals(env);
  setRun(run);
  try {
    const scriptExports = evaluateScript(compiled);
    const scriptOptions = (scriptExports.options ?? {}) as Options;
    const runTags = scriptOptions.tags ?? {};
    Object.assign(run, { tags: runTags });
    const exported = (name: string): boolean => typeof scriptExports[name] === 'function';
    const plans = resolveScenarios(scriptOptions, options.overrides ?? {}, exported);
    const thresholds = parseScriptThresholds(scriptOptions.thresholds ?? {}, store);
    const trendStats = scriptOptions.summaryTrendStats ?? DEFAULT_TREND_STATS;
    resolvedOptions = { ...scriptOptions, scenarios: Object.fromEntries(plans.map((p) => [p.name, p.source])) };

    // setup(): its data, as JSON (k6 hands each VU a copy), to every iteration.
    let setupData: unknown;
    if (exported('setup')) {
      const timeoutMs = parseDuration(scriptOptions.setupTimeout ?? '60s', 'options.setupTimeout');
      const value = await lifecycle('setup', scriptExports.setup as ScriptFn, undefined, timeoutMs, stop.signal);
      setupData = value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
    }

    const startMs = Date.now();
    Object.assign(run, { startMs });
    const scenarioStates = plans.map((plan) => new ScenarioState(plan, scriptExports[plan.exec] as ScriptFn, setupData, run, stop.signal, counts, log));
    const ticker = setInterval(() => {
      sampleVus(store, counts, runTags);
      options.onProgress?.(progressOf(startMs, counts, scenarioStates));
    }, 1000);
    const abortWatch = setInterval(() => {
      const failing = abortingConditions(thresholds, store, Date.now() - startMs);
      if (failing.length > 0) abort(`thresholds with abortOnFail were crossed: ${failing.join('; ')}`, EXIT.thresholdsFailed);
    }, ABORT_EVAL_MS);
    try {
      sampleVus(store, counts, runTags);
      await Promise.all(
        scenarioStates.map(async (state) => {
          await sleepUntil(startMs + state.plan.startTimeMs, stop.signal);
          if (stop.signal.aborted) return;
          await state.run((control) => options.onControl?.(state.plan.name, control));
        }),
      );
    } finally {
      clearInterval(ticker);
      clearInterval(abortWatch);
    }
    sampleVus(store, counts, runTags);
    const endedMs = Date.now();
    options.onProgress?.(progressOf(startMs, counts, scenarioStates));

    if (exported('teardown')) {
      const timeoutMs = parseDuration(scriptOptions.teardownTimeout ?? '60s', 'options.teardownTimeout');
      // teardown runs even after an abort, as k6's does (not after a signal: its own abort stops it).
      await lifecycle('teardown', scriptExports.teardown as ScriptFn, setupData, timeoutMs, new AbortController().signal);
    }

    const seconds = (endedMs - startMs) / 1000;
    const results = evaluateScriptThresholds(thresholds, store, seconds);
    const data = summaryData(store, { seconds, trendStats, thresholds, results, scenarios: plans.map((p) => p.name) });
    const failed = Object.values(results).some((r) => !r.ok);
    const exitCode: ExitCode = exitOverride ?? (failed ? EXIT.thresholdsFailed : EXIT.ok);
    let handled: Record<string, string> | undefined;
    if (exported('handleSummary')) handled = await handleSummaryOf(scriptExports.handleSummary as ScriptFn, data);
    if (counts.errors > 0) log(`${counts.errors} iteration${counts.errors === 1 ? '' : 's'} threw (iteration_errors); the run went on`);
    return {
      exitCode,
      abortReason,
      data,
      thresholds: results,
      handleSummary: handled,
      store,
      scenarios: plans,
      windows: Object.fromEntries(scenarioStates.flatMap((s) => {
        const window = s.window();
        return window === undefined ? [] : [[s.plan.name, window]];
      })),
      startedMs: startMs,
      endedMs,
      iterationErrors: counts.errors,
    };
  } finally {
    options.signal?.removeEventListener('abort', onSignal);
    for (const resource of run.resources.values()) await resource.close();
    setRun(undefined);
  }
}

function sampleVus(store: MetricStore, counts: { active: number; allocated: number }, tags: Readonly<Record<string, string>>): void {
  const now = Date.now();
  store.add('vus', counts.active, tags, now);
  store.add('vus_max', counts.allocated, tags, now);
}

function progressOf(startMs: number, counts: { completed: number; interrupted: number; active: number; allocated: number }, states: readonly ScenarioState[]): RunProgress {
  return {
    elapsedMs: Date.now() - startMs,
    vus: counts.active,
    vusMax: counts.allocated,
    completed: counts.completed,
    interrupted: counts.interrupted,
    scenarios: states.map((s) => s.progressLine()),
  };
}

/** __ENV, __VU and __ITER as k6 scripts read them. */
function defineGlobals(env: Readonly<Record<string, string>>): void {
  const scenarioEnv = new Map<string, Readonly<Record<string, string>>>();
  Object.defineProperty(globalThis, '__ENV', {
    configurable: true,
    get: () => {
      const scenario = currentCall()?.scenario;
      if (scenario === undefined || Object.keys(scenario.env).length === 0) return env;
      let merged = scenarioEnv.get(scenario.name);
      if (merged === undefined) {
        merged = Object.freeze({ ...env, ...scenario.env });
        scenarioEnv.set(scenario.name, merged);
      }
      return merged;
    },
  });
  Object.defineProperty(globalThis, '__VU', { configurable: true, get: () => currentCall()?.vu?.idInTest ?? 0 });
  Object.defineProperty(globalThis, '__ITER', { configurable: true, get: () => currentCall()?.iteration ?? -1 });
}

/** The context of script code outside iterations (setup, teardown, handleSummary): no VU, no scenario. */
function callWithoutVu(phase: 'setup' | 'teardown', signal: AbortSignal): CallContext {
  // Every request made in it listens to the signal (teardown may read many orders).
  setMaxListeners(0, signal);
  return { phase, vu: undefined, scenario: undefined, iteration: -1, iterationInTest: -1, group: '', signal, startLagMs: 0 };
}

/** setup() or teardown(): in a call context without a VU, bounded by its timeout. */
async function lifecycle(phase: 'setup' | 'teardown', fn: ScriptFn, data: unknown, timeoutMs: number, signal: AbortSignal): Promise<unknown> {
  const controller = new AbortController();
  const call = callWithoutVu(phase, AbortSignal.any([controller.signal, signal]));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ScriptLifecycleError(`${phase}() took longer than its ${timeoutMs} ms (options.${phase}Timeout)`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([inCall(call, () => Promise.resolve(fn(data))), timeout]);
  } catch (cause) {
    if (cause instanceof ScriptLifecycleError) throw cause;
    throw new ScriptLifecycleError(`${phase}() threw: ${describe(cause)}`, { cause });
  } finally {
    clearTimeout(timer);
  }
}

async function handleSummaryOf(fn: ScriptFn, data: SummaryData): Promise<Record<string, string>> {
  const value = await inCall(callWithoutVu('teardown', new AbortController().signal), () => Promise.resolve(fn(data)));
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw new ScenarioConfigError('handleSummary must return an object: { stdout?: string, "<file>": string | object }');
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : `${JSON.stringify(v, null, 2)}\n`]));
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

interface RunVu extends Vu {
  readonly info: VuInfo;
  controller: AbortController | undefined;
}

/** One scenario while it runs: its VUs, iterations and counts; the executor's driver. */
class ScenarioState {
  private readonly info: ScenarioInfo;
  private vuCount = 0;
  private active = 0;
  private completed = 0;
  private interrupted = 0;
  private droppedCount = 0;
  private started: number | undefined;
  private finished = false;
  private readonly errorsSeen = new Map<string, number>();

  constructor(
    readonly plan: ScenarioPlan,
    private readonly fn: ScriptFn,
    private readonly setupData: unknown,
    private readonly runCtx: RunContext,
    private readonly runSignal: AbortSignal,
    private readonly counts: { completed: number; interrupted: number; active: number; allocated: number; errors: number },
    private readonly log: (line: string) => void,
  ) {
    const planned = plannedMs(plan.executor);
    this.info = {
      name: plan.name,
      executor: plan.executor.executor,
      startMs: 0,
      iterationsStarted: 0,
      progress: () => (this.started === undefined ? 0 : Math.min(1, (Date.now() - this.started) / planned)),
      env: plan.env,
      tags: plan.tags,
    };
  }

  progressLine(): ScenarioProgressLine {
    return {
      name: this.plan.name,
      executor: this.plan.executor.executor,
      vus: this.active,
      completed: this.completed,
      interrupted: this.interrupted,
      dropped: this.droppedCount,
      elapsedMs: this.started === undefined ? 0 : Date.now() - this.started,
      plannedMs: plannedMs(this.plan.executor),
      state: this.finished ? 'done' : this.started === undefined ? 'waiting' : 'running',
    };
  }

  window(): { startMs: number; endMs: number } | undefined {
    return this.started === undefined ? undefined : { startMs: this.started, endMs: this.started + plannedMs(this.plan.executor) };
  }

  async run(onControl: (control: VuControl) => void): Promise<void> {
    this.started = Date.now();
    Object.assign(this.info, { startMs: this.started });
    const driver: ScenarioDriver = {
      startMs: this.started,
      runSignal: this.runSignal,
      newVu: () => this.newVu(),
      iterate: (vu, scheduledMs) => this.iterate(vu as RunVu, scheduledMs),
      interrupt: (vu) => {
        (vu as RunVu).controller?.abort();
      },
      dropped: () => {
        this.droppedCount += 1;
        this.runCtx.store.add('dropped_iterations', 1, { ...this.runCtx.tags, ...this.plan.tags });
      },
      setActive: (vus) => {
        this.counts.active += vus - this.active;
        this.active = vus;
      },
    };
    await runExecutor(this.plan.executor, driver, onControl);
    this.finished = true;
  }

  private newVu(): RunVu {
    this.vuCount += 1;
    this.counts.allocated += 1;
    const info: VuInfo = { idInTest: this.counts.allocated, iterationInInstance: 0, iterationInScenario: 0, tags: {} };
    return { index: this.vuCount, busy: false, info, controller: undefined };
  }

  private async iterate(vu: RunVu, scheduledMs?: number): Promise<void> {
    const controller = new AbortController();
    // Every request of the iteration listens to its signal (undici keeps a listener per request it made).
    setMaxListeners(0, controller.signal);
    vu.controller = controller;
    vu.busy = true;
    const lag = scheduledMs === undefined ? 0 : Math.max(0, Date.now() - scheduledMs);
    const call: CallContext = {
      phase: 'iteration',
      vu: vu.info,
      scenario: this.info,
      iteration: vu.info.iterationInScenario,
      iterationInTest: this.info.iterationsStarted++,
      group: '',
      signal: controller.signal,
      startLagMs: lag,
    };
    const started = performance.now() - lag;
    const startMs = Date.now() - lag;
    const interrupted = new Promise<'interrupted'>((resolve) => {
      controller.signal.addEventListener('abort', () => {
        resolve('interrupted');
      }, { once: true });
    });
    let outcome: 'ok' | 'error' | 'interrupted';
    try {
      outcome = await Promise.race([
        inCall(call, async () => {
          await this.fn(this.setupData);
          return 'ok' as const;
        }),
        interrupted,
      ]);
    } catch (error) {
      if (error instanceof TestAborted) {
        this.runCtx.abort(error.message);
        outcome = 'interrupted';
      } else if (controller.signal.aborted || error instanceof IterationInterrupted) {
        outcome = 'interrupted';
      } else {
        outcome = 'error';
        this.reportError(error);
      }
    }
    if (controller.signal.aborted) outcome = 'interrupted';
    vu.info.iterationInInstance += 1;
    vu.info.iterationInScenario += 1;
    vu.busy = false;
    vu.controller = undefined;
    if (outcome === 'interrupted') {
      this.interrupted += 1;
      this.counts.interrupted += 1;
      return;
    }
    const tags = contextTags(this.runCtx, { ...call, group: '' });
    this.completed += 1;
    this.counts.completed += 1;
    const samples: [string, number][] = [
      ['iterations', 1],
      ['iteration_duration', performance.now() - started],
    ];
    if (outcome === 'error') {
      this.counts.errors += 1;
      samples.push(['iteration_errors', 1]);
    }
    this.runCtx.store.addAll(samples, tags, startMs);
  }

  private reportError(error: unknown): void {
    const text = describe(error);
    const key = text.split('\n')[0] ?? text;
    const seen = (this.errorsSeen.get(key) ?? 0) + 1;
    this.errorsSeen.set(key, seen);
    if (seen <= 1 && this.errorsSeen.size <= ERRORS_SHOWN) this.log(`ERRO iteration of scenario ${this.plan.name} threw (the run goes on): ${text}`);
  }
}
