/**
 * The schedules of k6's executors as pure functions of their options: when VUs change (ramping-vus)
 * and when iterations are due (the arrival-rate executors). The executors follow them in real time.
 */

export interface Stage {
  readonly durationMs: number;
  readonly target: number;
}

export interface VuStep {
  /** From the scenario's start. */
  readonly atMs: number;
  readonly vus: number;
}

/**
 * ramping-vus: the VU count changes by one each time the linear ramp of a stage reaches an integer,
 * so each stage ends at its target. Returns the changes in time order, starting with startVUs at 0.
 */
export function rampingVuSteps(startVUs: number, stages: readonly Stage[]): VuStep[] {
  const steps: VuStep[] = [{ atMs: 0, vus: startVUs }];
  let t = 0;
  let from = startVUs;
  for (const { durationMs, target } of stages) {
    if (target !== from) {
      const up = target > from;
      for (let v = from + (up ? 1 : -1); up ? v <= target : v >= target; v += up ? 1 : -1) {
        // floor of the ramp going up, its ceiling going down: the count becomes v when the ramp reaches v.
        steps.push({ atMs: t + (durationMs === 0 ? 0 : ((v - from) / (target - from)) * durationMs), vus: v });
      }
    }
    t += durationMs;
    from = target;
  }
  // Several changes at one instant: the last holds.
  const merged: VuStep[] = [];
  for (const step of steps) {
    const last = merged.at(-1);
    if (last !== undefined && Math.abs(last.atMs - step.atMs) < 1e-6) merged[merged.length - 1] = step;
    else merged.push(step);
  }
  return merged;
}

/** The total length of stages, ms. */
export function stagesMs(stages: readonly Stage[]): number {
  return stages.reduce((sum, s) => sum + s.durationMs, 0);
}

/**
 * The arrival-rate executors: the offsets (ms from the scenario's start) at which iterations are
 * due, for a rate that goes linearly from stage to stage (per `timeUnitMs`), starting at
 * `startRate`. The k-th iteration (from 0) is due when the integral of the rate reaches k, as k6
 * schedules them: a constant rate r per second starts iterations at 0, 1/r, 2/r, ... s.
 */
export function* arrivalOffsets(startRate: number, stages: readonly Stage[], timeUnitMs: number): Generator<number> {
  let t0 = 0;
  let r0 = startRate / timeUnitMs;
  let done = 0; // integral at t0
  let k = 0;
  for (const { durationMs, target } of stages) {
    const r1 = target / timeUnitMs;
    const slope = durationMs === 0 ? 0 : (r1 - r0) / durationMs;
    const total = done + ((r0 + r1) / 2) * durationMs;
    // Iterations k with k in [done, total) fall in this stage; the floating error is kept small by rounding.
    while (k < total - 1e-9) {
      const need = k - done;
      let tau: number;
      if (Math.abs(slope) < 1e-15) tau = r0 === 0 ? durationMs : need / r0;
      else {
        // r0·τ + slope·τ²/2 = need
        const disc = r0 * r0 + 2 * slope * need;
        tau = (-r0 + Math.sqrt(Math.max(0, disc))) / slope;
      }
      yield t0 + Math.min(Math.max(tau, 0), durationMs);
      k += 1;
    }
    t0 += durationMs;
    r0 = r1;
    done = total;
  }
}
