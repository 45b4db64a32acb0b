import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

import { describeBatchSettings, ledgerHeight, peers, readBatchSettings, readRuntime, registerLoad, StateLayout, topologyHash } from '@energysale/network';
import { TokenIssuer } from '@energysale/service';

import { VegetaEngine } from '../engine/vegeta';
import { ProgressMetrics } from '../progress/metrics';
import { startOwnServiceTier } from '../interrupt';
import { decodeBlockRecords, encodeBlockRecords, type BlockRecords } from '../report/block-records';
import { chartsOf } from '../report/document';
import { reportDirName, toHtml, toMarkdown } from '../report/render';
import { InterferenceSampler, ourRoots, type InterferencePoint } from '../resources/interference';
import type { Options, Scenario } from '../scenario';
import { scanStart, scanWindow } from '../table4/chain-count';
import { runningNetwork, runTest } from '../table4/load';
import { prepare } from '../table4/prepare';
import { PROFILES } from '../table4/profiles';
import { commit, machine } from '../table4/provenance';
import { EXIT_DISTURBED, EXIT_THRESHOLD_FAILED } from '../table4/run';
import { addOrderRequests, orderQueryRequests, type Requests } from '../table4/scenarios';
import { deriveSoak, type SoakFigures } from './derive';
import { CLOCK_TICKS_PER_S, decodeResponses, encodeResponses, parseSoakRaw, SOAK_RAW_SCHEMA, type InterferenceSecond, type ResponseRow, type Snapshot, type SoakConfig, type SoakGroup, type SoakRaw } from './raw';
import { intervalsCsv, SOAK_SCHEMA, soakDocument, type SoakMeta, type SoakReport } from './report';
import { snapshot } from './sample';

/*
 * `bench soak`: one scenario held for a long time on the running network, every process of ours, the
 * ledgers and the machine sampled at each interval, so that what grows with age shows as a drift.
 */

export interface SoakRun {
  readonly dir: string;
  readonly report: SoakReport;
}

export class SoakRenderError extends Error {
  override readonly name = 'SoakRenderError';
}

const RAW_SAMPLES = 'samples.json';
/** The progress line's derivation reads no block. */
const NO_BLOCKS: BlockRecords = { source: 'none', transactions: [] };
const RAW_RESPONSES = 'requests.csv.gz';
const RAW_BLOCKS = 'blocks.json.gz';

/** The load of a scenario: add order, order query, or both at once (the users split between them). */
function soakOptions(config: SoakConfig, baseUrl: string, fixture: Parameters<typeof addOrderRequests>[1]): Options {
  const path = { kind: 'http', baseUrl } as const;
  const duration = `${String(Math.ceil((config.warmupMs + config.durationMs) / 1000) + 2)}s`;
  const scenario = (vus: number, requests: Requests): Scenario => ({ executor: 'constant-vus', vus, duration, ...requests });
  switch (config.scenario) {
    case 'add_order':
      return { scenarios: { add_order: scenario(config.users, addOrderRequests(path, fixture)) } };
    case 'order_query':
      return { scenarios: { order_query: scenario(config.users, orderQueryRequests(path, fixture)) } };
    case 'mixed': {
      const writers = Math.max(1, Math.floor(config.users / 2));
      return { scenarios: { add_order: scenario(writers, addOrderRequests(path, fixture)), order_query: scenario(Math.max(1, config.users - writers), orderQueryRequests(path, fixture)) } };
    }
  }
}

function second(p: InterferencePoint): InterferenceSecond {
  const r = (v: number): number => Math.round(v * 100) / 100;
  const foreign = [...p.foreign].sort(([, a], [, b]) => b.cpuPct - a.cpuPct).slice(0, 3).map(([pid, f]) => [pid, f.name, r(f.cpuPct)] as const);
  return { t: p.t, machinePct: r(p.machinePct), oursPct: r(p.oursPct), kernelPct: r(p.kernelPct), otherPct: r(p.otherPct), stealPct: r(p.stealPct), foreign };
}

/** The exit code of a soak: 98 when disturbed (whatever the drift said), 99 when a drift rule failed, 0 otherwise. */
export function soakExitCode(figures: SoakFigures): number {
  if (figures.interference.disturbed) return EXIT_DISTURBED;
  return figures.verdicts.every((v) => v.passed) ? 0 : EXIT_THRESHOLD_FAILED;
}

