import { describeBatchSettings, describeDissemination, updateBatchSettings, type BatchSettings, type NativeNetwork } from '@energysale/network';

import { groupOrder } from '../ceiling/compare';
import { msPerTransaction } from '../ceiling/figures';
import type { RepeatSpread, TuningRepeat, TuningStep } from '../report/schema';
import { NoDataError, required } from '../report/derive';
import { table4Test, type ScriptTest, type ScriptTestRun } from '../script/benchmark';
import { testFigures } from './load';
import type { Fixture } from './prepare';
import type { Profile, TuningLadder, WriteSettings } from './profiles';

/** Median, min and max of a step's repeats (at least one: a step without a repeat has no figure, NoDataError). */
export function repeatSpread(values: readonly number[]): RepeatSpread {
  if (values.length === 0) throw new NoDataError('a tuning step without repeats: no data');
  const sorted = [...values].sort((a, b) => a - b);
  const at = (i: number): number => sorted[i] as number;
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
  return { median, min: at(0), max: at(sorted.length - 1), values: [...values] };
}

/**
 * The index of the ladder's best step among the adoptable steps whose every request succeeded: the
 * first of them (the defaults), replaced in ladder order by any whose every repeat was faster than
 * every repeat of the best so far (its slowest above the other's fastest). With 3 repeats a side,
 * that happens by chance to two equal settings 1 time in 20 (all 3 of one among the top 3 of 6:
 * 1/C(6,3)), a one-sided rank test at 5 %. The highest median alone is not a measured gain: on 2
 * cores 3 windows of 20 s resolve about ±15 %, and it picked a different late step in each of three
 * runs (docs/cost-budget.md).
 */
export function bestStep(steps: readonly Pick<TuningStep, 'notAdopted' | 'successRatePct' | 'throughputTxPerMin'>[]): number {
  let best = -1;
  steps.forEach((step, i) => {
    if (step.notAdopted !== null || step.successRatePct.min < 100) return;
    if (best < 0 || step.throughputTxPerMin.min > (steps[best]?.throughputTxPerMin.max ?? 0)) best = i;
  });
  return best;
}

/** What a step is before its figures are derived: its name, settings and repeats as measured. */
export type MeasuredStep = Pick<TuningStep, 'step' | 'buildsOn' | 'settings' | 'notAdopted' | 'scenario' | 'repeatFigures'>;

/**
 * Each step's figures from its repeats: median and spread of each figure, each process group's CPU
 * per successful write (its share of the machine × the cores ÷ writes a second, per repeat), and the
 * throughput over that of the step it builds on. The live ladder and `render` both derive with this.
 */
export function deriveTuningSteps(measured: readonly MeasuredStep[], cores: number): TuningStep[] {
  const steps: TuningStep[] = [];
  for (const m of measured) {
    const base = m.buildsOn === null ? undefined : steps[m.buildsOn];
    const repeats = m.repeatFigures;
    const spreadOf = (pick: (r: TuningRepeat) => number): RepeatSpread => repeatSpread(repeats.map(pick));
    const perWrite = (r: TuningRepeat, pct: number): number => msPerTransaction(pct, cores, r.throughputTxPerMin / 60) ?? Number.NaN;
    const groups = [...new Set(repeats.flatMap((r) => r.cpuByGroup.map((g) => g.group)))]
      .filter((group) => repeats.every((r) => r.cpuByGroup.some((g) => g.group === group)))
      .sort(groupOrder);
    const cpuMsPerWrite = groups.map((group) => ({ group, ms: spreadOf((r) => perWrite(r, r.cpuByGroup.find((g) => g.group === group)?.cpuPct ?? 0)) }));
    const throughput = spreadOf((r) => r.throughputTxPerMin);
    const step: TuningStep = {
      step: m.step,
      buildsOn: m.buildsOn,
      settings: m.settings,
      notAdopted: m.notAdopted,
      scenario: m.scenario,
      repeats: repeats.length,
      throughputTxPerMin: throughput,
      latencyAvgS: spreadOf((r) => r.latencyAvgS),
      latencyP99S: spreadOf((r) => r.latencyP99S),
      successRatePct: spreadOf((r) => r.successRatePct),
      cpuMsPerWrite,
      cpuMsPerWriteTotal: repeats.every((r) => r.cpuByGroup.length > 0) ? spreadOf((r) => perWrite(r, r.cpuByGroup.reduce((sum, g) => sum + g.cpuPct, 0))) : null,
      throughputVsPrevious: base && base.throughputTxPerMin.median > 0 ? throughput.median / base.throughputTxPerMin.median : null,
      repeatFigures: repeats.map((r) => ({ ...r, cpuByGroup: [...r.cpuByGroup].sort((a, b) => groupOrder(a.group, b.group)) })),
    };
    steps.push(step);
  }
  return steps;
}

/** A step's settings as the report states them. */
export function describeWriteSettings(batch: BatchSettings, settings: WriteSettings, model: { dissemination: string }): string {
  const env = Object.entries(settings.peerEnv ?? {}).map(([k, v]) => `${k}=${v}`);
  return [
    `batch ${describeBatchSettings(batch)}`,
    `private data ${settings.dissemination ? describeDissemination(settings.dissemination) : model.dissemination}`,
    `peers ${env.length === 0 ? "as generated (Fabric's defaults)" : env.join(' ')}`,
  ].join('; ');
}

/**
 * Brings the live network to `settings`, each part only when it differs from what runs: the
 * channel's batch settings (a config update), the retail chaincode's collections (a definition
 * upgrade, same package), the peers' environment (a restart). Returns the batch settings held after.
 */
