import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** A process that installs the CLI's handlers, registers two cleanups (one failing) and unregisters a third, then waits to be interrupted. */
const SCRIPT = `
const { exitCleanlyOnInterrupt, onInterrupt } = require(${JSON.stringify(join(__dirname, 'interrupt.js'))});
exitCleanlyOnInterrupt((line) => console.log(line));
onInterrupt(async () => { await new Promise((r) => setTimeout(r, 200)); console.log('cleaned: service tier'); });
onInterrupt(async () => { throw new Error('batch restore refused'); });
const gone = onInterrupt(async () => { console.log('cleaned: unregistered'); });
gone();
console.log('ready');
setTimeout(() => console.log('not interrupted'), 20000);
`;

async function interrupted(signal: 'SIGINT' | 'SIGTERM'): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['-e', SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('ready')) resolve();
    });
  });
  child.kill(signal);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out };
}

describe('interrupt (SIGINT, SIGTERM)', () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`${signal}: runs every registered cleanup, reports a failed one, exits ${String(code)}`, async () => {
      const result = await interrupted(signal);
      assert.equal(result.code, code);
      assert.match(result.out, new RegExp(`${signal}: stopping what this run started \\(2 cleanup\\(s\\)`));
      assert.match(result.out, /cleaned: service tier/);
      assert.match(result.out, /cleanup failed: batch restore refused/);
      assert.doesNotMatch(result.out, /unregistered|not interrupted/);
    });
  }

  it('a command that stops by itself takes the first signal; a second runs the cleanups and exits with its code', async () => {
    const script = `
const { exitCleanlyOnInterrupt, onInterrupt, onInterruptStop } = require(${JSON.stringify(join(__dirname, 'interrupt.js'))});
exitCleanlyOnInterrupt((line) => console.log(line));
onInterrupt(async () => { console.log('cleaned: service tier'); });
onInterruptStop(() => console.log('stopping by itself'), 105);
console.log('ready');
setTimeout(() => console.log('not interrupted'), 20000);
`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    const seen = (text: string): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (out.includes(text)) resolve();
          else setTimeout(check, 20);
        };
        check();
      });
    child.stdout.on('data', (chunk: string) => (out += chunk));
    await seen('ready');
    child.kill('SIGINT');
    await seen('stopping by itself');
    assert.doesNotMatch(out, /cleaned/, 'the first signal ran the cleanups');
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 105);
    assert.match(out, /cleaned: service tier/);
    assert.doesNotMatch(out, /not interrupted/);
  });
});
