/**
 * The report as a document (sections of paragraphs, tables, charts, links) built once from the data,
 * then written out as Markdown and as HTML by render.ts: both say the same thing because they are
 * the same document.
 */
import { bytes, fixed, integer, orNoData, PAPER_FIGURES, percent, perMinute, seconds, times } from './format';
import { ceilingWhichText, noCeilingText } from '../ceiling/compare';
import { isPaperTest, PAPER_PROFILE, PAPER_TABLE_4, TARGETS, type CeilingComparison, type CeilingRate, type CostPair, type Engine, type LatencyStats, type PaperTest, type PhaseFigures, type ReportData, type ScenarioResult, type ThresholdMetric, type Breakdown, type RepeatSpread, type TuningStep, type ThresholdOp, type Usage } from './schema';
import { barChart, lineChart, type LineSeries } from './svg';

export type Tone = 'good' | 'bad';
export type Cell = string | { text: string; tone: Tone };

export interface Column {
  title: string;
  numeric: boolean;
}

export interface Table {
  columns: Column[];
  rows: Cell[][];
}

export interface Chart {
  /** File name stem under charts/, unique in the report. */
  id: string;
  title: string;
  svg: string;
}

export type Block =
  | { kind: 'paragraph'; text: string }
  | { kind: 'heading'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'links'; links: { href: string; text: string; note: string }[] }
  | { kind: 'table'; table: Table }
  | { kind: 'charts'; charts: Chart[] };

export interface Section {
  title: string;
  blocks: Block[];
}

export interface ReportDocument {
  title: string;
  sections: Section[];
}

/** A file under raw/: its path relative to raw/ (with `/` separators) and its size. */
export interface RawFile {
  name: string;
  size: number;
}

const TEST_TITLES: Readonly<Record<PaperTest, string>> = { add_order: 'add order', order_query: 'order query' };

const scenarioTitle = (scenario: string): string => (isPaperTest(scenario) ? TEST_TITLES[scenario] : scenario);
const runTitle = (s: { scenario: string; engine: Engine }): string => `${scenarioTitle(s.scenario)} (${s.engine})`;

function columns(...spec: [string, boolean][]): Column[] {
  return spec.map(([title, numeric]) => ({ title, numeric }));
}

const verdict = (ok: boolean, good: string, bad: string): Cell => ({ text: ok ? good : bad, tone: ok ? 'good' : 'bad' });
const orDash = <T>(value: T | null, show: (v: T) => string): string => (value === null ? '—' : show(value));

function headline(data: ReportData): Section {
  const { meta } = data;
  const passed = data.thresholds.filter((t) => t.pass).length;
  const disagreeing = data.consistency.filter((c) => !c.agree).length;
  return {
    title: 'Run',
    blocks: [
      {
        kind: 'paragraph',
        text: `Profile ${meta.profile}; ${meta.startedAt} to ${meta.endedAt}; commit ${meta.commit.sha.slice(0, 12)}${meta.commit.dirty ? ' with uncommitted changes (dirty)' : ''}.`,
      },
      ...(data.disturbed
        ? [
            {
              kind: 'paragraph' as const,
              text:
                `DISTURBED: someone else's load used the machine during ${data.scenarios.filter((s) => s.interference?.disturbed === true).map(runTitle).join(', ')} ` +
                '(see "Interference"): those figures are not this system\'s alone. Run again on a quiet machine.',
            },
          ]
        : []),
      {
        kind: 'list',
        items: [
          `Thresholds: ${passed} of ${data.thresholds.length} passed.`,
          `Interference: ${data.disturbed ? 'DISTURBED' : data.scenarios.some((s) => s.interference !== null) ? 'none above the threshold' : 'not measured'}.`,
          data.consistency.length === 0
            ? 'Consistency: no writing run had its commits counted.'
            : `Consistency: ${data.consistency.length - disagreeing} of ${data.consistency.length} writing runs agree with the chain.`,
          `Scenarios: ${data.scenarios.map(runTitle).join(', ') || 'none'}.`,
        ],
      },
    ],
  };
}

function paperChart(data: ReportData, test: PaperTest): Chart {
  const comparisons = data.paper.filter((p) => p.scenario === test);
  const paper = PAPER_TABLE_4[test];
  return {
    id: `paper_${test}`,
    title: `${TEST_TITLES[test]}: measured / paper (Table 4)`,
    svg: barChart({
      title: `${TEST_TITLES[test]}: measured / paper (Table 4)`,
      axisLabel: 'measured / paper (log scale; the dashed line is the paper)',
      categories: PAPER_FIGURES.map((f) => `${f.label} (paper ${f.show(paper[f.key])})`),
      series: comparisons.map((c) => ({
        name: c.engine,
        values: PAPER_FIGURES.map((f) => c.ratio[f.key]),
        labels: PAPER_FIGURES.map((f) => `${orNoData(c.measured[f.key], f.show)} ${times(c.ratio[f.key])}`),
      })),
      scale: 'log',
      reference: { value: 1, label: 'paper ×1' },
      tickFormat: (v) => `×${fixed(v, v < 1 ? (v < 0.1 ? 2 : 1) : 0)}`,
    }),
  };
}

