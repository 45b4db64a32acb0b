import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { DockerStatsError, DockerStatsSampler, readContainerStats, readingOf, usageBetween, type EngineStats } from './stats';

/*
 * Two answers of GET /containers/{id}/stats?stream=false&one-shot=true for one container, recorded
 * on this project's machine (2 cores, 25 276 063 744 bytes of memory, Docker 20.10, cgroup v1), 3.04 s
 * apart (read 2026-11-25T20:15:30.215Z and 20:15:33.254Z), while the container ran a static Go
 * program spinning 2 goroutines, i.e. keeping both cores busy; the machine was otherwise idle.
 * Trimmed to the fields the formulas read.
 */
const BEFORE = {
  cpu_stats: { cpu_usage: { total_usage: 2076530272, percpu_usage: [1013310675, 1063219597] }, system_cpu_usage: 44596090000000, online_cpus: 2 },
  memory_stats: { usage: 1404928, stats: { inactive_file: 0, total_inactive_file: 0 } },
} as const satisfies EngineStats;
const AFTER = {
  cpu_stats: { cpu_usage: { total_usage: 8065366059, percpu_usage: [3975714356, 4089651703] }, system_cpu_usage: 44602160000000, online_cpus: 2 },
  memory_stats: { usage: 1404928, stats: { inactive_file: 0, total_inactive_file: 0 } },
} as const satisfies EngineStats;
const MACHINE_MEMORY = 25276063744;

/** The same answers as a cgroup v2 host sends them: no per-core counters, v2 memory keys. */
function asCgroupV2(stats: EngineStats): EngineStats {
  const { total_usage } = stats.cpu_stats.cpu_usage;
  return {
    cpu_stats: { ...stats.cpu_stats, cpu_usage: { total_usage } },
    memory_stats: { ...stats.memory_stats, stats: { inactive_file: stats.memory_stats.stats?.total_inactive_file ?? 0 } },
  };
}

/**
 * Caliper 0.6.0's CPU figure for a container, transcribed from
 * @hyperledger/caliper-core/lib/manager/monitors/monitor-docker.js: lines 191-199 per sample (with the
 * earlier answer in the place of `precpu_stats`), lines 326-331 in the report, coresInUse lines 400-416.
 */
function caliperCpuPercent(before: EngineStats, after: EngineStats, report: { cpuUsageNormalization: boolean; caliperHostCores: number }): number {
  const cpuDelta = after.cpu_stats.cpu_usage.total_usage - before.cpu_stats.cpu_usage.total_usage;
  const sysDelta = (after.cpu_stats.system_cpu_usage ?? 0) - (before.cpu_stats.system_cpu_usage ?? 0);
  if (!(cpuDelta > 0 && sysDelta > 0)) return 0;
  const percpu = after.cpu_stats.cpu_usage.percpu_usage;
  const coresInUse = after.cpu_stats.online_cpus ?? (percpu ?? []).filter((u) => u > 0).length;
  const sample = percpu !== undefined && percpu !== null ? (cpuDelta / sysDelta) * coresInUse * 100 : (cpuDelta / sysDelta) * 100;
  return report.cpuUsageNormalization ? sample / report.caliperHostCores : sample;
}

function usageOf(before: EngineStats, after: EngineStats): ReturnType<typeof usageBetween> {
  const [b, a] = [readingOf('burner', before), readingOf('burner', after)];
  assert.ok(b && a);
  return usageBetween(b, a, MACHINE_MEMORY);
}

