/*
 * A user's own Caliper benchmark (their benchconfig and workload modules) against this network: the
 * network config is derived from the model and the channel's committed chaincodes; Caliper runs as
 * for our own rounds; and a transaction that failed fails the run, where Caliper itself exits 0.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { AdminCli, clientAuthOf, committedChaincodes, locateToolchain, StateLayout, stateTopology, tail, type ClientAuth, type Topology } from '@energysale/network';

import { caliperNetworkConfig, type CaliperNetworkConfig } from './network-config';
import { parseCaliperReport, type CaliperRoundSummary } from './report-html';
import { CaliperRunError, launchCaliper } from './run';

/** Where the network's state is, and what the model is; the state's own when absent. */
export interface NetworkSource {
  readonly layout?: StateLayout;
  readonly topology?: Topology;
  /**
   * Whether peers require a client certificate, which picks the connector: ours when `required`,
   * Caliper's stock one when `optional`. Default: the network's setting (`network up --client-auth`).
   */
  readonly clientAuth?: ClientAuth;
}

/**
 * Writes Caliper's network config for this network to `out` (JSON, which Caliper reads as YAML
 * too): every org's model users as identities, and as contracts every chaincode committed on the
 * channel, as a peer of the channel reports them.
 */
export async function writeCaliperNetworkConfig(out: string, source: NetworkSource): Promise<CaliperNetworkConfig> {
  const layout = source.layout ?? new StateLayout();
  const topology = source.topology ?? stateTopology(layout).topology;
  const committed = await committedChaincodes(new AdminCli(await locateToolchain(), layout, topology), topology);
  const config = caliperNetworkConfig(topology, layout, { contracts: committed.map((c) => c.name), clientAuth: source.clientAuth ?? clientAuthOf(topology) });
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(config, null, 2)}\n`);
  return config;
}

export interface UserCaliperOptions extends NetworkSource {
  /** The user's Caliper benchmark configuration (YAML or JSON). */
  readonly benchConfig: string;
  /** Caliper's workspace, against which the benchconfig's module paths resolve; the benchconfig's folder when absent. */
  readonly workspace?: string;
  /** Where the network config, Caliper's log and report.html go. */
  readonly outDir: string;
  /** Return the rounds even when transactions failed (default: such a run fails). */
  readonly allowFailures?: boolean;
  /** Caliper is stopped after this long (default 30 minutes). */
  readonly limitS?: number;
  readonly log?: (line: string) => void;
}

export interface UserCaliperRun {
  readonly rounds: readonly CaliperRoundSummary[];
  readonly networkConfig: string;
  readonly report: string;
  readonly logFile: string;
}

/** Caliper completed, but some transactions failed (Caliper itself exits 0 then). */
export class CaliperFailedTransactionsError extends Error {
  override readonly name = 'CaliperFailedTransactionsError';
  constructor(
    readonly rounds: readonly CaliperRoundSummary[],
    readonly report: string,
  ) {
    const failed = rounds.filter((r) => r.fail > 0);
    super(`${failed.map((r) => `${r.name}: ${r.fail} of ${r.succ + r.fail} transactions failed`).join('; ')} (Caliper's report: ${report})`);
  }
}

export const DEFAULT_USER_LIMIT_S = 1800;

/** One line per round: successes, failures, throughput, as Caliper's summary gives them. */
export function roundLines(rounds: readonly CaliperRoundSummary[]): string[] {
  const width = Math.max(5, ...rounds.map((r) => r.name.length));
  return [
    `${'round'.padEnd(width)}  ${'succ'.padStart(8)}  ${'fail'.padStart(8)}  ${'TPS'.padStart(8)}`,
    ...rounds.map((r) => `${r.name.padEnd(width)}  ${String(r.succ).padStart(8)}  ${String(r.fail).padStart(8)}  ${r.throughputTps.toFixed(1).padStart(8)}`),
  ];
}

/** The run's verdict on Caliper's rounds: any failed transaction fails it, unless failures are allowed. */
export function judgeRounds(rounds: readonly CaliperRoundSummary[], report: string, allowFailures = false): void {
  if (!allowFailures && rounds.some((r) => r.fail > 0)) throw new CaliperFailedTransactionsError(rounds, report);
}

/**
 * Runs a user's Caliper benchmark against the network: writes the network config, launches
 * `caliper launch manager` with the user's benchconfig and workspace (bounded in time), reads the
 * rounds from Caliper's report, prints them, and judges them.
 */
export async function runUserCaliper(options: UserCaliperOptions): Promise<UserCaliperRun> {
  const log = options.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const benchConfig = resolve(options.benchConfig);
  const workspace = resolve(options.workspace ?? dirname(benchConfig));
  const outDir = resolve(options.outDir);
  const networkConfig = join(outDir, 'network-config.json');
  const report = join(outDir, 'report.html');
  const logFile = join(outDir, 'caliper.log');
  const limitS = options.limitS ?? DEFAULT_USER_LIMIT_S;

  const config = await writeCaliperNetworkConfig(networkConfig, options);
  log(`caliper: ${benchConfig} in ${workspace}, contracts ${config.channels.flatMap((c) => c.contracts.map((k) => k.id)).join(', ')}, ${config.caliper.blockchain === 'fabric' ? "Caliper's stock connector" : 'our mutual-TLS connector'}, stopped after ${limitS} s at most`);
  await launchCaliper(
    ['--caliper-workspace', workspace, '--caliper-networkconfig', networkConfig, '--caliper-benchconfig', benchConfig, '--caliper-flow-only-test', '--caliper-report-path', report],
    { cwd: workspace, logFile, limitMs: limitS * 1000, log },
  );

  let rounds: CaliperRoundSummary[];
  try {
    rounds = parseCaliperReport(await readFile(report, 'utf8'));
  } catch (error) {
    throw new CaliperRunError('Caliper wrote no readable report', await tail(logFile, 40), { cause: error });
  }
  for (const line of roundLines(rounds)) log(line);
  judgeRounds(rounds, report, options.allowFailures);
  return { rounds, networkConfig, report, logFile };
}
