import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

import type { Machine, RunProvenance } from '../report/schema';
import { decodeRequestRecords, encodeRequestRecords } from '../report/request-records';
import type { CpuProfileSummary } from '../resources/cpuprofile';
import type { DisturbanceRule, InterferenceSummary } from '../resources/interference';
import type { ScenarioRecords } from '../scenario';
import type { Table4Test } from '../script/benchmark';
import { spreadText } from '../ceiling/report';
import { compare, windowFigures, type AbComparison, type AbFigure, type AbRaw, type AbSideName, type AbWindowFigures } from './figures';
import type { AbSide } from './sides';

/*
 * The A/B report: reports/<time>_ab_<sha>/ holds ab.json (provenance, both sides, every window's
 * figures, the comparisons), ab.md (the same for people), raw/<test>-<side>-<repeat>.json.gz (each
 * group's CPU as sampled) and .requests.gz (every request), and with --cpu-prof profiles/ (each
 * instance's V8 profile, gzipped). Every figure derives from raw/ by figures.ts, live and again by
 * rederiveAb().
 */

export const AB_SCHEMA = 'energysale-bench/ab@1';

/** Exit codes as table4's: 98 a window was disturbed, 99 a window's thresholds failed. */
export const AB_EXIT = { ok: 0, thresholdFailed: 99, disturbed: 98 } as const;

export interface AbConfig {
  readonly tests: readonly Table4Test[];
  readonly users: number;
  readonly duration: string;
  readonly warmup: string;
  readonly repeats: number;
  readonly preloadOrdersPerUser: number;
  /** Each side's instances profiled with node --cpu-prof. */
  readonly cpuProf: boolean;
}

export interface AbWindow {
  readonly test: Table4Test;
  readonly side: AbSideName;
  readonly repeat: number;
  readonly start: string;
  readonly end: string;
  readonly thresholdsPassed: boolean;
  readonly interference: InterferenceSummary;
  readonly figures: AbWindowFigures;
}

export interface AbReport {
  readonly schema: typeof AB_SCHEMA;
  readonly meta: RunProvenance & { readonly topology: string; readonly batch: string; readonly engine: string };
  readonly sides: Readonly<Record<AbSideName, AbSide>>;
  readonly config: AbConfig & { readonly disturbance: DisturbanceRule };
  readonly windows: readonly AbWindow[];
  readonly comparisons: readonly AbComparison[];
  readonly profiles: readonly { readonly side: AbSideName; readonly repeat: number; readonly instance: string; readonly file: string; readonly summary: CpuProfileSummary }[];
  readonly disturbed: boolean;
  readonly exitCode: number;
}

export type AbRawWindow = { readonly raw: AbRaw; readonly records: ScenarioRecords };

const rawBase = (raw: Pick<AbRaw, 'test' | 'side' | 'repeat'>): string => `raw/${raw.test}-${raw.side}-${String(raw.repeat)}`;

/** Every window's figures and the comparisons, from the raw windows: the one derivation. */
export function deriveAb(raws: readonly AbRawWindow[]): { windows: AbWindowFigures[]; comparisons: AbComparison[] } {
  const windows = raws.map((w) => windowFigures(w.records, w.raw));
  return { windows, comparisons: compare(raws.map((w, i) => ({ test: w.raw.test, side: w.raw.side, figures: windows[i] as AbWindowFigures }))) };
}

export function exitCodeOf(windows: readonly Pick<AbWindow, 'thresholdsPassed' | 'interference'>[]): number {
  if (windows.some((w) => w.interference.disturbed)) return AB_EXIT.disturbed;
  return windows.every((w) => w.thresholdsPassed) ? AB_EXIT.ok : AB_EXIT.thresholdFailed;
}

const FIGURE_TITLE: Readonly<Record<AbFigure, string>> = {
  throughputTxPerMin: 'throughput, tx/min',
  latencyP50S: 'latency p50, s',
  latencyP99S: 'latency p99, s',
  successRatePct: 'success, %',
  'cpuMsPerRequest.peer': 'CPU ms/request: peers',
  'cpuMsPerRequest.orderer': 'CPU ms/request: orderers',
  'cpuMsPerRequest.chaincode': 'CPU ms/request: chaincode servers',
  'cpuMsPerRequest.service': 'CPU ms/request: service instances',
  'cpuMsPerRequest.lb': 'CPU ms/request: nginx',
  'cpuMsPerRequest.loadGenerator': 'CPU ms/request: load generator (this process)',
};

const digitsOf = (figure: AbFigure): number => (figure === 'throughputTxPerMin' ? 0 : figure === 'successRatePct' ? 2 : 3);

const sideText = (side: AbSide): string => `\`${side.spec}\`: ${side.commit.slice(0, 12)}${side.dirty ? ' with uncommitted changes' : ''}`;

const machineText = (m: Machine): string => `${String(m.cores)} cores (${m.cpuModel}), ${String(m.memoryGiB)} GiB, ${m.os}, Node ${m.node}`;