function paperSection(data: ReportData): Section {
  const engines = [...new Set(data.paper.map((p) => p.engine))];
  const tests = [...new Set(data.paper.map((p) => p.scenario))];
  const rows: Cell[][] = tests.flatMap((test) =>
    PAPER_FIGURES.map((f) => [
      TEST_TITLES[test],
      f.label,
      f.show(PAPER_TABLE_4[test][f.key]),
      ...engines.flatMap((engine) => {
        const c = data.paper.find((p) => p.scenario === test && p.engine === engine);
        return c === undefined ? ['—', '—'] : [orNoData(c.measured[f.key], f.show), times(c.ratio[f.key])];
      }),
    ]),
  );
  const { machine } = data;
  return {
    title: 'Paper vs measured (Table 4)',
    blocks: [
      {
        kind: 'paragraph',
        text:
          `Ratios are measured / paper. The paper ran ${PAPER_PROFILE.users} users for ${PAPER_PROFILE.durationS / 60} minutes per test on separate servers ` +
          `(chain server 8 cores, 16 GB); this run shares one machine of ${machine.cores} cores and ${fixed(machine.memoryGiB, 1)} GiB ` +
          'between chain, service and load generator, so CPU and memory are percentages of this machine.',
      },
      rows.length === 0
        ? { kind: 'paragraph', text: 'No scenario of this run is one of the paper’s tests.' }
        : {
            kind: 'table',
            table: {
              columns: columns(['Test', false], ['Figure', false], ['Paper', true], ...engines.flatMap((e): [string, boolean][] => [[e, true], [`× ${e}`, true]])),
              rows,
            },
          },
      { kind: 'charts', charts: tests.map((test) => paperChart(data, test)) },
    ],
  };
}

const PHASE_COLUMNS = columns(
  ['Scenario', false],
  ['Engine', false],
  ['Requests', true],
  ['Successes', true],
  ['Failures', true],
  ['Dropped', true],
  ['Success', true],
  ['Throughput', true],
  ['Avg', true],
  ['p50', true],
  ['p95', true],
  ['p99', true],
  ['Max', true],
);

function phaseRow(s: ScenarioResult, p: PhaseFigures): Cell[] {
  const latency = (pick: (l: LatencyStats) => number): string => orNoData(p.latencyS === null ? null : pick(p.latencyS), seconds);
  return [
    scenarioTitle(s.scenario),
    s.engine,
    integer(p.requests),
    integer(p.successes),
    integer(p.failures),
    integer(p.droppedIterations),
    orNoData(p.successRatePct, percent),
    orNoData(p.throughputTxPerMin, perMinute),
    latency((l) => l.avg),
    latency((l) => l.p50),
    latency((l) => l.p95),
    latency((l) => l.p99),
    latency((l) => l.max),
  ];
}

function measuredSection(data: ReportData): Section {
  const warmUp = data.scenarios.flatMap((s) => (s.warmUp === null ? [] : [phaseRow(s, s.warmUp)]));
  const runs = data.scenarios.map(
    (s) => `${runTitle(s)}: ${s.executor} model, ${s.users} users, window ${s.window.start} to ${s.window.end} (${fixed(s.window.durationS, 0)} s).`,
  );
  const blocks: Block[] = [
    { kind: 'list', items: runs },
    { kind: 'table', table: { columns: PHASE_COLUMNS, rows: data.scenarios.map((s) => phaseRow(s, s.measured)) } },
  ];
  if (warmUp.length > 0) {
    blocks.push({ kind: 'heading', text: 'Warm-up (not in the figures above)' }, { kind: 'table', table: { columns: PHASE_COLUMNS, rows: warmUp } });
  }
  const reported = data.scenarios.flatMap((s) => (s.engineReported === null ? [] : [{ s, r: s.engineReported }]));
  if (reported.length > 0) {
    blocks.push(
      { kind: 'heading', text: "The load generator's own figures (beside ours, not used)" },
      {
        kind: 'paragraph',
        text: 'The figures above are derived by us from the per-request records, for every engine alike: throughput is successes over the measured window. What the load generator printed for the same round follows, labelled as its own.',
      },
      {
        kind: 'table',
        table: {
          columns: columns(['Test', false], ['Engine', false], ['Source', false], ['Successes', true], ['Failures', true], ['Its throughput', true], ['Ours', true], ['Its avg', true], ['Ours', true]),
          rows: reported.map(({ s, r }) => [
            scenarioTitle(s.scenario),
            s.engine,
            r.source,
            integer(r.successes),
            integer(r.failures),
            perMinute(r.throughputTxPerMin),
            orNoData(s.measured.throughputTxPerMin, perMinute),
            r.avgLatencyS === null ? '—' : seconds(r.avgLatencyS),
            orNoData(s.measured.latencyS?.avg ?? null, seconds),
          ]),
        },
      },
    );
  }
  return { title: 'Measured figures', blocks };
}

