/**
 * `bench engines`: the two HTTP load engines measured side by side in one run, on one fixture and
 * the same closed-loop test (Table 4's order query by default): vegeta driven by the scenario
 * runner, and the script runner's in-process undici engine running bench/scenarios/table4-*.ts.
 * For each, in alternating order over the repeats: the measured window's throughput and latency
 * (one derivation, report/derive.ts's, for both), and the load generator's CPU per request (this
 * process, and its children: vegeta). The figures decide which engine Table 4 keeps.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

import { parseStatUsage, StateLayout } from '@energysale/network';
import { TokenIssuer } from '@energysale/service';

import { spread, type Spread } from '../gate/statistics';
import { startOwnServiceTier } from '../interrupt';
import { CLOCK_TICKS_PER_S } from '../soak/raw';
import { phaseFigures, type Outcome, type Span } from '../report/derive';
import { reportDirName } from '../report/render';
import type { PhaseFigures } from '../report/schema';
import { DEFAULT_DISTURBANCE, InterferenceSampler, ourRoots, summarise, type InterferenceSummary } from '../resources/interference';
import { isFailure } from '../scenario/log';
import type { ScenarioRecords } from '../scenario/records';
import { compiledScript, runScriptTest, TABLE4_SCRIPTS, table4Test } from '../script/benchmark';
import { runningNetwork, runTest } from '../table4/load';
import { prepare } from '../table4/prepare';
import { commit, machine } from '../table4/provenance';
import { addOrderOptions, orderQueryOptions } from '../table4/scenarios';
import type { Profile } from '../table4/profiles';
import { ProgressMetrics } from '../progress/metrics';
import { VegetaEngine } from './vegeta';

export type EngineName = 'vegeta' | 'undici';
export type ComparedTest = 'order_query' | 'add_order';

export interface EngineMeasurement {
  readonly engine: EngineName;
  readonly repeat: number;
  readonly window: { readonly start: string; readonly end: string };
  readonly measured: PhaseFigures;
  /** Requests sent over the whole run of the test (warm-up included): what the CPU was spent on. */
  readonly requestsSent: number;
  /** CPU of this process (the harness: the scenario runner, or the script runner and undici), ms. */
  readonly harnessCpuMs: number;
  /** CPU of its children that ended during the test (vegeta), ms. */
  readonly childCpuMs: number;
  /** (harness + children) / requests sent, µs. */
  readonly cpuUsPerRequest: number;
  readonly interference: InterferenceSummary;
}

export interface EngineComparison {
  readonly schemaVersion: 1;
  readonly kind: 'engines';
  readonly test: ComparedTest;
  readonly startedAt: string;
  readonly commit: { readonly sha: string; readonly dirty: boolean };
  readonly machine: ReturnType<typeof machine>;
  readonly config: { readonly users: number; readonly warmup: string; readonly duration: string; readonly repeats: number };
  readonly runs: readonly EngineMeasurement[];
  /** Median and range over the repeats, per engine. */
  readonly byEngine: Readonly<Record<EngineName, { readonly throughputTxPerMin: Spread; readonly avgLatencyS: Spread; readonly cpuUsPerRequest: Spread }>>;
  /** undici's median over vegeta's. */
  readonly ratios: { readonly throughput: number; readonly avgLatency: number; readonly cpuPerRequest: number };
  readonly disturbed: boolean;
}

/** CPU of this process and of its waited-for children (cutime + cstime of /proc/self/stat), ms. */
function cpuNow(): { selfMs: number; childrenMs: number } {
  const usage = process.cpuUsage();
  const children = parseStatUsage(readFileSync('/proc/self/stat', 'utf8'))?.reapedChildrenTicks ?? 0;
  return { selfMs: (usage.user + usage.system) / 1000, childrenMs: (children * 1000) / CLOCK_TICKS_PER_S };
}

export interface CompareOptions {
  readonly test: ComparedTest;
  readonly users: number;
  readonly warmup: string;
  readonly duration: string;
  readonly repeats: number;
  readonly reportsDir: string;
  readonly log: (line: string) => void;
}