async function writeFiles(dir: string, files: ReadonlyMap<string, string | Buffer>): Promise<void> {
  for (const [name, content] of files) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
}

/** soak.json, soak.md, soak.html, intervals.csv and charts/, from the report and its raw data. */
async function renderSoak(dir: string, report: SoakReport, raw: SoakRaw): Promise<void> {
  const rawFiles = await Promise.all([RAW_SAMPLES, RAW_RESPONSES, RAW_BLOCKS].map(async (name) => ({ name, size: (await stat(join(dir, 'raw', name))).size })));
  const document = soakDocument(report, raw, rawFiles);
  await rm(join(dir, 'charts'), { recursive: true, force: true });
  await writeFiles(
    dir,
    new Map([
      ['soak.json', `${JSON.stringify(report, null, 2)}\n`],
      ['soak.md', toMarkdown(document)],
      ['soak.html', toHtml(document)],
      ['intervals.csv', intervalsCsv(report.figures)],
      ...chartsOf(document).map((c): [string, string] => [`charts/${c.id}.svg`, `${c.svg}\n`]),
    ]),
  );
}

async function readRaw(dir: string): Promise<{ raw: SoakRaw; rows: ResponseRow[]; blocks: BlockRecords }> {
  return {
    raw: parseSoakRaw(await readFile(join(dir, 'raw', RAW_SAMPLES), 'utf8')),
    rows: decodeResponses(await readFile(join(dir, 'raw', RAW_RESPONSES))),
    blocks: decodeBlockRecords(await readFile(join(dir, 'raw', RAW_BLOCKS)), `raw/${RAW_BLOCKS}`),
  };
}

/**
 * Derives every figure of a soak report again from its raw/, checks them against soak.json (any
 * difference is an error naming the first figure that differs) and renders the report again.
 */
export async function renderSoakReport(dir: string): Promise<SoakReport> {
  const parsed = JSON.parse(await readFile(join(dir, 'soak.json'), 'utf8')) as { schema?: unknown };
  if (parsed.schema !== SOAK_SCHEMA) throw new SoakRenderError(`${dir}/soak.json: schema ${JSON.stringify(parsed.schema)}, expected ${SOAK_SCHEMA}`);
  const stored = parsed as SoakReport;
  const { raw, rows, blocks } = await readRaw(dir);
  const figures = JSON.parse(JSON.stringify(deriveSoak(raw, rows, blocks))) as SoakFigures;
  if (!isDeepStrictEqual(figures, stored.figures)) {
    const differs = (Object.keys(figures) as (keyof SoakFigures)[]).find((k) => !isDeepStrictEqual(figures[k], stored.figures[k]));
    throw new SoakRenderError(`${dir}: the figures derived from raw/ differ from soak.json's (first in "${String(differs)}")`);
  }
  await renderSoak(dir, stored, raw);
  return stored;
}

/** "30 min", "90 s". */
const durationText = (ms: number): string => (ms >= 60_000 && ms % 60_000 === 0 ? `${String(ms / 60_000)} min` : `${String(ms / 1000)} s`);

export interface SoakOptions {
  readonly config: SoakConfig;
  readonly reportsDir: string;
  readonly log: (line: string) => void;
}

