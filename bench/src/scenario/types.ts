import type { Duration } from './duration';

/** What one iteration sends: a single HTTP request. */
export interface Request {
  readonly method: string;
  /** Absolute http(s) URL without a fragment (a fragment never reaches a server). */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/** The response an iteration got, as its checks see it. */
export interface Response {
  /** HTTP status; 0 when no response arrived (connection error, timeout). */
  readonly status: number;
  /** The transport error, or the status line of a status >= 400; undefined otherwise. */
  readonly error: string | undefined;
  /** The body as UTF-8 text. */
  readonly body: string;
  /** The body parsed as JSON; throws if it is not JSON (a throwing check counts as failed). */
  json(): unknown;
  /** When the request was sent, epoch milliseconds. */
  readonly startMs: number;
  readonly latencyMs: number;
  /** Response headers, names in lower case, repeated values joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  /** Which virtual user and iteration sent it, and what was sent. */
  readonly vu: number;
  readonly iteration: number;
  readonly request: Request;
}

/** Closed model: `vus` users, each sending its next request when the previous one is answered. */
export interface ConstantVus {
  readonly executor: 'constant-vus';
  readonly vus: number;
  readonly duration: Duration;
}

/** Open model: `rate` iterations per `timeUnit`, started whether or not earlier ones are answered. */
export interface ConstantArrivalRate {
  readonly executor: 'constant-arrival-rate';
  /** Iterations per timeUnit (an integer, as in k6). */
  readonly rate: number;
  /** Default '1s'. */
  readonly timeUnit?: Duration;
  readonly duration: Duration;
  /** Concurrency the engine starts with; also the number of VU identities iterations are spread over. */
  readonly preAllocatedVUs: number;
  /** Most requests in flight; an iteration that finds them all busy is late, and dropped if never sent. Default preAllocatedVUs. */
  readonly maxVUs?: number;
}

export interface Stage {
  /** Rate per timeUnit at the end of the stage (an integer); it changes linearly from the previous one. */
  readonly target: number;
  readonly duration: Duration;
}

/** Open model whose rate follows `stages` linearly, from `startRate`. */
export interface RampingArrivalRate {
  readonly executor: 'ramping-arrival-rate';
  /** Default 0. */
  readonly startRate?: number;
  /** Default '1s'. */
  readonly timeUnit?: Duration;
  readonly stages: readonly Stage[];
  readonly preAllocatedVUs: number;
  /** Default preAllocatedVUs. */
  readonly maxVUs?: number;
}

export type Executor = ConstantVus | ConstantArrivalRate | RampingArrivalRate;

export interface ScenarioCommon {
  /**
   * Builds the request of a virtual user's iteration: vu counts from 1, iteration from 0 for each
   * VU, so (vu, iteration) is unique within the scenario and can key the data a request writes.
   * A VU is an identity (credentials, key space): iteration j of the scenario is VU (j mod vus) + 1's
   * (vus: constant-vus' vus, preAllocatedVUs otherwise). The engine's workers bound concurrency but
   * are not tied to VUs, so one VU's consecutive iterations may overlap briefly.
   */
  readonly exec: (vu: number, iteration: number) => Request;
  /** Added to every sample of the scenario, besides `scenario: <name>`; thresholds filter on them. */
  readonly tags?: Readonly<Record<string, string>>;
  /** Named checks of each response; their pass rate is the `checks` metric. */
  readonly checks?: Readonly<Record<string, (res: Response) => boolean>>;
  /**
   * Load run before the measured window, at the executor's initial load (constant executors: the
   * same; ramping: startRate), and reported apart from it. Default none.
   */
  readonly warmup?: Duration;
  /** Delay from the start of the run (k6 startTime), e.g. to run a baseline before the measured scenario. */
  readonly startTime?: Duration;
  /** Timeout of each request. Default '60s' (k6's). */
  readonly timeout?: Duration;
  /** Bound on the iterations the scenario starts, whatever the rate and duration. Default 2,000,000. */
  readonly maxIterations?: number;
}

export type Scenario = Executor & ScenarioCommon;

export interface Options {
  readonly scenarios: Readonly<Record<string, Scenario>>;
  /**
   * k6 thresholds: `metric{tag:value,...}` to conditions such as 'p(95)<500', 'avg<6108',
   * 'rate==1', 'count>=100'. Counters' `rate` is per second, as in k6. See thresholds.ts.
   */
  readonly thresholds?: Readonly<Record<string, readonly string[]>>;
  /** Where the summary JSON is written. */
  readonly summaryPath?: string;
}

export type ScenarioPhase = 'waiting' | 'warmup' | 'measured' | 'done';

/** Live state of a run, reported at least once a second. */
export interface Progress {
  readonly elapsedMs: number;
  /** Until the last scenario's planned end (requests still in flight may take longer). */
  readonly remainingMs: number;
  readonly scenarios: Readonly<Record<string, ScenarioProgress>>;
}

export interface ScenarioProgress {
  readonly phase: ScenarioPhase;
  /** Responses received so far, warm-up included. */
  readonly requests: number;
  readonly failed: number;
  readonly checksFailed: number;
  /** Responses received in the last second. */
  readonly lastSecond: number;
}