export async function compareEngines(options: CompareOptions): Promise<{ dir: string; comparison: EngineComparison }> {
  const { log, test } = options;
  const layout = new StateLayout();
  const network = await runningNetwork(layout);
  const tier = await startOwnServiceTier(layout, { withLb: true, logLevel: 'warn' });
  const startedAt = new Date().toISOString();
  const sampler = new InterferenceSampler(ourRoots(layout));
  const runs: EngineMeasurement[] = [];
  const raw: Record<string, Buffer> = {};
  try {
    const tokens = new TokenIssuer(layout);
    log(`preparing one fixture for both engines: ${options.users} users`);
    const fixture = await prepare(network.topology, layout, tokens, tier.url, { users: options.users, preloadOrdersPerUser: 2, log });
    const profile: Profile = { name: 'quick', users: options.users, duration: options.duration, warmup: options.warmup, preloadOrdersPerUser: 2, settings: 'model', tuning: null };
    const vegeta = await VegetaEngine.locate();
    // Type-checked before any CPU is counted.
    compiledScript(TABLE4_SCRIPTS[test]);
    sampler.start();

    const measure = async (engine: EngineName, repeat: number): Promise<void> => {
      log(`${test} with ${engine}, repeat ${repeat}`);
      // Ids of this measurement's own: add order writes orders keyed by the fixture's run id.
      const own = { ...fixture, runId: `${fixture.runId}${engine.slice(0, 1)}${repeat}` };
      const before = cpuNow();
      let records: ScenarioRecords | undefined;
      if (engine === 'vegeta') {
        const build = test === 'order_query' ? orderQueryOptions : addOrderOptions;
        const ran = await runTest(build(tier.url, profile, own), { log, engine: vegeta, metrics: new ProgressMetrics() });
        records = ran.records.find((r) => r.scenario === test);
      } else {
        const ran = await runScriptTest(table4Test(test, profile, own), { log, metrics: new ProgressMetrics(), network: { topology: network.topology, layout, tokens, baseUrl: tier.url } });
        records = ran.records[0];
      }
      const after = cpuNow();
      if (records?.windows.measured == null) throw new Error(`${engine}'s ${test} has no measured window`);
      const window: Span = records.windows.measured;
      const outcomes: Outcome[] = records.requests.filter((r) => r.phase === 'measured').map((r) => ({ startMs: r.startMs, endMs: r.startMs + r.latencyMs, ok: !isFailure(r.status) }));
      const sent = records.requests.length;
      const harnessCpuMs = after.selfMs - before.selfMs;
      const childCpuMs = after.childrenMs - before.childrenMs;
      const measured = phaseFigures(outcomes, window, 0);
      const interference = summarise(sampler.between(window.startMs, window.endMs), DEFAULT_DISTURBANCE);
      runs.push({
        engine,
        repeat,
        window: { start: new Date(window.startMs).toISOString(), end: new Date(window.endMs).toISOString() },
        measured,
        requestsSent: sent,
        harnessCpuMs,
        childCpuMs,
        cpuUsPerRequest: sent === 0 ? Number.NaN : ((harnessCpuMs + childCpuMs) * 1000) / sent,
        interference,
      });
      raw[`raw/${engine}-${repeat}.json.gz`] = gzipSync(JSON.stringify({ window, outcomes: outcomes.map((o) => [o.startMs, Math.round((o.endMs - o.startMs) * 1000) / 1000, o.ok ? 1 : 0]) }));
      log(
        `  ${engine}: ${measured.throughputTxPerMin?.toFixed(1) ?? 'no data'} tx/min, avg ${measured.latencyS?.avg.toFixed(4) ?? 'no data'} s, ` +
          `CPU ${(harnessCpuMs + childCpuMs).toFixed(0)} ms for ${sent} requests (${runs.at(-1)?.cpuUsPerRequest.toFixed(1) ?? ''} µs each)${interference.disturbed ? ', DISTURBED' : ''}`,
      );
    };
    for (let repeat = 1; repeat <= options.repeats; repeat++) {
      const order: EngineName[] = repeat % 2 === 1 ? ['vegeta', 'undici'] : ['undici', 'vegeta'];
      for (const engine of order) await measure(engine, repeat);
    }
  } finally {
    sampler.stop();
    await tier.stop();
  }

  const of = (engine: EngineName) => runs.filter((r) => r.engine === engine);
  const figures = (engine: EngineName) => ({
    throughputTxPerMin: spread(of(engine).map((r) => r.measured.throughputTxPerMin ?? Number.NaN)),
    avgLatencyS: spread(of(engine).map((r) => r.measured.latencyS?.avg ?? Number.NaN)),
    cpuUsPerRequest: spread(of(engine).map((r) => r.cpuUsPerRequest)),
  });
  const byEngine = { vegeta: figures('vegeta'), undici: figures('undici') };
  const sha = commit();
  const comparison: EngineComparison = {
    schemaVersion: 1,
    kind: 'engines',
    test,
    startedAt,
    commit: sha,
    machine: machine(),
    config: { users: options.users, warmup: options.warmup, duration: options.duration, repeats: options.repeats },
    runs,
    byEngine,
    ratios: {
      throughput: byEngine.undici.throughputTxPerMin.median / byEngine.vegeta.throughputTxPerMin.median,
      avgLatency: byEngine.undici.avgLatencyS.median / byEngine.vegeta.avgLatencyS.median,
      cpuPerRequest: byEngine.undici.cpuUsPerRequest.median / byEngine.vegeta.cpuUsPerRequest.median,
    },
    disturbed: runs.some((r) => r.interference.disturbed),
  };
  const dir = path.join(options.reportsDir, reportDirName({ startedAt, name: `engines-${test}`, commit: sha }));
  await mkdir(path.join(dir, 'raw'), { recursive: true });
  await writeFile(path.join(dir, 'engines.json'), `${JSON.stringify(comparison, null, 2)}\n`);
  await writeFile(path.join(dir, 'engines.md'), markdown(comparison));
  for (const [name, data] of Object.entries(raw)) await writeFile(path.join(dir, name), data);
  return { dir, comparison };
}

