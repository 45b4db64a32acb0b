import { request } from 'node:http';
import { totalmem } from 'node:os';

import { DockerError } from './engine';

/*
 * CPU and memory of containers, from the Docker engine's stats (GET /containers/{id}/stats), as
 * shares of the whole machine: what the bench's /proc sampler reports for processes, so a network in
 * containers is measured in the same units as a native one.
 *
 * CPU. `cpu_stats.cpu_usage.total_usage` is the container's CPU time and `cpu_stats.system_cpu_usage`
 * the machine's (every core's time summed, busy or idle), both cumulative nanoseconds. Over an interval
 *   share of the machine = Δtotal_usage / Δsystem_cpu_usage × 100   (100 = every core busy)
 *   share of one core    = that × online_cpus                        (what `docker stats` shows)
 * The deltas are between two readings we take ourselves. The answer's own `precpu_stats` cannot be
 * trusted: with `one-shot=true` it is all zeros, and without it the engine waits a second or two to
 * fill it, and then it describes only that last second, not our interval.
 *
 * What Caliper 0.6.0's docker monitor gets wrong, in
 * @hyperledger/caliper-core/lib/manager/monitors/monitor-docker.js:
 *   lines 191-199: cpu% = Δtotal_usage / Δsystem_cpu_usage × coresInUse × 100 when the answer has
 *     `cpu_usage.percpu_usage`, else Δtotal_usage / Δsystem_cpu_usage × 100. The engine sends
 *     `percpu_usage` only on cgroup v1 hosts (cgroup v2 has no per-core counters), so the same
 *     container is reported in % of one core on a cgroup v1 host (up to cores × 100) and in % of the
 *     machine on a cgroup v2 host (up to 100), under the same "CPU%" heading.
 *   lines 326-331: with `cpuUsageNormalization: true` that figure is divided by `os.cpus().length`,
 *     the cores of the machine running Caliper rather than of the engine's host, and on a cgroup v2
 *     host it was already a share of the machine, so it is divided by the cores twice.
 *   A container burning both cores of a 2-core machine is thus reported as 200 % (cgroup v1), 100 %
 *   (cgroup v1, normalised, or cgroup v2), or 50 % (cgroup v2, normalised); the last reads as half the
 *   machine idle. stats.test.ts replays a recorded pair of answers through both formulas.
 *   It also takes its deltas from the engine's `precpu_stats` (dockerode's `stats({ stream: false })`),
 *   so each point covers the second before the read, not the monitoring interval.
 *
 * Memory is what `docker stats` shows: usage less the inactive page cache (cgroup v1:
 * `total_inactive_file`; v2: `inactive_file`), here also as a share of the machine's memory rather than
 * of the container's limit, as the /proc sampler reports resident memory.
 */

/** Where the engine listens unless told otherwise. */
export const DOCKER_SOCKET = '/var/run/docker.sock';

/** The engine did not answer, refused, or answered something other than stats; keeps its HTTP status. */
export class DockerStatsError extends DockerError {
  override readonly name: string = 'DockerStatsError';
  constructor(
    readonly container: string,
    message: string,
    readonly statusCode?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The fields of an Engine API stats answer that we read (the answer has many more). */
export interface EngineStats {
  readonly cpu_stats: {
    readonly cpu_usage: { readonly total_usage: number; readonly percpu_usage?: readonly number[] | null };
    /** Absent when the container is not running. */
    readonly system_cpu_usage?: number;
    readonly online_cpus?: number;
  };
  readonly memory_stats: {
    readonly usage?: number;
    /** cgroup v1 keys (`total_inactive_file`, ...) or cgroup v2 keys (`inactive_file`, ...). */
    readonly stats?: Readonly<Record<string, number>>;
  };
}

/** One reading of a running container: cumulative CPU counters and the memory it uses now. */
export interface ContainerReading {
  /** The container's CPU time, ns since it started. */
  readonly containerCpuNs: number;
  /** The machine's CPU time, every core summed, ns since boot. */
  readonly systemCpuNs: number;
  readonly cores: number;
  readonly memoryBytes: number;
}

/** A container's (or a group's) usage over one interval. */
export interface ContainerUsage {
  /** CPU in % of the whole machine: 100 = every core busy. */
  readonly cpuPercent: number;
  /** The same CPU in % of one core, as `docker stats` and `top` show it: 200 = two cores busy. */
  readonly cpuCorePercent: number;
  readonly memoryBytes: number;
  /** Memory in % of the machine's memory. */
  readonly memoryPercent: number;
}

/** What one sample of a group of containers measured: the group's sum and each container's own. */
export interface ContainersSample {
  readonly total: ContainerUsage;
  /** By the name or id the container was asked by; a container that was not running is absent. */
  readonly members: ReadonlyMap<string, ContainerUsage>;
}

export interface EngineConnection {
  readonly socketPath?: string;
  /** How long one answer may take (default 10 s). */
  readonly timeoutMs?: number;
}

/** The reading in a stats answer, or undefined when the container is not running (no CPU counters). */
export function readingOf(container: string, stats: EngineStats): ContainerReading | undefined {
  const cpu = stats.cpu_stats;
  if (cpu.system_cpu_usage === undefined) return undefined;
  const cores = cpu.online_cpus ?? cpu.cpu_usage.percpu_usage?.length;
  const usage = stats.memory_stats.usage;
  if (cores === undefined || usage === undefined) {
    throw new DockerStatsError(container, `the stats of ${container} have no ${cores === undefined ? 'CPU count' : 'memory usage'}`);
  }
  const memory = stats.memory_stats.stats ?? {};
  const inactive = memory.total_inactive_file ?? memory.inactive_file ?? 0;
  return {
    containerCpuNs: cpu.cpu_usage.total_usage,
    systemCpuNs: cpu.system_cpu_usage,
    cores,
    memoryBytes: inactive < usage ? usage - inactive : usage,
  };
}

/**
 * A container's usage between two readings. A container restarted in between has counters that
 * started again from zero: it counts from its restart.
 */
export function usageBetween(before: ContainerReading, after: ContainerReading, machineMemoryBytes: number): ContainerUsage {
  const used = after.containerCpuNs >= before.containerCpuNs ? after.containerCpuNs - before.containerCpuNs : after.containerCpuNs;
  const elapsed = after.systemCpuNs - before.systemCpuNs;
  const cpuPercent = elapsed > 0 ? (used / elapsed) * 100 : 0;
  return {
    cpuPercent,
    cpuCorePercent: cpuPercent * after.cores,
    memoryBytes: after.memoryBytes,
    memoryPercent: (after.memoryBytes / machineMemoryBytes) * 100,
  };
}

function sum(usages: Iterable<ContainerUsage>): ContainerUsage {
  let total: ContainerUsage = { cpuPercent: 0, cpuCorePercent: 0, memoryBytes: 0, memoryPercent: 0 };
  for (const u of usages) {
    total = {
      cpuPercent: total.cpuPercent + u.cpuPercent,
      cpuCorePercent: total.cpuCorePercent + u.cpuCorePercent,
      memoryBytes: total.memoryBytes + u.memoryBytes,
      memoryPercent: total.memoryPercent + u.memoryPercent,
    };
  }
  return total;
}

function get(socketPath: string, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body });
      });
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * One stats answer of a container (name or id): `one-shot=true` spares the engine a second round of
 * its collector to fill `precpu_stats`, which we do not use. The answer may still wait for the next
 * round (up to a second; an engine older than API 1.41 ignores one-shot and takes two), which costs
 * time but not accuracy: both counters of the CPU share come from the same round.
 */
