import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { AttackReport, EngineRequest, EngineResult, LoadEngine } from '../engine/engine';
import { VegetaEngine } from '../engine/vegeta';
import type { ProgressMetrics } from '../progress/metrics';
import { ScenarioConfigError } from './errors';
import { isFailure, RequestLog, type Phase } from './log';
import { planScenario, type PlannedAttack, type ScenarioPlan } from './plan';
import { scenarioRecords, type ScenarioRecords } from './records';
import { buildSummary, type ScenarioOutcome, type Summary } from './summary';
import { parseThresholds, type Threshold } from './thresholds';
import type { Options, Progress, Request, Response, Scenario, ScenarioPhase, ScenarioProgress } from './types';

export interface RunOptions {
  /** Default: vegeta from the pinned toolchain. */
  readonly engine?: LoadEngine;
  /** Called once a second, and once at the end. */
  readonly onProgress?: (progress: Progress) => void;
  /** Stops the run early; the summary covers what ran and says `aborted`. */
  readonly signal?: AbortSignal;
  /** Where each response, check and phase change is also counted, for Prometheus to scrape. */
  readonly metrics?: ProgressMetrics;
  /** Told every response, for a caller that keeps its own record of them (the reliability suite's acknowledged writes). */
  readonly onResponse?: (scenario: string, response: Response) => void;
}

export interface RunResult {
  readonly summary: Summary;
  /** Every request of each scenario, by phase, with the windows: what a report keeps in raw/ and derives its figures from. */
  readonly records: readonly ScenarioRecords[];
  /** 99 when a threshold failed (k6's code), 0 otherwise: for `process.exitCode`. */
  readonly exitCode: 0 | 99;
}

/** Beyond the planned end and the longest request timeout, when a run is stopped regardless. */
const HARD_CAP_GRACE_MS = 30_000;

/** Checks options and thresholds without running anything; run() does it first. */
export function prepare(options: Options): { plans: ScenarioPlan[]; thresholds: Threshold[] } {
  const entries = Object.entries(options.scenarios);
  if (entries.length === 0) throw new ScenarioConfigError('options.scenarios is empty');
  const plans = entries.map(([name, scenario]) => planScenario(name, scenario));
  const tagNames = new Set(['scenario', ...entries.flatMap(([, s]) => Object.keys(s.tags ?? {}))]);
  const thresholds = parseThresholds(options.thresholds ?? {}, tagNames);
  return { plans, thresholds };
}

