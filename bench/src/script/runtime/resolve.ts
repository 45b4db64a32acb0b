import { parseDuration } from '../../scenario/duration';
import { ScenarioConfigError } from '../../scenario/errors';
import type { Options, Scenario, VuStage } from '../api/options';
import type { ResolvedScenario } from './executors';
import type { Stage } from './schedule';

/** A scenario ready to run: its executor's options in ms and what every executor shares. */
export interface ScenarioPlan {
  readonly name: string;
  readonly startTimeMs: number;
  /** The exported function of its iterations. */
  readonly exec: string;
  readonly env: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly executor: ResolvedScenario;
  /** The options as written, for the summary. */
  readonly source: Scenario;
}

/** What `bench run --vus/--duration/--iterations` set; they replace the script's scenarios, as in k6. */
export interface Overrides {
  readonly vus?: number;
  readonly duration?: string;
  readonly iterations?: number;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * k6's shortcuts: `iterations` (with `vus`) makes shared-iterations, `duration` constant-vus,
 * `stages` ramping-vus; nothing at all one iteration of one VU. A scenario named 'default'.
 */
export function shortcutScenario(options: Pick<Options, 'vus' | 'duration' | 'iterations' | 'stages'>): Scenario {
  const vus = options.vus ?? 1;
  if (options.stages !== undefined) return { executor: 'ramping-vus', startVUs: vus, stages: options.stages };
  if (options.iterations !== undefined) {
    return { executor: 'shared-iterations', vus, iterations: options.iterations, ...(options.duration !== undefined ? { maxDuration: options.duration } : {}) };
  }
  if (options.duration !== undefined) return { executor: 'constant-vus', vus, duration: options.duration };
  return { executor: 'shared-iterations', vus, iterations: 1 };
}

/** The scenarios a run executes, from the script's options and the command line's overrides. */
export function resolveScenarios(options: Options, overrides: Overrides, exported: (name: string) => boolean): ScenarioPlan[] {
  const cli = overrides.vus !== undefined || overrides.duration !== undefined || overrides.iterations !== undefined;
  const shortcuts = options.vus !== undefined || options.duration !== undefined || options.iterations !== undefined || options.stages !== undefined;
  if (options.scenarios !== undefined && shortcuts) {
    throw new ScenarioConfigError('options: scenarios and the shortcuts vus/duration/iterations/stages cannot be used together');
  }
  let scenarios: Readonly<Record<string, Scenario>>;
  if (cli) {
    const merged = {
      vus: overrides.vus ?? options.vus,
      duration: overrides.duration ?? (overrides.iterations === undefined ? options.duration : undefined),
      iterations: overrides.iterations ?? (overrides.duration === undefined ? options.iterations : undefined),
    };
    scenarios = { default: shortcutScenario(definedOnly(merged)) };
  } else {
    scenarios = options.scenarios ?? { default: shortcutScenario(options) };
  }
  const entries = Object.entries(scenarios);
  if (entries.length === 0) throw new ScenarioConfigError('options.scenarios is empty');
  const controlled = entries.filter(([, s]) => s.executor === 'externally-controlled');
  if (controlled.length > 0 && entries.length > 1) {
    throw new ScenarioConfigError('an externally-controlled scenario must be the only scenario of its run (as in k6)');
  }
  return entries.map(([name, scenario]) => resolveScenario(name, scenario, options.tags ?? {}, exported));
}

function definedOnly<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

export function resolveScenario(name: string, s: Scenario, runTags: Readonly<Record<string, string>>, exported: (name: string) => boolean): ScenarioPlan {
  const where = `scenario ${name}`;
  if (!NAME.test(name)) throw new ScenarioConfigError(`${where}: names are letters, digits, '_', '.', '-'`);
  const exec = s.exec ?? 'default';
  if (!exported(exec)) throw new ScenarioConfigError(`${where}: exec "${exec}" is not a function the script exports`);
  const gracefulStopMs = duration(s.gracefulStop ?? '30s', `${where}: gracefulStop`, 0);
  const startTimeMs = duration(s.startTime ?? '0s', `${where}: startTime`, 0);
  const executor = resolveExecutor(s, where, gracefulStopMs);
  return { name, startTimeMs, exec, env: s.env ?? {}, tags: { ...runTags, ...s.tags, scenario: name }, executor, source: s };
}

function resolveExecutor(s: Scenario, where: string, gracefulStopMs: number): ResolvedScenario {
  switch (s.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return {
        executor: s.executor,
        vus: integer(s.vus ?? 1, 1, `${where}: vus`),
        iterations: integer(s.iterations ?? 1, 1, `${where}: iterations`),
        maxDurationMs: duration(s.maxDuration ?? '10m', `${where}: maxDuration`, 1),
        gracefulStopMs,
      };
    case 'constant-vus':
      return { executor: s.executor, vus: integer(s.vus ?? 1, 1, `${where}: vus`), durationMs: duration(s.duration, `${where}: duration`, 1), gracefulStopMs };
    case 'ramping-vus':
      return {
        executor: s.executor,
        startVUs: integer(s.startVUs ?? 1, 0, `${where}: startVUs`),
        stages: stages(s.stages, where),
        gracefulRampDownMs: duration(s.gracefulRampDown ?? '30s', `${where}: gracefulRampDown`, 0),
        gracefulStopMs,
      };
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const preAllocatedVUs = integer(s.preAllocatedVUs, 0, `${where}: preAllocatedVUs`);
      const maxVUs = integer(s.maxVUs ?? preAllocatedVUs, Math.max(1, preAllocatedVUs), `${where}: maxVUs (at least preAllocatedVUs, and 1)`);
      const timeUnitMs = duration(s.timeUnit ?? '1s', `${where}: timeUnit`, 1);
      if (s.executor === 'constant-arrival-rate') {
        const rate = integer(s.rate, 1, `${where}: rate`);
        const durationMs = duration(s.duration, `${where}: duration`, 1);
        return { executor: s.executor, startRate: rate, stages: [{ durationMs, target: rate }], timeUnitMs, preAllocatedVUs, maxVUs, gracefulStopMs };
      }
      return {
        executor: s.executor,
        startRate: integer(s.startRate ?? 0, 0, `${where}: startRate`),
        stages: stages(s.stages, where),
        timeUnitMs,
        preAllocatedVUs,
        maxVUs,
        gracefulStopMs,
      };
    }
    case 'externally-controlled': {
      const vus = integer(s.vus ?? 0, 0, `${where}: vus`);
      return {
        executor: s.executor,
        vus,
        maxVUs: integer(s.maxVUs ?? vus, Math.max(1, vus), `${where}: maxVUs (at least vus, and 1)`),
        durationMs: duration(s.duration, `${where}: duration (required: every run ends by itself)`, 1),
        gracefulStopMs,
      };
    }
    default:
      throw new ScenarioConfigError(
        `${where}: unknown executor "${String((s as { executor: unknown }).executor)}" (shared-iterations, per-vu-iterations, constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate, externally-controlled)`,
      );
  }
}

function stages(given: readonly VuStage[] | undefined, where: string): Stage[] {
  const list: unknown = given;
  if (!Array.isArray(list) || list.length === 0) throw new ScenarioConfigError(`${where}: stages must list one or more { duration, target }`);
  return (list as VuStage[]).map((stage, i) => ({
    durationMs: duration(stage.duration, `${where}: stages[${i}].duration`, 0),
    target: integer(stage.target, 0, `${where}: stages[${i}].target`),
  }));
}

function integer(value: unknown, min: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new ScenarioConfigError(`${what} must be an integer >= ${min}, not ${String(value)}`);
  return value;
}

function duration(text: unknown, what: string, minMs: number): number {
  if (typeof text !== 'string') throw new ScenarioConfigError(`${what} must be a duration such as '30s', not ${String(text)}`);
  const ms = parseDuration(text, what);
  if (ms < minMs) throw new ScenarioConfigError(`${what} must be at least ${minMs} ms`);
  return ms;
}
