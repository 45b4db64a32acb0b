/** `@energysale/bench/script/metrics`: k6's custom metrics. Create them at the top of the script. */
import { contextTags, currentCall, currentRun } from '../runtime/context';
import type { MetricType } from '../runtime/metrics';

abstract class Metric {
  constructor(
    readonly name: string,
    private readonly type: MetricType,
    isTime: boolean,
  ) {
    currentRun(`new ${type} metric`).store.define(name, type, isTime);
  }

  /** Adds a sample, tagged like the iteration's samples plus `tags`. */
  protected sample(value: number, tags?: Readonly<Record<string, string>>): void {
    if (!Number.isFinite(value)) throw new TypeError(`${this.type} ${this.name}: ${String(value)} is not a finite number`);
    const run = currentRun(`${this.name}.add`);
    run.store.add(this.name, value, { ...contextTags(run, currentCall()), ...tags });
  }
}

/** A sum (k6 Counter): count, and rate per second. */
export class Counter extends Metric {
  constructor(name: string) {
    super(name, 'counter', false);
  }
  add(value: number, tags?: Readonly<Record<string, string>>): void {
    this.sample(value, tags);
  }
}

/** The last value (k6 Gauge): value, min, max. */
export class Gauge extends Metric {
  constructor(name: string) {
    super(name, 'gauge', false);
  }
  add(value: number, tags?: Readonly<Record<string, string>>): void {
    this.sample(value, tags);
  }
}

/** The share of non-zero (true) samples (k6 Rate). */
export class Rate extends Metric {
  constructor(name: string) {
    super(name, 'rate', false);
  }
  add(value: boolean | number, tags?: Readonly<Record<string, string>>): void {
    this.sample(value === true ? 1 : value === false ? 0 : value === 0 ? 0 : 1, tags);
  }
}

/** A distribution (k6 Trend): avg, min, med, max, p(N). `isTime` shows values as ms. */
export class Trend extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'trend', isTime);
  }
  add(value: number, tags?: Readonly<Record<string, string>>): void {
    this.sample(value, tags);
  }
}
