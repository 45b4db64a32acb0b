import { NativeNetwork, StateLayout } from '@energysale/network';

import type { DerivedTest } from '../report/derive';
import { deriveScenario } from '../report/request-records';
import type { LoadEngine } from '../engine/engine';
import type { ProgressMetrics } from '../progress/metrics';
import { run, type Options, type RunOptions, type ScenarioRecords, type Summary } from '../scenario';

/*
 * Running one test of a benchmark on the load engine, and its figures as a report states them:
 * shared by the Table 4 reproduction, its tuning ladder and the regression gate.
 */

/** A test that ran: the runner's summary (thresholds, checks) and every request it sent. */
export interface TestRun {
  readonly summary: Summary;
  readonly records: readonly ScenarioRecords[];
}

/** A scenario of a test (a scenario runner's or a script's) as the report's figures (seconds, tx/min, %), derived from its records. */
export function testFigures(test: Pick<TestRun, 'records'>, scenario: string): DerivedTest & { readonly records: ScenarioRecords } {
  const records = test.records.find((r) => r.scenario === scenario);
  if (records === undefined) throw new Error(`the test ran no scenario ${scenario}`);
  return { ...deriveScenario(records), records };
}

/** What every test of a run shares: its log, the load engine, and the progress metrics Prometheus scrapes. */
export interface LoadContext {
  readonly log: (line: string) => void;
  readonly engine: LoadEngine;
  readonly metrics: ProgressMetrics;
  /** Told every response (see RunOptions.onResponse). */
  readonly onResponse?: RunOptions['onResponse'];
}

export async function runTest(options: Options, { log, engine, metrics, onResponse }: LoadContext): Promise<TestRun> {
  let last = 0;
  const { summary, records } = await run(options, {
    engine,
    metrics,
    ...(onResponse && { onResponse }),
    onProgress: (p) => {
      if (p.elapsedMs - last < 5000 && p.remainingMs > 0) return;
      last = p.elapsedMs;
      const parts = Object.entries(p.scenarios).map(([name, s]) => `${name} ${s.phase}: ${s.requests} responses, ${s.failed} failed, ${s.lastSecond}/s`);
      log(`  ${Math.round(p.elapsedMs / 1000)} s elapsed, ${Math.max(0, Math.round(p.remainingMs / 1000))} s left: ${parts.join('; ')}`);
    },
  });
  return { summary, records };
}

export class NetworkNotReadyError extends Error {
  override readonly name = 'NetworkNotReadyError';
}

/** The network a benchmark runs on (the state ENERGYSALE_STATE names), refused unless every node of the model answers healthy. */
export async function runningNetwork(layout: StateLayout = new StateLayout()): Promise<NativeNetwork> {
  const network = await NativeNetwork.ofState(layout);
  const unhealthy = (await network.status()).filter((n) => !n.healthy).map((n) => n.id);
  if (unhealthy.length > 0) throw new NetworkNotReadyError(`the network is not up (${unhealthy.join(', ')}): run \`npm run network -- up\``);
  return network;
}