function markdown(c: EngineComparison): string {
  const f = (s: Spread, digits: number): string => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
  const rows = (['vegeta', 'undici'] as const).map(
    (e) => `| ${e} | ${f(c.byEngine[e].throughputTxPerMin, 1)} | ${f(c.byEngine[e].avgLatencyS, 4)} | ${f(c.byEngine[e].cpuUsPerRequest, 1)} |`,
  );
  const runs = c.runs.map(
    (r) =>
      `| ${r.repeat} | ${r.engine} | ${r.measured.throughputTxPerMin?.toFixed(1) ?? 'no data'} | ${r.measured.latencyS?.avg.toFixed(4) ?? 'no data'} | ${r.measured.successRatePct?.toFixed(2) ?? 'no data'} | ${r.requestsSent} | ${r.harnessCpuMs.toFixed(0)} | ${r.childCpuMs.toFixed(0)} | ${r.cpuUsPerRequest.toFixed(1)} | ${r.interference.disturbed ? 'DISTURBED' : `other ${r.interference.otherPct.avg.toFixed(1)} %`} |`,
  );
  return `# Load engines compared: ${c.test}

${c.startedAt}; commit ${c.commit.sha.slice(0, 12)}${c.commit.dirty ? ' (dirty)' : ''}; ${c.machine.cores} cores ${c.machine.cpuModel}, ${c.machine.memoryGiB} GiB, Node ${c.machine.node}.
${c.config.users} users closed loop, warm-up ${c.config.warmup}, measured ${c.config.duration}, ${c.config.repeats} repeats per engine in alternating order, one fixture.
${c.disturbed ? '\n**DISTURBED**: someone else used the machine during a measured window; these figures are not the engines\' alone.\n' : ''}
Median (min–max) over the repeats:

| engine | throughput tx/min | avg latency s | load-generator CPU µs/request |
|---|---|---|---|
${rows.join('\n')}

undici / vegeta: throughput ${c.ratios.throughput.toFixed(3)}, avg latency ${c.ratios.avgLatency.toFixed(3)}, CPU per request ${c.ratios.cpuPerRequest.toFixed(3)}.

CPU per request is the load generator's whole cost: for vegeta, its process plus this harness (the scenario runner that
feeds it targets, decodes its results and checks each response); for undici, this process alone. Requests sent include the
warm-up.

| repeat | engine | tx/min | avg s | success % | requests | harness CPU ms | vegeta CPU ms | µs/request | interference |
|---|---|---|---|---|---|---|---|---|---|
${runs.join('\n')}

Raw: \`raw/<engine>-<repeat>.json.gz\`, each measured window and its requests ([start ms, latency ms, ok]).
`;
}

/** Derives every measured window's figures again from the raw outcomes beside a comparison and checks them against engines.json. */
export async function rederiveComparison(dir: string): Promise<{ same: boolean; checked: number }> {
  const comparison = JSON.parse(await readFile(path.join(dir, 'engines.json'), 'utf8')) as EngineComparison;
  let same = true;
  for (const run of comparison.runs) {
    const raw = JSON.parse(gunzipSync(await readFile(path.join(dir, `raw/${run.engine}-${run.repeat}.json.gz`))).toString('utf8')) as {
      window: Span;
      outcomes: [number, number, number][];
    };
    const outcomes = raw.outcomes.map(([startMs, latencyMs, ok]) => ({ startMs, endMs: startMs + latencyMs, ok: ok === 1 }));
    const again = phaseFigures(outcomes, raw.window, 0);
    const close = (a: number | null | undefined, b: number | null | undefined): boolean => (a ?? 0) === (b ?? 0) || Math.abs((a ?? 0) - (b ?? 0)) <= 1e-6 * Math.max(1, Math.abs(a ?? 0));
    same &&= again.requests === run.measured.requests && close(again.throughputTxPerMin, run.measured.throughputTxPerMin) && close(again.latencyS?.avg, run.measured.latencyS?.avg) && close(again.latencyS?.p95, run.measured.latencyS?.p95);
  }
  return { same, checked: comparison.runs.length };
}
