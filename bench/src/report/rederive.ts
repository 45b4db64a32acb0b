/**
 * `render`'s first step: every load figure and chain count of a report derived again from its raw/
 * (derive.ts, the function the live run used), compared with summary.json. A figure that differs
 * beyond rounding is an error naming it; otherwise the report is completed again from the
 * re-derived scenarios (paper ratios, Little's law, consistency, thresholds). Resource figures come
 * from Prometheus and are not derived again here.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { roundLabel, type CaliperScenario } from '../caliper/bench-config';
import { compareWithCeiling, readSourceCeiling, type ChosenCeiling } from '../ceiling/compare';
import { repoRoot } from '../table4/provenance';
import { deriveRounds, readRecords } from '../caliper/records';
import { completeReport } from './analyse';
import { decodeBlockRecords, type BlockRecords } from './block-records';
import { chainCounts, type DerivedTest } from './derive';
import { blocksFile, CALIPER_RECORDS_DIR, requestsFile } from './raw-files';
import { decodeRequestRecords, deriveScenario } from './request-records';
import type { ReportData, ScenarioResult } from './schema';

/** What raw/ lacks or holds unreadably, so a figure cannot be derived again: names the file. */
export class RawDataError extends Error {
  override readonly name = 'RawDataError';
}

/** Figures of summary.json that the raw data does not give: each named with both values. */
export class FigureMismatchError extends Error {
  override readonly name = 'FigureMismatchError';
  constructor(readonly mismatches: readonly string[]) {
    super(`${mismatches.length} figure(s) of summary.json differ from what raw/ gives:\n${mismatches.map((m) => `  ${m}`).join('\n')}`);
  }
}

/** Beyond this relative difference two figures differ: summary.json keeps full doubles, so only arithmetic order can part them. */
const RELATIVE_TOLERANCE = 1e-9;

function agree(stored: number, derived: number): boolean {
  return Math.abs(stored - derived) <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(stored), Math.abs(derived));
}

/** Every leaf where `stored` and `derived` differ, by path; numbers within rounding agree, null only with null. */
export function differences(path: string, stored: unknown, derived: unknown): string[] {
  if (typeof stored === 'number' && typeof derived === 'number') {
    return agree(stored, derived) ? [] : [`${path}: summary.json ${stored}, raw/ gives ${derived}`];
  }
  if (Array.isArray(stored) && Array.isArray(derived)) {
    if (stored.length !== derived.length) return [`${path}: summary.json has ${stored.length} entries, raw/ gives ${derived.length}`];
    return stored.flatMap((item: unknown, i) => differences(`${path}[${i}]`, item, derived[i]));
  }
  if (typeof stored === 'object' && stored !== null && typeof derived === 'object' && derived !== null && !Array.isArray(stored) && !Array.isArray(derived)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(derived)])].sort();
    return keys.flatMap((key) => differences(`${path}.${key}`, (stored as Record<string, unknown>)[key], (derived as Record<string, unknown>)[key]));
  }
  if (stored === derived) return [];
  const show = (value: unknown): string => (value === null ? 'no data' : value === undefined ? 'nothing' : JSON.stringify(value));
  return [`${path}: summary.json ${show(stored)}, raw/ gives ${show(derived)}`];
}

async function rawFile(dir: string, name: string): Promise<Buffer> {
  try {
    return await readFile(join(dir, 'raw', name));
  } catch (error) {
    throw new RawDataError(`raw/${name}: cannot be read, so its figures cannot be derived again`, { cause: error });
  }
}

async function derivedLoad(dir: string, s: ScenarioResult): Promise<DerivedTest> {
  if (s.engine === 'http') {
    const name = requestsFile(s.scenario, 'http');
    return deriveScenario(decodeRequestRecords(await rawFile(dir, name), `raw/${name}`));
  }
  const records = join(dir, 'raw', CALIPER_RECORDS_DIR);
  const read = async (phase: 'warmup' | 'measured') => {
    try {
      return await readRecords(records, roundLabel(s.scenario as CaliperScenario, phase));
    } catch (error) {
      throw new RawDataError(`raw/${CALIPER_RECORDS_DIR}: the ${s.scenario} ${phase} round's records cannot be read`, { cause: error });
    }
  };
  const derived = deriveRounds(await read('measured'), await read('warmup'));
  if (derived === null) throw new RawDataError(`raw/${CALIPER_RECORDS_DIR}: no record of the ${s.scenario} measured round`);
  return derived;
}

async function derivedScenario(dir: string, s: ScenarioResult): Promise<ScenarioResult> {
  const { window, measured, warmUp, timeSeries } = await derivedLoad(dir, s);
  let chain = s.chain;
  if (chain !== null) {
    const name = blocksFile(s.scenario, s.engine);
    let records: BlockRecords;
    try {
      records = decodeBlockRecords(await rawFile(dir, name), `raw/${name}`);
    } catch (error) {
      throw new RawDataError(`raw/${name}: not the window's transactions`, { cause: error });
    }
    chain = { ...chainCounts(records.transactions), source: chain.source };
  }
  return { ...s, window, measured, warmUp, timeSeries, chain };
}

/**
 * The report with every load figure and chain count derived again from raw/, and what follows from
 * them completed again; throws FigureMismatchError listing every figure summary.json states
 * otherwise, RawDataError when raw/ lacks what a figure is derived from. The comparison with the
 * ceiling is derived again from the re-derived scenarios and the ceiling report it names (read
 * relative to `root`, the repository's), by the function the live run used.
 */
export async function rederive(dir: string, data: ReportData, root = repoRoot): Promise<{ data: ReportData; figures: number }> {
  const scenarios: ScenarioResult[] = [];
  const mismatches: string[] = [];
  let figures = 0;
  for (const [i, s] of data.scenarios.entries()) {
    const derived = await derivedScenario(dir, s);
    const path = `scenarios[${i}] (${s.scenario}, ${s.engine})`;
    for (const key of ['window', 'measured', 'warmUp', 'timeSeries', 'chain'] as const) {
      figures += leaves(derived[key]);
      mismatches.push(...differences(`${path}.${key}`, s[key], derived[key]));
    }
    scenarios.push(derived);
  }
  let ceiling = data.ceiling;
  if (ceiling?.source != null) {
    const source = ceiling.source;
    let chosen: ChosenCeiling;
    try {
      chosen = await readSourceCeiling(source, root);
    } catch (error) {
      throw new RawDataError(`${source.dir}: the ceiling report this report was compared with cannot be read, so its comparison with the ceiling cannot be derived again`, { cause: error });
    }
    const again = compareWithCeiling(scenarios, data.machine, chosen, root);
    figures += leaves(again);
    mismatches.push(...differences('ceiling', ceiling, again));
    ceiling = again;
  }
  // The tuning steps' figures were derived again from their repeats when summary.json was read (validateReport).
  const { meta, machine, versions, config, notes, tuning } = data;
  const specs = data.thresholds.map(({ scenario, engine, metric, op, limit }) => ({ scenario, engine, metric, op, limit }));
  if (mismatches.length > 0) throw new FigureMismatchError(mismatches);
  // What follows from the scenarios (readReport checked summary.json's against its own scenarios) follows from the re-derived ones.
  return { data: completeReport({ meta, machine, versions, config, scenarios, thresholds: specs, notes, tuning, ceiling }), figures };
}

/** How many figures (leaves) a value holds. */
function leaves(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, item: unknown) => n + leaves(item), 0);
  if (typeof value === 'object' && value !== null) return Object.values(value).reduce((n: number, item: unknown) => n + leaves(item), 0);
  return 1;
}