function littlesLawSection(data: ReportData): Section {
  return {
    title: 'Little’s law',
    blocks: [
      {
        kind: 'paragraph',
        text:
          'In a closed loop each user waits for its response, so users / avg latency is the rate with no pause between requests. ' +
          'A measured rate below it means time per iteration beyond the response: think time or client overhead.',
      },
      {
        kind: 'table',
        table: {
          columns: columns(['Figures', false], ['Test', false], ['Engine', false], ['Users', true], ['Avg latency', true], ['users / latency', true], ['Measured rate', true], ['Measured / predicted', true], ['Implied think time', true]),
          rows: data.littlesLaw.map((l) => [
            l.subject === 'paper' ? 'paper' : 'this run',
            scenarioTitle(l.scenario),
            l.engine ?? '—',
            integer(l.users),
            seconds(l.avgLatencyS),
            perMinute(l.predictedTxPerMin),
            perMinute(l.measuredTxPerMin),
            fixed(l.ratio, 3),
            seconds(l.impliedThinkTimeS),
          ]),
        },
      },
    ],
  };
}

function consistencySection(data: ReportData): Section {
  const runOf = (scenario: string, engine: Engine): ScenarioResult | undefined => data.scenarios.find((s) => s.scenario === scenario && s.engine === engine);
  return {
    title: 'Consistency: load generator vs chain',
    blocks: [
      {
        kind: 'paragraph',
        text:
          'Successful writes the load generator counted in the measured window against VALID transactions committed in it. ' +
          'Requests in flight at either edge of the window may fall on either side, hence the tolerance of users × writes per request.',
      },
      {
        kind: 'table',
        table: {
          columns: columns(['Scenario', false], ['Engine', false], ['Successes', true], ['Writes each', true], ['Expected tx', true], ['VALID tx', true], ['Invalid tx', true], ['Difference', true], ['Tolerance', true], ['Agree', false], ['Counted by', false]),
          rows: data.consistency.map((c) => {
            const chain = runOf(c.scenario, c.engine)?.chain ?? null;
            return [
              scenarioTitle(c.scenario),
              c.engine,
              integer(c.loadGeneratorSuccesses),
              integer(c.writesPerRequest),
              integer(c.expectedTx),
              integer(c.chainValidTx),
              orDash(chain, (x) => integer(x.invalidTx)),
              integer(c.difference),
              integer(c.toleranceTx),
              verdict(c.agree, 'yes', 'NO'),
              chain?.source ?? '—',
            ];
          }),
        },
      },
    ],
  };
}

function resourcesSection(data: ReportData): Section {
  const rows: Cell[][] = data.scenarios.flatMap((s) => {
    const parts: [string, Usage | null][] = [
      ['chain', s.resources.chain],
      ['service', s.resources.service],
      ['load generator', s.resources.loadGenerator],
      ['whole machine', s.resources.machine],
    ];
    return parts.map(([component, u]) => [
      scenarioTitle(s.scenario),
      s.engine,
      component,
      ...(u === null ? Array<string>(6).fill('—') : [u.cpuPct.avg, u.cpuPct.p95, u.cpuPct.max, u.memPct.avg, u.memPct.p95, u.memPct.max].map(percent)),
    ]);
  });
  const sources = [...new Set(data.scenarios.map((s) => s.resources.source))];
  return {
    title: 'Resources during the measured window',
    blocks: [
      { kind: 'paragraph', text: `Percentages of the whole machine (${data.machine.cores} cores = 100 % CPU; ${fixed(data.machine.memoryGiB, 1)} GiB = 100 % memory). Sampled by: ${sources.join('; ') || '—'}.` },
      {
        kind: 'table',
        table: { columns: columns(['Scenario', false], ['Engine', false], ['Component', false], ['CPU avg', true], ['CPU p95', true], ['CPU max', true], ['Mem avg', true], ['Mem p95', true], ['Mem max', true]), rows },
      },
    ],
  };
}

/** A stage's duration: milliseconds below 10 ms, where seconds would show 0.000. */
function duration(s: number): string {
  return s < 0.01 ? `${fixed(s * 1000, 2)} ms` : seconds(s);
}

