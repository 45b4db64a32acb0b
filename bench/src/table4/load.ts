import { NativeNetwork, StateLayout } from '@energysale/network';

import type { PhaseFigures as ReportPhase } from '../report/schema';
import type { LoadEngine } from '../engine/engine';
import type { ProgressMetrics } from '../progress/metrics';
import { run, type Options, type RunOptions, type Summary } from '../scenario';
import type { PhaseFigures } from '../scenario/summary';

/*
 * Running one test of a benchmark on the load engine, and its figures as a report states them:
 * shared by the Table 4 reproduction, its tuning ladder and the regression gate.
 */

const seconds = (ms: number | null | undefined): number => (ms ?? 0) / 1000;

/** A phase of a test (measured window or warm-up) as the report's figures: seconds, tx/min, %. */
export function phase(figures: PhaseFigures): ReportPhase {
  const d = figures.metrics.http_req_duration;
  return {
    requests: figures.requests,
    successes: figures.successes,
    failures: figures.failures,
    droppedIterations: figures.droppedIterations,
    successRatePct: (figures.successRate ?? 0) * 100,
    throughputTxPerMin: figures.throughput.successesPerMinute ?? 0,
    latencyS: { avg: seconds(d.avg), p50: seconds(d.med), p95: seconds(d['p(95)']), p99: seconds(d['p(99)']), max: seconds(d.max) },
  };
}

/** What every test of a run shares: its log, the load engine, and the progress metrics Prometheus scrapes. */
export interface LoadContext {
  readonly log: (line: string) => void;
  readonly engine: LoadEngine;
  readonly metrics: ProgressMetrics;
  /** Told every response (see RunOptions.onResponse). */
  readonly onResponse?: RunOptions['onResponse'];
}

export async function runTest(options: Options, { log, engine, metrics, onResponse }: LoadContext): Promise<Summary> {
  let last = 0;
  const { summary } = await run(options, {
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
  return summary;
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
