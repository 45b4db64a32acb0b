import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

import { describeBatchSettings, isRunning, readBatchSettings, readRuntime, StateLayout, topologyHash, UsageError, type ProcessRecord } from '@energysale/network';
import { TokenIssuer } from '@energysale/service';

import { startOwnServiceTier } from '../interrupt';
import { ProgressMetrics } from '../progress/metrics';
import { reportDirName } from '../report/render';
import { summariseCpuProfile, type CpuProfile } from '../resources/cpuprofile';
import { DEFAULT_DISTURBANCE, InterferenceSampler, ourRoots, readProcessCpu, summarise, withDescendants, type DisturbanceRule } from '../resources/interference';
import { ResourceSampler } from '../resources/sampler';
import { runScriptTest, scriptEngine, table4Test, type ScriptTestContext, type Table4Test } from '../script/benchmark';
import { runningNetwork } from '../table4/load';
import { prepare, type Fixture } from '../table4/prepare';
import { commit, machine } from '../table4/provenance';
import { durationOption, wholeNumber } from '../ceiling/figures';
import { PROFILES } from '../table4/profiles';
import { AB_GROUPS, sidesOfRepeat, windowFigures, type AbGroup, type AbRaw, type AbSideName } from './figures';
import { AB_SCHEMA, deriveAb, exitCodeOf, writeAbReport, type AbConfig, type AbReport, type AbWindow } from './report';
import { prepareSide, type AbSide } from './sides';

/*
 * `bench ab`: two builds of the retail service measured against each other on the running network,
 * in one run. Table 4's tests through nginx and each side's service in turn (A B, B A, ...), each
 * window's throughput, latency and CPU per request of every process group (by pid), and, with
 * --cpu-prof, a V8 CPU profile of each side's instances: what a change to the service gained, as a
 * ratio of medians over at least three repeats a side.
 */

/** Which of Table 4's tests `--test` names. */
export const AB_TESTS: Readonly<Record<string, readonly Table4Test[]>> = { order_query: ['order_query'], add_order: ['add_order'], both: ['order_query', 'add_order'] };

/** The command's options as a config: the quick Table 4 profile's load, 3 repeats a side, each option given over it. */
export function abConfig(options: { readonly test?: string; readonly users?: string; readonly duration?: string; readonly warmup?: string; readonly repeats?: string; readonly 'cpu-prof'?: boolean }): AbConfig {
  const quick = PROFILES.quick;
  const tests = AB_TESTS[options.test ?? 'order_query'];
  if (tests === undefined) throw new UsageError(`--test must be one of ${Object.keys(AB_TESTS).join(', ')}, not ${options.test ?? ''}`);
  return {
    tests,
    users: options.users === undefined ? quick.users : wholeNumber('--users', options.users),
    duration: options.duration === undefined ? quick.duration : durationOption('--duration', options.duration, false),
    warmup: options.warmup === undefined ? quick.warmup : durationOption('--warmup', options.warmup, true),
    repeats: options.repeats === undefined ? 3 : wholeNumber('--repeats', options.repeats),
    preloadOrdersPerUser: quick.preloadOrdersPerUser,
    cpuProf: options['cpu-prof'] === true,
  };
}

export interface AbOptions {
  readonly a: string;
  readonly b: string;
  readonly config: AbConfig;
  readonly reportsDir: string;
  readonly log: (line: string) => void;
  readonly disturbance?: DisturbanceRule;
}

/** Everything one window left: the raw data its figures derive from, and what was read beside it. */
interface Measured {
  readonly window: Omit<AbWindow, 'figures'>;
  readonly raw: AbRaw;
  readonly records: Parameters<typeof windowFigures>[0];
}

/**
 * The processes of the groups the state records (peers, orderers, chaincode servers, service
 * instances, nginx with its workers), read again after each tier start; the load generator is this
 * process alone (the tier it starts are its children, but not its load).
 */
