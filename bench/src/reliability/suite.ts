import { setTimeout as wait } from 'node:timers/promises';

import { StateLayout } from '@energysale/network';
import { startServiceTier, TokenIssuer } from '@energysale/service';

import { VegetaEngine } from '../engine/vegeta';
import { startOwnServiceTier } from '../interrupt';
import { ProgressMetrics } from '../progress/metrics';
import type { Options, Response } from '../scenario';
import { parseDuration } from '../scenario/duration';
import type { ChainCount } from '../report/schema';
import { InterferenceSampler, ourRoots, summarise, type InterferenceSummary } from '../resources/interference';
import { chainCountIn, DECLARE_ORDER, scanStart } from '../table4/chain-count';
import { runOrders } from '../table4/ledger';
import { runningNetwork, runTest, testFigures, type LoadContext } from '../table4/load';
import { prepare } from '../table4/prepare';
import { addOrderRequests } from '../table4/scenarios';
import { FAULTS, type FaultContext, type FaultName } from './faults';
import { reconcile, type Reconciliation } from './reconcile';

/*
 * Faults under load: for each fault, the add-order load of Table 4 (30 users, closed loop, through
 * nginx and the service), the fault injected a quarter into the measured window and undone at 60 %,
 * then the ledgers of every peer awaited until they agree, and every acknowledged order reconciled.
 */

export interface ReliabilityVariant {
  readonly users: number;
  readonly warmup: string;
  readonly duration: string;
  readonly faults: readonly FaultName[];
}

export const RELIABILITY_VARIANTS: Readonly<Record<'ci' | 'full', ReliabilityVariant>> = {
  ci: { users: 30, warmup: '3s', duration: '40s', faults: ['orderer-leader', 'peer-per-org', 'chaincode-server', 'service-instance', 'host-cut', 'host-freeze'] },
  full: { users: 30, warmup: '5s', duration: '60s', faults: ['orderer-leader', 'peer-per-org', 'chaincode-server', 'service-instance', 'host-cut', 'host-freeze'] },
};

/** One request of the load as the suite keeps it. */
interface Outcome {
  readonly id: string;
  readonly status: number;
  readonly startMs: number;
  readonly endMs: number;
}

export interface FaultResult {
  readonly fault: FaultName;
  readonly description: string;
  readonly hit: readonly string[];
  readonly injectedAt: string;
  readonly restoredAt: string;
  /** Requests sent during the whole load (warm-up included), acknowledged (201), and not. */
  readonly sent: number;
  readonly acknowledged: number;
  readonly failed: number;
  /** The load's figures over the measured window, derived from its records; null: no data. */
  readonly measured: { readonly throughputTxPerMin: number | null; readonly successRatePct: number | null; readonly p50S: number | null; readonly p99S: number | null };
  /** From the first failed request's start to the last failed request's answer; 0 when none failed. */
  readonly errorWindowS: number;
  /** Requests sent after the injection and acknowledged before the restore began: the system kept working through the fault. */
  readonly acknowledgedDuringFault: number;
  /** From the injection to the last failed answer: after it, every request succeeded; 0 when none failed. */
  readonly recoveryS: number;
  /** How long undoing the fault took (restarting what was killed, or resuming the host). */
  readonly restoreS: number;
  /** From the end of the restore until every peer's ledger had the same height and last block. */
  readonly catchUpS: number;
  readonly reconciliation: Reconciliation;
  /** The add-order transactions of the load as the blocks hold them, by validation code (resent copies are DUPLICATE_TXID). */
  readonly chain: ChainCount;
  /** Failures by status, e.g. {"502": 3}. */
  readonly failures: Readonly<Record<string, number>>;
  /** Someone else's CPU while the load ran. */
  readonly interference: InterferenceSummary;
}

const sleepUntil = (ms: number): Promise<void> => wait(Math.max(0, ms - Date.now()));
const seconds = (ms: number): number => Math.round(ms) / 1000;

