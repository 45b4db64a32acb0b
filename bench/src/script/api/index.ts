/**
 * `@energysale/bench/script`: k6's `check`, `group`, `sleep` and `fail`. `group` and `sleep` return
 * promises: `await group('name', async () => { ... })`, `await sleep(1)`.
 */
import { performance } from 'node:perf_hooks';

import { contextTags, currentCall, currentRun, IterationInterrupted, ScriptContextError, ScriptFailure, throwIfInterrupted } from '../runtime/context';

export type { Options, Scenario, ThresholdSpec, ThresholdObject, Duration } from './options';

/**
 * Runs each named check on `value`; each adds a sample to the `checks` rate (tagged `check: name`).
 * A check that throws has failed. True when all passed.
 */
export function check<T>(value: T, sets: Readonly<Record<string, (value: T) => boolean>>, tags?: Readonly<Record<string, string>>): boolean {
  const run = currentRun('check');
  const call = currentCall();
  const base = { ...contextTags(run, call), ...tags };
  const now = Date.now();
  let all = true;
  for (const [name, predicate] of Object.entries(sets)) {
    let ok: boolean;
    try {
      ok = predicate(value);
    } catch {
      ok = false;
    }
    all &&= ok;
    run.store.add('checks', ok ? 1 : 0, { ...base, check: name }, now);
  }
  return all;
}

/** Runs `fn` inside group `name` (nested groups read '::outer::inner'); its time is a `group_duration` sample. */
export async function group<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const run = currentRun('group');
  const call = currentCall();
  if (call === undefined) throw new ScriptContextError('group() is called in an iteration, setup() or teardown()');
  if (name.includes('::')) throw new TypeError(`group name "${name}" contains '::'`);
  const outer = call.group;
  call.group = `${outer}::${name}`;
  const started = performance.now();
  const startMs = Date.now();
  try {
    return await fn();
  } finally {
    run.store.add('group_duration', performance.now() - started, contextTags(run, call), startMs);
    call.group = outer;
  }
}

/** Waits `seconds`; an interrupted iteration stops waiting at once. */
export function sleep(seconds: number): Promise<void> {
  const call = currentCall();
  throwIfInterrupted(call);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new IterationInterrupted('the iteration was interrupted during sleep'));
    };
    const timer = setTimeout(() => {
      call?.signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, seconds * 1000));
    call?.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Ends the iteration with an error (the run goes on). */
export function fail(reason = ''): never {
  throw new ScriptFailure(reason);
}
