import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { orNoData } from '../report/format';
import type { Machine } from '../report/schema';
import { DEFAULT_DISTURBANCE } from '../resources/interference';
import type { FaultResult, ReliabilityVariant } from './suite';

/*
 * The reliability report: reliability.json (everything) and reliability.md (a table of the faults'
 * figures and the verdicts), with the machine, commit and variant that produced them.
 */

/** @2: each fault says how much of the machine someone else used (interference). */
export const RELIABILITY_SCHEMA = 'energysale-bench/reliability@2';

export interface Verdict {
  readonly fault: string;
  /** Nothing acknowledged lost, duplicated or in the wrong state; nothing on the ledger the load never sent. */
  readonly durable: boolean;
  /** Writes were still acknowledged while the fault lasted. */
  readonly available: boolean;
  readonly passed: boolean;
  /** Why not, one reason each. */
  readonly reasons: readonly string[];
}

export interface ReliabilityReport {
  readonly schema: typeof RELIABILITY_SCHEMA;
  readonly meta: {
    readonly startedAt: string;
    readonly endedAt: string;
    readonly commit: { readonly sha: string; readonly dirty: boolean };
    readonly machine: Machine;
    readonly runtime: string;
    readonly variant: string;
    readonly load: ReliabilityVariant;
  };
  readonly faults: readonly FaultResult[];
  readonly verdicts: readonly Verdict[];
  readonly passed: boolean;
}

/** The bar: nothing acknowledged lost, duplicated or in the wrong state, and the platform kept acknowledging writes through the fault. */
export function judge(result: FaultResult): Verdict {
  const r = result.reconciliation;
  const durability = [
    ...(r.lost.length > 0 ? [`${r.lost.length} acknowledged orders lost (${r.lost.slice(0, 3).join(', ')})`] : []),
    ...(r.duplicated.length > 0 ? [`${r.duplicated.length} orders duplicated`] : []),
    ...(r.wrongState.length > 0 ? [`${r.wrongState.length} acknowledged orders in the wrong state`] : []),
    ...(r.unknown.length > 0 ? [`${r.unknown.length} orders on the ledger that the load never sent`] : []),
    // The blocks and the ledger's state must tell the same story: one VALID add order per order listed.
    ...(result.chain.validTx !== r.listed ? [`the blocks hold ${result.chain.validTx} valid add orders, the ledger lists ${r.listed} orders of the load`] : []),
  ];
  const availability = result.acknowledgedDuringFault === 0 ? ['no write was acknowledged while the fault lasted'] : [];
  const reasons = [...durability, ...availability];
  return { fault: result.fault, durable: durability.length === 0, available: availability.length === 0, passed: reasons.length === 0, reasons };
}

const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;

export function reliabilityMarkdown(report: ReliabilityReport): string {
  const { meta } = report;
  const lines = [
    `# Reliability: faults under load (${meta.variant})`,
    '',
    `Commit ${meta.commit.sha.slice(0, 12)}${meta.commit.dirty ? ' (uncommitted changes)' : ''}; ${meta.startedAt} to ${meta.endedAt}; ${meta.machine.cores} cores, ${meta.machine.cpuModel}, ${meta.machine.memoryGiB} GiB; ${meta.runtime} runtime.`,
    `Load: add order, ${meta.load.users} users in a closed loop through nginx and the service, ${meta.load.warmup} warm-up + ${meta.load.duration}; each fault injected at 25 % of the measured window and undone at 60 %.`,
    '',
    row(['fault', 'hit', 'sent', 'acknowledged', 'during the fault', 'failed', 'lost', 'duplicated', 'on chain', 'error window s', 'recovery s', 'restore s', 'ledgers agree s', 'tx/min (measured)', 'other CPU %', 'verdict']),
    row(Array.from({ length: 16 }, () => '---')),
    ...report.faults.map((f) => {
      const v = report.verdicts.find((x) => x.fault === f.fault);
      return row([
        f.fault,
        f.hit.join(', '),
        f.sent,
        f.acknowledged,
        f.acknowledgedDuringFault,
        f.failed === 0 ? 0 : `${f.failed} (${Object.entries(f.failures).map(([status, n]) => `${n}× ${status}`).join(', ')})`,
        f.reconciliation.lost.length,
        f.reconciliation.duplicated.length,
        Object.entries(f.chain.byValidation).map(([code, n]) => `${n} ${code}`).join(', ') || 'none',
        f.errorWindowS,
        f.recoveryS,
        f.restoreS,
        f.catchUpS,
        orNoData(f.measured.throughputTxPerMin, (v) => v.toFixed(0)),
        `${f.interference.otherPct.avg.toFixed(1)}${f.interference.disturbed ? ' DISTURBED' : ''}`,
        v?.passed ? 'pass' : `FAIL: ${v?.reasons.join('; ') ?? ''}`,
      ]);
    }),
    '',
    ...report.faults.map((f) => `- **${f.fault}**: ${f.description}. ${f.reconciliation.unacknowledgedCommitted} unacknowledged orders committed all the same.`),
    '',
    `"On chain": the load's add-order transactions in the blocks written while it ran, by validation code (a block scan); a copy the service sent again is DUPLICATE_TXID.`,
    `"Other CPU": someone else's share of the machine while the load ran (its busy CPU less every process of ours, by pid, and the kernel's), on average; DISTURBED when above ${String(DEFAULT_DISTURBANCE.otherPct)} % in more than ${String(DEFAULT_DISTURBANCE.sharePct)} % of the seconds: its timings (error window, recovery, throughput) are not this system's alone; its counts (lost, duplicated, on chain) hold all the same.`,
    ...report.faults.filter((f) => f.interference.disturbed).map((f) => `- DISTURBED **${f.fault}**: ${f.interference.foreign.map((p) => `${p.name} (pid ${String(p.pid)}) ${p.cpuPct.toFixed(1)} %`).join(', ') || 'no single process'}`),
    '',
    `**${report.passed ? 'Passed' : 'FAILED'}**: zero acknowledged writes lost is the bar; every peer's ledger agreed (same height and last block) after each fault.`,
    '',
  ];
  return lines.join('\n');
}

export async function writeReliabilityReport(dir: string, report: ReliabilityReport): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'reliability.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, 'reliability.md'), reliabilityMarkdown(report));
}
