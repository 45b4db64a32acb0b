import { csvTable, type CsvValue } from '../report/csv';
import type { Block, Cell, Chart, ReportDocument, Table } from '../report/document';
import { bytes, fixed, integer, percent, seconds } from '../report/format';
import type { RunProvenance } from '../report/schema';
import { lineChart, type LineSeries } from '../report/svg';
import type { Drift, Figure, SoakFigures, SoakInterval } from './derive';
import { SOAK_GROUPS, type SoakConfig, type SoakRaw } from './raw';

/*
 * The soak's report: soak.json (provenance, config and every derived figure), soak.md and soak.html
 * (one document: the verdict, each figure's drift, charts per interval, the ledgers), intervals.csv.
 */

export const SOAK_SCHEMA = 'energysale-bench/soak@1';

export interface SoakMeta extends RunProvenance {
  readonly topology: string;
  readonly batch: string;
  readonly config: SoakConfig;
  /** Orders on the ledger before the soak started (the first peer's height). */
  readonly heightAtStart: number | null;
}

export interface SoakReport {
  readonly schema: typeof SOAK_SCHEMA;
  readonly meta: SoakMeta;
  readonly figures: SoakFigures;
  readonly exitCode: number;
}

const NO_DATA = 'no data';
const show = (value: Figure, format: (v: number) => string): string => (value === null ? NO_DATA : format(value));
const ratioText = (ratio: Figure): string => show(ratio, (r) => `×${fixed(r, 3)}`);

/** How a drift figure's values read: by the unit its name ends with. */
function formatOf(figure: string): (v: number) => string {
  if (figure.endsWith('(bytes)')) return bytes;
  if (figure.endsWith('(s)')) return seconds;
  if (figure.startsWith('CPU ms/tx')) return (v) => fixed(v, 2);
  if (figure.endsWith('(% of the machine)')) return percent;
  return (v) => fixed(v, 1);
}

function table(columns: [string, boolean][], rows: Cell[][]): Block {
  const t: Table = { columns: columns.map(([title, numeric]) => ({ title, numeric })), rows };
  return { kind: 'table', table: t };
}

function series(name: string, intervals: readonly SoakInterval[], read: (i: SoakInterval) => Figure, scale = 1): LineSeries {
  const scaled = (v: Figure): Figure => (v === null ? null : v * scale);
  return { name, points: intervals.map((i) => [i.endS / 60, scaled(read(i))] as const) };
}

function chart(id: string, title: string, yLabel: string, lines: LineSeries[]): Chart {
  return { id, title, svg: lineChart({ title, xLabel: 'minutes into the measured window', yLabel, series: lines }) };
}

const MIB = 2 ** 20;

function charts(report: SoakReport, raw: SoakRaw): Chart[] {
  const { intervals } = report.figures;
  const scenarios = [...new Set(intervals.flatMap((i) => Object.keys(i.throughputByScenario)))].sort();
  const chainIds = raw.processes.filter((p) => p.group === 'chain').map((p) => p.id);
  const heapIds = [...new Set(intervals.flatMap((i) => Object.keys(i.heapBytes)))].sort();
  const peers = [...new Set(intervals.flatMap((i) => Object.keys(i.ledgerBytesByPeer)))].sort();
  return [
    chart('throughput', 'Throughput per interval', 'successes per minute', [
      series('all', intervals, (i) => i.throughputPerMin),
      ...(scenarios.length > 1 ? scenarios.map((s) => series(s, intervals, (i) => i.throughputByScenario[s] ?? null)) : []),
    ]),
    chart('latency', 'Latency per interval', 'seconds', [series('p50', intervals, (i) => i.latencyS.p50), series('p99', intervals, (i) => i.latencyS.p99)]),
    chart('cpu-per-tx-groups', 'CPU per transaction, by group', 'CPU ms per successful transaction', SOAK_GROUPS.map((g) => series(g, intervals, (i) => i.groupCpuMsPerTx[g]))),
    chart('cpu-per-tx-chain', 'CPU per transaction, each chain process', 'CPU ms per successful transaction', chainIds.map((id) => series(id, intervals, (i) => i.cpuMsPerTx[id] ?? null))),
    chart('rss-groups', 'Resident memory, by group', 'MiB', SOAK_GROUPS.map((g) => series(g, intervals, (i) => i.groupRssBytes[g], 1 / MIB))),
    chart('heap', 'Heap in use (Go heap of peers and orderers, Node heap of the service and the harness)', 'MiB', heapIds.map((id) => series(id, intervals, (i) => i.heapBytes[id] ?? null, 1 / MIB))),
    chart('ledger-height', 'Ledger height', 'blocks', [series('highest of the peers', intervals, (i) => i.ledgerHeight)]),
    chart('ledger-disk', "Each peer's ledger folders on disk", 'MiB', peers.map((p) => series(p, intervals, (i) => i.ledgerBytesByPeer[p] ?? null, 1 / MIB))),
    chart('interference', 'Interference: someone else\'s CPU and steal', '% of the machine', [series('other', intervals, (i) => i.otherPct), series('steal', intervals, (i) => i.stealPct)]),
  ];
}