async function groupPids(records: () => Promise<ProcessRecord[]>): Promise<Record<AbGroup, number[]>> {
  const running = (await records()).filter(isRunning);
  const table = readProcessCpu();
  const of = (kind: ProcessRecord['kind']): number[] => [...withDescendants(running.filter((r) => r.kind === kind).map((r) => r.pid), table)];
  return { peer: of('peer'), orderer: of('orderer'), chaincode: of('chaincode'), service: of('service'), lb: of('lb'), loadGenerator: [process.pid] };
}

export async function runAb(options: AbOptions): Promise<{ dir: string; report: AbReport }> {
  const { config, log } = options;
  const disturbance = options.disturbance ?? DEFAULT_DISTURBANCE;
  const layout = new StateLayout();
  const network = await runningNetwork(layout);
  const topology = network.topology;
  const sides: Record<AbSideName, AbSide> = { A: prepareSide(options.a, log), B: prepareSide(options.b, log) };
  const startedAt = new Date().toISOString();
  const sha = commit();
  // Absolute: the service instances write their profiles into it from a working directory of their own.
  const dir = resolve(options.reportsDir, reportDirName({ startedAt, name: 'ab', commit: sha }));
  const profilesDir = join(dir, 'profiles');
  const cores = availableParallelism();

  let pids = await groupPids(() => network.supervisor.records());
  const sampler = new ResourceSampler(AB_GROUPS.map((name) => ({ name, pids: () => pids[name] })));
  const interference = new InterferenceSampler(ourRoots(layout));
  const tokens = new TokenIssuer(layout);
  const measured: Measured[] = [];
  const profiles: AbReport['profiles'][number][] = [];
  const tier = async (side: AbSideName, profileDir?: string) => {
    const started = await startOwnServiceTier(layout, { withLb: true, logLevel: 'warn', build: sides[side].build, ...(profileDir === undefined ? {} : { cpuProfileDir: profileDir }) });
    pids = await groupPids(() => network.supervisor.records());
    return started;
  };

  // The fixture (users, their tokens, the preloaded orders) once, through side A's service.
  log(`preparing the fixture through side A (${sides.A.spec})`);
  let fixture: Fixture;
  {
    const prep = await tier('A');
    try {
      fixture = await prepare(topology, layout, tokens, prep.url, { users: config.users, preloadOrdersPerUser: config.preloadOrdersPerUser, log });
    } finally {
      await prep.stop();
    }
  }
  const batch = describeBatchSettings(await readBatchSettings(await network.context()));

  sampler.start();
  interference.start();
  try {
    for (let repeat = 1; repeat <= config.repeats; repeat++) {
      for (const side of sidesOfRepeat(repeat - 1)) {
        const profileDir = config.cpuProf ? join(profilesDir, `${side}-${String(repeat)}`) : undefined;
        log(`repeat ${String(repeat)} of ${String(config.repeats)}, side ${side} (${sides[side].spec}): starting its service tier`);
        const running = await tier(side, profileDir);
        try {
          const context: ScriptTestContext = { log, metrics: new ProgressMetrics(), network: { topology, layout, tokens, baseUrl: running.url } };
          for (const test of config.tests) measured.push(await window(test, side, repeat, { config, context, fixture, sampler, interference, disturbance, cores, log }));
        } finally {
          await running.stop();
        }
        if (profileDir !== undefined) profiles.push(...(await readProfiles(profileDir, side, repeat, dir)));
      }
    }
  } finally {
    sampler.stop();
    interference.stop();
  }

  const derived = deriveAb(measured.map((m) => ({ raw: m.raw, records: m.records })));
  const windows: AbWindow[] = measured.map((m, i) => ({ ...m.window, figures: derived.windows[i] ?? notDerived(m.window) }));
  const report: AbReport = {
    schema: AB_SCHEMA,
    meta: {
      title: `A/B: ${sides.A.spec} against ${sides.B.spec}`,
      startedAt,
      endedAt: new Date().toISOString(),
      commit: sha,
      machine: machine(),
      runtime: (await readRuntime(layout)).kind,
      topology: topologyHash(topology),
      batch,
      engine: scriptEngine(),
    },
    sides: { A: sides.A, B: sides.B },
    config: { ...config, disturbance },
    windows,
    comparisons: derived.comparisons,
    profiles,
    disturbed: windows.some((w) => w.interference.disturbed),
    exitCode: exitCodeOf(windows),
  };
  await writeAbReport(dir, report, measured.map((m) => ({ raw: m.raw, records: m.records })));
  return { dir, report };
}

