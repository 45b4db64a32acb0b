import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import { LATENCY_BUCKETS } from '@energysale/service';

import type { ScenarioPhase } from '../scenario/types';
import { HARNESS_METRIC } from './names';

const PHASES: readonly ScenarioPhase[] = ['waiting', 'warmup', 'measured', 'done'];

/**
 * The harness's progress metrics: what the load generator sent and got back, by scenario, as it
 * happens. Prometheus scrapes them (job "harness") beside the service, Fabric and the machine, so a
 * test's load and its effects share one time axis. The summary and report are computed from the
 * request log, not from these.
 */
export class ProgressMetrics {
  readonly registry = new Registry();
  private readonly reqs = new Counter({
    name: HARNESS_METRIC.reqs,
    help: 'Requests answered (or failed) by scenario and HTTP status; 0 when no response came',
    labelNames: ['scenario', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: HARNESS_METRIC.duration,
    help: 'Request latency as the load generator measured it, by scenario',
    labelNames: ['scenario'] as const,
    buckets: [...LATENCY_BUCKETS],
    registers: [this.registry],
  });
  private readonly vus = new Gauge({
    name: HARNESS_METRIC.vus,
    help: 'Virtual users (senders) of a scenario while it runs',
    labelNames: ['scenario'] as const,
    registers: [this.registry],
  });
  private readonly checks = new Counter({
    name: HARNESS_METRIC.checks,
    help: 'Checks evaluated on responses, by scenario, check and result',
    labelNames: ['scenario', 'check', 'result'] as const,
    registers: [this.registry],
  });
  private readonly phase = new Gauge({
    name: HARNESS_METRIC.phase,
    help: "1 for a scenario's current phase (waiting, warmup, measured, done), 0 for the others",
    labelNames: ['scenario', 'phase'] as const,
    registers: [this.registry],
  });
  private readonly run = new Gauge({
    name: HARNESS_METRIC.run,
    help: 'The benchmark run in progress',
    labelNames: ['run', 'profile'] as const,
    registers: [this.registry],
  });

  response(scenario: string, status: number, latencyS: number): void {
    this.reqs.inc({ scenario, status: String(status) });
    this.duration.observe({ scenario }, latencyS);
  }

  check(scenario: string, check: string, passed: boolean): void {
    this.checks.inc({ scenario, check, result: passed ? 'pass' : 'fail' });
  }

  /** A scenario's phase, and its virtual users while it sends. */
  scenarioPhase(scenario: string, phase: ScenarioPhase, vus: number): void {
    for (const p of PHASES) this.phase.set({ scenario, phase: p }, p === phase ? 1 : 0);
    this.vus.set({ scenario }, phase === 'warmup' || phase === 'measured' ? vus : 0);
  }

  runStarted(run: string, profile: string): void {
    this.run.set({ run, profile }, 1);
  }

  runEnded(run: string, profile: string): void {
    this.run.remove({ run, profile });
  }
}
