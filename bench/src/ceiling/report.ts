import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

import type { Spread } from '../gate/statistics';
import type { BreakdownStage, Machine, RunProvenance } from '../report/schema';
import type { DisturbanceRule, InterferenceSummary } from '../resources/interference';
import { aggregate, CEILING_TESTS, runFigures, type CeilingConfig, type CeilingFigures, type CeilingRaw, type CeilingRunFigures, type CeilingTest } from './figures';
import type { TopologySummary } from '../table4/provenance';

/*
 * The ceiling report: reports/<time>_ceiling_<sha>/ holds ceiling.json (provenance, config, every
 * repeat's figures and their medians), ceiling.md (the same for people) and raw/<test>-<repeat>.json.gz
 * (each measured window's calls and the CPU of each process group, as read): every figure of the
 * first two is derived from the third by figures.ts, live and again by rederiveCeiling().
 */

export const CEILING_SCHEMA = 'energysale-bench/ceiling@1';

/** Exit codes as table4's: 98 a window was disturbed (whatever else), 99 a call failed or a check did not hold. */
export const CEILING_EXIT = { ok: 0, callsFailed: 99, disturbed: 98 } as const;

/** One measured window of one test. */
export interface CeilingRun {
  readonly test: CeilingTest;
  readonly repeat: number;
  /** Its raw file, relative to the report. */
  readonly raw: string;
  readonly window: { readonly start: string; readonly end: string };
  readonly figures: CeilingRunFigures;
  /** The script's thresholds: every call of the measured scenario succeeded and every check held. */
  readonly thresholdsPassed: boolean;
  /** Someone else's CPU during the window. */
  readonly interference: InterferenceSummary;
  /** Where the time went, as Prometheus's histograms read over the window (breakdown()); inputs, not derived. */
  readonly stages: readonly BreakdownStage[];
  readonly blocks: { readonly committed: number; readonly txPerBlock: number } | null;
}

export interface CeilingReport {
  readonly schema: typeof CEILING_SCHEMA;
  readonly meta: RunProvenance & {
    readonly topology: TopologySummary;
    readonly versions: { readonly fabric: string; readonly fabricCa: string; readonly fabricGateway: string };
    /** The calibration chaincode as deployed: what the ceiling was measured against. */
    readonly calibration: { readonly name: string; readonly version: string; readonly sequence: number; readonly packageId: string; readonly codeHash: string; readonly endorsement: string };
  };
  readonly config: CeilingConfig & { readonly script: string; readonly org: string; readonly disturbance: DisturbanceRule };
  readonly runs: readonly CeilingRun[];
  /** One per test, in CEILING_TESTS order: median and spread over the repeats. */
  readonly figures: readonly CeilingFigures[];
  readonly disturbed: boolean;
  readonly exitCode: number;
  readonly notes: readonly string[];
}

export const rawFileOf = (test: CeilingTest, repeat: number): string => `raw/${test}-${String(repeat)}.json.gz`;

/** The figures of every window and of every test over its repeats, from the raw windows: the one derivation. */
export function deriveCeiling(raws: readonly CeilingRaw[]): { runs: { test: CeilingTest; repeat: number; figures: CeilingRunFigures }[]; figures: CeilingFigures[] } {
  const runs = raws.map((raw) => ({ test: raw.test, repeat: raw.repeat, figures: runFigures(raw) }));
  const figures = CEILING_TESTS.filter((test) => runs.some((r) => r.test === test)).map((test) =>
    aggregate(
      test,
      runs.filter((r) => r.test === test).map((r) => r.figures),
    ),
  );
  return { runs, figures };
}

/** What each exit code of a report means (the command prints it). */
export function exitCodeOf(runs: readonly Pick<CeilingRun, 'thresholdsPassed' | 'interference'>[]): number {
  if (runs.some((r) => r.interference.disturbed)) return CEILING_EXIT.disturbed;
  return runs.every((r) => r.thresholdsPassed) ? CEILING_EXIT.ok : CEILING_EXIT.callsFailed;
}

const TEST_TITLE: Readonly<Record<CeilingTest, string>> = { evaluate: 'evaluate (no-op read)', write: 'write (one key)' };

/** What a test's transactions a second are called. */
export const RATE_UNIT: Readonly<Record<CeilingTest, string>> = { evaluate: 'evaluations/s', write: 'writes/s' };

