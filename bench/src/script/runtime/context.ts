import { AsyncLocalStorage } from 'node:async_hooks';

import type { StateLayout, Topology } from '@energysale/network';
import type { TokenIssuer } from '@energysale/service';

import type { MetricStore, Tags } from './metrics';

/** The network a run drives: its state, and the retail service the run started in front of it. */
export interface ScriptNetwork {
  readonly topology: Topology;
  readonly layout: StateLayout;
  readonly tokens: TokenIssuer;
  /** The service's URL (through nginx), or undefined when the run started no service (--no-service). */
  readonly baseUrl: string | undefined;
}

/** A script called something only an iteration (or setup/teardown) may call, or called it after its run. */
export class ScriptContextError extends Error {
  override readonly name = 'ScriptContextError';
}

/** The iteration was interrupted (gracefulStop, ramp-down, abort): what a VU's pending call rejects with. */
export class IterationInterrupted extends Error {
  override readonly name = 'IterationInterrupted';
}

/** A script's `fail(reason)`. */
export class ScriptFailure extends Error {
  override readonly name = 'ScriptFailure';
}

/** A script's `execution.test.abort(reason)`: the whole run stops (k6's exit code 108). */
export class TestAborted extends Error {
  override readonly name = 'TestAborted';
}

export interface VuInfo {
  /** From 1, unique in the run. */
  readonly idInTest: number;
  /** Iterations this VU started, from 0. */
  iterationInInstance: number;
  /** Iterations this VU started in its current scenario, from 0. */
  iterationInScenario: number;
  /** `execution.vu.tags`: set by the script, added to the VU's samples. */
  readonly tags: Record<string, string>;
}

export interface ScenarioInfo {
  readonly name: string;
  readonly executor: string;
  /** Epoch ms the scenario started. */
  readonly startMs: number;
  /** Iterations the scenario started, from 0. */
  iterationsStarted: number;
  /** 0–1 of its planned time. */
  progress(): number;
  readonly env: Readonly<Record<string, string>>;
  /** The scenario's tags with `scenario: name`, and the run's. */
  readonly tags: Tags;
}

/** Where script code runs: an iteration, or setup/teardown (no VU). */
export interface CallContext {
  readonly phase: 'setup' | 'iteration' | 'teardown';
  readonly vu: VuInfo | undefined;
  readonly scenario: ScenarioInfo | undefined;
  /** The iteration in its scenario, from 0 (-1 outside iterations). */
  readonly iteration: number;
  /** The iteration's global number in its scenario (k6 iterationInTest). */
  readonly iterationInTest: number;
  /** '' at the top, '::name::sub' inside groups. */
  group: string;
  /** Aborted when the iteration is interrupted: every pending request and sleep ends at once. */
  readonly signal: AbortSignal;
  /**
   * Open model: how late the iteration started after its scheduled time, ms. Added to the duration
   * of its first request (coordinated omission: the time a user would have waited), then zeroed.
   */
  startLagMs: number;
}

/** What the script API reaches through the running run. */
export interface RunContext {
  readonly store: MetricStore;
  readonly env: Readonly<Record<string, string>>;
  /** The run's `options.tags`. */
  readonly tags: Tags;
  /** Epoch ms the run started. */
  readonly startMs: number;
  /** VUs currently running iterations, and allocated. */
  vusActive(): number;
  vusAllocated(): number;
  iterationsCompleted(): number;
  iterationsInterrupted(): number;
  /** Stops the run (execution.test.abort). */
  abort(reason: string): void;
  /** The script's options as the run resolved them. */
  readonly options: unknown;
  /** The network of this machine's state, when there is one up. */
  readonly network: ScriptNetwork | undefined;
  /** Resources of the script modules (HTTP agent, Fabric connections), closed with the run. */
  readonly resources: Map<string, { close(): Promise<void> | void }>;
}

const CALL = new AsyncLocalStorage<CallContext>();
/** On globalThis so that a script loaded through another copy of these modules still finds the run. */
const RUN_KEY = Symbol.for('energysale.bench.script.run');
const CALL_KEY = Symbol.for('energysale.bench.script.call');

interface Registry {
  [RUN_KEY]?: RunContext;
  [CALL_KEY]?: AsyncLocalStorage<CallContext>;
}
const registry = globalThis as Registry;
if (registry[CALL_KEY] === undefined) registry[CALL_KEY] = CALL;

export function setRun(run: RunContext | undefined): void {
  if (run === undefined) Reflect.deleteProperty(registry, RUN_KEY);
  else registry[RUN_KEY] = run;
}

/** The run a script is part of; `what` names the call in the error outside a run. */
export function currentRun(what: string): RunContext {
  const run = registry[RUN_KEY];
  if (run === undefined) throw new ScriptContextError(`${what} works only in a script run by \`bench run\``);
  return run;
}

/** The iteration (or setup/teardown) calling; undefined in the init context (module top level). */
export function currentCall(): CallContext | undefined {
  return (registry[CALL_KEY] ?? CALL).getStore();
}

export function inCall<T>(call: CallContext, fn: () => T): T {
  return (registry[CALL_KEY] ?? CALL).run(call, fn);
}

/** The tags a sample taken now carries: the run's, the scenario's, the VU's, the group. */
export function contextTags(run: RunContext, call: CallContext | undefined): Record<string, string> {
  const tags: Record<string, string> = { ...run.tags, ...call?.scenario?.tags, ...call?.vu?.tags };
  if (call !== undefined) tags.group = call.group;
  return tags;
}

/** Rejects when the call's iteration is interrupted. */
export function throwIfInterrupted(call: CallContext | undefined): void {
  if (call?.signal.aborted === true) throw new IterationInterrupted('the iteration was interrupted');
}
