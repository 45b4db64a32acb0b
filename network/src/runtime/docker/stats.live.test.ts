import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { run } from '../../util/exec';
import { sleep } from '../../util/retry';
import { docker, engineVersion } from './engine';
import { DockerStatsSampler, type ContainerUsage } from './stats';

/*
 * The sampler against the real engine: a container that keeps a known number of cores busy must read
 * as that share of the machine, and as what the kernel charged its process over the same seconds.
 * Needs only the engine and Go: the burner is a static Go program in a scratch image built here, as
 * no image can be pulled.
 */

const IMAGE = 'energysale-test/cpu-burner:stats';
const PREFIX = 'energysale-stats-test-';

/** Spins the number of goroutines given for the duration given, then exits. */
const BURNER = `package main

import (
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	d, _ := time.ParseDuration(os.Args[2])
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
			}
		}()
	}
	wg.Wait()
}
`;

async function buildBurnerImage(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cpu-burner-'));
  try {
    await writeFile(join(dir, 'main.go'), BURNER);
    await writeFile(join(dir, 'go.mod'), 'module burner\n\ngo 1.21\n');
    await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY burner /burner\nENTRYPOINT ["/burner"]\n');
    // No module to fetch and no toolchain to download: the build never needs the network.
    await run('go', ['build', '-o', 'burner', '.'], { cwd: dir, env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOPROXY: 'off', GOFLAGS: '' } });
    await docker(['build', '-q', '-t', IMAGE, dir]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function mean(usages: readonly ContainerUsage[]): ContainerUsage {
  const avg = (f: (u: ContainerUsage) => number): number => usages.reduce((s, u) => s + f(u), 0) / usages.length;
  return { cpuPercent: avg((u) => u.cpuPercent), cpuCorePercent: avg((u) => u.cpuCorePercent), memoryBytes: avg((u) => u.memoryBytes), memoryPercent: avg((u) => u.memoryPercent) };
}

/** CPU seconds the kernel charged a process, all its threads: utime + stime of /proc/<pid>/stat, in USER_HZ (1/100 s). */
async function processCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface BurnerFigures {
  /** The sampler's mean over four 1-second intervals. */
  readonly docker: ContainerUsage;
  /** The burner process's CPU over the same 4 s, from /proc, in % of the machine. */
  readonly kernelPercent: number;
}

/**
 * Runs the burner with `goroutines` busy loops and samples it every second for 4 s. An answer of the
 * engine can take a second (it waits for its collector's next round), hence the burner's 30 s bound;
 * it is removed as soon as it is measured.
 */
async function measureBurner(goroutines: number): Promise<BurnerFigures> {
  const name = `${PREFIX}${process.pid}-${goroutines}`;
  await docker(['run', '-d', '--rm', '--name', name, IMAGE, String(goroutines), '30s']);
  try {
    const pid = Number((await docker(['inspect', '--format', '{{.State.Pid}}', name])).trim());
    const sampler = new DockerStatsSampler('burner', [name]);
    await sampler.sample();
    const [cpuBefore, wallBefore] = [await processCpuSeconds(pid), Date.now()];
    const usages: ContainerUsage[] = [];
    for (let i = 0; i < 4; i++) {
      await sleep(1000);
      const usage = (await sampler.sample())?.members.get(name);
      if (usage) usages.push(usage);
    }
    const [cpuAfter, wallAfter] = [await processCpuSeconds(pid), Date.now()];
    assert.equal(usages.length, 4, `the burner ${name} stopped before it was sampled 4 times`);
    const kernelPercent = ((cpuAfter - cpuBefore) / ((wallAfter - wallBefore) / 1000) / availableParallelism()) * 100;
    return { docker: mean(usages), kernelPercent };
  } finally {
    // Idempotent, should the burner have ended and been removed already (--rm).
    await docker(['rm', '-f', name]);
  }
}

void describe('DockerStatsSampler against the Docker engine', () => {
  before(async () => {
    assert.ok(await engineVersion(), 'the Docker engine does not answer on /var/run/docker.sock: start dockerd (`npm test` starts it)');
    await buildBurnerImage();
  });

  after(async () => {
    await docker(['rmi', '-f', IMAGE]);
  });

  void it('reads a container busy on 1 core as 1/cores of the machine, and 1 and 2 busy cores as the kernel charged them', async () => {
    const cores = availableParallelism();
    const one = await measureBurner(1);
    const two = await measureBurner(2);
    const figures = [one, two]
      .map((b, i) => `${i + 1} goroutine(s): ${b.docker.cpuPercent.toFixed(1)} % of the machine (${b.docker.cpuCorePercent.toFixed(1)} % of a core), kernel ${b.kernelPercent.toFixed(1)} %`)
      .join('; ');
    console.log(`${figures}; ${cores} cores`);

    // Whatever the burners got of a shared machine, the engine's figure is the kernel's share of the
    // machine: a figure in % of a core would be `cores` times it, Caliper's normalised cgroup v2 one
    // 1/cores of it. This comparison holds under any load; 2 busy goroutines against 1 is about 2
    // only when nothing else wants the second core.
    for (const b of [one, two]) assert.ok(Math.abs(b.docker.cpuPercent - b.kernelPercent) <= 2 + 0.05 * b.kernelPercent, figures);
    assert.ok(Math.abs(one.docker.cpuCorePercent - one.docker.cpuPercent * cores) < 1e-6, `the engine counts ${one.docker.cpuCorePercent / one.docker.cpuPercent} cores, this machine ${cores}`);
    // One busy loop is one core: 100/cores % of the machine, less what other load on the machine takes.
    assert.ok(one.docker.cpuPercent <= (1.05 * 100) / cores, figures);
    assert.ok(
      one.docker.cpuPercent >= (0.6 * 100) / cores,
      `one busy goroutine got ${one.kernelPercent.toFixed(1)} % of the machine by the kernel's count too, not ~${(100 / cores).toFixed(0)} %: ` +
        `other work on the machine took its core (${figures})`,
    );
    assert.ok(one.docker.memoryBytes > 0 && two.docker.memoryBytes > 0 && one.docker.memoryPercent > 0, `memory ${one.docker.memoryBytes} and ${two.docker.memoryBytes} bytes`);
  });

  void it('leaves no container behind', async () => {
    assert.equal((await docker(['ps', '-a', '-q', '--filter', `name=${PREFIX}`])).trim(), '');
  });
});
