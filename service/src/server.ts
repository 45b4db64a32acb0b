#!/usr/bin/env node
import { serviceInstances } from '@energysale/network';

import { buildApp } from './app';

/**
 * Runs one instance of the retail service on its address from the topology model (the state's). SIGTERM or
 * SIGINT closes it gracefully: no new requests, in-flight writes drain (DRAIN_TIMEOUT_MS), then exit.
 */
async function main(): Promise<void> {
  const app = await buildApp();
  const instance = serviceInstances(app.topology).find((s) => s.name === app.config.SERVICE_NAME);
  if (!instance) {
    throw new Error(`SERVICE_NAME=${app.config.SERVICE_NAME} is not a web instance of the topology (${app.topology.services.web.map((w) => w.name).join(', ')})`);
  }
  const [host, port] = [instance.endpoint.slice(0, instance.endpoint.lastIndexOf(':')), Number(instance.endpoint.split(':').pop())];
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      app.log.info({ signal }, 'shutting down: draining in-flight requests');
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  await app.listen({ host, port });
}

main().catch((error: unknown) => {
  process.stderr.write(`service: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
