import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

import type { FabricClient } from '../fabric/client';

declare module 'fastify' {
  interface FastifyInstance {
    fabric: FabricClient;
  }
}

/**
 * The long-lived Fabric connections. On close (graceful shutdown) the client stops taking writes
 * and waits for those in flight to commit before the connections go.
 */
function fabricPlugin(app: FastifyInstance, options: { client: FabricClient; drainMs: number }): Promise<void> {
  app.decorate('fabric', options.client);
  app.addHook('onClose', async () => {
    await options.client.close(options.drainMs);
  });
  return Promise.resolve();
}

export default fp(fabricPlugin, { name: 'fabric' });