function verdictBlocks(report: SoakReport): Block[] {
  const { figures, meta } = report;
  const c = meta.config;
  const i = figures.interference;
  const failed = figures.verdicts.filter((v) => !v.passed);
  return [
    {
      kind: 'paragraph',
      text:
        `${c.scenario}, ${String(c.users)} users (closed loop, vegeta through nginx and the service), ${seconds(c.warmupMs / 1000)} warm-up, ` +
        `${seconds(c.durationMs / 1000)} measured in intervals of ${seconds(c.intervalMs / 1000)}; ${integer(figures.totals.successes)} successes, ${integer(figures.totals.failures)} failures, ` +
        `${show(figures.totals.throughputPerMin, (v) => fixed(v, 1))} tx/min. Drift compares the mean of the last ${String(figures.driftIntervals)} intervals with that of the first ${String(figures.driftIntervals)}.`,
    },
    {
      kind: 'paragraph',
      text: i.disturbed
        ? `DISTURBED: someone else's load used the machine: other above ${percent(c.disturbance.otherPct)} in ${show(i.aboveSharePct, percent)} of the seconds (rule: more than ${percent(c.disturbance.sharePct)}); ` +
          `most: ${i.foreign.map((f) => `${f.name} (pid ${String(f.pid)}) ${percent(f.cpuPct)}`).join(', ') || 'no single process'}. These figures are not this system's alone.`
        : `Not disturbed: other averaged ${show(i.otherPct.avg, percent)} of the machine (max ${show(i.otherPct.max, percent)}), steal ${show(i.stealPct.avg, percent)}, over ${String(i.samples)} seconds.`,
    },
    table(
      [['figure', false], ['rule', false], ['drift', true], ['verdict', false]],
      figures.verdicts.map((v) => [v.figure, v.rule, ratioText(v.ratio), { text: v.passed ? 'pass' : `FAIL (${v.reason ?? ''})`, tone: v.passed ? 'good' : 'bad' }]),
    ),
    { kind: 'paragraph', text: failed.length === 0 ? 'Every drift within its rule.' : `${String(failed.length)} drift rule(s) failed: exit code 99.` },
    { kind: 'paragraph', text: chainText(figures) },
  ];
}

/** The figures of the run and of each group; each process's apart (processTable). */
/** What the blocks hold of the measured window, by function and validation code. */
function chainText(figures: SoakFigures): string {
  const functions = Object.entries(figures.chain.byFunction);
  if (functions.length === 0) return `The blocks hold no transaction made in the measured window (${figures.chain.source}).`;
  const codes = (c: Readonly<Record<string, number>>): string => Object.entries(c).map(([code, n]) => `${integer(n)} ${code}`).join(', ');
  return `On chain (${figures.chain.source}): ${functions.map(([fn, c]) => `${fn}: ${codes(c)}`).join('; ')}.`;
}

const VALID = 'VALID';
const invalidIn = (c: Readonly<Record<string, number>>): number => Object.entries(c).reduce((sum, [code, n]) => sum + (code === VALID ? 0 : n), 0);

function driftTable(figures: SoakFigures, ids: readonly string[]): Block {
  const ofAProcess = (figure: string): boolean => ids.some((id) => figure.includes(` ${id}`));
  return table(
    [['figure', false], ['first', true], ['last', true], ['last / first', true]],
    figures.drift
      .filter((d) => !ofAProcess(d.figure))
      .map((d: Drift) => {
        const format = formatOf(d.figure);
        return [d.figure, show(d.first, format), show(d.last, format), ratioText(d.ratio)];
      }),
  );
}

/** Each process of ours: its CPU per transaction, resident memory and heap, first, last and drift. */
function processTable(figures: SoakFigures, raw: SoakRaw): Block {
  const find = (figure: string): Drift | undefined => figures.drift.find((d) => d.figure === figure);
  const cells = (d: Drift | undefined, format: (v: number) => string): Cell[] => (d ? [show(d.first, format), show(d.last, format), ratioText(d.ratio)] : ['', '', '']);
  return table(
    [['process', false], ['group', false], ['CPU ms/tx first', true], ['last', true], ['drift', true], ['RSS first', true], ['last', true], ['drift', true], ['heap first', true], ['last', true], ['drift', true]],
    raw.processes.map((p) => [
      p.id,
      p.group,
      ...cells(find(`CPU ms/tx ${p.id}`), (v) => fixed(v, 2)),
      ...cells(find(`RSS ${p.id} (bytes)`), bytes),
      ...cells(find(`heap ${p.id} (bytes)`), bytes),
    ]),
  );
}

