import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { NativeNetwork, newStateTopology, StateLayout, stateRoot, type TopologySize } from '@energysale/network';

import { csvTable, type CsvValue } from '../report/csv';
import type { Machine } from '../report/schema';
import { escapeXml, lineChart } from '../report/svg';
import { commit, machine } from '../table4/provenance';
import { kneeText } from './analysis';
import { READABLE_CAPACITY_SCHEMAS, type CapacityReport } from './report';
import { runCapacity } from './run';
import { SWEEP_SCENARIOS, type SweepPlan, type SweepScenario, type SweepStep } from './sweep';

/*
 * Cost growth (`bench growth`): the same capacity sweep on each size of the model, one network at a
 * time, each in its own state, then how the cost of a transaction grows with the peers: chain CPU per
 * write and per read at the same load, the knees, the closed-loop throughput, and what saturates first.
 */

export const GROWTH_SCHEMA = 'energysale-bench/growth@1';

/**
 * One size's figures for one scenario at the same step on every size: the heaviest open step (offered
 * rate) that every size served completely (every request successful, none dropped), where the chain
 * works hardest and its idle CPU weighs least per transaction; else the heaviest closed step they share.
 */
export interface GrowthFigures {
  readonly scenario: SweepScenario;
  readonly model: SweepStep['model'];
  /** Users (closed) or the offered rate per second (open). */
  readonly load: number;
  readonly throughputPerS: number;
  readonly p50S: number;
  readonly p99S: number;
  /** null: no data (the step had no success). */
  readonly chainCpuMsPerTx: number | null;
  readonly chainCpuMsPerTxPerPeer: number | null;
  readonly chainCpuPct: number;
  readonly machineCpuPct: number;
  readonly kneePerS: number | null;
  /** False when every step of the sweep met the objective: kneePerS is then the highest step, a lower bound. */
  readonly kneeReached: boolean;
  readonly saturation: string;
}

export interface GrowthSize {
  readonly size: string;
  readonly peers: number;
  readonly orgs: number;
  readonly orderers: number;
  /** The size's capacity report. */
  readonly report: string;
  readonly figures: readonly GrowthFigures[];
  /** Its steps measured beside someone else's load (bench/src/capacity/report.ts interferenceNote). */
  readonly disturbedSteps: number;
}

export interface GrowthReport {
  readonly schema: typeof GROWTH_SCHEMA;
  readonly meta: { readonly startedAt: string; readonly endedAt: string; readonly commit: { readonly sha: string; readonly dirty: boolean }; readonly machine: Machine; readonly plan: SweepPlan };
  /** Smallest first. */
  readonly sizes: readonly GrowthSize[];
  readonly findings: readonly string[];
}

export class GrowthError extends Error {
  override readonly name = 'GrowthError';
}

const httpSteps = (report: CapacityReport, scenario: SweepScenario, model: SweepStep['model']): SweepStep[] =>
  report.steps.filter((s) => s.scenario === scenario && s.path === 'http' && s.model === model);

/** The step every size ran and served completely, heaviest first: open if any, else closed. */
function commonStep(reports: readonly CapacityReport[], scenario: SweepScenario): { model: SweepStep['model']; load: number } | undefined {
  for (const model of ['open', 'closed'] as const) {
    const served = (r: CapacityReport) => new Set(httpSteps(r, scenario, model).filter((s) => s.successRatePct === 100 && s.droppedIterations === 0).map((s) => s.load));
    const sets = reports.map(served);
    const common = [...(sets[0] ?? [])].filter((load) => sets.every((set) => set.has(load)));
    if (common.length > 0) return { model, load: Math.max(...common) };
  }
  return undefined;
}

const describeLoad = (f: { model: SweepStep['model']; load: number }): string => (f.model === 'open' ? `${f.load}/s offered` : `${f.load} users`);