export async function runSoak({ config, reportsDir, log }: SoakOptions): Promise<SoakRun> {
  const layout = new StateLayout();
  const network = await runningNetwork(layout);
  const startedAt = new Date().toISOString();
  const [firstPeer] = peers(network.topology);
  const heightAtStart = firstPeer ? ((await ledgerHeight(firstPeer, network.topology.channel.name)) ?? null) : null;
  log('starting the service tier');
  const tier = await startOwnServiceTier(layout, { withLb: true, logLevel: 'warn' });
  const engine = await VegetaEngine.locate();
  try {
    const fixture = await prepare(network.topology, layout, new TokenIssuer(layout), tier.url, { users: config.users, preloadOrdersPerUser: PROFILES.quick.preloadOrdersPerUser, log });
    const batch = describeBatchSettings(await readBatchSettings(await network.context()));
    // This process's tree (the harness and its vegeta) is the network's load while the soak runs.
    const registration = registerLoad(layout);
    const groups = new Map<string, SoakGroup>();
    const interference = new InterferenceSampler(ourRoots(layout));
    const rows: ResponseRow[] = [];
    const snapshots: Snapshot[] = [];
    const intervals = Math.floor(config.durationMs / config.intervalMs);
    if (intervals < 1) throw new SoakRenderError(`a soak of ${String(config.durationMs)} ms holds no interval of ${String(config.intervalMs)} ms`);

    const firstBlock = await scanStart(network.topology);
    const loadStartedMs = Date.now();
    const measuredFromMs = loadStartedMs + config.warmupMs;
    interference.start();
    log(`soak: ${config.scenario}, ${String(config.users)} users, ${String(config.warmupMs / 1000)} s warm-up, then ${String(intervals)} intervals of ${String(config.intervalMs / 1000)} s`);
    const load = runTest(soakOptions(config, tier.url, fixture), {
      log: () => undefined,
      engine,
      metrics: new ProgressMetrics(),
      onResponse: (scenario, res) => rows.push({ scenario, startMs: res.startMs - loadStartedMs, latencyMs: res.latencyMs, status: res.status }),
    });
    const partialRaw = (): SoakRaw => ({
      schema: SOAK_RAW_SCHEMA,
      config,
      clockTicksPerS: CLOCK_TICKS_PER_S,
      cores: availableParallelism(),
      loadStartedMs,
      measuredFromMs,
      processes: [...groups].map(([id, group]) => ({ id, group })),
      snapshots,
      interference: interference.between().map(second),
    });
    // Snapshots at the measured window's start and at each interval's end, while the load runs.
    const sampling = (async (): Promise<void> => {
      let mark = 0;
      for (let i = 0; i <= intervals; i++) {
        await sleep(Math.max(0, measuredFromMs + i * config.intervalMs - Date.now()));
        const taken = await snapshot(network, layout);
        snapshots.push(taken.snapshot);
        for (const [id, group] of taken.groups) groups.set(id, group);
        const since = mark;
        mark = rows.length;
        if (i === 0) continue;
        // The progress line: this interval alone (the report derives every interval from all the responses).
        const partial = deriveSoak({ ...partialRaw(), snapshots: snapshots.slice(-2) }, rows.slice(since), NO_BLOCKS);
        const last = partial.intervals[0];
        if (last) {
          log(
            `  interval ${String(i)}/${String(intervals)}: ${last.throughputPerMin?.toFixed(1) ?? 'no data'} tx/min, p50 ${last.latencyS.p50?.toFixed(3) ?? 'no data'} s, ` +
              `chain ${last.groupCpuMsPerTx.chain?.toFixed(2) ?? 'no data'} CPU ms/tx, height ${String(last.ledgerHeight ?? 'no data')}, other ${last.otherPct?.toFixed(1) ?? 'no data'} %`,
          );
        }
      }
    })();
    await Promise.all([sampling, load]).finally(() => {
      registration.unregister();
    });
    interference.stop();

    const raw = partialRaw();
    const lastSnapshot = snapshots[snapshots.length - 1];
    log('reading the blocks of the measured window');
    const scanned = await scanWindow(network.topology, layout, firstBlock, measuredFromMs, lastSnapshot?.t ?? measuredFromMs);
    // The figures come from raw/ as it is kept (responses at 0.01 ms), so that --render finds the same.
    const responses = encodeResponses(rows);
    const blocks = encodeBlockRecords(scanned);
    const figures = deriveSoak(raw, decodeResponses(responses), decodeBlockRecords(blocks, RAW_BLOCKS));
    const meta: SoakMeta = {
      title: `Soak: ${config.scenario}, ${String(config.users)} users, ${durationText(config.durationMs)}`,
      startedAt,
      endedAt: new Date().toISOString(),
      commit: commit(),
      machine: machine(),
      runtime: (await readRuntime(layout)).kind,
      topology: topologyHash(network.topology),
      batch,
      config,
      heightAtStart,
    };
    const report: SoakReport = { schema: SOAK_SCHEMA, meta, figures: JSON.parse(JSON.stringify(figures)) as SoakFigures, exitCode: soakExitCode(figures) };
    const dir = join(reportsDir, reportDirName({ startedAt, name: `soak-${config.scenario}`, commit: meta.commit }));
    if ((await readdir(dir).catch(() => [])).length > 0) throw new SoakRenderError(`${dir} already holds files; a report is never written over another`);
    await writeFiles(join(dir, 'raw'), new Map<string, string | Buffer>([[RAW_SAMPLES, `${JSON.stringify(raw)}\n`], [RAW_RESPONSES, responses], [RAW_BLOCKS, blocks]]));
    await renderSoak(dir, report, raw);
    return { dir, report };
  } finally {
    await tier.stop();
  }
}
