import type { Pacing } from '../engine/engine';
import { parseDuration } from './duration';
import { ScenarioConfigError } from './errors';
import type { Scenario } from './types';

/** One attack of a scenario's plan: a stretch of constant load. */
export interface PlannedAttack {
  /** From the scenario's start (its startTime). */
  readonly offsetMs: number;
  readonly durationMs: number;
  readonly pacing: Pacing;
  /** The first `warmupMs` of the attack are warm-up (and, open model, its first `warmupRequests` starts). */
  readonly warmupMs: number;
  readonly warmupRequests: number;
}

export interface ScenarioPlan {
  readonly name: string;
  readonly startTimeMs: number;
  readonly warmupMs: number;
  /** Warm-up plus measured window. */
  readonly durationMs: number;
  readonly timeoutMs: number;
  readonly maxIterations: number;
  /** How many VU identities iterations are spread over. */
  readonly vus: number;
  readonly model: Pacing['model'];
  readonly attacks: readonly PlannedAttack[];
}

const DEFAULT_TIMEOUT = '60s';
const DEFAULT_MAX_ITERATIONS = 2_000_000;
/** A ramp is run as constant-rate steps this long (vegeta's pacer has a constant rate). */
export const RAMP_STEP_MS = 1_000;

/** Turns a scenario into the attacks that run it; throws ScenarioConfigError for inconsistent options. */
export function planScenario(name: string, scenario: Scenario): ScenarioPlan {
  const where = `scenario ${name}`;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new ScenarioConfigError(`${where}: names are letters, digits, '_', '.', '-'`);
  if (typeof scenario.exec !== 'function') throw new ScenarioConfigError(`${where}: exec must be a function`);
  const startTimeMs = optionalDuration(scenario.startTime, `${where}: startTime`);
  const warmupMs = optionalDuration(scenario.warmup, `${where}: warmup`);
  const timeoutMs = positiveDuration(scenario.timeout ?? DEFAULT_TIMEOUT, `${where}: timeout`);
  const maxIterations = scenario.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  integer(maxIterations, 1, `${where}: maxIterations`);
  const common = { name, startTimeMs, warmupMs, timeoutMs, maxIterations };

  switch (scenario.executor) {
    case 'constant-vus': {
      const vus = integer(scenario.vus, 1, `${where}: vus`);
      const durationMs = warmupMs + positiveDuration(scenario.duration, `${where}: duration`);
      const pacing: Pacing = { model: 'closed', workers: vus };
      const attack = { offsetMs: 0, durationMs, pacing, warmupMs, warmupRequests: 0 };
      return { ...common, durationMs, vus, model: 'closed', attacks: [attack] };
    }
    case 'constant-arrival-rate': {
      const rate = integer(scenario.rate, 1, `${where}: rate`);
      const unitMs = positiveDuration(scenario.timeUnit ?? '1s', `${where}: timeUnit`);
      const durationMs = warmupMs + positiveDuration(scenario.duration, `${where}: duration`);
      const { workers, maxWorkers } = pool(scenario.preAllocatedVUs, scenario.maxVUs, where);
      const requests = Math.floor((rate * durationMs) / unitMs);
      const pacing: Pacing = { model: 'open', requests, workers, maxWorkers };
      // Starts are due at k × durationMs / requests: those due within the warm-up belong to it.
      const warmupRequests = requests === 0 ? 0 : Math.floor((warmupMs * requests) / durationMs + 1e-9);
      const attack = { offsetMs: 0, durationMs, pacing, warmupMs, warmupRequests };
      return { ...common, durationMs, vus: workers, model: 'open', attacks: [attack] };
    }
    case 'ramping-arrival-rate': {
      const unitMs = positiveDuration(scenario.timeUnit ?? '1s', `${where}: timeUnit`);
      const startRate = integer(scenario.startRate ?? 0, 0, `${where}: startRate`);
      const { workers, maxWorkers } = pool(scenario.preAllocatedVUs, scenario.maxVUs, where);
      if (scenario.stages.length === 0) throw new ScenarioConfigError(`${where}: stages is empty`);
      const attacks: PlannedAttack[] = [];
      const add = (offsetMs: number, durationMs: number, requests: number, warmup: boolean): void => {
        const pacing: Pacing = { model: 'open', requests, workers, maxWorkers };
        attacks.push({
          offsetMs,
          durationMs,
          pacing,
          warmupMs: warmup ? durationMs : 0,
          warmupRequests: warmup ? requests : 0,
        });
      };
      if (warmupMs > 0) add(0, warmupMs, Math.floor((startRate * warmupMs) / unitMs), true);
      // Steps whose start counts follow the rounded integral of the linear rate, so the total is
      // what k6 would start; a stage without change is one step.
      let t = warmupMs;
      let rate = startRate;
      let integral = 0;
      for (const [i, stage] of scenario.stages.entries()) {
        const target = integer(stage.target, 0, `${where}: stages[${i}].target`);
        const stageMs = positiveDuration(stage.duration, `${where}: stages[${i}].duration`);
        const stepMs = target === rate ? stageMs : RAMP_STEP_MS;
        for (let done = 0; done < stageMs; done += stepMs) {
          const length = Math.min(stepMs, stageMs - done);
          const from = rate + ((target - rate) * done) / stageMs;
          const to = rate + ((target - rate) * (done + length)) / stageMs;
          const next = integral + (((from + to) / 2) * length) / unitMs;
          add(t + done, length, Math.round(next) - Math.round(integral), false);
          integral = next;
        }
        t += stageMs;
        rate = target;
      }
      return { ...common, durationMs: t, vus: workers, model: 'open', attacks };
    }
    default:
      throw new ScenarioConfigError(`${where}: unknown executor ${String((scenario as { executor: unknown }).executor)}`);
  }
}

function pool(preAllocated: number, max: number | undefined, where: string): { workers: number; maxWorkers: number } {
  const workers = integer(preAllocated, 1, `${where}: preAllocatedVUs`);
  const maxWorkers = integer(max ?? workers, workers, `${where}: maxVUs (at least preAllocatedVUs)`);
  return { workers, maxWorkers };
}

function integer(value: number, min: number, what: string): number {
  if (!Number.isInteger(value) || value < min) throw new ScenarioConfigError(`${what} must be an integer >= ${min}, not ${value}`);
  return value;
}

function positiveDuration(text: string, what: string): number {
  const ms = parseDuration(text, what);
  if (ms <= 0) throw new ScenarioConfigError(`${what} must be longer than 0`);
  return ms;
}

function optionalDuration(text: string | undefined, what: string): number {
  return text === undefined ? 0 : parseDuration(text, what);
}