/** Compares capacity reports of different sizes, measured with the same plan on the same machine. */
export function compareSizes(runs: readonly { readonly dir: string; readonly report: CapacityReport }[], startedAt: string): GrowthReport {
  if (runs.length < 2) throw new GrowthError('cost growth needs capacity reports of at least two sizes');
  const [first] = runs;
  if (!first) throw new GrowthError('no capacity report');
  for (const run of runs) {
    if (JSON.stringify(run.report.meta.plan) !== JSON.stringify(first.report.meta.plan)) throw new GrowthError(`${run.dir} was measured with another plan than ${first.dir}`);
    if (run.report.meta.machine.cores !== first.report.meta.machine.cores || run.report.meta.machine.cpuModel !== first.report.meta.machine.cpuModel) {
      throw new GrowthError(`${run.dir} was measured on another machine than ${first.dir}`);
    }
  }
  const sorted = [...runs].sort((a, b) => a.report.meta.topology.peers - b.report.meta.topology.peers);
  const sizes = sorted.map(({ dir, report }): GrowthSize => {
    const figures = SWEEP_SCENARIOS.flatMap((scenario): GrowthFigures[] => {
      const at = commonStep(sorted.map((r) => r.report), scenario);
      const step = at && httpSteps(report, scenario, at.model).find((s) => s.load === at.load);
      if (!at || !step) return [];
      const peers = report.meta.topology.peers;
      const knee = report.knees.find((k) => k.scenario === scenario);
      return [
        {
          scenario,
          model: at.model,
          load: at.load,
          throughputPerS: step.throughputPerS,
          p50S: step.latencyS.p50,
          p99S: step.latencyS.p99,
          chainCpuMsPerTx: step.cpuMsPerTx.chain,
          chainCpuMsPerTxPerPeer: step.cpuMsPerTx.chain === null ? null : step.cpuMsPerTx.chain / peers,
          chainCpuPct: step.cpuPct.chain,
          machineCpuPct: step.cpuPct.machine,
          kneePerS: knee?.ratePerS ?? null,
          kneeReached: knee?.reached ?? false,
          saturation: report.saturation.find((s) => s.scenario === scenario)?.verdict ?? '—',
        },
      ];
    });
    const t = report.meta.topology;
    return { size: t.size, peers: t.peers, orgs: t.orgs, orderers: t.orderers, report: dir, figures, disturbedSteps: report.steps.filter((s) => s.interference.disturbed).length };
  });
  const findings: string[] = [];
  const small = sizes[0];
  const large = sizes[sizes.length - 1];
  if (small && large) {
    for (const scenario of SWEEP_SCENARIOS) {
      const a = small.figures.find((f) => f.scenario === scenario);
      const b = large.figures.find((f) => f.scenario === scenario);
      if (!a || !b) continue;
      if (a.chainCpuMsPerTx === null || b.chainCpuMsPerTx === null) {
        findings.push(`${scenario}, ${describeLoad(a)}: chain CPU per transaction: no data (a size had no successful transaction at this step).`);
        continue;
      }
      const ratio = b.chainCpuMsPerTx / a.chainCpuMsPerTx;
      const peersRatio = large.peers / small.peers;
      const marginal = (b.chainCpuMsPerTx - a.chainCpuMsPerTx) / (large.peers - small.peers);
      findings.push(
        `${scenario}, ${describeLoad(a)}: chain CPU per transaction ${a.chainCpuMsPerTx.toFixed(1)} ms on ${small.peers} peers, ${b.chainCpuMsPerTx.toFixed(1)} ms on ${large.peers} ` +
          `(×${ratio.toFixed(2)} for ×${peersRatio.toFixed(2)} peers; ${marginal.toFixed(1)} ms per added peer); throughput ${a.throughputPerS.toFixed(1)}/s → ${b.throughputPerS.toFixed(1)}/s; ` +
          `knee ${kneeText({ ratePerS: a.kneePerS, reached: a.kneeReached })} → ${kneeText({ ratePerS: b.kneePerS, reached: b.kneeReached })}.`,
      );
    }
    for (const size of sizes) findings.push(`${size.size} (${size.peers} peers): ${size.figures.map((f) => `${f.scenario}: ${f.saturation}`).join('; ')}`);
    for (const size of sizes.filter((z) => z.disturbedSteps > 0)) findings.push(`DISTURBED: ${String(size.disturbedSteps)} steps of ${size.size} were measured beside someone else's load (its capacity report names them).`);
    findings.push('The orgs stay three at every size: the contract needs all three roles, and every write is endorsed by two of them whatever the size; what grows here is the peers that validate and commit each block.');
  }
  return { schema: GROWTH_SCHEMA, meta: { startedAt, endedAt: new Date().toISOString(), commit: first.report.meta.commit, machine: first.report.meta.machine, plan: first.report.meta.plan }, sizes, findings };
}

const COLUMNS: readonly (readonly [string, (row: { size: GrowthSize; f: GrowthFigures }) => CsvValue])[] = [
  ['size', (r) => r.size.size],
  ['peers', (r) => r.size.peers],
  ['orgs', (r) => r.size.orgs],
  ['orderers', (r) => r.size.orderers],
  ['scenario', (r) => r.f.scenario],
  ['model', (r) => r.f.model],
  ['load', (r) => r.f.load],
  ['throughput_per_s', (r) => r.f.throughputPerS],
  ['latency_p50_s', (r) => r.f.p50S],
  ['latency_p99_s', (r) => r.f.p99S],
  ['chain_cpu_ms_per_tx', (r) => r.f.chainCpuMsPerTx],
  ['chain_cpu_ms_per_tx_per_peer', (r) => r.f.chainCpuMsPerTxPerPeer],
  ['chain_cpu_pct', (r) => r.f.chainCpuPct],
  ['machine_cpu_pct', (r) => r.f.machineCpuPct],
  ['knee_per_s', (r) => r.f.kneePerS],
  ['knee_reached', (r) => r.f.kneeReached],
];

const rows = (report: GrowthReport) => report.sizes.flatMap((size) => size.figures.map((f) => ({ size, f })));

export function growthCsv(report: GrowthReport): string {
  return csvTable(COLUMNS, rows(report));
}

