import { join } from 'node:path';

import { readRuntime, StateLayout } from '@energysale/network';

import { commit, machine } from '../table4/provenance';
import type { FaultName } from './faults';
import { judge, RELIABILITY_SCHEMA, writeReliabilityReport, type ReliabilityReport } from './report';
import { RELIABILITY_VARIANTS, runFaults } from './suite';

/** `bench reliability`: the faults under load, reconciled, written to reports/<time>_reliability-<variant>_<sha>/. */
export async function runReliability(
  variantName: keyof typeof RELIABILITY_VARIANTS,
  log: (line: string) => void,
  reportsDir: string,
  options: { faults?: readonly FaultName[] } = {},
): Promise<{ dir: string; report: ReliabilityReport }> {
  const layout = new StateLayout();
  const runtime = (await readRuntime(layout)).kind;
  if (runtime !== 'native') throw new Error(`the reliability suite kills and stops processes of the native runtime; this network runs in ${runtime}`);
  const variant = { ...RELIABILITY_VARIANTS[variantName], ...(options.faults && { faults: options.faults }) };
  const startedAt = new Date().toISOString();
  const faults = await runFaults(variant, log, layout);
  const verdicts = faults.map(judge);
  const sha = commit();
  const report: ReliabilityReport = {
    schema: RELIABILITY_SCHEMA,
    meta: { startedAt, endedAt: new Date().toISOString(), commit: sha, machine: machine(), runtime, variant: variantName, load: variant },
    faults,
    verdicts,
    passed: verdicts.every((v) => v.passed),
  };
  const dir = join(reportsDir, `${startedAt.slice(0, 13)}${startedAt.slice(14, 16)}_reliability-${variantName}_${sha.sha.slice(0, 7)}${sha.dirty ? '-dirty' : ''}`);
  await writeReliabilityReport(dir, report);
  return { dir, report };
}
