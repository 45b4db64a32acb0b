import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { CSV_COLUMNS } from './csv';
import { times } from './format';
import { readReport, regenerate, renderFiles, reportDirName, writeReport, type ReportFiles } from './render';
import { PAPER_TABLE_4, SCHEMA_VERSION, type ReportData } from './schema';
import { completeReport } from './analyse';
import { FIXTURE_RAW, fixtureInput, fixtureReport } from './testing/fixture';
import { recordsFixture } from './testing/records-fixture';
import { InvalidReportError, validateReport } from './validate';

const run = promisify(execFile);

/** Every file under `dir`, relative, with its bytes. */
async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dir.length + 1), await readFile(path));
  }
  return files;
}

function parseCsv(text: string): string[][] {
  // The fixture's fields hold no quotes, commas or line breaks, so a split is a faithful parse.
  return text.trimEnd().split('\r\n').map((line) => line.split(','));
}

void describe('writeReport', () => {
  let root: string;
  let files: ReportFiles;
  const data = fixtureReport();

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'report-test-'));
    files = await writeReport(join(root, reportDirName(data.meta)), data, FIXTURE_RAW);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it('names the directory <date>T<hhmm>_<name>_<short sha>', () => {
    assert.equal(reportDirName(data.meta), '2025-03-04T0900_table4_d72ad59');
    assert.equal(reportDirName({ ...data.meta, commit: { ...data.meta.commit, dirty: true } }), '2025-03-04T0900_table4_d72ad59-dirty');
  });

  void it('writes summary.json, summary.csv, report.md, report.html, the charts and the raw files as given', async () => {
    const written = await snapshot(files.dir);
    for (const name of ['summary.json', 'summary.csv', 'report.md', 'report.html']) assert.ok(written.has(name), name);
    assert.ok(written.has('charts/paper_add_order.svg'));
    assert.ok(written.has('charts/latency_order_query_caliper.svg'));
    assert.equal(files.charts.length, 2 + 4 * data.scenarios.length);
    for (const [name, content] of Object.entries(FIXTURE_RAW)) {
      assert.deepEqual(written.get(`raw/${name}`), Buffer.isBuffer(content) ? content : Buffer.from(content), name);
    }
  });

  void it('round-trips summary.json: the data itself with its schema version, valid', async () => {
    const json = JSON.parse(await readFile(files.summaryJson, 'utf8')) as { schemaVersion: unknown };
    assert.equal(json.schemaVersion, SCHEMA_VERSION);
    assert.deepEqual(await readReport(files.dir), data);
  });

  void it('writes one CSV row per scenario × engine, with the paper figures and measured / paper ratios', async () => {
    const [header, ...rows] = parseCsv(await readFile(files.summaryCsv, 'utf8'));
    assert.deepEqual(header, CSV_COLUMNS.map(([name]) => name));
    for (const column of [
      'scenario',
      'engine',
      'requests',
      'failures',
      'dropped_iterations',
      'success_rate_pct',
      'throughput_tx_per_min',
      'latency_avg_s',
      'latency_p99_s',
      'chain_cpu_avg_pct',
      'chain_mem_p95_pct',
      'service_cpu_avg_pct',
      'loadgen_mem_max_pct',
      'paper_throughput_tx_per_min',
      'ratio_throughput',
      'ratio_latency_avg',
      'ratio_chain_cpu_avg',
    ]) {
      assert.ok(header.includes(column), column);
    }
    assert.deepEqual(rows.map((r) => `${r[0]}/${r[1]}`), data.scenarios.map((s) => `${s.scenario}/${s.engine}`));
    const cell = (row: string[] | undefined, column: string): string => row?.[header.indexOf(column)] ?? 'absent';
    const addOrder = rows[1];
    const measured = data.scenarios[1]?.measured.throughputTxPerMin ?? NaN;
    assert.equal(cell(addOrder, 'paper_throughput_tx_per_min'), '216.12');
    assert.equal(Number(cell(addOrder, 'ratio_throughput')), measured / 216.12);
    assert.equal(Number(cell(addOrder, 'throughput_tx_per_min')), measured);
    assert.equal(cell(rows[0], 'paper_throughput_tx_per_min'), '', 'no paper figure for the no-op baseline');
    assert.equal(cell(rows[3], 'service_cpu_avg_pct'), '', 'no service tier under Caliper');
  });

  void it('puts paper, measured and ratio side by side in report.md', async () => {
    const md = await readFile(files.reportMd, 'utf8');
    const comparison = data.paper.find((p) => p.scenario === 'add_order' && p.engine === 'http');
    assert.ok(comparison);
    assert.ok(md.includes(`| add order | throughput | 216.12 tx/min | 772.90 tx/min | ${times(comparison.ratio.throughputTxPerMin)} |`), 'throughput row');
    assert.ok(md.includes('| paper | add order | — | 30 | 6.108 s | 294.70 tx/min | 216.12 tx/min | 0.733 | 2.221 s |'), 'Little’s law row');
    assert.ok(md.includes('![add order: measured / paper (Table 4)](charts/paper_add_order.svg)'));
    assert.ok(md.includes("3 times per step, each step's repeats back to back, in ladder order"), 'tuning order, from the windows');
    assert.ok(md.includes('| 2. max message count 10 → 30 | 1,320.0 (1,290.0–1,350.0) | ×1.20 (over 1) | 1.360 (1.330–1.390) | 2.100 (2.000–2.300) | 100.00 (100.00–100.00) |'), 'tuning row');
    // The peers at 52, 53 and 54 % of 16 cores at 1,290, 1,320 and 1,350 writes/min: 387.0, 385.5 and 384.0 ms per write.
    assert.ok(md.includes('| 2. max message count 10 → 30 | 472.7 (469.3–476.3) | 385.45 (384.00–386.98) | 87.27 (85.33–89.30) |'), 'tuning CPU row');
    assert.ok(md.includes('| 2. max message count 10 → 30 | batch timeout 2s, max message count 30, absolute max bytes 99 MB, preferred max bytes 512 KB; private data requiredPeerCount 1, maxPeerCount 3; peers as generated (Fabric\'s defaults) | yes |'), 'tuning settings row');
    assert.ok(md.includes('| service | write: endorse |'), 'breakdown row');
    assert.ok(md.includes('| add order | http | throughput |'), 'targets row');
    for (const section of ['## Against our targets (one 2-core machine)', '## What limited the runs', '## Tuning ladder (what each setting changed)', '## Where the time goes', '## Paper vs measured (Table 4)', '## Little’s law', '## Consistency', '## Resources', '## Thresholds', '## Machine, configuration, versions', '## Raw data']) {
      assert.ok(md.includes(section), section);
    }
    assert.equal(PAPER_TABLE_4.order_query.throughputTxPerMin, 40047.72);
    assert.ok(md.includes('| order query | throughput | 40,047.72 tx/min |'));
  });

  void it('marks a disturbed run in report.md and summary.json, naming the foreign process', async () => {
    const md = await readFile(files.reportMd, 'utf8');
    assert.ok(md.includes('DISTURBED: someone else\'s load used the machine during add order (caliper)'), 'banner');
    assert.ok(md.includes('## Interference: what else used the machine'));
    assert.match(md, /\| add order \| caliper \| 600 \| [\d.]+ % \| 26\.00 % \| 20\.00 % \|.*\| DISTURBED \| burner \(pid 4242\) 5\.00 % \|/);
    assert.match(md, /\| add order \| http \| 600 \| 1\.00 % \| 1\.00 % \| 0\.00 % \|.*\| quiet \| — \|/);
    const summary = JSON.parse(await readFile(join(dirname(files.reportMd), 'summary.json'), 'utf8')) as ReportData;
    assert.equal(summary.disturbed, true);
  });

  void it('makes report.html self-contained: nothing fetched, no script, every chart inline', async () => {
    const html = await readFile(files.reportHtml, 'utf8');
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|\bsrc=|url\(|@import/i);
    assert.deepEqual([...new Set(html.match(/https?:\/\/[^"'\s<]*/g))], ['http://www.w3.org/2000/svg']);
    assert.equal(html.match(/<svg /g)?.length, files.charts.length);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
  });

  void it('refuses to write over a report, and raw names that climb out of raw/', async () => {
    await assert.rejects(writeReport(files.dir, data, {}), /already holds files/);
    await assert.rejects(writeReport(join(root, 'other'), data, { '../escape.txt': 'x' }), /raw file names/);
    await assert.rejects(writeReport(join(root, 'other'), data, { '/etc/passwd': 'x' }), /raw file names/);
  });

  void it('keeps the raw files and summary.json of an invalid report, and renders nothing', async () => {
    const dir = join(root, 'invalid');
    const broken = structuredClone(data);
    const [first] = broken.scenarios;
    assert.ok(first);
    first.resources.chain.cpuPct.max = 250;
    await assert.rejects(writeReport(dir, broken, FIXTURE_RAW), (error: unknown) => {
      assert.ok(error instanceof InvalidReportError);
      assert.deepEqual(error.problems, ['report.scenarios[0].resources.chain.cpuPct.max: 250 is above 100']);
      return true;
    });
    const written = [...(await snapshot(dir)).keys()].sort();
    assert.deepEqual(written, ['raw/caliper/report.json', 'raw/config.json', 'raw/prometheus/export.json', 'raw/vegeta/add_order.results.bin', 'summary.json']);
  });
});

void describe('regenerate', () => {
  let root: string;
  let dir: string;
  let original: Map<string, Buffer>;
  const cli = join(__dirname, 'cli.js');

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'report-regen-'));
    dir = join(root, 'report');
    const { data, raw } = recordsFixture();
    await writeReport(dir, data, raw);
    original = await snapshot(dir);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it('derives every figure again from raw/ and reproduces md, html, csv and charts byte for byte', async () => {
    await rm(join(dir, 'report.html'));
    await rm(join(dir, 'report.md'));
    await rm(join(dir, 'charts'), { recursive: true });
    await writeFile(join(dir, 'summary.csv'), 'stale');
    const { rederivedFigures } = await regenerate(dir);
    assert.ok(rederivedFigures > 500, `${rederivedFigures} figures`);
    assert.deepEqual(await snapshot(dir), original);
  });

  void it('does it from the command line too', async () => {
    await rm(join(dir, 'report.md'));
    const { stdout } = await run(process.execPath, [cli, 'render', dir]);
    assert.ok(stdout.includes(join(dir, 'report.md')));
    assert.match(stdout, /figures derived again from raw\/, as summary\.json states them/);
    assert.deepEqual(await snapshot(dir), original);
  });

  void it('renders what was edited in summary.json, and refuses an invalid one', async () => {
    const data = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as ReportData;
    data.notes.push('Rerun after a <b>disk</b> | stall & recovery.');
    await writeFile(join(dir, 'summary.json'), JSON.stringify(data));
    await regenerate(dir);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    const md = await readFile(join(dir, 'report.md'), 'utf8');
    assert.ok(html.includes('<li>Rerun after a &lt;b&gt;disk&lt;/b&gt; | stall &amp; recovery.</li>'));
    assert.ok(md.includes('- Rerun after a &lt;b&gt;disk&lt;/b&gt; \\| stall &amp; recovery.'));

    data.notes = [];
    (data as { scenarios: unknown }).scenarios = 'none';
    await writeFile(join(dir, 'summary.json'), JSON.stringify(data));
    await assert.rejects(regenerate(dir), /report\.scenarios: expected a list/);
    await assert.rejects(run(process.execPath, [cli, 'validate', dir]), (error: unknown) => {
      assert.equal((error as { code?: number }).code, 1);
      assert.match((error as { stderr?: string }).stderr ?? '', /report\.scenarios: expected a list/);
      return true;
    });
  });

  void it('answers a wrong command line with its usage', async () => {
    await assert.rejects(run(process.execPath, [cli, 'draw']), (error: unknown) => {
      assert.equal((error as { code?: number }).code, 2);
      assert.match((error as { stderr?: string }).stderr ?? '', /^usage: /);
      return true;
    });
  });
});

void describe('a figure with no data', () => {
  // add order over HTTP completed nothing: no success rate, no latency; its window had no success.
  const input = fixtureInput();
  const scenarios = input.scenarios.map((s) =>
    s.scenario === 'add_order' && s.engine === 'http'
      ? { ...s, measured: { requests: 0, successes: 0, failures: 0, droppedIterations: 0, successRatePct: null, throughputTxPerMin: null, latencyS: null }, chain: null, timeSeries: [] }
      : s,
  );
  const data = completeReport({ ...input, scenarios });

  void it('fails every threshold on it, with no value', () => {
    const onIt = data.thresholds.filter((t) => t.scenario === 'add_order' && t.engine === 'http');
    assert.equal(onIt.length, 3);
    for (const t of onIt) assert.deepEqual([t.metric, t.actual, t.pass], [t.metric, null, false]);
    assert.equal(validateReport(data).length, 0, validateReport(data).join('\n'));
  });

  void it('reads "no data" in md, html and csv, never 0', () => {
    const files = renderFiles(data, []);
    const md = files.get('report.md') ?? '';
    assert.match(md, /\| add order \| http \| 0 \| 0 \| 0 \| 0 \| no data \| no data \| no data \| no data \| no data \| no data \| no data \|/);
    assert.match(md, /\| add order \| http \| success rate \| ≥ 99\.90 % \| no data \| FAIL \|/);
    assert.ok((files.get('report.html') ?? '').includes('<td class="num">no data</td>'));
    const [header = [], ...rows] = parseCsv(files.get('summary.csv') ?? '');
    const row = rows.find((r) => r[0] === 'add_order' && r[1] === 'http') ?? [];
    for (const column of ['success_rate_pct', 'throughput_tx_per_min', 'latency_avg_s', 'latency_p99_s']) assert.equal(row[header.indexOf(column)], 'no data', column);
  });
});