/** Where each run stands against the project's targets, and what was saturated while it ran. */
function targetsSection(data: ReportData): Section {
  const runs = data.scenarios.filter((s) => isPaperTest(s.scenario));
  const rows: Cell[][] = runs.flatMap((s) => {
    const target = TARGETS[s.scenario as PaperTest];
    const m = s.measured;
    const row = (figure: string, measured: number | null, show: (v: number) => string, wanted: string, target: number): Cell[] => [
      scenarioTitle(s.scenario),
      s.engine,
      figure,
      orNoData(measured, show),
      wanted,
      times(measured === null ? null : measured / target),
    ];
    return [
      row('throughput', m.throughputTxPerMin, perMinute, `≥ ${perMinute(target.throughputTxPerMin)}`, target.throughputTxPerMin),
      ...(target.latencyAvgS === null ? [] : [row('avg latency', m.latencyS?.avg ?? null, seconds, `≤ ${seconds(target.latencyAvgS)}`, target.latencyAvgS)]),
      row('p99 latency', m.latencyS?.p99 ?? null, seconds, `≤ ${seconds(target.latencyP99S)}`, target.latencyP99S),
      row('success', m.successRatePct, percent, `≥ ${percent(target.successRatePct)}`, target.successRatePct),
    ];
  });
  const limits = runs.map((s) => {
    const busiest = s.breakdown?.cpuByGroup[0];
    const machineCpu = s.resources.machine?.cpuPct.avg;
    return (
      `${runTitle(s)}: the whole machine ${machineCpu === undefined ? 'not measured' : `${percent(machineCpu)} busy on average`}` +
      `${machineCpu !== undefined && machineCpu >= 90 ? ' (CPU-bound: every core saturated)' : ''}; chain ${percent(s.resources.chain.cpuPct.avg)}` +
      `${busiest ? `; busiest process group: ${busiest.group} (${percent(busiest.cpuPct)})` : ''}.`
    );
  });
  return {
    title: 'Against our targets (one 2-core machine)',
    blocks: [
      {
        kind: 'paragraph',
        text: 'The project\'s targets for one 2-core machine hosting everything (add order ≥ 6,000 tx/min, avg ≤ 0.30 s, p99 ≤ 1.0 s; order query ≥ 90,000/min, p99 ≤ 30 ms; 100 % success): benchmark figures, not pass/fail thresholds. Ratio: measured / target.',
      },
      { kind: 'table', table: { columns: columns(['Test', false], ['Engine', false], ['Figure', false], ['Measured', true], ['Target', true], ['Ratio', true]), rows } },
      { kind: 'heading', text: 'What limited the runs' },
      { kind: 'list', items: limits },
    ],
  };
}

const CEILING_TEST_TITLES: Readonly<Record<'evaluate' | 'write', string>> = { evaluate: 'evaluate (no-op read)', write: 'write (one key)' };

/** CPU ms per transaction: three decimals, or "no data". */
const msPerTx = (v: number | null): string => orNoData(v, (x) => `${fixed(x, 3)} ms`);
const rateText = (r: CeilingRate | null): string => orNoData(r?.median ?? null, (m) => (r === null || (r.min === r.max && r.min === m) ? `${fixed(m, 1)}/s` : `${fixed(m, 1)}/s (${fixed(r.min, 1)}–${fixed(r.max, 1)})`));
const costLine = (what: string, c: CostPair): string => `${what}: ${msPerTx(c.test)} in the test, ${msPerTx(c.ceiling)} at the ceiling`;