export function abMarkdown(report: AbReport): string {
  const { meta, config } = report;
  const verdict =
    report.exitCode === AB_EXIT.disturbed
      ? '**DISTURBED**: someone else used the machine during a window; these figures are not the two sides\' alone.'
      : report.exitCode === AB_EXIT.thresholdFailed
        ? 'A window\'s thresholds failed (requests failed or a check did not hold): see the windows.'
        : 'Every window clean: no failed request, nobody else on the machine.';
  const comparison = config.tests
        .map((test) => {
          const rows = report.comparisons
            .filter((c) => c.test === test)
            .map((c) => `| ${FIGURE_TITLE[c.figure]} | ${spreadText(c.a, digitsOf(c.figure))} | ${spreadText(c.b, digitsOf(c.figure))} | ${c.ratio === null ? 'no data' : `×${c.ratio.toFixed(3)}`} |`);
          return `### ${test}\n\n| figure | A: median (min–max) | B: median (min–max) | B ÷ A |\n|---|---|---|---|\n${rows.join('\n')}\n`;
        })
        .join('\n');
  const windows = report.windows.map(
    (w) =>
      `| ${w.test} | ${w.side} | ${String(w.repeat)} | ${w.figures.throughputTxPerMin?.toFixed(0) ?? 'no data'} | ${w.figures.latencyP99S?.toFixed(3) ?? 'no data'} | ${w.figures.cpuMsPerRequest.service?.toFixed(3) ?? 'no data'} | ${w.figures.cpuMsPerRequest.peer?.toFixed(3) ?? 'no data'} | ${w.thresholdsPassed ? 'passed' : 'failed'} | ${w.interference.otherPct.avg.toFixed(1)} %${w.interference.disturbed ? ' DISTURBED' : ''} |`,
  );
  const profiles = report.profiles.map((p) => {
    const top = (list: CpuProfileSummary['byPackage']): string => list.slice(0, 8).map((s) => `${s.name} ${s.pct.toFixed(1)} %`).join('; ');
    return `- side ${p.side}, repeat ${String(p.repeat)}, ${p.instance} (${(p.summary.busyMs / 1000).toFixed(1)} s busy; \`${p.file}\`): by package: ${top(p.summary.byPackage)}. Top functions: ${top(p.summary.topFunctions)}`;
  });
  return `# ${meta.title}

${verdict}

- A: ${sideText(report.sides.A)}
- B: ${sideText(report.sides.B)}
- run by ${meta.commit.sha.slice(0, 12)}${meta.commit.dirty ? ' (with uncommitted changes)' : ''}, ${meta.startedAt} to ${meta.endedAt}, ${meta.runtime} runtime
- machine: ${machineText(meta.machine)}
- load: ${config.tests.join(' and ')} of Table 4 through nginx and the side's service, ${String(config.users)} closed-loop users, ${config.warmup} warm-up + ${config.duration} measured, ${String(config.repeats)} repeats a side, in the order A B, B A, ...; engine ${meta.engine}
- channel: ${meta.batch}; topology ${meta.topology.slice(0, 12)}

## B against A

${comparison}
CPU per request: each process group's CPU (by pid, /proc, every second) averaged over the measured window, × the cores, ÷ successful requests a second. Median and min–max over the repeats; B ÷ A is the ratio of the medians.

## Windows

| test | side | repeat | tx/min | p99 s | service ms/req | peers ms/req | thresholds | other |
|---|---|---|---|---|---|---|---|---|
${windows.join('\n')}
${profiles.length > 0 ? `\n## CPU profiles of the service instances (self time, of the busy time, over each instance's whole life: warm-up and every test)\n\n${profiles.join('\n')}\n` : ''}
Every figure derives from raw/ (each group's CPU as sampled, every request) by bench/src/ab/figures.ts; \`npm run bench -- ab --render DIR\` derives them again and checks them against ab.json.
`;
}

export async function writeAbReport(dir: string, report: AbReport, raws: readonly AbRawWindow[]): Promise<void> {
  await mkdir(join(dir, 'raw'), { recursive: true });
  for (const { raw, records } of raws) {
    await writeFile(join(dir, `${rawBase(raw)}.json.gz`), gzipSync(JSON.stringify(raw)));
    await writeFile(join(dir, `${rawBase(raw)}.requests.gz`), encodeRequestRecords(records));
  }
  await writeFile(join(dir, 'ab.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, 'ab.md'), abMarkdown(report));
}

export class AbReportError extends Error {
  override readonly name = 'AbReportError';
}

export async function readAbReport(dir: string): Promise<AbReport> {
  const parsed = JSON.parse(await readFile(join(dir, 'ab.json'), 'utf8')) as { readonly schema?: unknown };
  if (parsed.schema !== AB_SCHEMA) throw new AbReportError(`${dir}/ab.json: schema ${typeof parsed.schema === 'string' ? parsed.schema : 'none'}, not ${AB_SCHEMA}`);
  return parsed as AbReport;
}

/** Derives every figure again from raw/ and compares it with ab.json; with `render`, ab.md is written again. */
export async function rederiveAb(dir: string, options: { render?: boolean } = {}): Promise<{ checked: number; differences: string[]; report: AbReport }> {
  const report = await readAbReport(dir);
  const raws = await Promise.all(
    report.windows.map(async (w): Promise<AbRawWindow> => {
      const base = join(dir, rawBase(w));
      return { raw: JSON.parse(gunzipSync(await readFile(`${base}.json.gz`)).toString('utf8')) as AbRaw, records: decodeRequestRecords(await readFile(`${base}.requests.gz`), `${base}.requests.gz`) };
    }),
  );
  const again = deriveAb(raws);
  const differences: string[] = [];
  const same = (what: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(what);
  };
  report.windows.forEach((w, i) => {
    same(`${w.test} side ${w.side} repeat ${String(w.repeat)}`, w.figures, again.windows[i]);
  });
  same('comparisons', report.comparisons, again.comparisons);
  if (options.render === true && differences.length === 0) await writeFile(join(dir, 'ab.md'), abMarkdown(report));
  return { checked: report.windows.length, differences, report };
}
