import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { commit } from '../table4/provenance';
import { BaselineError, incomparable, ledgerGrowth, readMeasurement, writeMeasurement, type Measurement } from './baseline';
import { decide, GATE_EXIT, type GateDecision, type GateExit, type GateOptions } from './decide';
import { measure } from './measure';
import { junitXml, markdownSummary } from './outputs';

/*
 * `bench gate` and `bench baseline`. The gate measures the quick scenarios with the baseline's load
 * shape, refuses to compare across machines, runtimes, models or batch settings, decides figure by
 * figure (decide.ts), and writes reports/<time>_gate_<sha>/: gate.json, current.json (this run's
 * measurement, which `bench baseline --from` can promote), junit.xml and summary.md (also appended
 * to $GITHUB_STEP_SUMMARY when a CI sets it).
 */

const repoRoot = resolve(__dirname, '..', '..', '..');

/** The committed baseline of the quick scenarios on the reference machine. */
export const DEFAULT_BASELINE = join(repoRoot, 'bench', 'baselines', 'quick.json');

/** The baseline cannot be compared with this run: it was measured elsewhere or otherwise. */
export class IncomparableBaselineError extends Error {
  override readonly name = 'IncomparableBaselineError';
}

export interface GateRunOptions {
  readonly baselinePath: string;
  readonly repeats: number;
  readonly reportsDir: string;
  readonly gate: GateOptions;
  readonly allowOtherMachine?: boolean;
  /** Service settings for this run only (the injected regression of the gate's own test). */
  readonly serviceSettings?: Readonly<Record<string, string>>;
  /** How many times a window disturbed by someone else's load is run again before the gate exits 2 (default 2). */
  readonly disturbedRetries?: number;
  readonly log: (line: string) => void;
  /** How the measurement is taken (the live network; tests of the decision pass their own). */
  readonly measure?: typeof measure;
}

export interface GateRun {
  readonly exitCode: GateExit;
  readonly dir: string;
  readonly decision?: GateDecision;
  readonly error?: Error;
}

function stamp(): string {
  const now = new Date().toISOString();
  const sha = commit();
  return `${now.slice(0, 13)}${now.slice(14, 16)}_gate_${sha.sha.slice(0, 7)}${sha.dirty ? '-dirty' : ''}`;
}

export async function runGate(options: GateRunOptions): Promise<GateRun> {
  const started = Date.now();
  const dir = join(options.reportsDir, stamp());
  await mkdir(dir, { recursive: true });
  let baseline: Measurement | undefined;
  let current: Measurement | undefined;
  let decision: GateDecision | undefined;
  let error: Error | undefined;
  try {
    baseline = await readMeasurement(options.baselinePath);
    options.log(`baseline ${options.baselinePath}: commit ${baseline.commit.sha.slice(0, 12)}, ${baseline.config.repeats} repeats, recorded ${baseline.recordedAt}`);
    current = await (options.measure ?? measure)({
      repeats: options.repeats,
      users: baseline.config.users,
      duration: baseline.config.duration,
      warmup: baseline.config.warmup,
      ...(options.serviceSettings ? { serviceSettings: options.serviceSettings } : {}),
      ...(options.disturbedRetries === undefined ? {} : { disturbedRetries: options.disturbedRetries }),
      log: options.log,
    });
    await writeMeasurement(join(dir, 'current.json'), current);
    const reasons = incomparable(baseline, current, { allowOtherMachine: options.allowOtherMachine ?? false });
    if (reasons.length > 0) {
      throw new IncomparableBaselineError(`this run cannot be compared with ${options.baselinePath}:\n  ${reasons.join('\n  ')}\n(record a baseline here: npm run bench -- baseline)`);
    }
    decision = decide(baseline, current, options.gate);
    const growth = ledgerGrowth(baseline, current);
    if (growth !== undefined) options.log(`not like for like: ${growth}`);
  } catch (caught) {
    error = caught instanceof Error ? caught : new Error(String(caught));
  }
  const info = { baselinePath: options.baselinePath, baseline, current, durationS: (Date.now() - started) / 1000 };
  const exitCode: GateExit = decision?.exitCode ?? GATE_EXIT.error;
  const summary = markdownSummary(info, decision, error);
  await writeFile(join(dir, 'junit.xml'), junitXml(info, decision, error));
  await writeFile(join(dir, 'summary.md'), summary);
  await writeFile(
    join(dir, 'gate.json'),
    `${JSON.stringify({ exitCode, baselinePath: options.baselinePath, options: options.gate, error: error ? { name: error.name, message: error.message } : null, results: decision?.results ?? [] }, null, 2)}\n`,
  );
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) await appendFile(stepSummary, summary);
  return { exitCode, dir, ...(decision ? { decision } : {}), ...(error ? { error } : {}) };
}

export interface BaselineRunOptions {
  readonly out: string;
  readonly repeats: number;
  readonly users?: number;
  readonly duration?: string;
  readonly warmup?: string;
  /** Promote a gate run's measurement (its current.json) instead of measuring. */
  readonly from?: string;
  readonly log: (line: string) => void;
}

/** Measures (or takes a gate run's measurement) and writes it as the baseline. */
export async function recordBaseline(options: BaselineRunOptions): Promise<Measurement> {
  const measurement =
    options.from !== undefined
      ? await readMeasurement(options.from)
      : await measure({
          repeats: options.repeats,
          ...(options.users === undefined ? {} : { users: options.users }),
          ...(options.duration === undefined ? {} : { duration: options.duration }),
          ...(options.warmup === undefined ? {} : { warmup: options.warmup }),
          log: options.log,
        });
  if (Object.keys(measurement.config.serviceSettings).length > 0) {
    throw new BaselineError(`refusing a baseline measured with service settings ${JSON.stringify(measurement.config.serviceSettings)} (an injected regression is no baseline)`);
  }
  await writeMeasurement(options.out, measurement);
  return measurement;
}