const near = (actual: number, expected: number, tolerance = 0.05): void => {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected} ± ${tolerance}`);
};

void describe('container CPU and memory from the Docker engine stats', () => {
  void it('reads the 2-core burner as ~99 % of the machine, ~197 % of one core', () => {
    const usage = usageOf(BEFORE, AFTER);
    // Δtotal_usage 5 988 835 787 ns over Δsystem_cpu_usage 6 070 000 000 ns (3.04 s × 2 cores).
    near(usage.cpuPercent, 98.66);
    near(usage.cpuCorePercent, 197.33);
    assert.equal(usage.memoryBytes, 1404928);
    near(usage.memoryPercent, 0.0056, 0.0001);
  });

  void it('gives the same figures for the same answers from a cgroup v2 host (no percpu_usage)', () => {
    assert.deepEqual(usageOf(asCgroupV2(BEFORE), asCgroupV2(AFTER)), usageOf(BEFORE, AFTER));
  });

  void it("shows where Caliper 0.6.0's docker monitor goes wrong on the same answers", () => {
    const ours = usageOf(BEFORE, AFTER);
    const caliper = (cgroupV2: boolean, cpuUsageNormalization: boolean): number =>
      cgroupV2
        ? caliperCpuPercent(asCgroupV2(BEFORE), asCgroupV2(AFTER), { cpuUsageNormalization, caliperHostCores: 2 })
        : caliperCpuPercent(BEFORE, AFTER, { cpuUsageNormalization, caliperHostCores: 2 });
    // cgroup v1 (percpu_usage sent): % of one core by default, % of the machine when normalised.
    near(caliper(false, false), ours.cpuCorePercent);
    near(caliper(false, true), ours.cpuPercent);
    near(caliper(false, false), 197.33);
    // cgroup v2: the cores factor is skipped, so by default it says 99 %, one core busy in the
    // docker-stats units of its v1 figures, and normalised it divides a share of the machine by the
    // cores again: 49 %, half the machine seemingly idle while both cores ran the burner.
    near(caliper(true, false), ours.cpuPercent);
    near(caliper(true, true), ours.cpuPercent / 2);
    near(caliper(true, true), 49.33);
    // Normalised by the cores of Caliper's own machine: an 8-core one watching this 2-core engine.
    near(caliperCpuPercent(BEFORE, AFTER, { cpuUsageNormalization: true, caliperHostCores: 8 }), ours.cpuPercent / 4);
  });

  void it('counts memory without the inactive page cache: total_inactive_file on cgroup v1, inactive_file on v2', () => {
    const cpu = AFTER.cpu_stats;
    const v1 = readingOf('c', { cpu_stats: cpu, memory_stats: { usage: 100_000, stats: { inactive_file: 10_000, total_inactive_file: 30_000 } } });
    const v2 = readingOf('c', { cpu_stats: { ...cpu, cpu_usage: { total_usage: cpu.cpu_usage.total_usage } }, memory_stats: { usage: 100_000, stats: { inactive_file: 30_000 } } });
    assert.equal(v1?.memoryBytes, 70_000);
    assert.equal(v2?.memoryBytes, 70_000);
  });

  void it('reads a stopped container (no system_cpu_usage) as not running, and refuses stats without a CPU count', () => {
    assert.equal(readingOf('c', { cpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: {} }), undefined);
    assert.throws(
      () => readingOf('c', { cpu_stats: { cpu_usage: { total_usage: 1 }, system_cpu_usage: 2 }, memory_stats: { usage: 3 } }),
      (error: unknown) => error instanceof DockerStatsError && error.container === 'c' && /CPU count/.test(error.message),
    );
  });

  void it('counts a container restarted between two readings from its restart', () => {
    const [b, a] = [readingOf('c', AFTER), readingOf('c', BEFORE)];
    assert.ok(b && a);
    near(usageBetween(b, { ...a, systemCpuNs: b.systemCpuNs + 6_070_000_000 }, MACHINE_MEMORY).cpuPercent, (2076530272 / 6_070_000_000) * 100);
  });
});

void describe('DockerStatsSampler', () => {
  const notFound = (container: string): DockerStatsError => new DockerStatsError(container, `no such container: ${container}`, 404);

  void it('primes on the first sample, then reports each container and the group sum over the interval', async () => {
    const answers = new Map<string, EngineStats[]>([
      ['peer0', [BEFORE, AFTER]],
      ['peer1', [BEFORE, AFTER]],
    ]);
    const sampler = new DockerStatsSampler('chain', ['peer0', 'peer1'], {
      machineMemoryBytes: MACHINE_MEMORY,
      read: (c) => Promise.resolve(answers.get(c)?.shift() ?? AFTER),
    });
    assert.equal(await sampler.sample(), undefined);
    const sample = await sampler.sample();
    assert.ok(sample);
    const one = usageOf(BEFORE, AFTER);
    assert.deepEqual(sample.members.get('peer0'), one);
    near(sample.total.cpuPercent, 2 * one.cpuPercent, 1e-9);
    near(sample.total.cpuCorePercent, 2 * one.cpuCorePercent, 1e-9);
    assert.equal(sample.total.memoryBytes, 2 * one.memoryBytes);
  });

  void it('fails the first sample for a missing or stopped container, and later drops one that went away', async () => {
    const stopped = { cpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: {} };
    await assert.rejects(new DockerStatsSampler('g', ['typo'], { read: (c) => Promise.reject(notFound(c)) }).sample(), { statusCode: 404 });
    await assert.rejects(new DockerStatsSampler('g', ['exited'], { read: () => Promise.resolve(stopped) }).sample(), /exited is not running/);

    let gone = false;
    const sampler = new DockerStatsSampler('g', ['stays', 'goes'], {
      read: (c) => (c === 'goes' && gone ? Promise.reject(notFound(c)) : Promise.resolve(AFTER)),
    });
    await sampler.sample();
    gone = true;
    assert.deepEqual([...((await sampler.sample())?.members.keys() ?? [])], ['stays']);
  });

  void it('fails a sample when the engine answers an error other than a missing container', async () => {
    let calls = 0;
    const sampler = new DockerStatsSampler('g', ['c'], {
      read: (c) => (calls++ === 0 ? Promise.resolve(AFTER) : Promise.reject(new DockerStatsError(c, 'HTTP 500', 500))),
    });
    await sampler.sample();
    await assert.rejects(sampler.sample(), { statusCode: 500 });
  });
});

void describe('readContainerStats', () => {
  let dir = '';
  let socketPath = '';
  let server: Server;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'engine-'));
    socketPath = join(dir, 'docker.sock');
    server = createServer((request, response) => {
      const name = /^\/containers\/([^/]+)\/stats\?stream=false&one-shot=true$/.exec(request.url ?? '')?.[1];
      if (name === 'burner') response.writeHead(200).end(JSON.stringify({ id: 'abc', ...AFTER }));
      else if (name === 'garbled') response.writeHead(200).end('{"cpu_stats":');
      else if (name === 'odd') response.writeHead(200).end('{"message":"not stats"}');
      else response.writeHead(404).end(JSON.stringify({ message: `No such container: ${name ?? '?'}` }));
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  void it('asks the engine over its unix socket for a one-shot answer', async () => {
    assert.deepEqual((await readContainerStats('burner', { socketPath })).cpu_stats, AFTER.cpu_stats);
  });

  void it('throws DockerStatsError with the status, the engine message, or the cause', async () => {
    await assert.rejects(readContainerStats('nope', { socketPath }), (error: unknown) => {
      assert.ok(error instanceof DockerStatsError);
      assert.equal(error.statusCode, 404);
      assert.match(error.message, /No such container: nope/);
      return true;
    });
    await assert.rejects(readContainerStats('garbled', { socketPath }), (error: unknown) => error instanceof DockerStatsError && error.cause instanceof SyntaxError);
    await assert.rejects(readContainerStats('odd', { socketPath }), /no cpu_stats or memory_stats/);
    await assert.rejects(readContainerStats('burner', { socketPath: join(dir, 'absent.sock') }), (error: unknown) => {
      assert.ok(error instanceof DockerStatsError);
      assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOENT');
      return true;
    });
  });
});
