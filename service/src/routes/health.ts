import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HEALTH_PATH } from '@energysale/network';

const Health = Type.Object({ status: Type.String() });

/** Liveness (the process answers) and readiness (the gateway reaches a peer). */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health/live', { schema: { tags: ['health'], response: { 200: Health } } }, () => ({ status: 'live' }));
  app.get(HEALTH_PATH.service, { schema: { tags: ['health'], response: { 200: Health, 503: Health } } }, async (_request, reply) =>
    (await app.fabric.reachable()) ? { status: 'ready' } : reply.status(503).send({ status: 'no peer reachable' }),
  );
  await Promise.resolve();
};