const INTERVAL_COLUMNS: readonly (readonly [string, (i: SoakInterval) => CsvValue])[] = [
  ['interval', (i) => i.index],
  ['end_s', (i) => i.endS],
  ['successes', (i) => i.successes],
  ['failures', (i) => i.failures],
  ['throughput_per_min', (i) => i.throughputPerMin],
  ['latency_p50_s', (i) => i.latencyS.p50],
  ['latency_p99_s', (i) => i.latencyS.p99],
  ...SOAK_GROUPS.map((g): readonly [string, (i: SoakInterval) => CsvValue] => [`cpu_ms_per_tx_${g.replace(/ /g, '_')}`, (i) => i.groupCpuMsPerTx[g]]),
  ...SOAK_GROUPS.map((g): readonly [string, (i: SoakInterval) => CsvValue] => [`cpu_pct_${g.replace(/ /g, '_')}`, (i) => i.groupCpuPct[g]]),
  ...SOAK_GROUPS.map((g): readonly [string, (i: SoakInterval) => CsvValue] => [`rss_bytes_${g.replace(/ /g, '_')}`, (i) => i.groupRssBytes[g]]),
  ['ledger_height', (i) => i.ledgerHeight],
  ['chain_valid_tx', (i) => i.chainByValidation[VALID] ?? 0],
  ['chain_invalid_tx', (i) => invalidIn(i.chainByValidation)],
  ['other_pct', (i) => i.otherPct],
  ['steal_pct', (i) => i.stealPct],
];

export function intervalsCsv(figures: SoakFigures): string {
  return csvTable(INTERVAL_COLUMNS, figures.intervals);
}

function intervalTable(figures: SoakFigures): Block {
  return table(
    [['interval', true], ['end', true], ['tx/min', true], ['p50', true], ['p99', true], ['chain CPU ms/tx', true], ['service CPU ms/tx', true], ['harness CPU ms/tx', true], ['height', true], ['valid / invalid on chain', true], ['other', true]],
    figures.intervals.map((i) => [
      String(i.index + 1),
      seconds(i.endS),
      show(i.throughputPerMin, (v) => fixed(v, 1)),
      show(i.latencyS.p50, seconds),
      show(i.latencyS.p99, seconds),
      show(i.groupCpuMsPerTx.chain, (v) => fixed(v, 2)),
      show(i.groupCpuMsPerTx['service tier'], (v) => fixed(v, 2)),
      show(i.groupCpuMsPerTx['load generator'], (v) => fixed(v, 2)),
      show(i.ledgerHeight, integer),
      `${integer(i.chainByValidation[VALID] ?? 0)} / ${integer(invalidIn(i.chainByValidation))}`,
      show(i.otherPct, percent),
    ]),
  );
}

function ledgerTable(raw: SoakRaw): Block {
  const first = raw.snapshots[0];
  const last = raw.snapshots[raw.snapshots.length - 1];
  const rows: Cell[][] = [];
  for (const [peer, folders] of Object.entries(last?.ledgerBytes ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    for (const [folder, size] of Object.entries(folders).sort(([a], [b]) => a.localeCompare(b))) {
      const before = first?.ledgerBytes[peer]?.[folder];
      rows.push([peer, folder, before === undefined ? NO_DATA : bytes(before), bytes(size)]);
    }
  }
  return table([['peer', false], ['folder', false], ['at the start', true], ['at the end', true]], rows);
}

export function soakDocument(report: SoakReport, raw: SoakRaw, rawFiles: readonly { name: string; size: number }[]): ReportDocument {
  const { meta } = report;
  return {
    title: meta.title,
    sections: [
      { title: 'Verdict', blocks: verdictBlocks(report) },
      {
        title: 'Drift',
        blocks: [
          { kind: 'paragraph', text: "Every figure, the mean of its first intervals and of its last: what grew or fell with the ledger's and the processes' age." },
          driftTable(report.figures, raw.processes.map((p) => p.id)),
          { kind: 'heading', text: 'Each process of ours' },
          processTable(report.figures, raw),
        ],
      },
      { title: 'Per interval', blocks: [{ kind: 'charts', charts: charts(report, raw) }, intervalTable(report.figures)] },
      { title: 'Ledgers', blocks: [{ kind: 'paragraph', text: `Height at the start: ${show(meta.heightAtStart, integer)} blocks on the first peer. Each peer's ledger folders (ledgersData):` }, ledgerTable(raw)] },
      {
        title: 'Provenance',
        blocks: [
          {
            kind: 'list',
            items: [
              `commit ${meta.commit.sha}${meta.commit.dirty ? ' (uncommitted changes)' : ''}`,
              `machine: ${String(meta.machine.cores)} cores, ${String(meta.machine.memoryGiB)} GiB, ${meta.machine.cpuModel}, ${meta.machine.os} ${meta.machine.kernel}, Node ${meta.machine.node}`,
              `runtime ${meta.runtime}, topology ${meta.topology}, batch ${meta.batch}`,
              `started ${meta.startedAt}, ended ${meta.endedAt}`,
              `processes followed (by pid, with their descendants): ${raw.processes.map((p) => `${p.id} (${p.group})`).join(', ')}`,
              'every figure is derived from raw/ (`npm run bench -- soak --render <this directory>` derives them again and checks them against soak.json)',
            ],
          },
          { kind: 'links', links: rawFiles.map((f) => ({ href: `raw/${f.name}`, text: f.name, note: bytes(f.size) })) },
        ],
      },
    ],
  };
}
