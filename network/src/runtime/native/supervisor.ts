import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { dirname } from 'node:path';

import type { StateLayout } from '../../state/layout';
import { locateToolchain } from '../../toolchain';
import { repoRoot } from '../../util/paths';
import { startTicksOf } from '../../util/proc';
import { tail } from '../../util/tail';
import { readRuntime, type RuntimeChoice } from '../choice';
import { addressOfSpec, ensureHostCgroup, inCgroup } from './host-cgroup';
import { containerPlan, hostOfSpec, launchScript, ROLE_OF_KIND, startContainer, stopContainers } from '../docker/container';
import { imageName } from '../docker/images';
import type { HealthCheck, NodeInfo } from '../../topology';

/** A node of the Fabric network, or a process run beside it: the service tier (retail service, load balancer) or monitoring. */
export type ProcessKind = NodeInfo['kind'] | 'service' | 'lb' | 'monitor';

/** How to run one node of the network (or of the service tier) as a native process. */
export interface ProcessSpec {
  readonly id: string;
  readonly kind: ProcessKind;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly health: HealthCheck;
  /** Endpoints the process binds: checked free before it starts. */
  readonly binds: readonly { readonly endpoint: string; readonly purpose: string }[];
  /** Config files the process reads (path -> content), part of its fingerprint. */
  readonly configFiles?: Readonly<Record<string, string>>;
  /**
   * Runs as a native process in every runtime (the docker runtime's too): a process that reads the
   * state's records and the host's /proc, as the own-process exporter does.
   */
  readonly native?: true;
}

/** Changes whenever what the process would run with changes: a running node with another fingerprint is restarted. */
export function fingerprint(spec: ProcessSpec): string {
  const { id, command, args, env, cwd, configFiles } = spec;
  return createHash('sha256').update(JSON.stringify({ id, command, args, env, cwd, configFiles })).digest('hex').slice(0, 16);
}

/** A process this network started. The start time tells it apart from a later process given the same pid. */
export interface ProcessRecord {
  readonly id: string;
  readonly kind: ProcessKind;
  readonly pid: number;
  readonly startTicks: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly fingerprint: string;
  readonly logFile: string;
  readonly health: HealthCheck;
  /** The container it runs in (the docker runtime); its pid is then the container's process as the host sees it. */
  readonly container?: string;
}

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly node: string,
    readonly endpoint: string,
    readonly purpose: string,
    options?: ErrorOptions,
  ) {
    super(`${node}: ${endpoint} (${purpose}) is already in use by another process; is a network still up? try \`network status\` or \`network down\``, options);
  }
}

export class NodeStartError extends Error {
  override readonly name = 'NodeStartError';
}

export class NodeStopError extends Error {
  override readonly name = 'NodeStopError';
}

export function isRunning(record: ProcessRecord): boolean {
  return startTicksOf(record.pid) === record.startTicks;
}

async function endpointFree(endpoint: string): Promise<NodeJS.ErrnoException | undefined> {
  const [host, port] = splitEndpoint(endpoint);
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => { resolve(undefined); }));
  });
}

