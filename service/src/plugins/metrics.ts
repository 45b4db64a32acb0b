import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import type {} from '@fastify/swagger';

import type { WritePhase } from '../fabric/client';

/**
 * The names of the service's metrics: what its /metrics exports, and what the recording rules and
 * dashboards (dashboards/) query. Labels: requests {route, method, status}; duration {route, method};
 * phases {phase}; errors {code}; failovers {peer}; resends {outcome: sent | failed}.
 */
export const SERVICE_METRIC = {
  requests: 'retail_http_requests_total',
  duration: 'retail_http_request_duration_seconds',
  phases: 'retail_fabric_write_phase_seconds',
  inFlight: 'retail_fabric_submissions_in_flight',
  errors: 'retail_errors_total',
  failovers: 'retail_fabric_failovers_total',
  resends: 'retail_fabric_resends_total',
} as const;

/**
 * Latency buckets in seconds, from a cached read (5 ms) to a write stuck behind a slow block (30 s);
 * the load generator's histograms use the same, so their quantiles compare bucket for bucket.
 */
export const LATENCY_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30];

/** Prefix of the Node.js process metrics (prom-client's defaults) of the service. */
export const SERVICE_PROCESS_PREFIX = 'retail_';

/** The service's Prometheus metrics: requests per route, write phases, submissions in flight, errors by code. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: SERVICE_METRIC.requests,
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: SERVICE_METRIC.duration,
    help: 'HTTP request latency by route',
    labelNames: ['route', 'method'] as const,
    buckets: [...LATENCY_BUCKETS],
    registers: [this.registry],
  });
  readonly phases = new Histogram({
    name: SERVICE_METRIC.phases,
    help: 'Duration of each phase of a ledger write: endorse, submit (to the orderer), commit (status wait)',
    labelNames: ['phase'] as const,
    buckets: [...LATENCY_BUCKETS],
    registers: [this.registry],
  });
  /** Where the in-flight gauge reads its value when scraped. */
  inFlightSource: () => number = () => 0;
  readonly inFlight = new Gauge({
    name: SERVICE_METRIC.inFlight,
    help: 'Ledger writes between endorsement and commit',
    registers: [this.registry],
    collect: () => {
      this.inFlight.set(this.inFlightSource());
    },
  });
  readonly errors = new Counter({
    name: SERVICE_METRIC.errors,
    help: 'Error responses by problem code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly failovers = new Counter({
    name: SERVICE_METRIC.failovers,
    help: 'Calls moved to another peer of the org because a peer could not be reached',
    labelNames: ['peer'] as const,
    registers: [this.registry],
  });
  readonly resends = new Counter({
    name: SERVICE_METRIC.resends,
    help: 'Transactions not committed in one commit attempt and sent to the orderers again, by whether the send was taken',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: SERVICE_PROCESS_PREFIX });
  }

  observePhase(phase: WritePhase, seconds: number): void {
    this.phases.observe({ phase }, seconds);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServiceMetrics;
  }
}

const routeOf = (request: FastifyRequest): string => request.routeOptions.url ?? 'unmatched';

function metricsPlugin(app: FastifyInstance, options: { metrics: ServiceMetrics }): Promise<void> {
  const { metrics } = options;
  app.decorate('metrics', metrics);
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const labels = { route: routeOf(request), method: request.method };
    metrics.requests.inc({ ...labels, status: String(reply.statusCode) });
    metrics.duration.observe(labels, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return Promise.resolve();
}

export default fp(metricsPlugin, { name: 'metrics' });