/** Each HTTP test beside what Fabric itself allows on this machine (`bench ceiling`), and where the CPU of a transaction goes in each. */
export function ceilingSection(data: Pick<ReportData, 'ceiling' | 'machine'>): Section {
  const title = 'Against the ceiling (what Fabric allows on this machine)';
  const c: CeilingComparison | null = data.ceiling;
  if (c === null) return { title, blocks: [{ kind: 'paragraph', text: 'Not compared: this report is of schema 4, from before the comparison with the ceiling.' }] };
  const { source } = c;
  if (source === null) {
    return { title, blocks: [{ kind: 'paragraph', text: noCeilingText(data.machine) }] };
  }
  const which = ceilingWhichText(source);
  return {
    title,
    blocks: [
      {
        kind: 'paragraph',
        text:
          `Ceiling report ${source.dir}, measured ${source.startedAt} at commit ${source.commit.sha.slice(0, 12)}${source.commit.dirty ? ' (dirty)' : ''} on ${source.machine.cores} cores, ${source.machine.cpuModel}: ${which}. ` +
          'The ceiling is Fabric alone, 30 users straight to the Fabric Gateway calling a chaincode that does the least (a no-op evaluate, a one-key write), with no service, nginx or retail contract in the way. ' +
          'Fraction: the test\'s successful transactions a second over the ceiling\'s median for the same kind of transaction (add order: write; order query: evaluate).',
      },
      c.tests.length === 0
        ? { kind: 'paragraph', text: 'No HTTP test of this run has a ceiling of its kind.' }
        : {
            kind: 'table',
            table: {
              columns: columns(['Test', false], ['Engine', false], ['Ceiling test', false], ['Throughput', true], ['Ceiling, median (min–max)', true], ['Fraction of the ceiling', true]),
              rows: c.tests.map((t) => [
                scenarioTitle(t.scenario),
                t.engine,
                CEILING_TEST_TITLES[t.ceilingTest],
                orNoData(t.throughputPerS, (v) => `${fixed(v, 1)}/s`),
                rateText(t.ceilingPerS),
                orNoData(t.fraction, (f) => `${fixed(f, 3)} (${fixed(f * 100, 1)} %)`),
              ]),
            },
          },
      ...c.tests.flatMap((t): Block[] => [
        { kind: 'heading', text: `${runTitle(t)} against the ceiling's ${CEILING_TEST_TITLES[t.ceilingTest]}: CPU ms per transaction` },
        {
          kind: 'list',
          items: [
            costLine('service (service, nginx, the load generator) per request', t.serviceMsPerTx),
            costLine('chain (peer, orderer, chaincode) per request', t.chainMsPerTx),
          ],
        },
        {
          kind: 'table',
          table: {
            columns: columns(['Process group', false], ['This test', true], ['The ceiling (median)', true]),
            rows: t.groups.map((g) => [g.group, msPerTx(g.test), msPerTx(g.ceiling)]),
          },
        },
      ]),
      {
        kind: 'paragraph',
        text:
          `CPU ms per transaction: a group's average share of the machine over the measured window × ${data.machine.cores} cores ÷ successful transactions a second (bench/src/ceiling/figures.ts), ` +
          "for the test from its CPU by process group (\"Where the time goes\"), for the ceiling the median over its repeats; at the ceiling the load generator is the harness, straight to the gateway. " +
          'What the chain spends beyond the ceiling\'s is the retail contract\'s (its endorsement policy, private data, reads before writes); what the service side spends is HTTP, nginx and the service.',
      },
    ],
  };
}

function breakdownSection(data: ReportData): Section {
  const measured = data.scenarios.filter((s): s is ScenarioResult & { breakdown: Breakdown } => s.breakdown !== null);
  if (measured.length === 0) return { title: 'Where the time goes', blocks: [{ kind: 'paragraph', text: 'Not measured in this run.' }] };
  return {
    title: 'Where the time goes',
    blocks: [
      {
        kind: 'paragraph',
        text:
          'Average duration of each stage a request passes through during the measured window, from the metrics of the process that runs it (Prometheus, increase of the histogram sums over counts), ' +
          'and the CPU each group of processes used (% of the machine). Stages overlap: a write\'s commit wait contains the ordering and every peer\'s validation and commit. Stages that did not run in the window are left out. ' +
          'Then Go CPU profiles (pprof) of Fabric nodes taken during the window: the share of each node\'s CPU by activity (cumulative, so activities nest and overlap) and the functions with the most CPU of their own.',
      },
      ...measured.flatMap((s): Block[] => [
        { kind: 'heading', text: `${scenarioTitle(s.scenario)} (${s.engine}): stages${s.breakdown.blocks ? `; ${integer(s.breakdown.blocks.committed)} blocks, ${fixed(s.breakdown.blocks.txPerBlock, 1)} transactions per block` : ''}` },
        {
          kind: 'table',
          table: {
            columns: columns(['Component', false], ['Stage', false], ['Average', true], ['Count', true], ['Per', false], ['Metric', false]),
            rows: s.breakdown.stages.map((st) => [st.component, st.stage, duration(st.avgS), integer(st.count), st.per, st.metric]),
          },
        },
        { kind: 'heading', text: `${scenarioTitle(s.scenario)} (${s.engine}): CPU by process group` },
        {
          kind: 'table',
          table: { columns: columns(['Group', false], ['CPU avg', true]), rows: s.breakdown.cpuByGroup.map((g) => [g.group, percent(g.cpuPct)]) },
        },
        ...s.breakdown.profiles.flatMap((p): Block[] => [
          { kind: 'heading', text: `${scenarioTitle(s.scenario)} (${s.engine}): ${p.node}, CPU profile of ${fixed(p.seconds, 0)} s, ${fixed(p.cpuCores, 2)} cores busy (raw/${p.file})` },
          {
            kind: 'table',
            table: {
              columns: columns(['Activity or function', false], ['Own (flat)', true], ['With callees (cum)', true]),
              rows: [
                ...p.activities.map((a) => [a.activity, '', percent(a.cumPct)]),
                ...p.topFunctions.map((f) => [`function ${f.fn}`, percent(f.flatPct), percent(f.cumPct)]),
              ],
            },
          },
        ]),
      ]),
    ],
  };
}

