import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';

import { locateToolchain } from '@energysale/network';

import { EngineError, type Attack, type AttackReport, type EngineRequest, type EngineResult, type LoadEngine, type Pacing } from './engine';

/** Beyond its duration and request timeout, how long an attack may take before its processes are killed. */
const GRACE_MS = 10_000;

/** One line of `vegeta encode -to json` (lib/results.go; latency in nanoseconds, body base64). */
interface VegetaResult {
  readonly seq: number;
  readonly code: number;
  readonly timestamp: string;
  readonly latency: number;
  readonly bytes_out: number;
  readonly bytes_in: number;
  readonly error: string;
  readonly body: string | null;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string[]> | null;
}

/** The request header that carries a target's index, and that the servers under test echo in their response. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

export interface VegetaOptions {
  /**
   * Where vegeta serves its Prometheus metrics while an attack runs (`-prometheus-addr`,
   * host:port). Attacks that overlap share the address: the first one holds it.
   */
  readonly prometheusAddr?: string;
}

/**
 * Drives vegeta (v12) as `vegeta attack -lazy -format=json ... | vegeta encode -to json`, the
 * targets streamed to its stdin as they are read.
 *
 * Results are matched to requests by a request id: each target carries its index in an
 * `X-Request-Id` header, which the service and the load balancer echo in their responses, and
 * vegeta records response headers in its results. Its `seq` is no substitute: it is taken before
 * the worker reads its target, so under concurrency it differs from the targets' order. A result
 * without the echo (no response came, or a server that does not echo) takes the oldest outstanding
 * request of the same method and URL. URLs stay as the scenario built them, so vegeta's own
 * metrics, labelled by URL, have no more series than the scenario has URLs. vegeta's clock for a
 * request (timestamp, latency) also starts before that read, so targets are written ahead (a
 * pipe's worth) rather than on demand.
 */
export class VegetaEngine implements LoadEngine {
  readonly name = 'vegeta';
  readonly schemes = ['http:', 'https:'];

  constructor(
    /** The vegeta executable. */
    readonly binary: string,
    readonly options: VegetaOptions = {},
  ) {}

  /** The vegeta of the pinned toolchain (`npm run setup` builds it). */
  static async locate(options: VegetaOptions = {}): Promise<VegetaEngine> {
    return new VegetaEngine((await locateToolchain()).bin.vegeta, options);
  }

  async version(): Promise<string> {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(this.binary, ['-version'], { cwd: os.tmpdir(), stdio: ['ignore', 'pipe', 'ignore'] });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      child.on('error', reject);
      child.on('close', () => {
        resolve(text);
      });
    });
    const version = /^Version: (\S+)$/m.exec(output)?.[1];
    if (version === undefined) throw new EngineError(`\`${this.binary} -version\` printed no version: ${output.trim()}`);
    return version;
  }

  attack<R extends EngineRequest>(attack: Attack<R>): Promise<AttackReport> {
    if (attack.pacing.model === 'open' && attack.pacing.requests === 0) {
      const now = Date.now();
      return Promise.resolve({ sent: 0, startedMs: now, endedMs: now, aborted: false });
    }
    return new Promise((resolve, reject) => {
      new VegetaRun(this.binary, this.options, attack, resolve, reject).start();
    });
  }
}

/** The command-line arguments of `vegeta attack` for an attack. */
export function attackArgs(pacing: Pacing, durationMs: number, timeoutMs: number, options: VegetaOptions = {}): string[] {
  const args = ['attack', '-lazy', '-format=json', `-timeout=${nanoseconds(timeoutMs)}ns`, '-keepalive=true'];
  if (options.prometheusAddr !== undefined) args.push(`-prometheus-addr=${options.prometheusAddr}`);
  if (pacing.model === 'closed') {
    // -rate=0: each worker sends as soon as its previous request is answered.
    const n = pacing.workers;
    args.push('-rate=0', `-workers=${n}`, `-max-workers=${n}`, `-duration=${nanoseconds(durationMs)}ns`);
    args.push(`-max-connections=${n}`, `-connections=${n}`);
  } else {
    // vegeta's constant pacer fires at k × interval (k = 1, 2, ...), interval = ⌊per / freq⌋ ns,
    // and sends the hit that is due when its duration runs out: a duration just short of
    // requests × interval makes exactly `requests` starts, the last one at the end of the window.
    const interval = openInterval(pacing.requests, durationMs);
    args.push(`-rate=${pacing.requests}/${nanoseconds(durationMs)}ns`);
    args.push(`-workers=${Math.min(pacing.workers, pacing.maxWorkers)}`, `-max-workers=${pacing.maxWorkers}`);
    args.push(`-duration=${Math.max(1, pacing.requests * interval - 1_000)}ns`);
    args.push(`-max-connections=${pacing.maxWorkers}`, `-connections=${pacing.maxWorkers}`);
  }
  return args;
}

