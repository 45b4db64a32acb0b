import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

import { ResourceSampler, stats, type ResourceSource, type SourceSample } from './sampler';

/** A source that answers the given samples in turn (an Error rejects), then repeats the last. */
function scripted(name: string, answers: readonly (SourceSample | undefined | Error)[]): ResourceSource {
  let calls = 0;
  return {
    name,
    sample: () => {
      const answer = answers[Math.min(calls++, answers.length - 1)];
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

void describe('ResourceSampler', () => {
  void it('sees a busy process use about one core, as a share of the machine, and an idle one use ~none', async () => {
    const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 4000; while (Date.now() < end);']);
    const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 4000)']);
    try {
      const cores = 2;
      const sampler = new ResourceSampler(
        [
          { name: 'busy', pids: () => (busy.pid ? [busy.pid] : []) },
          { name: 'idle', pids: () => (idle.pid ? [idle.pid] : []) },
        ],
        250,
        cores,
      );
      sampler.start();
      await pause(2500);
      sampler.stop();
      await sampler.settled();
      const busyCpu = stats(sampler.points('busy').map((p) => p.cpuPercent));
      const idleCpu = stats(sampler.points('idle').map((p) => p.cpuPercent));
      // One spinning core of two is ~50 % of the machine; other load on the machine may take some.
      assert.ok(busyCpu.avg > 5 && busyCpu.avg <= 100, `busy ${busyCpu.avg}`);
      assert.ok(idleCpu.avg < 5 && busyCpu.avg > 5 * idleCpu.avg, `idle ${idleCpu.avg}, busy ${busyCpu.avg}`);
      const memory = sampler.points('busy').map((p) => p.memoryPercent);
      assert.ok(memory.every((m) => m > 0 && m < 100));
    } finally {
      busy.kill();
      idle.kill();
    }
  });

  void it('keeps the series of an asynchronous source (containers): the group total and each member', async () => {
    const busy = { cpuPercent: 50, memoryPercent: 1 };
    const half = { cpuPercent: 25, memoryPercent: 0.5 };
    const sampler = new ResourceSampler([scripted('chain', [undefined, { total: busy, members: new Map([['peer0', half], ['peer1', half]]) }])], 20);
    sampler.start();
    await pause(150);
    sampler.stop();
    await sampler.settled();
    const total = sampler.points('chain');
    assert.ok(total.length >= 2, `${total.length} points`);
    assert.ok(total.every((p) => p.cpuPercent === 50 && p.memoryPercent === 1));
    assert.deepEqual(sampler.memberPoints('chain', 'peer0').map((p) => p.t), total.map((p) => p.t));
    assert.ok(sampler.memberPoints('chain', 'peer1').every((p) => p.cpuPercent === 25));
    assert.deepEqual(sampler.memberPoints('chain', 'orderer0'), []);
  });

  void it("reports a source's failure from settled(), and keeps the other groups' points", async () => {
    const engineGone = new Error('the Docker engine did not answer');
    const usage = { cpuPercent: 10, memoryPercent: 1 };
    const sampler = new ResourceSampler([scripted('containers', [undefined, engineGone]), scripted('processes', [undefined, { total: usage }])], 20);
    sampler.start();
    await pause(100);
    sampler.stop();
    await assert.rejects(sampler.settled(), { name: 'ResourceSourceError', source: 'containers', cause: engineGone });
    assert.deepEqual(sampler.points('containers'), []);
    assert.ok(sampler.points('processes').length >= 1);
  });

  void it('summarises avg, p95 and max', () => {
    assert.deepEqual(stats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]), { avg: 10.5, p95: 19, max: 20 });
    assert.deepEqual(stats([]), { avg: 0, p95: 0, max: 0 });
  });
});
