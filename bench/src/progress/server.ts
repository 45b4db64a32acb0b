import http from 'node:http';

import type { Registry } from 'prom-client';

/** Serving a registry failed: the address is taken, or not local. */
export class MetricsServerError extends Error {
  override readonly name = 'MetricsServerError';
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Answers a request besides GET /metrics (the script runner's control API); false when it is not its. */
export type ExtraRoutes = (request: http.IncomingMessage, response: http.ServerResponse) => boolean;

/** Serves `registry` at http://<endpoint>/metrics (endpoint host:port) until closed, and `extra` routes. */
export async function serveMetrics(registry: Registry, endpoint: string, extra?: ExtraRoutes): Promise<MetricsServer> {
  const { hostname, port } = new URL(`http://${endpoint}`);
  const server = http.createServer((request, response) => {
    if (extra?.(request, response) === true) return;
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      reject(new MetricsServerError(`cannot serve metrics on ${endpoint}: ${error.message}`, { cause: error }));
    });
    server.listen(Number(port), hostname, resolve);
  });
  return {
    url: `http://${endpoint}/metrics`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
