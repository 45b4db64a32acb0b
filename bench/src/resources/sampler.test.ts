import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';

import { ResourceSampler, stats } from './sampler';

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
      await new Promise((r) => setTimeout(r, 2500));
      sampler.stop();
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

  void it('summarises avg, p95 and max', () => {
    assert.deepEqual(stats([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]), { avg: 10.5, p95: 19, max: 20 });
    assert.deepEqual(stats([]), { avg: 0, p95: 0, max: 0 });
  });
});
