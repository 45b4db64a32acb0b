/**
 * A script's `options`, in k6's vocabulary and with k6's defaults: scenarios and their executors,
 * thresholds (strings or the object form), tags. Durations are k6's: '500ms', '30s', '1m30s'.
 */
export type Duration = string;

export interface ScenarioBase {
  /** Delay from the start of the run (default '0s'). */
  readonly startTime?: Duration;
  /** How long iterations still running at the scenario's end may go on before they are interrupted (default '30s'). */
  readonly gracefulStop?: Duration;
  /** The exported function an iteration calls (default: the default export). */
  readonly exec?: string;
  /** Added to `__ENV` for this scenario's iterations. */
  readonly env?: Readonly<Record<string, string>>;
  /** Added to every sample of the scenario, besides `scenario: <name>`. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** `iterations` in all, shared by `vus` VUs: each takes the next until none is left. */
export interface SharedIterations extends ScenarioBase {
  readonly executor: 'shared-iterations';
  /** Default 1. */
  readonly vus?: number;
  /** Default 1. */
  readonly iterations?: number;
  /** Default '10m'. */
  readonly maxDuration?: Duration;
}

/** Each of `vus` VUs runs `iterations` iterations. */
export interface PerVuIterations extends ScenarioBase {
  readonly executor: 'per-vu-iterations';
  readonly vus?: number;
  readonly iterations?: number;
  readonly maxDuration?: Duration;
}

/** Closed model: `vus` VUs loop over iterations for `duration`. */
export interface ConstantVus extends ScenarioBase {
  readonly executor: 'constant-vus';
  /** Default 1. */
  readonly vus?: number;
  readonly duration: Duration;
}

export interface VuStage {
  readonly duration: Duration;
  /** VUs (ramping-vus) or iterations per timeUnit (ramping-arrival-rate) at the end of the stage. */
  readonly target: number;
}

/** Closed model whose VU count follows `stages` linearly. */
export interface RampingVus extends ScenarioBase {
  readonly executor: 'ramping-vus';
  /** Default 1. */
  readonly startVUs?: number;
  readonly stages: readonly VuStage[];
  /** How long a VU that is no longer needed may finish its iteration (default '30s'). */
  readonly gracefulRampDown?: Duration;
}

/** Open model: `rate` iterations per `timeUnit`, started whether or not earlier ones finished. */
export interface ConstantArrivalRate extends ScenarioBase {
  readonly executor: 'constant-arrival-rate';
  readonly rate: number;
  /** Default '1s'. */
  readonly timeUnit?: Duration;
  readonly duration: Duration;
  readonly preAllocatedVUs: number;
  /** Default preAllocatedVUs. */
  readonly maxVUs?: number;
}

/** Open model whose rate follows `stages` linearly from `startRate`. */
export interface RampingArrivalRate extends ScenarioBase {
  readonly executor: 'ramping-arrival-rate';
  /** Default 0. */
  readonly startRate?: number;
  readonly timeUnit?: Duration;
  readonly stages: readonly VuStage[];
  readonly preAllocatedVUs: number;
  readonly maxVUs?: number;
}

/** `vus` VUs loop over iterations for `duration`; the count is changed while it runs (`bench scale`, or PATCH /v1/status). */
export interface ExternallyControlled extends ScenarioBase {
  readonly executor: 'externally-controlled';
  /** Default 0. */
  readonly vus?: number;
  /** Default vus. */
  readonly maxVUs?: number;
  readonly duration: Duration;
}

export type Scenario =
  | SharedIterations
  | PerVuIterations
  | ConstantVus
  | RampingVus
  | ConstantArrivalRate
  | RampingArrivalRate
  | ExternallyControlled;

export type ExecutorName = Scenario['executor'];

/** k6's object form of a threshold condition. */
export interface ThresholdObject {
  /** The condition, e.g. 'p(95)<500'. */
  readonly threshold: string;
  /** Stops the whole run as soon as the condition fails (it is evaluated every 2 s while the run goes on). */
  readonly abortOnFail?: boolean;
  /** With abortOnFail: no abort before this much of the run has passed. */
  readonly delayAbortEval?: Duration;
}

export type ThresholdSpec = string | ThresholdObject;

export interface Options {
  /** Several scenarios run side by side. Without them, vus/duration/iterations/stages make one (k6's shortcuts). */
  readonly scenarios?: Readonly<Record<string, Scenario>>;
  readonly vus?: number;
  readonly duration?: Duration;
  readonly iterations?: number;
  readonly stages?: readonly VuStage[];
  /** `metric` or `metric{tag:value,...}` to its conditions. */
  readonly thresholds?: Readonly<Record<string, readonly ThresholdSpec[]>>;
  /** Added to every sample. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Most time setup() and teardown() may take (default '60s'). */
  readonly setupTimeout?: Duration;
  readonly teardownTimeout?: Duration;
  /** Trend figures the end-of-test summary shows (default avg, min, med, max, p(90), p(95)). */
  readonly summaryTrendStats?: readonly string[];
}