/** Waits until every peer's ledger has the same height and current block hash; returns how long it took. */
async function converge(ctx: FaultContext, timeoutMs = 120_000): Promise<{ seconds: number; height: number }> {
  const started = Date.now();
  for (;;) {
    const ledgers = await ctx.network.ledgers().catch(() => []);
    const [first] = ledgers;
    if (first && ledgers.length > 0 && ledgers.every((l) => l.height === first.height && l.currentBlockHash === first.currentBlockHash)) {
      return { seconds: seconds(Date.now() - started), height: first.height };
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`the peers' ledgers did not agree within ${timeoutMs / 1000} s: ${ledgers.map((l) => `${l.id} ${l.height}`).join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * The reconciliation's reads, asked again (for at most 60 s) while the tier does not answer: nginx
 * keeps an instance out for a while after requests to it timed out during the fault.
 */
async function untilAnswered<T>(read: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

export async function runFaults(variant: ReliabilityVariant, log: (line: string) => void, layout: StateLayout = new StateLayout()): Promise<FaultResult[]> {
  const network = await runningNetwork(layout);
  const ctx: FaultContext = { network, layout, log };
  const tokens = new TokenIssuer(layout);
  const tier = await startOwnServiceTier(layout, { withLb: true, logLevel: 'warn' });
  const load: Omit<LoadContext, 'onResponse'> = { log, metrics: new ProgressMetrics(), engine: await VegetaEngine.locate() };
  const results: FaultResult[] = [];
  // Ours re-read at each sample: a fault's restore starts nodes under new pids.
  const interference = new InterferenceSampler(ourRoots(layout));
  interference.start();
  try {
    const fixture = await prepare(network.topology, layout, tokens, tier.url, { users: variant.users, preloadOrdersPerUser: 0, log });
    const warmupMs = parseDuration(variant.warmup, 'warmup');
    const durationMs = parseDuration(variant.duration, 'duration');
    for (const [n, name] of variant.faults.entries()) {
      const fault = FAULTS[name];
      const own = { ...fixture, runId: `${fixture.runId}-f${n}` };
      const outcomes: Outcome[] = [];
      const onResponse = (_scenario: string, res: Response): void => {
        const { id } = JSON.parse(String(res.request.body)) as { id: string };
        outcomes.push({ id, status: res.status, startMs: res.startMs, endMs: res.startMs + res.latencyMs });
      };
      const options: Options = { scenarios: { add_order: { executor: 'constant-vus', vus: variant.users, duration: variant.duration, warmup: variant.warmup, ...addOrderRequests({ kind: 'http', baseUrl: tier.url }, own) } } };
      log(`${name}: ${fault.description}`);
      await fault.prepare?.(ctx);
      const firstBlock = await scanStart(network.topology);
      const startMs = Date.now();
      const running = runTest(options, { ...load, onResponse });
      await sleepUntil(startMs + warmupMs + durationMs * 0.25);
      const injectedMs = Date.now();
      const hit = await fault.inject(ctx);
      log(`  injected at ${seconds(injectedMs - startMs)} s: ${hit.join(', ')}`);
      await sleepUntil(startMs + warmupMs + durationMs * 0.6);
      const restoreStart = Date.now();
      await fault.restore(ctx, hit);
      const restoredMs = Date.now();
      log(`  restored in ${seconds(restoredMs - restoreStart)} s`);
      const test = await running;
      const caughtUp = await converge(ctx);
      // The service tier may have lost an instance; it must run for the reconciliation's reads.
      await startServiceTier(layout, { withLb: true, logLevel: 'warn' });
      const onLedger = await untilAnswered(() => runOrders(tokens, tier.url, own));
      const reconciliation = reconcile(outcomes, onLedger);
      const { count: chain } = await chainCountIn(network.topology, layout, firstBlock, DECLARE_ORDER, startMs, Date.now());
      const failedOutcomes = outcomes.filter((o) => o.status !== 201);
      const failures: Record<string, number> = {};
      for (const o of failedOutcomes) failures[String(o.status)] = (failures[String(o.status)] ?? 0) + 1;
      const firstFail = Math.min(...failedOutcomes.map((o) => o.startMs));
      const lastFail = Math.max(...failedOutcomes.map((o) => o.endMs));
      const { measured: p } = testFigures(test, 'add_order');
      const result: FaultResult = {
        fault: name,
        description: fault.description,
        hit,
        injectedAt: new Date(injectedMs).toISOString(),
        restoredAt: new Date(restoredMs).toISOString(),
        sent: outcomes.length,
        acknowledged: outcomes.length - failedOutcomes.length,
        failed: failedOutcomes.length,
        acknowledgedDuringFault: outcomes.filter((o) => o.status === 201 && o.startMs >= injectedMs && o.endMs <= restoreStart).length,
        measured: { throughputTxPerMin: p.throughputTxPerMin, successRatePct: p.successRatePct, p50S: p.latencyS?.p50 ?? null, p99S: p.latencyS?.p99 ?? null },
        errorWindowS: failedOutcomes.length === 0 ? 0 : seconds(lastFail - firstFail),
        recoveryS: failedOutcomes.length === 0 ? 0 : seconds(Math.max(0, lastFail - injectedMs)),
        restoreS: seconds(restoredMs - restoreStart),
        catchUpS: caughtUp.seconds,
        reconciliation,
        chain,
        failures,
        interference: summarise(interference.between(startMs, startMs + warmupMs + durationMs)),
      };
      log(
        `  ${result.sent} sent, ${result.acknowledged} acknowledged (${result.acknowledgedDuringFault} during the fault), ${result.failed} failed (${JSON.stringify(failures)}); error window ${result.errorWindowS} s, recovery ${result.recoveryS} s; ` +
          `ledgers agreed ${result.catchUpS} s after the restore (height ${caughtUp.height}); lost ${reconciliation.lost.length}, duplicated ${reconciliation.duplicated.length}, wrong state ${reconciliation.wrongState.length}; ` +
          `blocks: ${Object.entries(chain.byValidation).map(([code, n]) => `${n} ${code}`).join(', ')}; other ${result.interference.otherPct.avg.toFixed(1)} %${result.interference.disturbed ? ' DISTURBED' : ''}`,
      );
      results.push(result);
    }
    return results;
  } finally {
    interference.stop();
    await tier.stop();
  }
}
