import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the test server saw of one request. */
export interface SeenRequest {
  readonly method: string;
  /** Path and query (a URL fragment never reaches a server). */
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface TestServerOptions {
  /** Delay before answering, ms (default 0). */
  delayMs?: number;
  /** Status to answer with (default 200). */
  status?: number;
  /** Echo the request's X-Request-Id in the response, as the service does (default true). */
  echoRequestId?: boolean;
}

/**
 * A node:http server on 127.0.0.1 and an ephemeral port that answers every request, after
 * `delayMs`, with JSON echoing its path, headers and body (and its X-Request-Id as a header), and
 * counts concurrent requests.
 */
export class StartedTestServer {
  readonly seen: SeenRequest[] = [];
  /** Most requests in progress at once. */
  maxInFlight = 0;
  private inFlight = 0;

  private constructor(
    private readonly server: http.Server,
    /** http://127.0.0.1:<port>; kept after stop(), when nothing listens there any more. */
    readonly url: string,
    /** Mutable: tests slow the server down or make it fail. */
    readonly options: TestServerOptions,
  ) {}

  static async start(options: TestServerOptions = {}): Promise<StartedTestServer> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const started = new StartedTestServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, options);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      started.handle(req, res);
    });
    return started;
  }

  /** Stops listening and closes kept-alive connections. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
      this.seen.push(seen);
      setTimeout(() => {
        this.inFlight--;
        const requestId = req.headers['x-request-id'];
        const echo = this.options.echoRequestId !== false && typeof requestId === 'string' ? { 'x-request-id': requestId } : {};
        res.writeHead(this.options.status ?? 200, { 'content-type': 'application/json', 'x-served-by': 'test', ...echo });
        res.end(JSON.stringify(seen));
      }, this.options.delayMs ?? 0);
    });
  }
}
