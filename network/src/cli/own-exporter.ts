#!/usr/bin/env node
import http from 'node:http';
import { parseArgs } from 'node:util';

import { EXPOSITION_CONTENT_TYPE } from '../monitoring/exposition';
import { OwnExporter } from '../monitoring/own-exporter';
import { ProcSource } from '../monitoring/proc-source';
import { stateTopology } from '../runtime/native/network';
import { StateLayout } from '../state/layout';
import { splitEndpoint } from '../runtime/native/supervisor';

/*
 * The own-process exporter as a process (run by the network's Supervisor, network/src/monitoring/stack.ts):
 * `own-exporter --state DIR --listen HOST:PORT` serves GET /metrics for the network of that state.
 */

class OwnExporterUsageError extends Error {
  override readonly name = 'OwnExporterUsageError';
}

function main(argv: readonly string[]): void {
  const { values } = parseArgs({ args: [...argv], options: { state: { type: 'string' }, listen: { type: 'string' } } });
  if (values.state === undefined || values.listen === undefined) throw new OwnExporterUsageError('usage: own-exporter --state DIR --listen HOST:PORT');
  const layout = new StateLayout(values.state);
  // Hosts as the state recorded them: the Supervisor passes no ENERGYSALE_HOSTS to its processes.
  const exporter = new OwnExporter(stateTopology(layout, {}).topology, new ProcSource(layout));
  const [host, port] = splitEndpoint(values.listen);
  const server = http.createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    exporter.metrics().then(
      (text) => response.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  server.once('error', (error) => {
    process.stderr.write(`own-exporter: cannot serve ${values.listen ?? ''}: ${error.message}\n`);
    process.exit(1);
  });
  server.listen(port, host);
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