function interferenceSection(data: ReportData): Section {
  const measured = data.scenarios.filter((s) => s.interference !== null);
  const [first] = measured;
  if (!first?.interference) return { title: 'Interference', blocks: [{ kind: 'paragraph', text: 'Not measured in this run.' }] };
  const rule = first.interference.rule;
  return {
    title: 'Interference: what else used the machine',
    blocks: [
      {
        kind: 'paragraph',
        text:
          `${first.interference.source}. A window is disturbed when "other" was above ${fixed(rule.otherPct, 0)} % of the machine in more than ${fixed(rule.sharePct, 0)} % of its seconds. ` +
          'The CPU charts under "Over time" show "other" per second.',
      },
      {
        kind: 'table',
        table: {
          columns: columns(['Test', false], ['Engine', false], ['Seconds', true], ['Other avg', true], ['Other max', true], ['Seconds above', true], ['Kernel avg', true], ['Steal avg', true], ['Verdict', false], ['Foreign processes (avg % of machine)', false]),
          rows: measured.map((s) => {
            const i = s.interference as NonNullable<ScenarioResult['interference']>;
            return [
              scenarioTitle(s.scenario),
              s.engine,
              integer(i.samples),
              percent(i.otherPct.avg),
              percent(i.otherPct.max),
              percent(i.aboveSharePct),
              percent(i.kernelPct.avg),
              percent(i.stealPct.avg),
              verdict(!i.disturbed, 'quiet', 'DISTURBED'),
              i.foreign.map((f) => `${f.name} (pid ${f.pid}) ${percent(f.cpuPct)}`).join(', ') || '—',
            ];
          }),
        },
      },
    ],
  };
}

/** Whether the ladder ran in rounds (some step's repeats are apart), as its windows say, rather than each step's repeats back to back. */
function inRounds(steps: readonly TuningStep[]): boolean {
  const order = steps.flatMap((t, i) => t.repeatFigures.map((r) => ({ i, at: r.window.startMs }))).sort((a, b) => a.at - b.at);
  return order.some((o, k) => k > 0 && o.i < (order[k - 1]?.i ?? 0));
}

function tuningSection(data: ReportData): Section | null {
  if (data.tuning.length === 0) return null;
  // Units in the column names: "1,443.0 (1,263.0–1,533.0)".
  const spread = (r: RepeatSpread | null, decimals: number): string => (r === null ? 'no data' : `${fixed(r.median, decimals)} (${fixed(r.min, decimals)}–${fixed(r.max, decimals)})`);
  const groups = [...new Set(data.tuning.flatMap((t) => t.cpuMsPerWrite.map((g) => g.group)))];
  const disturbed = data.tuning.filter((t) => t.repeatFigures.some((r) => r.interference?.disturbed === true)).map((t) => `"${t.step}"`);
  const label = (t: TuningStep, i: number): string => `${i + 1}. ${t.step}${t.notAdopted === null ? '' : ' (measured only)'}`;
  return {
    title: 'Tuning ladder (what each setting changed)',
    blocks: [
      {
        kind: 'paragraph',
        text:
          `Before the two tests, the add-order test ran under each step's settings, ${data.tuning[0]?.repeats ?? 0} times per step, ${
            inRounds(data.tuning)
              ? 'in rounds (every step once a round, forward then backward, so that a drift of the machine touches every step alike)'
              : 'each step\'s repeats back to back, in ladder order (a drift of the machine over the ladder touches the later steps more)'
          }: median (min–max) of the repeats. ` +
          'Each step changes one setting from the step it builds on, and its throughput is compared with that step\'s. ' +
          "CPU per write: a process group's share of the machine over a repeat's window × the cores ÷ writes a second (our own-process exporter, through Prometheus). " +
          'The tests above ran with the profile\'s settings.' +
          (disturbed.length > 0 ? ` DISTURBED: someone else's load used the machine during a repeat of ${disturbed.join(', ')}.` : ''),
      },
      {
        kind: 'table',
        table: {
          columns: columns(['Step', false], ['Throughput (tx/min)', true], ['vs the step built on', true], ['Avg latency (s)', true], ['p99 latency (s)', true], ['Success (%)', true]),
          rows: data.tuning.map((t, i) => [
            label(t, i),
            spread(t.throughputTxPerMin, 1),
            t.buildsOn === null ? '' : `${times(t.throughputVsPrevious)} (over ${t.buildsOn + 1})`,
            spread(t.latencyAvgS, 3),
            spread(t.latencyP99S, 3),
            spread(t.successRatePct, 2),
          ]),
        },
      },
      {
        kind: 'table',
        table: {
          columns: columns(['Step: CPU per write (ms)', false], ['All groups', true], ...groups.map((g): [string, boolean] => [g, true])),
          rows: data.tuning.map((t, i) => [label(t, i), spread(t.cpuMsPerWriteTotal, 1), ...groups.map((g) => spread(t.cpuMsPerWrite.find((c) => c.group === g)?.ms ?? null, 2))]),
        },
      },
      {
        kind: 'table',
        table: {
          columns: columns(['Step', false], ['Settings', false], ['Adoptable', false]),
          rows: data.tuning.map((t, i) => [label(t, i), t.settings, t.notAdopted === null ? 'yes' : `no: ${t.notAdopted}`]),
        },
      },
    ],
  };
}

