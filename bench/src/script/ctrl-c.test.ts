import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

/*
 * `bench run` interrupted by Ctrl-C stops as k6 does: running iterations are interrupted, teardown
 * runs, the end-of-test summary is printed, and the exit code is 105 (k6's external abort).
 */
void describe('bench run under Ctrl-C', () => {
  it('interrupts the iterations, runs teardown, prints the summary and exits 105', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ctrl-c-'));
    try {
      const marker = path.join(dir, 'teardown.txt');
      const script = path.join(dir, 'long.ts');
      await writeFile(
        script,
        `import { sleep } from '@energysale/bench/script';
import { writeFileSync } from 'node:fs';
export const options = { scenarios: { long: { executor: 'constant-vus', vus: 2, duration: '2m' } } };
export default async function () { await sleep(0.2); }
export function teardown() { writeFileSync(${JSON.stringify(marker)}, 'teardown ran'); }
`,
      );
      const cli = path.join(__dirname, '..', 'cli.js');
      const child = spawn(process.execPath, [cli, 'run', script, '--no-service', '--no-report', '--address', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => (out += chunk));
      const running = new Promise<void>((resolve) => {
        child.stderr.on('data', (chunk: string) => {
          out += chunk;
          if (/running \(\d+m[\d.]+s\)/.test(out)) resolve();
        });
      });
      await running;
      child.kill('SIGINT');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 105, out);
      assert.equal(await readFile(marker, 'utf8'), 'teardown ran');
      assert.match(out, /iterations\.+:/, 'no end-of-test summary');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
