import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { csvTable, type CsvValue } from '../report/csv';
import { NO_DATA, orNoData } from '../report/format';
import type { RunProvenance } from '../report/schema';
import { escapeXml, lineChart, type LineSeries } from '../report/svg';
import { ceilingWhichText, noCeilingText } from '../ceiling/compare';
import { kneeText, type CapacityAgainstCeiling, type Ceiling, type Knee, type Objective, type Saturation, type ScalingFit } from './analysis';
import { DEFAULT_INPUTS, type Projection, type ProvinceInputs } from './projection';
import type { SweepPlan, SweepScenario, SweepStep } from './sweep';
import { uslThroughput } from './usl';
import type { TopologySummary } from '../table4/provenance';

/*
 * The capacity report: capacity.json (everything), capacity.csv (one row per sweep step) and
 * capacity.html (the knees, the USL fits against the measurements, latency and CPU against load,
 * and the provincial projection with its inputs and where each comes from).
 */

/**
 * @2: each step says how much of the machine someone else used (interference).
 * @3: `fabricCeiling`, the sweep's peak and knee as fractions of this machine's ceiling (bench ceiling).
 * @4: each step's `serviceRequests`, what the service tier answered during it (none in a gateway step).
 */
export const CAPACITY_SCHEMA = 'energysale-bench/capacity@4';

/** The capacity reports `bench growth --from` reads: @2 and @3 lack only fabricCeiling and serviceRequests, which growth does not read. */
export const READABLE_CAPACITY_SCHEMAS: readonly string[] = ['energysale-bench/capacity@2', 'energysale-bench/capacity@3', CAPACITY_SCHEMA];

export interface CapacityReport {
  readonly schema: typeof CAPACITY_SCHEMA;
  readonly meta: RunProvenance & {
    /** The size of the network measured (`network up --size`). */
    readonly topology: TopologySummary;
    readonly plan: SweepPlan;
    readonly objectives: Readonly<Record<SweepScenario, Objective>>;
  };
  readonly steps: readonly SweepStep[];
  readonly knees: readonly Knee[];
  readonly scaling: readonly ScalingFit[];
  readonly saturation: readonly Saturation[];
  /** The harness ceiling: the same closed steps over HTTP and straight to the Fabric Gateway. */
  readonly ceilings: readonly Ceiling[];
  /** The peak and knee of each scenario against what Fabric alone allows on this machine (`bench ceiling`); absent in @2. */
  readonly fabricCeiling: CapacityAgainstCeiling;
  readonly projection: Projection;
  readonly notes: readonly string[];
}

const STEP_COLUMNS: readonly (readonly [string, (s: SweepStep) => CsvValue])[] = [
  ['scenario', (s) => s.scenario],
  ['path', (s) => s.path],
  ['model', (s) => s.model],
  ['load', (s) => s.load],
  ['load_unit', (s) => (s.model === 'closed' ? 'users' : 'per_s')],
  ['requests', (s) => s.requests],
  ['successes', (s) => s.successes],
  ['success_rate_pct', (s) => s.successRatePct],
  ['throughput_per_s', (s) => s.throughputPerS],
  ['latency_avg_s', (s) => s.latencyS.avg],
  ['latency_p50_s', (s) => s.latencyS.p50],
  ['latency_p95_s', (s) => s.latencyS.p95],
  ['latency_p99_s', (s) => s.latencyS.p99],
  ['latency_max_s', (s) => s.latencyS.max],
  ['expected_iterations', (s) => s.expectedIterations],
  ['dropped_iterations', (s) => s.droppedIterations],
  ['machine_cpu_pct', (s) => s.cpuPct.machine],
  ['chain_cpu_pct', (s) => s.cpuPct.chain],
  ['service_cpu_pct', (s) => s.cpuPct.service],
  ['load_generator_cpu_pct', (s) => s.cpuPct.loadGenerator],
  ['chain_cpu_ms_per_tx', (s) => s.cpuMsPerTx.chain ?? NO_DATA],
  ['service_cpu_ms_per_tx', (s) => s.cpuMsPerTx.service ?? NO_DATA],
  ['load_generator_cpu_ms_per_tx', (s) => s.cpuMsPerTx.loadGenerator ?? NO_DATA],
  ['service_requests', (s) => s.serviceRequests],
  ['other_cpu_pct_avg', (s) => s.interference.otherPct.avg],
  ['other_above_share_pct', (s) => s.interference.aboveSharePct],
  ['disturbed', (s) => s.interference.disturbed],
  ['window_start', (s) => s.window.start],
  ['window_end', (s) => s.window.end],
];