export function splitEndpoint(endpoint: string): [string, number] {
  const i = endpoint.lastIndexOf(':');
  return [endpoint.slice(0, i), Number(endpoint.slice(i + 1))];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One probe of a health check: true when the node answers healthy. */
export async function probe(health: HealthCheck, timeoutMs = 2000): Promise<boolean> {
  if (health.kind === 'http') {
    try {
      const response = await fetch(health.url, { signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }
  const [host, port] = splitEndpoint(health.endpoint);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => { done(false); });
    socket.once('error', () => { done(false); });
    socket.connect(port, host, () => { done(true); });
  });
}

/**
 * Starts, tracks and stops the network's processes, natively or each in a container (the runtime
 * recorded in the state, network/src/runtime/choice.ts); stops only what it started.
 */
export class Supervisor {
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly layout: StateLayout) {}

  async records(): Promise<ProcessRecord[]> {
    if (!existsSync(this.layout.processFile)) return [];
    return JSON.parse(await readFile(this.layout.processFile, 'utf8')) as ProcessRecord[];
  }

  private update(change: (records: ProcessRecord[]) => ProcessRecord[]): Promise<void> {
    this.writes = this.writes.then(async () => {
      const next = change(await this.records());
      await mkdir(dirname(this.layout.processFile), { recursive: true });
      const tmp = `${this.layout.processFile}.tmp`;
      await writeFile(tmp, JSON.stringify(next, null, 2));
      await rename(tmp, this.layout.processFile);
    });
    return this.writes;
  }

  async running(id: string): Promise<ProcessRecord | undefined> {
    return (await this.records()).find((r) => r.id === id && isRunning(r));
  }

  /**
   * Starts the process unless it runs already with the same fingerprint (a changed config restarts
   * it), and waits until its health check passes.
   */
  async start(spec: ProcessSpec, timeoutMs = 60_000): Promise<ProcessRecord> {
    const existing = await this.running(spec.id);
    if (existing?.fingerprint === fingerprint(spec)) return existing;
    if (existing) await this.stop([spec.id]);
    for (const bind of spec.binds) {
      // A process that just exited may hold its listening socket a moment longer: give it 3 s.
      let error = await endpointFree(bind.endpoint);
      for (let waited = 0; error?.code === 'EADDRINUSE' && waited < 3000; waited += 200) {
        await sleep(200);
        error = await endpointFree(bind.endpoint);
      }
      if (error) {
        if (error.code === 'EADDRINUSE') throw new PortInUseError(spec.id, bind.endpoint, bind.purpose, { cause: error });
        throw new NodeStartError(`${spec.id}: cannot bind ${bind.endpoint} (${bind.purpose}): ${error.message}`, { cause: error });
      }
    }
    const logFile = this.layout.logFile(spec.id);
    await mkdir(dirname(logFile), { recursive: true });
    const runtime = await readRuntime(this.layout);
    const { pid, container } = runtime.kind === 'docker' && spec.native !== true ? await this.launchContainer(spec, runtime, logFile) : await launchProcess(spec, logFile);
    const record: ProcessRecord = {
      id: spec.id,
      kind: spec.kind,
      pid,
      startTicks: startTicksOf(pid) ?? '',
      command: spec.command,
      args: spec.args,
      fingerprint: fingerprint(spec),
      logFile,
      health: spec.health,
      ...(container === undefined ? {} : { container }),
    };
    await this.update((records) => [...records.filter((r) => r.id !== spec.id), record]);
    await this.waitHealthy(record, timeoutMs, spec.binds.slice(0, 1));
    return record;
  }

  private async launchContainer(spec: ProcessSpec, runtime: Extract<RuntimeChoice, { kind: 'docker' }>, logFile: string): Promise<{ pid: number; container: string }> {
    const toolchain = await locateToolchain();
    const image = imageName(ROLE_OF_KIND[spec.kind], runtime.imagePrefix);
    const plan = containerPlan({ id: spec.id, kind: spec.kind, host: hostOfSpec(spec, runtime) }, image, { state: this.layout.root, repo: repoRoot, cache: toolchain.cacheDir });
    return { pid: await startContainer(plan, launchScript(spec, logFile)), container: plan.name };
  }

  /**
   * Waits until the node's health check passes and the endpoints given (its main one, the first it
   * binds) accept a connection: a peer answers its operations endpoint's /healthz before its gRPC
   * port listens (its ledgers open in between), and a client that comes next must find it listening.
   */
  async waitHealthy(record: ProcessRecord, timeoutMs: number, binds: ProcessSpec['binds'] = []): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const listening = async (): Promise<boolean> => (await Promise.all(binds.map((b) => probe({ kind: 'tcp', endpoint: b.endpoint })))).every(Boolean);
    while (Date.now() < deadline) {
      if ((await probe(record.health)) && (await listening())) return;
      if (!isRunning(record)) {
        throw new NodeStartError(`${record.id} exited during start-up; last lines of ${record.logFile}:\n${await tail(record.logFile)}`);
      }
      await sleep(250);
    }
    throw new NodeStartError(`${record.id} not healthy after ${timeoutMs / 1000} s; last lines of ${record.logFile}:\n${await tail(record.logFile)}`);
  }

  /** Stops the recorded processes (all, or those named): SIGTERM, then SIGKILL after a grace period. */
  async stop(ids?: readonly string[], graceMs = 10_000): Promise<ProcessRecord[]> {
    const targets = (await this.records()).filter((r) => !ids || ids.includes(r.id));
    // Containers stop (and are removed) through the engine, running or not; processes by signal.
    const aliveContainers = targets.filter((r) => r.container !== undefined && isRunning(r));
    await stopContainers(targets.flatMap((r) => (r.container === undefined ? [] : [r.container])), graceMs);
    const alive = targets.filter((r) => r.container === undefined && isRunning(r));
    for (const r of alive) signal(r, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (alive.some(isRunning) && Date.now() < deadline) await sleep(100);
    for (const r of alive.filter(isRunning)) signal(r, 'SIGKILL');
    const killDeadline = Date.now() + 10_000;
    while (alive.some(isRunning)) {
      if (Date.now() > killDeadline) {
        throw new NodeStopError(`could not stop ${alive.filter(isRunning).map((r) => `${r.id} (pid ${r.pid})`).join(', ')} even with SIGKILL`);
      }
      await sleep(50);
    }
    const stopped = new Set(targets.map((r) => r.id));
    await this.update((records) => records.filter((r) => !stopped.has(r.id)));
    return [...aliveContainers, ...alive];
  }
}

/**
 * Starts the process detached, in its own process group, output appended to its log; in its host's
 * cgroup when cgroup v2 is writable here (so that the host can be cut off: host-cgroup.ts).
 */
async function launchProcess(spec: ProcessSpec, logFile: string): Promise<{ pid: number; container?: undefined }> {
  const address = addressOfSpec(spec);
  const procs = address === undefined ? undefined : ensureHostCgroup(address);
  const { command, args } = procs === undefined ? { command: spec.command, args: [...spec.args] } : inCgroup(procs, spec.command, spec.args);
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, {
    cwd: spec.cwd,
    env: { ...minimalEnv(), ...spec.env },
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('error', resolve);
    child.once('spawn', () => { resolve(undefined); });
  });
  if (spawnError || child.pid === undefined) {
    throw new NodeStartError(`${spec.id}: cannot start ${spec.command}: ${spawnError?.message ?? 'no pid'}`, { cause: spawnError });
  }
  child.unref();
  return { pid: child.pid };
}

function signal(record: ProcessRecord, name: NodeJS.Signals): void {
  try {
    // The node was started as a process-group leader: signal the group, so helpers it spawned go too.
    process.kill(-record.pid, name);
  } catch {
    try {
      process.kill(record.pid, name);
    } catch {
      // gone already
    }
  }
}

/** Only what a node needs from our environment: no inherited Fabric or CA variables leak in. */
function minimalEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] === undefined ? [] : [[k, process.env[k]]])));
}