export function growthHtml(report: GrowthReport): string {
  const h = escapeXml;
  const { meta } = report;
  const charts = SWEEP_SCENARIOS.map((scenario) =>
    lineChart({
      title: `${scenario}: chain CPU per transaction against peers`,
      xLabel: 'peers',
      yLabel: 'chain CPU ms per transaction',
      series: [{ name: 'measured', points: report.sizes.flatMap((s) => s.figures.filter((f) => f.scenario === scenario).map((f) => [s.peers, f.chainCpuMsPerTx] as const)) }],
    }),
  );
  const header = COLUMNS.map(([name]) => `<th>${h(name)}</th>`).join('');
  const body = rows(report)
    .map((r) => `<tr>${COLUMNS.map(([, pick]) => { const v = pick(r); return `<td>${h(typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : String(v ?? '—'))}</td>`; }).join('')}</tr>`)
    .join('');
  return [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cost growth with the network's size</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px}th{background:#f4f4f4}svg{display:block;margin:1em 0}.muted{color:#666}</style></head><body>',
    `<h1>Cost growth with the network's size</h1>`,
    `<p class="muted">Commit ${h(meta.commit.sha.slice(0, 12))}${meta.commit.dirty ? ' (uncommitted changes)' : ''}; ${h(meta.startedAt)} to ${h(meta.endedAt)}; ${meta.machine.cores} cores, ${h(meta.machine.cpuModel)}; ` +
      `the same capacity plan on each size (${h(meta.plan.warmup)} + ${h(meta.plan.duration)} per step); figures at the heaviest step every size served completely (open if any, else closed).</p>`,
    `<table><thead><tr>${header}</tr></thead><tbody>${body}</tbody></table>`,
    `<ul>${report.findings.map((f) => `<li>${h(f)}</li>`).join('')}</ul>`,
    ...charts,
    `<p>Capacity reports: ${report.sizes.map((s) => `${h(s.size)}: ${h(s.report)}`).join('; ')}</p>`,
    '</body></html>',
  ].join('\n');
}

export async function writeGrowthReport(dir: string, report: GrowthReport): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'growth.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, 'growth.csv'), growthCsv(report));
  await writeFile(join(dir, 'growth.html'), growthHtml(report));
}

/** Where a size's network keeps its state during `bench growth`: beside the default state, never in it. */
export function growthLayout(size: TopologySize, root = stateRoot()): StateLayout {
  return new StateLayout(`${root}-${size}`);
}

/** The growth report of capacity reports measured earlier (`bench growth --from DIR,DIR`). */
export async function growthFrom(dirs: readonly string[], reportsDir: string): Promise<{ dir: string; report: GrowthReport }> {
  const runs = await Promise.all(
    dirs.map(async (dir) => {
      const parsed = JSON.parse(await readFile(join(dir, 'capacity.json'), 'utf8')) as { schema?: unknown };
      if (typeof parsed.schema !== 'string' || !READABLE_CAPACITY_SCHEMAS.includes(parsed.schema)) {
        throw new GrowthError(`${dir}/capacity.json is ${JSON.stringify(parsed.schema)}, not ${READABLE_CAPACITY_SCHEMAS.join(' or ')}: measure that size again (bench capacity)`);
      }
      return { dir, report: parsed as CapacityReport };
    }),
  );
  const report = compareSizes(runs, new Date().toISOString());
  const sha = report.meta.commit;
  const dir = join(reportsDir, `${report.meta.startedAt.slice(0, 13)}${report.meta.startedAt.slice(14, 16)}_growth_${sha.sha.slice(0, 7)}${sha.dirty ? '-dirty' : ''}`);
  await writeGrowthReport(dir, report);
  return { dir, report };
}

/**
 * Brings each size up in its own state (one at a time: they share the model's addresses), runs the
 * capacity sweep on it, takes it down; then compares. Refuses while the default state's network runs.
 */
export async function runGrowth(sizes: readonly TopologySize[], planName: string, log: (line: string) => void, reportsDir: string, options: { plan?: SweepPlan } = {}): Promise<{ dir: string; report: GrowthReport }> {
  const running = (await (await NativeNetwork.ofState()).status()).filter((n) => n.running).map((n) => n.id);
  if (running.length > 0) throw new GrowthError(`a network runs in ${stateRoot()} (${running.length} nodes): \`npm run network -- down\` it first; bench growth brings each size up in turn`);
  const startedAt = new Date().toISOString();
  const runs: { dir: string; report: CapacityReport }[] = [];
  for (const size of sizes) {
    const layout = growthLayout(size);
    const network = new NativeNetwork(newStateTopology(size), layout);
    log(`${size}: network up in ${layout.root}`);
    try {
      await network.up(log);
      runs.push(await runCapacity(planName, log, reportsDir, { layout, ...(options.plan && { plan: options.plan }) }));
    } finally {
      log(`${size}: network down`);
      await network.down();
    }
  }
  const report = compareSizes(runs, startedAt);
  const sha = commit();
  const dir = join(reportsDir, `${startedAt.slice(0, 13)}${startedAt.slice(14, 16)}_growth-${planName}_${sha.sha.slice(0, 7)}${sha.dirty ? '-dirty' : ''}`);
  await writeGrowthReport(dir, { ...report, meta: { ...report.meta, machine: machine() } });
  return { dir, report };
}