export function capacityCsv(report: CapacityReport): string {
  return csvTable(STEP_COLUMNS, report.steps);
}

const h = (text: string): string => escapeXml(text);
const n = (v: number | null, digits = 2): string => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(digits));
/** CPU ms per transaction: "no data" for a step without a success. */
const perTx = (v: number | null): string => orNoData(v, (x) => x.toFixed(1));

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return `<table><thead><tr>${headers.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${h(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function scalingChart(fit: ScalingFit): string {
  const measured: LineSeries = { name: 'measured', points: fit.points.map((p) => [p.users, p.measured] as const) };
  const series: LineSeries[] = [measured];
  const maxUsers = Math.max(...fit.points.map((p) => p.users), 1);
  if (fit.fit) {
    const coefficients = fit.fit;
    const xs = Array.from({ length: 60 }, (_, i) => 1 + ((maxUsers * 1.5 - 1) * i) / 59);
    series.push({ name: `USL fit (σ ${coefficients.sigma.toFixed(3)}, κ ${coefficients.kappa.toFixed(4)}, R² ${coefficients.rSquared.toFixed(3)})`, points: xs.map((x) => [x, uslThroughput(coefficients, x)] as const) });
  }
  return lineChart({ title: `${fit.scenario}: throughput against users (closed model)`, xLabel: 'users', yLabel: 'successful requests per second', series });
}

function openCharts(steps: readonly SweepStep[], scenario: SweepScenario, objective: Objective): string {
  const open = steps.filter((s) => s.scenario === scenario && s.path === 'http' && s.model === 'open');
  const latency = lineChart({
    title: `${scenario}: latency against offered rate (open model)`,
    xLabel: 'offered requests per second',
    yLabel: 'seconds',
    series: [
      { name: 'p50', points: open.map((s) => [s.load, s.latencyS.p50] as const) },
      { name: 'p99', points: open.map((s) => [s.load, s.latencyS.p99] as const) },
      { name: `objective p99 ≤ ${objective.p99S} s`, points: open.map((s) => [s.load, objective.p99S] as const), colour: '#999999' },
    ],
  });
  const served = lineChart({
    title: `${scenario}: throughput against offered rate (open model)`,
    xLabel: 'offered requests per second',
    yLabel: 'per second',
    series: [
      { name: 'offered', points: open.map((s) => [s.load, s.load] as const), colour: '#999999' },
      { name: 'successful', points: open.map((s) => [s.load, s.throughputPerS] as const) },
      { name: 'dropped iterations / s', points: open.map((s) => [s.load, s.droppedIterations / Math.max(1, s.window.durationS)] as const) },
    ],
  });
  return latency + served;
}

function cpuChart(steps: readonly SweepStep[], scenario: SweepScenario): string {
  const closed = steps.filter((s) => s.scenario === scenario && s.path === 'http' && s.model === 'closed');
  const line = (name: string, pick: (s: SweepStep) => number): LineSeries => ({ name, points: closed.map((s) => [s.load, pick(s)] as const) });
  return lineChart({
    title: `${scenario}: CPU against users (% of the machine)`,
    xLabel: 'users',
    yLabel: '% of the machine',
    series: [line('machine', (s) => s.cpuPct.machine), line('chain', (s) => s.cpuPct.chain), line('service tier', (s) => s.cpuPct.service), line('load generator', (s) => s.cpuPct.loadGenerator)],
  });
}

/** The steps measured beside someone else's load, named with the processes that used most; or that none was. */
export function interferenceNote(steps: readonly SweepStep[]): string {
  const disturbed = steps.filter((s) => s.interference.disturbed);
  const avg = steps.length === 0 ? 0 : steps.reduce((sum, s) => sum + s.interference.otherPct.avg, 0) / steps.length;
  if (disturbed.length === 0) return `Interference: no step disturbed; someone else's CPU averaged ${avg.toFixed(2)} % of the machine over the steps.`;
  const named = disturbed.map((s) => `${s.scenario} ${s.path} ${s.model} ${String(s.load)} (other ${s.interference.otherPct.avg.toFixed(1)} %; ${s.interference.foreign.map((f) => `${f.name} pid ${String(f.pid)}`).join(', ') || 'no single process'})`);
  return `DISTURBED: ${String(disturbed.length)} of ${String(steps.length)} steps were measured beside someone else's load, their figures not this system's alone: ${named.join('; ')}.`;
}

const fractionText = (f: number | null): string => orNoData(f, (x) => `${x.toFixed(3)} (${(x * 100).toFixed(1)} %)`);
const msText = (v: number | null): string => orNoData(v, (x) => `${x.toFixed(2)} ms`);