function notDerived(window: Pick<AbWindow, 'test' | 'side' | 'repeat'>): never {
  throw new Error(`the ${window.test} window of side ${window.side}, repeat ${String(window.repeat)}, was not derived`);
}

interface WindowContext {
  readonly config: AbConfig;
  readonly context: ScriptTestContext;
  readonly fixture: Fixture;
  readonly sampler: ResourceSampler;
  readonly interference: InterferenceSampler;
  readonly disturbance: DisturbanceRule;
  readonly cores: number;
  readonly log: (line: string) => void;
}

/** One test on one side once: its warm-up and measured window, and each group's CPU points over it. */
async function window(test: Table4Test, side: AbSideName, repeat: number, w: WindowContext): Promise<Measured> {
  w.log(`  ${test}: ${String(w.config.users)} users, ${w.config.warmup} warm-up, ${w.config.duration} measured`);
  // Each window writes orders of its own.
  const fixture: Fixture = { ...w.fixture, runId: `${w.fixture.runId}-ab${side}${String(repeat)}` };
  const ran = await runScriptTest(table4Test(test, w.config, fixture), w.context);
  const records = ran.records.find((r) => r.scenario === test);
  const span = records?.windows.measured;
  if (records === undefined || span == null) throw new Error(`ab ${test}: the script measured no window`);
  // The second after the window, so that its last interval is sampled.
  await new Promise((r) => setTimeout(r, 1200));
  await w.sampler.settled();
  w.interference.sample();
  const cpu = Object.fromEntries(
    AB_GROUPS.map((g) => [g, w.sampler.points(g, span.startMs, span.endMs + 1500).map((p) => [p.t, Math.round(p.cpuPercent * 1000) / 1000] as const)]),
  ) as unknown as AbRaw['cpu'];
  const raw: AbRaw = { test, side, repeat, cores: w.cores, cpu };
  const interference = summarise(w.interference.between(span.startMs, span.endMs), w.disturbance);
  const figures = windowFigures(records, raw);
  w.log(
    `  ${figures.throughputTxPerMin?.toFixed(0) ?? '-'} tx/min, p99 ${figures.latencyP99S?.toFixed(3) ?? '-'} s; CPU ms/request: ${AB_GROUPS.map((g) => `${g} ${figures.cpuMsPerRequest[g]?.toFixed(3) ?? '-'}`).join(', ')}` +
      `${ran.exitCode === 0 ? '' : ' (thresholds failed)'}${interference.disturbed ? ', DISTURBED' : ''}`,
  );
  return {
    window: { test, side, repeat, start: new Date(span.startMs).toISOString(), end: new Date(span.endMs).toISOString(), thresholdsPassed: ran.exitCode === 0, interference },
    raw,
    records,
  };
}

/** The profiles the side's instances wrote when they stopped, summarised, gzipped beside the report (the .cpuprofile itself goes). */
async function readProfiles(profileDir: string, side: AbSideName, repeat: number, reportDir: string): Promise<AbReport['profiles']> {
  const out: AbReport['profiles'][number][] = [];
  for (const file of (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    const text = await readFile(join(profileDir, file));
    const instance = file.replace(/\.cpuprofile$/, '');
    const saved = join('profiles', `${side}-${String(repeat)}`, `${file}.gz`);
    await mkdir(join(reportDir, 'profiles', `${side}-${String(repeat)}`), { recursive: true });
    await writeFile(join(reportDir, saved), gzipSync(text));
    out.push({ side, repeat, instance, file: saved, summary: summariseCpuProfile(JSON.parse(text.toString('utf8')) as CpuProfile) });
    await rm(join(profileDir, file));
  }
  return out;
}
