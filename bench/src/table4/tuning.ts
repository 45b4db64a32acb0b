import { describeBatchSettings, updateBatchSettings, type BatchSettings, type NativeNetwork } from '@energysale/network';

import type { RepeatSpread, TuningStep } from '../report/schema';
import { NoDataError, required } from '../report/derive';
import { table4Test, type ScriptTest, type ScriptTestRun } from '../script/benchmark';
import { testFigures } from './load';
import type { Fixture } from './prepare';
import type { Profile, TuningLadder } from './profiles';

/** Median, min and max of a step's repeats (at least one: a step without a repeat has no figure, NoDataError). */
export function repeatSpread(values: readonly number[]): RepeatSpread {
  if (values.length === 0) throw new NoDataError('a tuning step without repeats: no data');
  const sorted = [...values].sort((a, b) => a - b);
  const at = (i: number): number => sorted[i] as number;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
  return { median, min: at(0), max: at(sorted.length - 1), values: [...values] };
}

/** The index of the ladder's best step: the highest median throughput among the steps whose every request succeeded. */
export function bestStep(steps: readonly TuningStep[]): number {
  let best = -1;
  steps.forEach((step, i) => {
    if (step.successRatePct.min < 100) return;
    if (best < 0 || step.throughputTxPerMin.median > (steps[best]?.throughputTxPerMin.median ?? 0)) best = i;
  });
  return best;
}

/** Applies `batch` to the live channel (nothing is sent when it already holds them); returns what it holds after. */
export async function applyBatch(network: NativeNetwork, batch: Partial<BatchSettings>, log: (line: string) => void): Promise<BatchSettings> {
  return (await updateBatchSettings(await network.context(), batch, log)).after;
}

/**
 * The tuning ladder: for each step, the channel takes the step's batch settings and the add-order
 * test runs `repeats` times (short windows, own order ids), so what each setting changed is
 * measured as the median and spread of the repeats, and compared with the step before.
 */
export async function runTuningLadder(
  ladder: TuningLadder,
  context: { network: NativeNetwork; profile: Profile; fixture: Fixture; log: (line: string) => void; runTest: (test: ScriptTest) => Promise<ScriptTestRun> },
): Promise<TuningStep[]> {
  const { network, profile, fixture, log } = context;
  const steps: TuningStep[] = [];
  for (const [i, step] of ladder.steps.entries()) {
    const held = await applyBatch(network, step.batch, log);
    const figures: { tx: number; avg: number; p99: number; ok: number }[] = [];
    for (let r = 0; r < ladder.repeats; r++) {
      log(`tuning ${i + 1}/${ladder.steps.length} "${step.name}", repeat ${r + 1}/${ladder.repeats}: add order, ${profile.users} users, ${ladder.warmup} warm-up, ${ladder.duration} measured`);
      const test = table4Test('add_order', { users: profile.users, duration: ladder.duration, warmup: ladder.warmup }, { ...fixture, runId: `${fixture.runId}-t${i}r${r}` });
      // A repeat with no data has nothing to rank the step by: the ladder stops (NoDataError).
      const { measured } = testFigures(await context.runTest(test), 'add_order');
      const what = (figure: string): string => `tuning step "${step.name}", repeat ${r + 1}: ${figure}`;
      figures.push({
        tx: required(measured.throughputTxPerMin, what('throughput')),
        avg: required(measured.latencyS?.avg ?? null, what('avg latency')),
        p99: required(measured.latencyS?.p99 ?? null, what('p99 latency')),
        ok: required(measured.successRatePct, what('success rate')),
      });
    }
    const throughput = repeatSpread(figures.map((f) => f.tx));
    const previous = steps[steps.length - 1];
    steps.push({
      step: step.name,
      settings: describeBatchSettings(held),
      scenario: 'add_order',
      repeats: ladder.repeats,
      throughputTxPerMin: throughput,
      latencyAvgS: repeatSpread(figures.map((f) => f.avg)),
      latencyP99S: repeatSpread(figures.map((f) => f.p99)),
      successRatePct: repeatSpread(figures.map((f) => f.ok)),
      throughputVsPrevious: previous && previous.throughputTxPerMin.median > 0 ? throughput.median / previous.throughputTxPerMin.median : null,
    });
    log(`  median ${throughput.median.toFixed(1)} tx/min (${throughput.min.toFixed(1)}–${throughput.max.toFixed(1)})`);
  }
  return steps;
}
