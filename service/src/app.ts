import fastifyEnv from '@fastify/env';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';

import { peers, StateLayout, stateTopology, type Topology } from '@energysale/network';

import { TokenIssuer } from './auth/tokens';
import { classify, problemHandler, RouteNotFoundError } from './errors';
import { FabricClient } from './fabric/client';
import authPlugin from './plugins/auth';
import fabricPlugin from './plugins/fabric';
import metricsPlugin, { ServiceMetrics } from './plugins/metrics';
import { filingRoutes } from './routes/filing';
import { healthRoutes } from './routes/health';
import { orderRoutes } from './routes/orders';
import { participantRoutes } from './routes/participants';
import { templateRoutes } from './routes/templates';
import { Problem } from './schemas/common';
import { sharedSchemas } from './schemas/records';

/** The service's configuration, from the environment (@fastify/env). */
export const ConfigSchema = Type.Object({
  SERVICE_NAME: Type.String({ default: 'web0', description: 'which web instance of the topology model this is' }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  DRAIN_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 0, description: 'how long shutdown waits for in-flight writes' }),
  INJECT_WRITE_DELAY_MS: Type.Integer({
    default: 0,
    minimum: 0,
    maximum: 60_000,
    description: 'a deliberate regression for testing the benchmark gate: each ledger write waits this long before its endorsement (0: off)',
  }),
});
export type Config = Static<typeof ConfigSchema>;

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    topology: Topology;
    layout: StateLayout;
    tokens: TokenIssuer;
  }
}

export interface AppOptions {
  readonly topology?: Topology;
  readonly layout?: StateLayout;
  readonly logger?: FastifyServerOptions['logger'];
  /** Environment to read the config from (process.env by default). */
  readonly env?: Record<string, string | undefined>;
}

/** Builds the retail service; `server.ts` makes it listen. Tests call this and use `inject`. */
export async function buildApp(options: AppOptions = {}): Promise<FastifyInstance> {
  const layout = options.layout ?? new StateLayout();
  // The network the state holds, of the size it was made with.
  const topology = options.topology ?? stateTopology(layout).topology;
  const app = Fastify({
    logger: options.logger ?? { level: process.env.LOG_LEVEL ?? 'info' },
    genReqId: (request) => (typeof request.headers['x-request-id'] === 'string' ? request.headers['x-request-id'] : crypto.randomUUID()),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    // The router's refusals (too long a path parameter, an undecodable URL) as problem bodies too.
    frameworkErrors: (error, request, reply) => {
      void problemHandler(error, request, reply);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(fastifyEnv, { schema: ConfigSchema, dotenv: false, data: options.env ?? process.env });
  app.decorate('topology', topology);
  app.decorate('layout', layout);
  app.decorate('tokens', new TokenIssuer(layout));
  // Once shutdown begins, ask the client (nginx) to drop keep-alive connections, so that it sends
  // no more requests here while the last writes drain.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // Which instance answered, seen through the lb: how a client (and the lb's live test) sees the
  // spread; and the request id, so that a client (the load generator) can match a response to its request.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-served-by', app.config.SERVICE_NAME);
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'energysale retail service', version: '0.1.0', description: 'The retail business of PAPER.md on Hyperledger Fabric: every write is a ledger transaction signed by the calling user.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token issued for one enrolled identity' } } },
    },
  });
  for (const schema of [Problem, ...sharedSchemas]) app.addSchema(schema);

  const metrics = new ServiceMetrics();
  // Every peer's failover count exists from the start, at 0: a panel or alert reads "none", not "no data".
  for (const peer of peers(topology)) metrics.failovers.inc({ peer: peer.id }, 0);
  for (const outcome of ['sent', 'failed']) metrics.resends.inc({ outcome }, 0);
  await app.register(metricsPlugin, { metrics });
  if (app.config.INJECT_WRITE_DELAY_MS > 0) {
    app.log.warn({ delayMs: app.config.INJECT_WRITE_DELAY_MS }, 'INJECT_WRITE_DELAY_MS: every ledger write is delayed on purpose (a regression injected for the benchmark gate)');
  }
  const fabric = new FabricClient(topology, layout, {
    injectedWriteDelayMs: app.config.INJECT_WRITE_DELAY_MS,
    onPhase: (phase, seconds) => {
      metrics.observePhase(phase, seconds);
    },
    onFailover: (peer) => {
      metrics.failovers.inc({ peer: peer.id });
    },
    onResend: (transactionId, error) => {
      metrics.resends.inc({ outcome: error === undefined ? 'sent' : 'failed' });
      app.log.warn({ transactionId, err: error }, 'a transaction not committed in one commit attempt was sent to the orderers again');
    },
  });
  metrics.inFlightSource = () => fabric.submissionsInFlight;
  await app.register(fabricPlugin, { client: fabric, drainMs: app.config.DRAIN_TIMEOUT_MS });
  await app.register(authPlugin, { tokens: app.tokens, topology, layout });

  app.setErrorHandler((error, request, reply) => {
    metrics.errors.inc({ code: classify(error).code });
    return problemHandler(error, request, reply);
  });
  app.setNotFoundHandler((request, reply) => problemHandler(new RouteNotFoundError(`no route ${request.method} ${request.url}`), request, reply));

  await app.register(healthRoutes);
  await app.register(participantRoutes);
  await app.register(templateRoutes);
  await app.register(orderRoutes);
  await app.register(filingRoutes);
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  return app;
}