/** The sweep against the ceiling of this machine, or plainly that there is none. */
export function fabricCeilingHtml(report: Pick<CapacityReport, 'fabricCeiling' | 'meta'>): string {
  const { source, scenarios } = report.fabricCeiling;
  const title = '<h2>Against the ceiling (what Fabric allows on this machine)</h2>';
  if (source === null) return `${title}<p>${h(noCeilingText(report.meta.machine))}</p>`;
  const which = ceilingWhichText(source);
  return [
    title,
    `<p>${h(
      `Ceiling report ${source.dir}, measured ${source.startedAt} at commit ${source.commit.sha.slice(0, 12)}${source.commit.dirty ? ' (dirty)' : ''} on ${String(source.machine.cores)} cores, ${source.machine.cpuModel}: ${which}. ` +
        'The ceiling is Fabric alone (30 users straight to the Fabric Gateway, a chaincode that does the least); add order is set against its write, order query against its evaluate. ' +
        'Fraction: throughput over the ceiling\'s median. CPU ms per transaction at the peak step (this sweep: /proc, by process tree) beside the ceiling\'s median (its own-process exporter): the service side is the service tier and the load generator (at the ceiling: the load generator alone), the chain is peer, orderer and chaincode.',
    )}</p>`,
    table(
      ['scenario', 'ceiling test', 'ceiling /s, median (min–max)', 'peak step', 'peak /s', 'peak fraction', 'knee /s', 'knee fraction', 'service side ms/tx: peak, ceiling', 'chain ms/tx: peak, ceiling'],
      scenarios.map((s) => {
        const r = s.ceilingPerS;
        const p = s.peak;
        return [
          s.scenario,
          s.ceilingTest,
          r === null ? 'no data' : `${n(r.median, 1)} (${n(r.min, 1)}–${n(r.max, 1)})`,
          p === null ? '—' : `${p.model}, ${p.model === 'closed' ? `${String(p.load)} users` : `${String(p.load)}/s`}`,
          p === null ? '—' : n(p.throughputPerS, 1),
          fractionText(p?.fraction ?? null),
          s.knee === null ? 'none met the objective' : `${n(s.knee.throughputPerS, 1)}${s.knee.reached ? '' : ' (or more: not reached)'}`,
          s.knee === null ? '—' : fractionText(s.knee.fraction),
          p === null ? '—' : `${msText(p.serviceMsPerTx.test)}, ${msText(p.serviceMsPerTx.ceiling)}`,
          p === null ? '—' : `${msText(p.chainMsPerTx.test)}, ${msText(p.chainMsPerTx.ceiling)}`,
        ];
      }),
    ),
  ].join('\n');
}