function fixed(value: number, digits: number): string {
  return value.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "median (min–max)", or the median alone for one repeat; "no data" without one. */
export function spreadText(s: Spread | null, digits: number): string {
  if (s === null) return 'no data';
  return s.values.length === 1 ? fixed(s.median, digits) : `${fixed(s.median, digits)} (${fixed(s.min, digits)}–${fixed(s.max, digits)})`;
}

function interferenceText(i: InterferenceSummary): string {
  if (i.disturbed) return `DISTURBED (other ${fixed(i.otherPct.avg, 1)} %, above the rule in ${fixed(i.aboveSharePct, 0)} % of its seconds)`;
  return `clean (other ${fixed(i.otherPct.avg, 1)} %)`;
}

/** The verdict on the figures as a whole: clean, or why they are not this system's ceiling. */
export function verdict(report: Pick<CeilingReport, 'runs' | 'disturbed'>): string {
  if (report.disturbed) {
    const named = report.runs
      .filter((r) => r.interference.disturbed)
      .map((r) => `${r.test} repeat ${String(r.repeat)} (${r.interference.foreign.map((f) => `${f.name} pid ${String(f.pid)} ${fixed(f.cpuPct, 1)} %`).join(', ') || 'no single process'})`);
    return `**DISTURBED**: someone else's load used the machine during ${named.join('; ')}. These figures are not this system's ceiling; measure again on a quiet machine.`;
  }
  const failed = report.runs.filter((r) => !r.thresholdsPassed).map((r) => `${r.test} repeat ${String(r.repeat)}`);
  if (failed.length > 0) return `**CALLS FAILED** in ${failed.join(', ')}: a ceiling needs every call to succeed; see the success rates.`;
  return 'Clean: no measured window was disturbed by someone else\'s load, and every call succeeded.';
}

export function ceilingMarkdown(report: CeilingReport): string {
  const { meta, config } = report;
  const byTest = (test: CeilingTest): CeilingFigures | undefined => report.figures.find((f) => f.test === test);
  const tests = report.figures.map((f) => f.test);
  const summary = report.figures.map(
    (f) =>
      `| ${TEST_TITLE[f.test]} | ${spreadText(f.throughputPerS, 1)} | ${spreadText(f.successRatePct, 2)} | ${spreadText(f.avgLatencyS, 4)} | ${spreadText(f.p99LatencyS, 4)} | ${spreadText(f.cpuMsPerTxTotal, 3)} |`,
  );
  const groups = [...new Set(report.figures.flatMap((f) => f.cpuMsPerTx.map((g) => g.group)))];
  const groupRows = groups.map((group) => `| ${group} | ${tests.map((t) => spreadText(byTest(t)?.cpuMsPerTx.find((g) => g.group === group)?.spread ?? null, 3)).join(' | ')} |`);
  const repeats = report.runs.map(
    (r) =>
      `| ${r.test} | ${String(r.repeat)} | ${r.window.start} | ${r.figures.throughputPerS === null ? 'no data' : fixed(r.figures.throughputPerS, 1)} | ${r.figures.measured.successRatePct === null ? 'no data' : fixed(r.figures.measured.successRatePct, 2)} | ` +
      `${r.figures.measured.latencyS === null ? 'no data' : fixed(r.figures.measured.latencyS.avg, 4)} | ${r.figures.cpuMsPerTxTotal === null ? 'no data' : fixed(r.figures.cpuMsPerTxTotal, 3)} | ${interferenceText(r.interference)} | \`${r.raw}\` |`,
  );
  return `# ${meta.title}

${meta.startedAt} to ${meta.endedAt}; commit ${meta.commit.sha.slice(0, 12)}${meta.commit.dirty ? ' (uncommitted changes)' : ''}; ${String(meta.machine.cores)} cores, ${meta.machine.cpuModel}, ${String(meta.machine.memoryGiB)} GiB, ${meta.machine.os}, kernel ${meta.machine.kernel}, Node ${meta.machine.node}; ${meta.runtime} runtime.
Network: ${meta.topology.size} (${String(meta.topology.peers)} peers, ${String(meta.topology.orgs)} orgs, ${String(meta.topology.orderers)} orderers, ${String(meta.topology.hosts)} hosts); Fabric ${meta.versions.fabric}, Fabric CA ${meta.versions.fabricCa}, ${meta.versions.fabricGateway}.
Calibration chaincode \`${meta.calibration.name}\` ${meta.calibration.version} (sequence ${String(meta.calibration.sequence)}, source ${meta.calibration.codeHash.slice(0, 12)}), endorsement: ${meta.calibration.endorsement}.
Load: ${config.script}, ${String(config.users)} users of ${config.org} in a closed loop (constant-vus), each its own identity, straight to the Fabric Gateway; ${config.warmup} warm-up then ${config.duration} measured, evaluate then write, ${String(config.repeats)} repeat${config.repeats === 1 ? '' : 's'}.

${verdict(report)}

## The ceiling

Median (min–max) over the repeats:

| test | transactions/s | success % | avg latency s | p99 latency s | CPU ms per transaction, all ours |
|---|---|---|---|---|---|
${summary.join('\n')}

## CPU per transaction by process group

CPU ms per successful transaction, median (min–max):

| group | ${tests.map((t) => TEST_TITLE[t]).join(' | ')} |
|---|${tests.map(() => '---|').join('')}
${groupRows.join('\n')}
| all ours | ${tests.map((t) => spreadText(byTest(t)?.cpuMsPerTxTotal ?? null, 3)).join(' | ')} |

## Each repeat

| test | repeat | window start | transactions/s | success % | avg latency s | CPU ms/tx, all ours | interference | raw |
|---|---|---|---|---|---|---|---|---|
${repeats.join('\n')}

## Notes

${report.notes.map((n) => `- ${n}`).join('\n')}
`;
}

/** Writes ceiling.json, ceiling.md and the raw windows. */
export async function writeCeilingReport(dir: string, report: CeilingReport, raws: readonly CeilingRaw[]): Promise<void> {
  await mkdir(join(dir, 'raw'), { recursive: true });
  for (const raw of raws) await writeFile(join(dir, rawFileOf(raw.test, raw.repeat)), gzipSync(JSON.stringify(raw)));
  await writeFile(join(dir, 'ceiling.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, 'ceiling.md'), ceilingMarkdown(report));
}

export class CeilingReportError extends Error {
  override readonly name = 'CeilingReportError';
}

export async function readCeilingReport(dir: string): Promise<CeilingReport> {
  const parsed = JSON.parse(await readFile(join(dir, 'ceiling.json'), 'utf8')) as { readonly schema?: unknown };
  if (parsed.schema !== CEILING_SCHEMA) throw new CeilingReportError(`${dir}/ceiling.json: schema ${typeof parsed.schema === 'string' ? parsed.schema : 'none'}, not ${CEILING_SCHEMA}`);
  return parsed as CeilingReport;
}

export async function readCeilingRaws(dir: string, report: Pick<CeilingReport, 'runs'>): Promise<CeilingRaw[]> {
  return Promise.all(report.runs.map(async (run) => JSON.parse(gunzipSync(await readFile(join(dir, run.raw))).toString('utf8')) as CeilingRaw));
}

/**
 * Derives every figure of a report again from its raw windows and compares it with ceiling.json;
 * the differences name each figure that is not the same. With `render`, ceiling.md is written again.
 */
export async function rederiveCeiling(dir: string, options: { render?: boolean } = {}): Promise<{ checked: number; differences: string[]; report: CeilingReport }> {
  const report = await readCeilingReport(dir);
  const again = deriveCeiling(await readCeilingRaws(dir, report));
  const differences: string[] = [];
  const same = (what: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(what);
  };
  report.runs.forEach((run, i) => {
    same(`${run.test} repeat ${String(run.repeat)}`, run.figures, again.runs[i]?.figures);
  });
  same('medians over the repeats', report.figures, again.figures);
  if (options.render === true && differences.length === 0) await writeFile(join(dir, 'ceiling.md'), ceilingMarkdown(report));
  return { checked: report.runs.length, differences, report };
}

/** Which ceiling reports count for a comparison. */
export interface CeilingChoice {
  /** Only one measured on a machine like this (cores and CPU model): a ceiling is the machine's. */
  readonly machine?: Pick<Machine, 'cores' | 'cpuModel'>;
  /** Only one measured since this boot (Machine.bootId). */
  readonly bootId?: string;
  /** Only one with no disturbed window and every call successful (exit code 0). */
  readonly clean?: boolean;
}

/**
 * The latest ceiling report under `reportsDir` (directories are named by their start time, so the
 * last in name order is the latest) that `choice` accepts; null when there is none. For the Table 4
 * and capacity reports' "fraction of the ceiling".
 */
export async function latestCeiling(reportsDir: string, choice: CeilingChoice = {}): Promise<{ dir: string; report: CeilingReport } | null> {
  if (!existsSync(reportsDir)) return null;
  const names = (await readdir(reportsDir)).filter((n) => /_ceiling_/.test(n) && existsSync(join(reportsDir, n, 'ceiling.json'))).sort().reverse();
  for (const name of names) {
    const dir = join(reportsDir, name);
    let report: CeilingReport;
    try {
      report = await readCeilingReport(dir);
    } catch {
      continue;
    }
    if (choice.clean === true && report.exitCode !== CEILING_EXIT.ok) continue;
    if (choice.machine !== undefined && (report.meta.machine.cores !== choice.machine.cores || report.meta.machine.cpuModel !== choice.machine.cpuModel)) continue;
    if (choice.bootId !== undefined && report.meta.machine.bootId !== choice.bootId) continue;
    return { dir, report };
  }
  return null;
}

/** A throughput (transactions a second) as a fraction of the ceiling's median for the same kind of transaction; null without either. */
export function fractionOfCeiling(report: Pick<CeilingReport, 'figures'>, test: CeilingTest, throughputPerS: number | null): number | null {
  const ceiling = report.figures.find((f) => f.test === test)?.throughputPerS?.median ?? null;
  if (throughputPerS === null || ceiling === null || ceiling <= 0) return null;
  return throughputPerS / ceiling;
}
