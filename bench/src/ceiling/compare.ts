import { relative, resolve } from 'node:path';

import { CHAIN_GROUPS, PROCESS_GROUPS } from '@energysale/network';

import type { CeilingComparison, CeilingRate, CeilingSource, CeilingTestComparison, CostPair, Machine, PaperTest, ScenarioResult } from '../report/schema';
import { repoRoot } from '../table4/provenance';
import { msPerTransaction, spreadOf, type CeilingTest } from './figures';
import { CEILING_EXIT, fractionOfCeiling, latestCeiling, readCeilingReport, type CeilingReport } from './report';

/*
 * A benchmark's tests beside the ceiling (issue 28, item 1): each test's throughput as a fraction of
 * what Fabric itself allows on this machine for the same kind of transaction, and the CPU each
 * process group spends per transaction in the test beside what it spends at the ceiling, so the
 * service's cost (with nginx and the load generator) is told apart from the chain's. One function
 * derives the comparison, live and again when a report is rendered from its JSON and the ceiling
 * report it names.
 */

/** Which ceiling test does the same kind of transaction: a write (endorse, order, commit) or an evaluate. */
export const CEILING_TEST_OF: Readonly<Record<PaperTest, CeilingTest>> = { add_order: 'write', order_query: 'evaluate' };

/** What a request costs beside the chain: the service tier (service, nginx) and the load generator (vegeta, Caliper, the harness's scripts). */
export const SERVICE_SIDE_GROUPS: readonly string[] = ['service', 'lb', 'vegeta', 'caliper', 'harness'];
/** What Fabric costs: peer, orderer, chaincode. */
export const CHAIN_SIDE_GROUPS: readonly string[] = CHAIN_GROUPS;

/** What a report says when there is no ceiling to compare with: plainly, and no figure. */
export function noCeilingText(machine: Pick<Machine, 'cores' | 'cpuModel'>): string {
  return `No ceiling measured on this machine (${String(machine.cores)} cores, ${machine.cpuModel}): run npm run bench -- ceiling (the next run compares with it). No fraction of a ceiling is given.`;
}

/** What a run says of the ceiling it chose (its log line): which one and whether it is clean, or that there is none. */
export function ceilingChoiceText(source: CeilingSource | null, machine: Pick<Machine, 'cores' | 'cpuModel'>): string {
  if (source === null) return noCeilingText(machine);
  return `compared with the ceiling ${source.dir}${source.clean ? '' : ' (NOT clean: no clean ceiling of this machine)'}${source.sameBoot === false ? ' (ANOTHER BOOT: none of this boot; its fractions are only indicative)' : ''}`;
}

/** A ceiling report and where it is. */
export interface ChosenCeiling {
  readonly dir: string;
  readonly report: CeilingReport;
}

/** The machine a report's figures come from, as much of it as the choice of a ceiling needs. */
export type CeilingMachine = Pick<Machine, 'cores' | 'cpuModel' | 'bootId'>;

/**
 * The ceiling a report of `machine` is compared with, the first there is of: the latest clean one
 * measured since this boot, the latest of this boot, the latest clean one of a machine like it
 * (cores and CPU model) on another boot, the latest of such a machine (`clean` and `sameBoot` of
 * its source say which); null when none of this machine exists: a ceiling of another machine is
 * never used. The same virtual machine can run at another speed after a reboot (this one's ceiling:
 * ×1.5 between two boots), hence the boot first.
 */
export async function chooseCeiling(reportsDir: string, machine: CeilingMachine): Promise<ChosenCeiling | null> {
  const mine = { cores: machine.cores, cpuModel: machine.cpuModel };
  const boot = machine.bootId === undefined ? [] : [{ machine: mine, bootId: machine.bootId }];
  for (const choice of [...boot.map((c) => ({ ...c, clean: true })), ...boot, { machine: mine, clean: true }, { machine: mine }]) {
    const chosen = await latestCeiling(reportsDir, choice);
    if (chosen !== null) return chosen;
  }
  return null;
}

/** What a report of `here` records of the ceiling it was compared with. */
export function ceilingSource(chosen: ChosenCeiling, here: Pick<Machine, 'bootId'>, root = repoRoot): CeilingSource {
  const { meta, exitCode } = chosen.report;
  return {
    dir: relative(root, chosen.dir),
    startedAt: meta.startedAt,
    commit: { sha: meta.commit.sha, dirty: meta.commit.dirty },
    clean: exitCode === CEILING_EXIT.ok,
    machine: { cores: meta.machine.cores, cpuModel: meta.machine.cpuModel },
    ...(here.bootId !== undefined && { sameBoot: meta.machine.bootId === here.bootId }),
  };
}

/** Which ceiling a comparison used, in words: whether it is clean and of this boot, and what follows for its fractions. */
export function ceilingWhichText(source: CeilingSource): string {
  const which = source.clean
    ? 'the latest clean ceiling of this machine (no window disturbed, every call successful)'
    : "NOT CLEAN: no clean ceiling of this machine was found, so the latest of it is used, whose windows were disturbed or had failed calls: the fractions are not against this system's ceiling alone";
  if (source.sameBoot !== false) return which;
  return (
    `${which}; ANOTHER BOOT: measured before this machine last booted (no ceiling of this boot was found), and a virtual machine's speed can change across boots (this one's ceiling: ×1.5 between two): ` +
    'the fractions are only indicative; run npm run bench -- ceiling on this boot'
  );
}