export function capacityHtml(report: CapacityReport): string {
  const { meta, projection } = report;
  const scenarios = [...new Set(report.steps.map((s) => s.scenario))];
  const parts: string[] = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>' + h(meta.title) + '</title>',
    '<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:14px}th{background:#f4f4f4}svg{display:block;margin:1em 0}.muted{color:#666}</style></head><body>',
    `<h1>${h(meta.title)}</h1>`,
    `<p class="muted">Commit ${h(meta.commit.sha.slice(0, 12))}${meta.commit.dirty ? ' (uncommitted changes)' : ''}; ${h(meta.startedAt)} to ${h(meta.endedAt)}; ${meta.machine.cores} cores, ${h(meta.machine.cpuModel)}, ${meta.machine.memoryGiB} GiB; ${h(meta.runtime)} runtime; ` +
      `${h(meta.topology.size)} topology: ${meta.topology.peers} peers, ${meta.topology.orgs} orgs, ${meta.topology.orderers} orderers on ${meta.topology.hosts} hosts; ` +
      `each step ${h(meta.plan.warmup)} warm-up + ${h(meta.plan.duration)} measured, Table 4's scripts through nginx and the retail service, the gateway steps straight to the Fabric Gateway.</p>`,
    `<p>${h(interferenceNote(report.steps))}</p>`,
    '<h2>Knees (open model)</h2>',
    table(
      ['scenario', 'objective', 'knee: offered rate', 'throughput there', 'steps beyond it'],
      report.knees.map((k) => [k.scenario, `p99 ≤ ${k.objective.p99S} s, 100 % successful, none dropped`, kneeText(k), k.throughputPerS === null ? '—' : `${n(k.throughputPerS, 1)}/s`, k.beyond.join('; ') || '—']),
    ),
    '<h2>Scalability (closed model, Universal Scalability Law)</h2>',
    table(
      ['scenario', 'λ (1 user, /s)', 'σ contention', 'κ coherence', 'R²', 'RMSE (/s)', 'peak users', 'peak throughput (/s)'],
      report.scaling.map((s) => {
        if (!s.fit) return [s.scenario, '—', '—', '—', '—', '—', '—', s.error ?? ''];
        // A peak far past the users measured is the fit's extrapolation, not a finding.
        const reach = 10 * Math.max(...s.points.map((p) => p.users));
        const beyond = !(s.fit.peakConcurrency <= reach);
        return [s.scenario, n(s.fit.lambda), n(s.fit.sigma, 4), n(s.fit.kappa, 5), n(s.fit.rSquared, 3), n(s.fit.rmse), beyond ? `none within ${reach}` : n(s.fit.peakConcurrency, 0), beyond ? '—' : n(s.fit.peakThroughput, 1)];
      }),
    ),
    ...report.scaling.map(scalingChart),
    '<h2>Latency and throughput against offered load (open model)</h2>',
    ...scenarios.map((s) => openCharts(report.steps, s, meta.objectives[s])),
    '<h2>What saturates first</h2>',
    `<ul>${report.saturation.map((s) => `<li>${h(`${s.scenario}: ${s.verdict}`)}</li>`).join('')}</ul>`,
    ...scenarios.map((s) => cpuChart(report.steps, s)),
    '<h2>Harness ceiling: through the service, and straight to the Fabric Gateway</h2>',
    report.ceilings.length === 0
      ? '<p>No gateway step was run.</p>'
      : table(
          ['scenario', 'users', 'path', 'throughput /s', 'p50 s', 'p99 s', 'success %', 'chain CPU ms/tx', 'service CPU ms/tx', 'load generator CPU ms/tx', 'service requests'],
          report.ceilings.flatMap((c) =>
            (['http', 'gateway'] as const).map((path) => {
              const f = c[path];
              return [c.scenario, String(c.users), path, n(f.throughputPerS, 1), n(f.p50S, 3), n(f.p99S, 3), n(f.successRatePct), perTx(f.cpuMsPerTx.chain), path === 'http' ? perTx(f.cpuMsPerTx.service) : '—', perTx(f.cpuMsPerTx.loadGenerator), String(f.serviceRequests)];
            }),
          ),
        ),
    `<ul>${report.ceilings.map((c) => `<li>${h(`${c.scenario}: ${c.verdict}`)}</li>`).join('')}</ul>`,
    fabricCeilingHtml(report),
    '<h2>Provincial projection</h2>',
    table(
      ['input', 'value', 'why'],
      (Object.keys(DEFAULT_INPUTS) as (keyof ProvinceInputs)[]).map((key) => [
        key,
        String(projection.inputs[key]),
        projection.inputs[key] === DEFAULT_INPUTS[key].value ? DEFAULT_INPUTS[key].why : 'given',
      ]),
    ),
    table(
      ['peak writes/s', 'peak reads/s', 'write headroom (knee / need)', 'read headroom', 'chain cores at peak', 'service cores at peak', 'machines'],
      [[n(projection.peakWritesPerS, 1), n(projection.peakReadsPerS, 1), n(projection.writeHeadroom), n(projection.readHeadroom), n(projection.chainCores, 1), n(projection.serviceCores, 1), String(projection.machines)]],
    ),
    `<ul>${projection.findings.map((f) => `<li>${h(f)}</li>`).join('')}</ul>`,
    '<h2>Every step</h2>',
    table(
      ['scenario', 'path', 'model', 'load', 'throughput /s', 'p50 s', 'p95 s', 'p99 s', 'success %', 'dropped', 'machine CPU %', 'chain CPU ms/tx', 'other CPU %'],
      report.steps.map((s) => [
        s.scenario,
        s.path,
        s.model,
        s.model === 'closed' ? `${s.load} users` : `${s.load}/s`,
        n(s.throughputPerS, 1),
        n(s.latencyS.p50, 3),
        n(s.latencyS.p95, 3),
        n(s.latencyS.p99, 3),
        n(s.successRatePct),
        String(s.droppedIterations),
        n(s.cpuPct.machine, 0),
        perTx(s.cpuMsPerTx.chain),
        `${n(s.interference.otherPct.avg, 1)}${s.interference.disturbed ? ' DISTURBED' : ''}`,
      ]),
    ),
    '<h2>Notes</h2>',
    `<ul>${report.notes.map((note) => `<li>${h(note)}</li>`).join('')}</ul>`,
    '</body></html>',
  ];
  return parts.join('\n');
}

export async function writeCapacityReport(dir: string, report: CapacityReport): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'capacity.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, 'capacity.csv'), capacityCsv(report));
  await writeFile(join(dir, 'capacity.html'), capacityHtml(report));
}