/** Runs the scenarios (concurrently, each from its startTime), evaluates thresholds, writes the summary. */
export async function run(options: Options, runOptions: RunOptions = {}): Promise<RunResult> {
  const { plans, thresholds } = prepare(options);
  const engine = runOptions.engine ?? (await VegetaEngine.locate());
  const engineInfo = { name: engine.name, version: await engine.version() };
  const log = new RequestLog();
  const stop = new AbortController();
  const onAbort = (): void => {
    stop.abort();
  };
  runOptions.signal?.addEventListener('abort', onAbort, { once: true });
  if (runOptions.signal?.aborted === true) stop.abort();

  const startMs = Date.now();
  const plannedMs = Math.max(...plans.map((p) => p.startTimeMs + p.durationMs));
  const capMs = plannedMs + Math.max(...plans.map((p) => p.timeoutMs)) + HARD_CAP_GRACE_MS;
  const cap = setTimeout(onAbort, capMs);
  let firstAttack = 0;
  const runs = plans.map((plan, i) => {
    const scenarioRun = new ScenarioRun(i, firstAttack, plan, requiredScenario(options, plan.name), engine, log, startMs, runOptions);
    firstAttack += plan.attacks.length;
    return scenarioRun;
  });
  const report = (): void => {
    const elapsedMs = Date.now() - startMs;
    const scenarios: Record<string, ScenarioProgress> = {};
    for (const r of runs) {
      const progress = r.progress();
      scenarios[r.plan.name] = progress;
      runOptions.metrics?.scenarioPhase(r.plan.name, progress.phase, r.plan.vus);
    }
    runOptions.onProgress?.({ elapsedMs, remainingMs: Math.max(0, plannedMs - elapsedMs), scenarios });
  };
  const ticker = setInterval(report, 1000);
  let stoppedMs: number | undefined;
  stop.signal.addEventListener('abort', () => (stoppedMs = Date.now()), { once: true });
  try {
    // An attack failing stops all others; its error is thrown once they have stopped.
    await settleAll(runs.map((r) => r.run(stop)));
  } finally {
    clearTimeout(cap);
    clearInterval(ticker);
    runOptions.signal?.removeEventListener('abort', onAbort);
  }
  report();

  const attacks = runs.flatMap((r) => r.attacks);
  log.classify((attack, seq, requestStartMs) => attacks[attack]?.phaseOf(seq, requestStartMs) ?? 'measured');
  const outcomes = runs.map((r) => r.outcome(stoppedMs));
  const summary = buildSummary({
    engine: engineInfo,
    options,
    thresholds,
    scenarios: outcomes,
    log,
    startedMs: Math.min(startMs, ...attacks.flatMap((a) => (a.report ? [a.report.startedMs] : []))),
    endedMs: Math.max(Date.now(), ...attacks.flatMap((a) => (a.report ? [a.report.endedMs] : []))),
    aborted: stoppedMs !== undefined && stoppedMs < startMs + plannedMs,
  });
  if (options.summaryPath !== undefined) {
    await mkdir(path.dirname(options.summaryPath), { recursive: true });
    await writeFile(options.summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  }
  return { summary, records: scenarioRecords(log, outcomes, summary), exitCode: summary.exitCode };
}

function requiredScenario(options: Options, name: string): Scenario {
  const scenario = options.scenarios[name];
  if (scenario === undefined) throw new ScenarioConfigError(`no scenario ${name}`);
  return scenario;
}

/** A request with the iteration it belongs to. */
interface IterationRequest extends EngineRequest {
  readonly vu: number;
  readonly iteration: number;
  readonly request: Request;
}

/** One attack of a scenario once it ran: what classifies its requests into warm-up and measured. */
class AttackRun {
  report: AttackReport | undefined;

  constructor(readonly planned: PlannedAttack) {}

  phaseOf(seq: number, startMs: number): Phase {
    const began = this.report?.startedMs ?? 0;
    if (this.planned.pacing.model === 'open') return seq < this.planned.warmupRequests ? 'warmup' : 'measured';
    return startMs < began + this.planned.warmupMs ? 'warmup' : 'measured';
  }
}

/** A scenario while it runs: its request generator, its attacks, its live counts. */
class ScenarioRun {
  readonly attacks: AttackRun[];
  private startedMs: number | undefined;
  private finished = false;
  private requests = 0;
  private failed = 0;
  private checksFailed = 0;
  /** Completion times of the last second's responses, for progress. */
  private recent: number[] = [];
  private readonly tags: Readonly<Record<string, string>>;

  constructor(
    private readonly index: number,
    /** Id of its first attack among all attacks of the run (the log refers to attacks by id). */
    private readonly firstAttack: number,
    readonly plan: ScenarioPlan,
    private readonly scenario: Scenario,
    private readonly engine: LoadEngine,
    private readonly log: RequestLog,
    private readonly runStartMs: number,
    private readonly observers: Pick<RunOptions, 'metrics' | 'onResponse'>,
  ) {
    this.attacks = plan.attacks.map((a) => new AttackRun(a));
    this.tags = { ...scenario.tags, scenario: plan.name };
  }

  async run(stop: AbortController): Promise<void> {
    const { signal } = stop;
    const requests = this.iterations();
    try {
      await sleepUntil(this.runStartMs + this.plan.startTimeMs, signal);
      if (signal.aborted) return;
      const startedMs = Date.now();
      this.startedMs = startedMs;
      // Attacks start on schedule: a ramp's next step does not wait for the previous one's last responses.
      await settleAll(
        this.attacks.map(async (attack, k) => {
          await sleepUntil(startedMs + attack.planned.offsetMs, signal);
          if (signal.aborted) return;
          try {
            attack.report = await this.engine.attack({
              pacing: attack.planned.pacing,
              durationMs: attack.planned.durationMs,
              timeoutMs: this.plan.timeoutMs,
              requests,
              onResult: (result, request) => {
                this.record(this.firstAttack + k, result, request);
              },
              signal,
            });
          } catch (error) {
            stop.abort();
            throw error;
          }
        }),
      );
    } finally {
      this.finished = true;
    }
  }

  /** An absolute URL of a scheme the engine sends, without a fragment. */
  private sendable(url: string): boolean {
    if (url.includes('#') || !/^[a-z][a-z0-9+.-]*:\/\//.test(url)) return false;
    return this.engine.schemes.includes(url.slice(0, url.indexOf(':') + 1));
  }

  /** The scenario's iterations, shared by its attacks: VU (j mod vus) + 1, its iteration j div vus. */
  private *iterations(): Generator<IterationRequest, void, undefined> {
    const { vus, maxIterations, name } = this.plan;
    for (let j = 0; j < maxIterations; j++) {
      const vu = (j % vus) + 1;
      const iteration = Math.floor(j / vus);
      const request = this.scenario.exec(vu, iteration);
      if (typeof request.method !== 'string' || typeof request.url !== 'string' || !this.sendable(request.url)) {
        throw new ScenarioConfigError(
          `scenario ${name}: exec(${vu}, ${iteration}) returned no method or no absolute ${this.engine.schemes.join(' or ')} URL without a fragment (engine ${this.engine.name})`,
        );
      }
      const { method, url, headers, body } = request;
      yield { method, url, ...(headers && { headers }), ...(body !== undefined && { body }), vu, iteration, request };
    }
  }

  private record(attack: number, result: EngineResult, request: IterationRequest): void {
    const index = this.log.add({
      scenario: this.index,
      attack,
      seq: result.seq,
      method: request.method,
      status: result.status,
      startMs: result.startMs,
      latencyMs: result.latencyMs,
      bytesSent: result.bytesSent,
      bytesReceived: result.bytesReceived,
      ...(result.error !== undefined && { error: result.error }),
    });
    this.requests++;
    if (isFailure(result.status)) this.failed++;
    this.observers.metrics?.response(this.plan.name, result.status, result.latencyMs / 1000);
    this.recent.push(Date.now());
    const checks = Object.entries(this.scenario.checks ?? {});
    if (checks.length === 0 && !this.observers.onResponse) return;
    const response = new EngineResponse(result, request);
    this.observers.onResponse?.(this.plan.name, response);
    for (const [name, check] of checks) {
      let passed: boolean;
      try {
        passed = check(response);
      } catch {
        passed = false;
      }
      if (!passed) this.checksFailed++;
      this.log.addCheck(index, name, passed);
      this.observers.metrics?.check(this.plan.name, name, passed);
    }
  }

  progress(): ScenarioProgress {
    const now = Date.now();
    this.recent = this.recent.filter((t) => t > now - 1000);
    return {
      phase: this.phase(now),
      requests: this.requests,
      failed: this.failed,
      checksFailed: this.checksFailed,
      lastSecond: this.recent.length,
    };
  }

  private phase(now: number): ScenarioPhase {
    if (this.finished) return 'done';
    if (this.startedMs === undefined) return 'waiting';
    return now < this.startedMs + this.plan.warmupMs ? 'warmup' : 'measured';
  }

  /** Windows and due starts of each phase, from when the attacks actually began. */
  outcome(stoppedMs: number | undefined): ScenarioOutcome {
    const windows: Record<Phase, { startMs: number; endMs: number } | null> = { warmup: null, measured: null };
    const expected: Record<Phase, number> = { warmup: 0, measured: 0 };
    const widen = (phase: Phase, startMs: number, endMs: number): void => {
      if (endMs <= startMs) return;
      const w = windows[phase];
      windows[phase] = w === null ? { startMs, endMs } : { startMs: Math.min(w.startMs, startMs), endMs: Math.max(w.endMs, endMs) };
    };
    for (const attack of this.attacks) {
      const began = attack.report?.startedMs;
      if (began === undefined) continue;
      const { durationMs, warmupMs, warmupRequests, pacing } = attack.planned;
      const endMs = Math.min(began + durationMs, stoppedMs ?? Number.POSITIVE_INFINITY);
      widen('warmup', began, Math.min(began + warmupMs, endMs));
      widen('measured', began + warmupMs, endMs);
      if (pacing.model === 'open') {
        // Starts are due evenly over the attack; if it was stopped, only those due by then count.
        const due = Math.floor((pacing.requests * Math.max(0, endMs - began)) / durationMs + 1e-9);
        expected.warmup += Math.min(warmupRequests, due);
        expected.measured += due - Math.min(warmupRequests, due);
      }
    }
    return {
      name: this.plan.name,
      executor: this.scenario.executor,
      model: this.plan.model,
      tags: this.tags,
      windows,
      expected: this.plan.model === 'open' ? expected : null,
    };
  }
}

/** A response as checks see it; body and headers are decoded when first asked for. */
class EngineResponse implements Response {
  readonly status: number;
  readonly error: string | undefined;
  readonly startMs: number;
  readonly latencyMs: number;
  readonly vu: number;
  readonly iteration: number;
  readonly request: Request;
  private text: string | undefined;
  private parsed: { readonly value: unknown } | undefined;
  private headerMap: Record<string, string> | undefined;

  constructor(
    private readonly result: EngineResult,
    iteration: IterationRequest,
  ) {
    this.status = result.status;
    this.error = result.error;
    this.startMs = result.startMs;
    this.latencyMs = result.latencyMs;
    this.vu = iteration.vu;
    this.iteration = iteration.iteration;
    this.request = iteration.request;
  }

  get body(): string {
    this.text ??= this.result.body.toString('utf8');
    return this.text;
  }

  json(): unknown {
    // Parsed once for all checks; a body that is not JSON throws each time.
    this.parsed ??= { value: JSON.parse(this.body) };
    return this.parsed.value;
  }

  get headers(): Readonly<Record<string, string>> {
    if (this.headerMap === undefined) {
      this.headerMap = {};
      for (const [name, values] of Object.entries(this.result.headers)) this.headerMap[name.toLowerCase()] = values.join(', ');
    }
    return this.headerMap;
  }
}

/** Waits for all; then throws the first rejection, if any. */
async function settleAll(promises: readonly Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((s) => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

async function sleepUntil(epochMs: number, signal: AbortSignal): Promise<void> {
  const wait = epochMs - Date.now();
  if (wait <= 0 || signal.aborted) return;
  await sleep(wait, undefined, { signal }).catch(() => undefined);
}