export async function applyWriteSettings(network: NativeNetwork, settings: WriteSettings, log: (line: string) => void): Promise<BatchSettings> {
  const held = (await updateBatchSettings(await network.context(), settings.batch, log)).after;
  await network.deploy(log, settings.dissemination ? { dissemination: settings.dissemination } : {});
  await network.restartPeers(log, settings.peerEnv ?? {});
  return held;
}

/** The model's settings back: its batch settings, its collections, its peers. */
export async function restoreModelSettings(network: NativeNetwork, modelBatch: BatchSettings, log: (line: string) => void): Promise<void> {
  await applyWriteSettings(network, { batch: modelBatch }, log);
}

export interface LadderContext {
  readonly network: NativeNetwork;
  readonly profile: Profile;
  readonly fixture: Fixture;
  readonly log: (line: string) => void;
  readonly runTest: (test: ScriptTest) => Promise<ScriptTestRun>;
  /** Each process group's share of the machine over a window, once the window's last scrape is in. */
  readonly cpuByGroup: (fromMs: number, toMs: number) => Promise<TuningRepeat['cpuByGroup']>;
  /** Someone else's load over a window; null when not measured. */
  readonly interference: (fromMs: number, toMs: number) => TuningRepeat['interference'];
  readonly cores: number;
  /** The model's dissemination, as a step without its own is described. */
  readonly modelDissemination: string;
}

/**
 * The order the ladder's steps run in, one round per repeat: forward, then backward, and so on (as
 * the A/B's A B, B A), so that a drift of the machine over the ladder touches every step alike
 * rather than the later steps more.
 */
export function ladderOrder(steps: number, rounds: number): number[][] {
  return Array.from({ length: rounds }, (_, round) => {
    const forward = Array.from({ length: steps }, (_, i) => i);
    return round % 2 === 0 ? forward : forward.reverse();
  });
}

/**
 * The tuning ladder: in each round, the network takes each step's settings in turn and the
 * add-order test runs once under them (short windows, own order ids); over the rounds, what each
 * setting changed is measured as the median and spread of its repeats, with each process group's
 * CPU per write, and compared with the step it builds on. A step built on a later one, or on
 * itself, is refused before anything runs.
 */
export async function runTuningLadder(ladder: TuningLadder, context: LadderContext): Promise<TuningStep[]> {
  const { network, profile, fixture, log } = context;
  ladder.steps.forEach((step, i) => {
    if (step.buildsOn !== undefined && !(step.buildsOn >= 0 && step.buildsOn < i)) throw new RangeError(`tuning step ${i} "${step.name}" builds on step ${step.buildsOn}: only an earlier step can be built on`);
  });
  const repeats: TuningRepeat[][] = ladder.steps.map(() => []);
  const settings: string[] = ladder.steps.map(() => '');
  for (const [round, order] of ladderOrder(ladder.steps.length, ladder.repeats).entries()) {
    for (const i of order) {
      const step = ladder.steps[i];
      if (step === undefined) continue;
      log(`tuning round ${round + 1}/${ladder.repeats}, step ${i + 1}/${ladder.steps.length} "${step.name}"${step.notAdopted ? ' (measured, never adopted)' : ''}: add order, ${profile.users} users, ${ladder.warmup} warm-up, ${ladder.duration} measured`);
      const held = await applyWriteSettings(network, step.settings, log);
      settings[i] = describeWriteSettings(held, step.settings, { dissemination: context.modelDissemination });
      const test = table4Test('add_order', { users: profile.users, duration: ladder.duration, warmup: ladder.warmup }, { ...fixture, runId: `${fixture.runId}-t${i}r${round}` });
      // A repeat with no data has nothing to rank the step by: the ladder stops (NoDataError).
      const { measured: figures, records } = testFigures(await context.runTest(test), 'add_order');
      const window = records.windows.measured;
      const what = (figure: string): string => `tuning step "${step.name}", round ${round + 1}: ${figure}`;
      if (window === null) throw new NoDataError(what('no measured window'));
      const repeat: TuningRepeat = {
        window: { startMs: window.startMs, endMs: window.endMs },
        throughputTxPerMin: required(figures.throughputTxPerMin, what('throughput')),
        latencyAvgS: required(figures.latencyS?.avg ?? null, what('avg latency')),
        latencyP99S: required(figures.latencyS?.p99 ?? null, what('p99 latency')),
        successRatePct: required(figures.successRatePct, what('success rate')),
        cpuByGroup: await context.cpuByGroup(window.startMs, window.endMs),
        interference: context.interference(window.startMs, window.endMs),
      };
      repeats[i]?.push(repeat);
      const cpu = repeat.cpuByGroup.reduce((sum, g) => sum + g.cpuPct, 0);
      log(`  ${repeat.throughputTxPerMin.toFixed(1)} tx/min, p99 ${repeat.latencyP99S.toFixed(3)} s, all our processes ${cpu.toFixed(1)} % of the machine`);
    }
  }
  const steps = deriveTuningSteps(
    ladder.steps.map((step, i) => ({
      step: step.name,
      buildsOn: i === 0 ? null : (step.buildsOn ?? i - 1),
      settings: settings[i] ?? '',
      notAdopted: step.notAdopted ?? null,
      scenario: 'add_order',
      repeatFigures: repeats[i] ?? [],
    })),
    context.cores,
  );
  for (const [i, step] of steps.entries()) {
    const t = step.throughputTxPerMin;
    const cpu = step.cpuMsPerWriteTotal;
    log(`tuning step ${i + 1} "${step.step}": median ${t.median.toFixed(1)} tx/min (${t.min.toFixed(1)}–${t.max.toFixed(1)}), p99 ${step.latencyP99S.median.toFixed(3)} s${cpu ? `, ${cpu.median.toFixed(1)} ms of CPU per write` : ''}`);
  }
  return steps;
}
