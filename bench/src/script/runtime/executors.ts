/**
 * k6's seven executors over async virtual users. Each runs one scenario in real time from its
 * resolved options and resolves once the scenario is over: its iterations finished, or interrupted
 * after gracefulStop (or gracefulRampDown).
 */
import { arrivalOffsets, rampingVuSteps, stagesMs, type Stage } from './schedule';

/** A virtual user of a scenario. */
export interface Vu {
  /** From 1 within the scenario (the order VUs were added). */
  readonly index: number;
  busy: boolean;
}

/** What an executor drives: the scenario's VUs and iterations. */
export interface ScenarioDriver {
  /** Epoch ms the scenario started. */
  readonly startMs: number;
  /** Aborted when the whole run stops (abortOnFail, test.abort, a signal): no new iterations, interrupt the running ones. */
  readonly runSignal: AbortSignal;
  newVu(): Vu;
  /** Runs one iteration of `vu`; never rejects; resolves at once when the iteration is interrupted. */
  iterate(vu: Vu, scheduledMs?: number): Promise<void>;
  /** Interrupts the iteration `vu` is running, if any. */
  interrupt(vu: Vu): void;
  /** An arrival-rate iteration was due but no VU was free. */
  dropped(): void;
  /** The VUs running iterations now, for the vus gauge. */
  setActive(vus: number): void;
}

export type ResolvedScenario =
  | { readonly executor: 'shared-iterations'; readonly vus: number; readonly iterations: number; readonly maxDurationMs: number; readonly gracefulStopMs: number }
  | { readonly executor: 'per-vu-iterations'; readonly vus: number; readonly iterations: number; readonly maxDurationMs: number; readonly gracefulStopMs: number }
  | { readonly executor: 'constant-vus'; readonly vus: number; readonly durationMs: number; readonly gracefulStopMs: number }
  | {
      readonly executor: 'ramping-vus';
      readonly startVUs: number;
      readonly stages: readonly Stage[];
      readonly gracefulRampDownMs: number;
      readonly gracefulStopMs: number;
    }
  | {
      readonly executor: 'constant-arrival-rate' | 'ramping-arrival-rate';
      readonly startRate: number;
      readonly stages: readonly Stage[];
      readonly timeUnitMs: number;
      readonly preAllocatedVUs: number;
      readonly maxVUs: number;
      readonly gracefulStopMs: number;
    }
  | { readonly executor: 'externally-controlled'; readonly vus: number; readonly maxVUs: number; readonly durationMs: number; readonly gracefulStopMs: number };

/** The planned length of a scenario, without gracefulStop. */
export function plannedMs(s: ResolvedScenario): number {
  switch (s.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return s.maxDurationMs;
    case 'constant-vus':
    case 'externally-controlled':
      return s.durationMs;
    case 'ramping-vus':
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return stagesMs(s.stages);
  }
}

/** The most VUs a scenario may use. */
export function maxVus(s: ResolvedScenario): number {
  switch (s.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
    case 'constant-vus':
      return s.vus;
    case 'ramping-vus':
      return Math.max(s.startVUs, ...s.stages.map((st) => st.target));
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
    case 'externally-controlled':
      return s.maxVUs;
  }
}

/** Changes the VU count of an externally-controlled scenario while it runs. */
export interface VuControl {
  readonly maxVUs: number;
  vus(): number;
  setVus(vus: number): void;
}