function usageSeries(s: ScenarioResult, pick: 'cpuPct' | 'memPct'): LineSeries[] {
  const series: LineSeries[] = [{ name: 'chain', points: s.resourceSeries.map((r) => [r.t, r.chain[pick]] as const) }];
  if (s.resourceSeries.some((r) => r.service !== null)) series.push({ name: 'service', points: s.resourceSeries.map((r) => [r.t, r.service?.[pick] ?? null] as const) });
  if (s.resourceSeries.some((r) => r.loadGenerator !== null)) series.push({ name: 'load generator', points: s.resourceSeries.map((r) => [r.t, r.loadGenerator?.[pick] ?? null] as const) });
  if (s.resourceSeries.some((r) => r.machine !== null)) series.push({ name: 'whole machine', points: s.resourceSeries.map((r) => [r.t, r.machine?.[pick] ?? null] as const) });
  if (pick === 'cpuPct' && s.interference !== null) series.push({ name: 'other (not ours)', points: s.interference.series.map((p) => [p.t, p.otherPct] as const), colour: '#D55E00' });
  return series;
}

function timeCharts(s: ScenarioResult): Chart[] {
  const id = `${s.scenario}_${s.engine}`;
  const name = runTitle(s);
  const firstT = Math.min(0, ...s.timeSeries.map((p) => p.t), ...s.resourceSeries.map((r) => r.t));
  const band = firstT < 0 ? { band: { from: firstT, to: 0, label: 'warm-up' } } : {};
  const xLabel = 'seconds from the start of the measured window';
  const chart = (kind: string, title: string, yLabel: string, series: LineSeries[]): Chart => ({
    id: `${kind}_${id}`,
    title: `${name}: ${title}`,
    svg: lineChart({ title: `${name}: ${title}`, xLabel, yLabel, series, ...band }),
  });
  return [
    chart('throughput', 'throughput and errors', 'requests per second', [
      { name: 'successful tx/s', points: s.timeSeries.map((p) => [p.t, p.ok] as const) },
      { name: 'errors/s', points: s.timeSeries.map((p) => [p.t, p.errors] as const), colour: '#D55E00' },
    ]),
    chart('latency', 'latency', 'seconds', [
      { name: 'p50', points: s.timeSeries.map((p) => [p.t, p.latencyS?.p50 ?? null] as const) },
      { name: 'p95', points: s.timeSeries.map((p) => [p.t, p.latencyS?.p95 ?? null] as const) },
      { name: 'p99', points: s.timeSeries.map((p) => [p.t, p.latencyS?.p99 ?? null] as const) },
    ]),
    chart('cpu', 'CPU', '% of machine CPU', usageSeries(s, 'cpuPct')),
    chart('memory', 'memory', '% of machine memory', usageSeries(s, 'memPct')),
  ];
}

function overTimeSection(data: ReportData): Section {
  return {
    title: 'Over time',
    blocks: data.scenarios.flatMap((s): Block[] => [
      { kind: 'heading', text: runTitle(s) },
      { kind: 'charts', charts: timeCharts(s) },
    ]),
  };
}

const METRIC_TITLES: Readonly<Record<ThresholdMetric, [string, (v: number) => string]>> = {
  throughputTxPerMin: ['throughput', perMinute],
  successRatePct: ['success rate', percent],
  latencyAvgS: ['avg latency', seconds],
  latencyP50S: ['p50 latency', seconds],
  latencyP95S: ['p95 latency', seconds],
  latencyP99S: ['p99 latency', seconds],
  latencyMaxS: ['max latency', seconds],
  failures: ['failures', integer],
  droppedIterations: ['dropped iterations', integer],
  chainCpuAvgPct: ['chain CPU avg', percent],
  chainMemAvgPct: ['chain memory avg', percent],
};

const OP_SYMBOLS: Readonly<Record<ThresholdOp, string>> = { '<': '<', '<=': '≤', '>': '>', '>=': '≥' };

