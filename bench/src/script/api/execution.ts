/** `@energysale/bench/script/execution`: k6's execution context, read at the time of the call. */
import { type CallContext, currentCall, currentRun, ScriptContextError, TestAborted } from '../runtime/context';

function call(what: string): CallContext {
  const c = currentCall();
  if (c === undefined) throw new ScriptContextError(`execution.${what} is known only in an iteration, setup() or teardown()`);
  return c;
}

const execution = {
  vu: {
    /** The VU's id in the run, from 1. */
    get idInTest(): number {
      return call('vu.idInTest').vu?.idInTest ?? 0;
    },
    get idInInstance(): number {
      return call('vu.idInInstance').vu?.idInTest ?? 0;
    },
    /** Iterations this VU started before the current one, in all scenarios. */
    get iterationInInstance(): number {
      return call('vu.iterationInInstance').vu?.iterationInInstance ?? -1;
    },
    /** Iterations this VU started before the current one, in its scenario. */
    get iterationInScenario(): number {
      return call('vu.iterationInScenario').vu?.iterationInScenario ?? -1;
    },
    /** Tags the VU adds to its samples from now on. */
    get tags(): Record<string, string> {
      const vu = call('vu.tags').vu;
      if (vu === undefined) throw new ScriptContextError('execution.vu.tags: setup() and teardown() have no VU');
      return vu.tags;
    },
  },
  scenario: {
    get name(): string {
      return call('scenario.name').scenario?.name ?? '';
    },
    get executor(): string {
      return call('scenario.executor').scenario?.executor ?? '';
    },
    /** Epoch ms the scenario started. */
    get startTime(): number {
      return call('scenario.startTime').scenario?.startMs ?? 0;
    },
    /** 0–1 of the scenario's planned time. */
    get progress(): number {
      return call('scenario.progress').scenario?.progress() ?? 0;
    },
    /** The current iteration's number in its scenario, from 0, unique across its VUs. */
    get iterationInTest(): number {
      return call('scenario.iterationInTest').iterationInTest;
    },
    get iterationInInstance(): number {
      return call('scenario.iterationInInstance').iterationInTest;
    },
  },
  instance: {
    get vusActive(): number {
      return currentRun('execution.instance').vusActive();
    },
    get vusInitialized(): number {
      return currentRun('execution.instance').vusAllocated();
    },
    get iterationsCompleted(): number {
      return currentRun('execution.instance').iterationsCompleted();
    },
    get iterationsInterrupted(): number {
      return currentRun('execution.instance').iterationsInterrupted();
    },
    /** Ms since the run started. */
    get currentTestRunDuration(): number {
      return Date.now() - currentRun('execution.instance').startMs;
    },
  },
  test: {
    /** Stops the whole run now (exit code 108, as k6's). */
    abort(reason = 'aborted by the script'): never {
      currentRun('execution.test.abort').abort(reason);
      throw new TestAborted(reason);
    },
    /** The options the run resolved. */
    get options(): unknown {
      return currentRun('execution.test.options').options;
    },
  },
};

export default execution;