/** Resolves at `epochMs`, or when `signal` aborts (never rejects). */
export function sleepUntil(epochMs: number, signal: AbortSignal): Promise<void> {
  const wait = epochMs - Date.now();
  if (wait <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, wait);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A set of VU loops that can be told to end after their iteration, or be interrupted. */
class VuLoops {
  private readonly vus: Vu[] = [];
  private readonly loops = new Map<Vu, { wanted: boolean; done: Promise<void> }>();

  constructor(
    private readonly driver: ScenarioDriver,
    /** Whether a VU may start another iteration. */
    private readonly more: (vu: Vu) => boolean,
  ) {}

  get running(): number {
    return this.loops.size;
  }

  /** Grows or shrinks to `count` VUs: new ones start looping; the last-added ones stop after their iteration. */
  resize(count: number, rampDownMs: number): void {
    while (this.vus.length < count) this.vus.push(this.driver.newVu());
    for (const [i, vu] of this.vus.entries()) {
      const loop = this.loops.get(vu);
      if (i < count) {
        if (loop === undefined) this.start(vu);
        else loop.wanted = true;
      } else if (loop !== undefined && loop.wanted) {
        loop.wanted = false;
        // Busy past the ramp-down grace: interrupted.
        const timer = setTimeout(() => {
          if (this.loops.get(vu) === loop && !loop.wanted) this.driver.interrupt(vu);
        }, rampDownMs);
        void loop.done.then(() => {
          clearTimeout(timer);
        });
      }
    }
    this.driver.setActive(Math.min(count, this.vus.length));
  }

  private start(vu: Vu): void {
    const state = { wanted: true, done: Promise.resolve() };
    state.done = (async () => {
      let n = 0;
      while (state.wanted && !this.driver.runSignal.aborted && this.more(vu)) {
        await this.driver.iterate(vu);
        // An iteration that awaits nothing would never let timers run.
        if (++n % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      this.loops.delete(vu);
    })();
    this.loops.set(vu, state);
  }

  /** Waits for every loop, interrupting those still running after `graceMs`. */
  async finish(graceMs: number): Promise<void> {
    for (const loop of this.loops.values()) loop.wanted = false;
    await finishAll([...this.loops.values()].map((l) => l.done), graceMs, this.driver, () => [...this.loops.keys()]);
    this.driver.setActive(0);
  }
}

/** Waits for `running` up to `graceMs` (or until the run is aborted), then interrupts what is still busy. */
async function finishAll(running: Promise<void>[], graceMs: number, driver: ScenarioDriver, busy: () => Vu[]): Promise<void> {
  const all = Promise.all(running);
  const grace = new AbortController();
  const onRunAbort = (): void => {
    grace.abort();
  };
  driver.runSignal.addEventListener('abort', onRunAbort, { once: true });
  const state = { finished: false };
  void all.then(() => {
    state.finished = true;
    grace.abort();
  });
  await sleepUntil(Date.now() + graceMs, grace.signal);
  driver.runSignal.removeEventListener('abort', onRunAbort);
  if (!state.finished) for (const vu of busy()) driver.interrupt(vu);
  await all;
}

/** Runs a scenario with its executor; `control` receives the VU control of an externally-controlled one. */
export async function runExecutor(s: ResolvedScenario, driver: ScenarioDriver, control?: (c: VuControl) => void): Promise<void> {
  const { runSignal, startMs } = driver;
  switch (s.executor) {
    case 'constant-vus': {
      const end = startMs + s.durationMs;
      const loops = new VuLoops(driver, () => Date.now() < end);
      loops.resize(s.vus, s.gracefulStopMs);
      await sleepUntil(end, runSignal);
      await loops.finish(s.gracefulStopMs);
      return;
    }
    case 'shared-iterations': {
      const end = startMs + s.maxDurationMs;
      let taken = 0;
      const loops = new VuLoops(driver, () => Date.now() < end && taken++ < s.iterations);
      loops.resize(s.vus, s.gracefulStopMs);
      await finishWhenDone(loops, end, s.gracefulStopMs, runSignal);
      return;
    }
    case 'per-vu-iterations': {
      const end = startMs + s.maxDurationMs;
      const taken = new Map<Vu, number>();
      const loops = new VuLoops(driver, (vu) => {
        const n = taken.get(vu) ?? 0;
        taken.set(vu, n + 1);
        return Date.now() < end && n < s.iterations;
      });
      loops.resize(s.vus, s.gracefulStopMs);
      await finishWhenDone(loops, end, s.gracefulStopMs, runSignal);
      return;
    }
    case 'ramping-vus': {
      const end = startMs + stagesMs(s.stages);
      const loops = new VuLoops(driver, () => Date.now() < end);
      for (const step of rampingVuSteps(s.startVUs, s.stages)) {
        await sleepUntil(startMs + step.atMs, runSignal);
        if (runSignal.aborted || Date.now() >= end) break;
        loops.resize(step.vus, s.gracefulRampDownMs);
      }
      await sleepUntil(end, runSignal);
      await loops.finish(s.gracefulStopMs);
      return;
    }
    case 'externally-controlled': {
      const end = startMs + s.durationMs;
      const loops = new VuLoops(driver, () => Date.now() < end);
      let current = s.vus;
      loops.resize(current, s.gracefulStopMs);
      control?.({
        maxVUs: s.maxVUs,
        vus: () => current,
        setVus: (vus) => {
          if (!Number.isInteger(vus) || vus < 0 || vus > s.maxVUs) throw new RangeError(`vus must be an integer from 0 to maxVUs ${s.maxVUs}, not ${vus}`);
          current = vus;
          if (Date.now() < end && !runSignal.aborted) loops.resize(vus, s.gracefulStopMs);
        },
      });
      await sleepUntil(end, runSignal);
      await loops.finish(s.gracefulStopMs);
      return;
    }
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const end = startMs + stagesMs(s.stages);
      const free: Vu[] = [];
      let allocated = 0;
      for (; allocated < s.preAllocatedVUs; allocated++) free.push(driver.newVu());
      const busy = new Set<Vu>();
      const running = new Set<Promise<void>>();
      for (const offset of arrivalOffsets(s.startRate, s.stages, s.timeUnitMs)) {
        const due = startMs + offset;
        await sleepUntil(due, runSignal);
        if (runSignal.aborted || Date.now() >= end) break;
        let vu = free.pop();
        if (vu === undefined && allocated < s.maxVUs) {
          vu = driver.newVu();
          allocated += 1;
        }
        if (vu === undefined) {
          driver.dropped();
          continue;
        }
        const taken = vu;
        busy.add(taken);
        driver.setActive(busy.size);
        const iteration: Promise<void> = driver.iterate(taken, due).then(() => {
          busy.delete(taken);
          running.delete(iteration);
          free.push(taken);
          driver.setActive(busy.size);
        });
        running.add(iteration);
      }
      await sleepUntil(end, runSignal);
      await finishAll([...running], s.gracefulStopMs, driver, () => [...busy]);
      driver.setActive(0);
      return;
    }
  }
}

/** Iteration-count executors: over when every loop ended, or at maxDuration (then gracefulStop). */
async function finishWhenDone(loops: VuLoops, end: number, graceMs: number, runSignal: AbortSignal): Promise<void> {
  const over = new AbortController();
  const onAbort = (): void => {
    over.abort();
  };
  runSignal.addEventListener('abort', onAbort, { once: true });
  const poll = setInterval(() => {
    if (loops.running === 0) over.abort();
  }, 20);
  await sleepUntil(end, over.signal);
  clearInterval(poll);
  runSignal.removeEventListener('abort', onAbort);
  await loops.finish(graceMs);
}