export async function readContainerStats(container: string, connection: EngineConnection = {}): Promise<EngineStats> {
  const socketPath = connection.socketPath ?? DOCKER_SOCKET;
  const path = `/containers/${encodeURIComponent(container)}/stats?stream=false&one-shot=true`;
  let answer: { status: number; body: string };
  try {
    answer = await get(socketPath, path, connection.timeoutMs ?? 10_000);
  } catch (error) {
    throw new DockerStatsError(container, `the Docker engine at ${socketPath} did not answer the stats of ${container}`, undefined, { cause: error });
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch (error) {
    throw new DockerStatsError(container, `the stats of ${container} are not JSON (HTTP ${answer.status})`, answer.status, { cause: error });
  }
  if (answer.status !== 200) {
    const message = (body as { message?: string } | null)?.message ?? answer.body;
    throw new DockerStatsError(container, `the stats of ${container}: HTTP ${answer.status}: ${message}`, answer.status);
  }
  if (!isEngineStats(body)) throw new DockerStatsError(container, `the answer for the stats of ${container} has no cpu_stats or memory_stats`, answer.status);
  return body;
}

function isEngineStats(body: unknown): body is EngineStats {
  const stats = body as { cpu_stats?: { cpu_usage?: { total_usage?: unknown } }; memory_stats?: unknown } | null;
  return typeof stats?.cpu_stats?.cpu_usage?.total_usage === 'number' && typeof stats.memory_stats === 'object' && stats.memory_stats !== null;
}

export interface DockerStatsOptions extends EngineConnection {
  /** What memory shares are of; default this machine's, the engine being on a local socket. */
  readonly machineMemoryBytes?: number;
  /** Reads one container's stats: the engine by default, recorded answers in tests. */
  readonly read?: (container: string) => Promise<EngineStats>;
}

/**
 * Samples a group of containers (by name or id): each call reads every container once and reports
 * the interval since the previous call, each container's usage and the group's sum. It is a source
 * for the bench's ResourceSampler (its ResourceSource), which calls it every interval and keeps the
 * series. The first call only primes it, and fails if a container is missing or not running (a
 * mistyped name would otherwise read as an idle group); later, a container that stops or is removed
 * drops out of the sum, as an exited process does from the /proc sampler's.
 */
export class DockerStatsSampler {
  private previous: ReadonlyMap<string, ContainerReading> | undefined;
  private readonly read: (container: string) => Promise<EngineStats>;
  private readonly machineMemoryBytes: number;

  constructor(
    readonly name: string,
    readonly containers: readonly string[],
    options: DockerStatsOptions = {},
  ) {
    this.read = options.read ?? ((container) => readContainerStats(container, options));
    this.machineMemoryBytes = options.machineMemoryBytes ?? totalmem();
  }

  async sample(): Promise<ContainersSample | undefined> {
    const priming = this.previous === undefined;
    const readings = await Promise.all(this.containers.map(async (c) => [c, await this.readingOrGone(c, priming)] as const));
    const current = new Map<string, ContainerReading>();
    for (const [container, reading] of readings) if (reading) current.set(container, reading);
    const previous = this.previous;
    this.previous = current;
    if (previous === undefined) return undefined;
    const members = new Map<string, ContainerUsage>();
    for (const [container, after] of current) {
      const before = previous.get(container);
      if (before) members.set(container, usageBetween(before, after, this.machineMemoryBytes));
    }
    return { total: sum(members.values()), members };
  }

  private async readingOrGone(container: string, priming: boolean): Promise<ContainerReading | undefined> {
    let reading: ContainerReading | undefined;
    try {
      reading = readingOf(container, await this.read(container));
    } catch (error) {
      if (!priming && error instanceof DockerStatsError && error.statusCode === 404) return undefined;
      throw error;
    }
    if (reading === undefined && priming) throw new DockerStatsError(container, `container ${container} is not running`);
    return reading;
  }
}