function thresholdsSection(data: ReportData): Section {
  return {
    title: 'Thresholds',
    blocks: [
      data.thresholds.length === 0
        ? { kind: 'paragraph', text: 'No thresholds were set for this run.' }
        : {
            kind: 'table',
            table: {
              columns: columns(['Scenario', false], ['Engine', false], ['Metric', false], ['Condition', false], ['Actual', true], ['Result', false]),
              rows: data.thresholds.map((t) => {
                const [title, show] = METRIC_TITLES[t.metric];
                return [scenarioTitle(t.scenario), t.engine, title, `${OP_SYMBOLS[t.op]} ${show(t.limit)}`, orNoData(t.actual, show), verdict(t.pass, 'pass', 'FAIL')];
              }),
            },
          },
    ],
  };
}

function keyValues(pairs: [string, string][]): Block {
  return { kind: 'table', table: { columns: columns(['', false], ['', false]), rows: pairs } };
}

function setupSection(data: ReportData): Section {
  const { machine, versions, config, meta } = data;
  const t = config.topology;
  const b = config.batchSize;
  return {
    title: 'Machine, configuration, versions',
    blocks: [
      { kind: 'heading', text: 'Machine' },
      keyValues([
        ['CPU', `${machine.cpuModel}, ${machine.cores} cores`],
        ['Memory', `${fixed(machine.memoryGiB, 1)} GiB`],
        ['OS', `${machine.os}, kernel ${machine.kernel}`],
        ['Node.js', machine.node],
        ...(machine.bootId === undefined ? [] : [['Boot id', `${machine.bootId} (a ceiling counts as this machine's own only from the same boot)`] satisfies [string, string]]),
      ]),
      { kind: 'heading', text: 'Configuration' },
      keyValues([
        ['Profile', meta.profile],
        ['Topology', `${t.orgs.join(', ')}: ${t.peers} peers, ${t.orderers} orderers (${t.consensus}), ${t.ledgerDatabases} ledger databases on ${t.hosts} hosts; channel ${t.channel}`],
        ['Batch', `timeout ${fixed(config.batchTimeoutS, 3)} s; max ${integer(b.maxMessageCount)} messages, ${bytes(b.preferredMaxBytes)} preferred, ${bytes(b.absoluteMaxBytes)} absolute max`],
        ['Load', `${config.users} users; ${fixed(config.durationS, 0)} s measured after ${fixed(config.warmUpS, 0)} s warm-up per scenario`],
      ]),
      { kind: 'heading', text: 'Versions' },
      keyValues([
        ['Fabric', versions.fabric ?? '—'],
        ['Fabric CA', versions.fabricCa ?? '—'],
        ['vegeta', versions.vegeta ?? '—'],
        ['Caliper', versions.caliper ?? '—'],
        ['Commit', `${meta.commit.sha}${meta.commit.dirty ? ' (dirty)' : ''}`],
      ]),
    ],
  };
}

function notesSection(data: ReportData): Section {
  return { title: 'Notes', blocks: [data.notes.length === 0 ? { kind: 'paragraph', text: 'None.' } : { kind: 'list', items: data.notes }] };
}

function rawSection(raw: readonly RawFile[]): Section {
  return {
    title: 'Raw data',
    blocks: [
      {
        kind: 'paragraph',
        text:
          'Everything above is rendered from summary.json, whose load figures (counts, success rate, throughput, latencies, the per-second series) and chain counts are derived from the per-request records and the blocks below (requests/, caliper/records/, blocks-*.json.gz). ' +
          'To derive them again, check summary.json against them and render it again: node bench/dist/report/cli.js render <this directory>',
      },
      raw.length === 0
        ? { kind: 'paragraph', text: 'No raw files.' }
        : { kind: 'links', links: raw.map((f) => ({ href: `raw/${f.name}`, text: `raw/${f.name}`, note: bytes(f.size) })) },
    ],
  };
}

export function buildDocument(data: ReportData, raw: readonly RawFile[]): ReportDocument {
  return {
    title: data.meta.title,
    sections: [
      headline(data),
      paperSection(data),
      targetsSection(data),
      ceilingSection(data),
      measuredSection(data),
      littlesLawSection(data),
      consistencySection(data),
      resourcesSection(data),
      interferenceSection(data),
      breakdownSection(data),
      ...[tuningSection(data)].filter((section): section is Section => section !== null),
      overTimeSection(data),
      thresholdsSection(data),
      setupSection(data),
      notesSection(data),
      rawSection(raw),
    ],
  };
}

/** Every chart of the document, in order. */
export function chartsOf(document: ReportDocument): Chart[] {
  return document.sections.flatMap((s) => s.blocks.flatMap((b) => (b.kind === 'charts' ? b.charts : [])));
}