/** The ceiling report a source names, read again (relative to the repository's root). */
export async function readSourceCeiling(source: CeilingSource, root = repoRoot): Promise<ChosenCeiling> {
  const dir = resolve(root, source.dir);
  return { dir, report: await readCeilingReport(dir) };
}

/** The ceiling's transactions a second for `test`: median (min–max) over its repeats. */
export function ceilingRate(report: Pick<CeilingReport, 'figures'>, test: CeilingTest): CeilingRate | null {
  const s = report.figures.find((f) => f.test === test)?.throughputPerS ?? null;
  return s === null ? null : { median: s.median, min: s.min, max: s.max };
}

/** The ceiling's CPU ms per transaction of one group (median over the repeats); null when it has none. */
export function ceilingGroupCost(report: Pick<CeilingReport, 'figures'>, test: CeilingTest, group: string): number | null {
  return report.figures.find((f) => f.test === test)?.cpuMsPerTx.find((g) => g.group === group)?.spread?.median ?? null;
}

/**
 * The ceiling's CPU ms per transaction of some groups together: in each repeat the sum of theirs,
 * then the median over the repeats (a sum of medians is no repeat's). Null when no repeat has one of
 * the groups or a figure.
 */
export function ceilingCost(report: Pick<CeilingReport, 'runs'>, test: CeilingTest, groups: readonly string[]): number | null {
  const sums = report.runs
    .filter((r) => r.test === test)
    .map((r) => {
      const members = r.figures.cpu.filter((g) => groups.includes(g.group));
      if (members.length === 0 || members.some((g) => g.msPerTx === null)) return null;
      return members.reduce((sum, g) => sum + (g.msPerTx ?? 0), 0);
    });
  return spreadOf(sums)?.median ?? null;
}

/**
 * CPU ms per transaction of some groups together, from their shares of the machine over a window
 * (figures.ts's msPerTransaction of their summed share); null without a throughput or when none of
 * the groups was measured.
 */
export function groupsCost(cpuByGroup: readonly { group: string; cpuPct: number }[], groups: readonly string[], cores: number, throughputPerS: number | null): number | null {
  const members = cpuByGroup.filter((g) => groups.includes(g.group));
  if (members.length === 0) return null;
  return msPerTransaction(
    members.reduce((sum, g) => sum + g.cpuPct, 0),
    cores,
    throughputPerS,
  );
}

/** The process groups' order: the exporter's (chain first, then the service tier, the load generator, monitoring), unknown ones after by name. */
export function groupOrder(a: string, b: string): number {
  const rank = (g: string): number => {
    const i = (PROCESS_GROUPS as readonly string[]).indexOf(g);
    return i === -1 ? PROCESS_GROUPS.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

function compareTest(s: ScenarioResult & { scenario: PaperTest }, cores: number, report: CeilingReport): CeilingTestComparison {
  const ceilingTest = CEILING_TEST_OF[s.scenario];
  const throughputPerS = s.measured.throughputTxPerMin === null ? null : s.measured.throughputTxPerMin / 60;
  const cpuByGroup = s.breakdown?.cpuByGroup ?? [];
  const ceilingGroups = report.figures.find((f) => f.test === ceilingTest)?.cpuMsPerTx.map((g) => g.group) ?? [];
  const groups = [...new Set([...cpuByGroup.map((g) => g.group), ...ceilingGroups])].sort(groupOrder).map((group) => {
    const share = cpuByGroup.find((g) => g.group === group);
    return { group, test: share === undefined ? null : msPerTransaction(share.cpuPct, cores, throughputPerS), ceiling: ceilingGroupCost(report, ceilingTest, group) };
  });
  const pair = (members: readonly string[]): CostPair => ({ test: groupsCost(cpuByGroup, members, cores, throughputPerS), ceiling: ceilingCost(report, ceilingTest, members) });
  return {
    scenario: s.scenario,
    engine: s.engine,
    ceilingTest,
    throughputPerS,
    ceilingPerS: ceilingRate(report, ceilingTest),
    fraction: fractionOfCeiling(report, ceilingTest, throughputPerS),
    groups,
    serviceMsPerTx: pair(SERVICE_SIDE_GROUPS),
    chainMsPerTx: pair(CHAIN_SIDE_GROUPS),
  };
}

/**
 * Every HTTP test of Table 4 beside the chosen ceiling, on the machine `here` (its cores, its boot); with no ceiling, the
 * comparison says so and gives no figure. The live run and `render` both call this.
 */
export function compareWithCeiling(scenarios: readonly ScenarioResult[], here: Pick<Machine, 'cores' | 'bootId'>, chosen: ChosenCeiling | null, root = repoRoot): CeilingComparison {
  if (chosen === null) return { source: null, tests: [] };
  const tests = scenarios
    .filter((s): s is ScenarioResult & { scenario: PaperTest } => s.engine === 'http' && Object.hasOwn(CEILING_TEST_OF, s.scenario))
    .map((s) => compareTest(s, here.cores, chosen.report));
  return { source: ceilingSource(chosen, here, root), tests };
}