/** Nanoseconds between two starts of the open model, as vegeta computes them. */
export function openInterval(requests: number, durationMs: number): number {
  return Math.floor(nanoseconds(durationMs) / requests);
}

function nanoseconds(ms: number): number {
  return Math.round(ms * 1e6);
}

/** Processes still running, killed if this process exits first. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  running.add(child);
  child.once('exit', () => running.delete(child));
}

/** One attack: two processes, the target pump, the result reader and the deadlines. */
class VegetaRun<R extends EngineRequest> {
  private readonly outstanding = new Map<number, R>();
  /** Outstanding indexes by method and URL, oldest first: for results without the echoed id. */
  private readonly byTarget = new Map<string, number[]>();
  private nextIndex = 0;
  private pumping = true;
  private sent = 0;
  private startedMs = Number.POSITIVE_INFINITY;
  private readonly spawnedMs = Date.now();
  private endedMs = this.spawnedMs;
  private aborted = false;
  private failure: Error | undefined;
  private readonly stderr: string[] = [];
  private readonly intervalMs: number;
  private attacker!: ChildProcess;
  private encoder!: ChildProcess;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly binary: string,
    private readonly options: VegetaOptions,
    private readonly attack: Attack<R>,
    private readonly resolve: (report: AttackReport) => void,
    private readonly reject: (error: Error) => void,
  ) {
    const { pacing, durationMs } = attack;
    this.intervalMs = pacing.model === 'open' ? openInterval(pacing.requests, durationMs) / 1e6 : 0;
  }

  start(): void {
    const { pacing, durationMs, timeoutMs, signal } = this.attack;
    const args = attackArgs(pacing, durationMs, timeoutMs, this.options);
    this.attacker = spawn(this.binary, args, { cwd: os.tmpdir(), stdio: ['pipe', 'pipe', 'pipe'] });
    if (this.attacker.pid === undefined) {
      // Not started (no such file, not executable): 'error' follows, and nothing else.
      this.attacker.once('error', (error) => {
        this.reject(new EngineError(`cannot start vegeta (${this.binary}): ${error.message}`, { cause: error }));
      });
      return;
    }
    // Its results go straight from one process to the other; this process never reads the gob stream.
    this.encoder = spawn(this.binary, ['encode', '-to', 'json'], {
      cwd: os.tmpdir(),
      stdio: [this.attacker.stdout ?? 'ignore', 'pipe', 'pipe'],
    });
    this.attacker.stdout?.destroy();

    let running = 2;
    const done = (): void => {
      if (--running === 0) this.finish();
    };
    for (const [which, child] of [['attack', this.attacker], ['encode', this.encoder]] as const) {
      child.on('error', (error) => {
        this.fail(new EngineError(`vegeta ${which}: ${error.message}`, { cause: error }));
      });
      child.on('close', (code, signalName) => {
        if (which === 'attack') this.stopPumping();
        if (code !== 0 && !this.aborted && this.failure === undefined) {
          const why = signalName === null ? `exited with ${String(code)}` : `was killed by ${signalName}`;
          this.fail(new EngineError(`vegeta ${which} ${why}: ${this.stderr.join('').trim().slice(-2000)}`));
        }
        done();
      });
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.stderr.push(chunk));
    }
    track(this.attacker);
    if (this.encoder.pid === undefined) {
      // No 'close' will come from it; killing the attacker brings the other.
      this.fail(new EngineError(`cannot start vegeta encode (${this.binary})`));
      done();
      return;
    }
    track(this.encoder);
    this.attacker.stdin?.on('error', () => {
      this.stopPumping();
    });
    this.readResults();

    const hardDeadline = durationMs + timeoutMs + GRACE_MS;
    this.timers.push(
      setTimeout(() => {
        this.fail(new EngineError(`vegeta still running ${hardDeadline} ms after it started: killed`));
      }, hardDeadline),
    );
    if (signal?.aborted === true) this.abort();
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.pump();
  }

  /** Writes targets until the pipe is full; continues when it drains. */
  private pump(): void {
    const stdin = this.attacker.stdin;
    if (stdin === null) return;
    try {
      while (this.pumping) {
        const next = this.attack.requests.next();
        if (next.done === true) {
          this.stopPumping();
          return;
        }
        const index = this.nextIndex++;
        this.outstanding.set(index, next.value);
        const key = targetKey(next.value.method, next.value.url);
        const queue = this.byTarget.get(key);
        if (queue === undefined) this.byTarget.set(key, [index]);
        else queue.push(index);
        if (!stdin.write(targetLine(next.value, index))) {
          stdin.once('drain', () => {
            this.pump();
          });
          return;
        }
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private stopPumping(): void {
    if (!this.pumping) return;
    this.pumping = false;
    // End of targets: workers waiting for one stop the attack.
    this.attacker.stdin?.end();
  }

  private readResults(): void {
    const stdout = this.encoder.stdout;
    if (stdout === null) return;
    let pending = '';
    stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let from = 0;
      for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n', from)) {
        this.onLine(pending.slice(from, end));
        from = end + 1;
      }
      pending = pending.slice(from);
    });
  }

  private onLine(line: string): void {
    if (line === '' || this.failure !== undefined) return;
    let raw: VegetaResult;
    try {
      raw = JSON.parse(line) as VegetaResult;
    } catch (error) {
      this.fail(new EngineError(`vegeta encode wrote a line that is not JSON: ${line.slice(0, 200)}`, { cause: error }));
      return;
    }
    const index = this.indexOf(raw);
    const request = index === undefined ? undefined : this.outstanding.get(index);
    // A result with no target: a worker found the targets exhausted (the attack is ending).
    if (index === undefined || request === undefined) return;
    this.outstanding.delete(index);
    const result: EngineResult = {
      seq: raw.seq,
      status: raw.code,
      error: raw.error === '' ? undefined : raw.error,
      startMs: parseTimestamp(raw.timestamp),
      latencyMs: raw.latency / 1e6,
      bytesSent: raw.bytes_out,
      bytesReceived: raw.bytes_in,
      body: raw.body === null ? Buffer.alloc(0) : Buffer.from(raw.body, 'base64'),
      headers: raw.headers ?? {},
    };
    this.sent++;
    // Where pacing began: the open model's start k is due at (k + 1) intervals; no start is early.
    this.startedMs = Math.min(this.startedMs, result.startMs - (raw.seq + 1) * this.intervalMs);
    this.endedMs = Math.max(this.endedMs, result.startMs + result.latencyMs);
    try {
      this.attack.onResult(result, request);
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** The index of the request a result answers: its echoed id, else the oldest outstanding of its method and URL. */
  private indexOf(raw: VegetaResult): number | undefined {
    const queue = this.byTarget.get(targetKey(raw.method, raw.url)) ?? [];
    // Indexes answered by id stay in their queue until they reach its head.
    const trim = (): void => {
      while (queue.length > 0 && !this.outstanding.has(queue[0] ?? -1)) queue.shift();
    };
    const echoed = Number(raw.headers?.[REQUEST_ID_HEADER]?.[0] ?? Number.NaN);
    if (Number.isInteger(echoed) && this.outstanding.has(echoed)) {
      if (queue[0] === echoed) queue.shift();
      trim();
      return echoed;
    }
    trim();
    return queue.shift();
  }

  private readonly onAbort = (): void => {
    this.abort();
  };

  /** Graceful stop: vegeta stops pacing on SIGINT and still writes what is in flight. */
  private abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.stopPumping();
    this.attacker.kill('SIGINT');
    this.timers.push(
      setTimeout(() => {
        this.kill();
      }, this.attack.timeoutMs + GRACE_MS),
    );
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.kill();
  }

  private kill(): void {
    this.pumping = false;
    for (const child of [this.attacker, this.encoder]) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  private finish(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.attack.signal?.removeEventListener('abort', this.onAbort);
    if (this.failure !== undefined) {
      this.reject(this.failure);
      return;
    }
    this.resolve({
      sent: this.sent,
      startedMs: Number.isFinite(this.startedMs) ? this.startedMs : this.spawnedMs,
      endedMs: this.endedMs,
      aborted: this.aborted,
    });
  }
}

const targetKey = (method: string, url: string): string => `${method} ${url}`;

function targetLine(request: EngineRequest, index: number): string {
  const header: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (name.toLowerCase() !== REQUEST_ID_HEADER.toLowerCase()) header[name] = [value];
  }
  header[REQUEST_ID_HEADER] = [String(index)];
  const target: Record<string, unknown> = { method: request.method, url: request.url, header };
  if (request.body !== undefined && request.body.length > 0) target['body'] = Buffer.from(request.body).toString('base64');
  return `${JSON.stringify(target)}\n`;
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/;

/** RFC 3339 with up to nanoseconds (Go's time.Time JSON) to epoch ms with a fraction. */
export function parseTimestamp(text: string): number {
  const match = TIMESTAMP.exec(text);
  if (match === null) throw new EngineError(`vegeta result timestamp "${text}" is not RFC 3339`);
  const fraction = match[2] === undefined ? 0 : Number(`0.${match[2]}`) * 1000;
  return Date.parse(`${match[1] ?? ''}${match[3] ?? ''}`) + fraction;
}
