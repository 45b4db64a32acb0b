/*
 * What every CLI's unit test checks of it, from its command table (a new command is covered by
 * being in the table): the built CLI spawned as a user runs it, no network needed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

import { commandHelp, overview, type Cli } from '../util/cli';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Close the reading end of the child's stdout: at once (`'start'`) or after its first chunk. */
  readonly closeStdout?: 'start' | 'first-chunk';
  readonly timeoutMs?: number;
}

/** `node <script> ...args`, its exit code and output. */
export function runCliScript(script: string, args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    if (options.closeStdout === 'start') child.stdout.destroy();
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.closeStdout === 'first-chunk') child.stdout.destroy();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface CliCheck {
  readonly name: string;
  readonly check: () => Promise<void>;
}

/**
 * The help contract of a CLI, one check per case: `--help`, `-h` and `help` list every command;
 * `<command> --help` and `help <command>` print that command's help and exit 0 for every command;
 * an unknown command and an unknown option exit 2 with a usage error naming them; help with its
 * stdout closed at once exits 0 without EPIPE.
 */
export function cliChecks(cli: Cli, script: string): CliCheck[] {
  const run = (...args: string[]) => runCliScript(script, args);
  const checks: CliCheck[] = [];
  for (const flag of ['--help', '-h', 'help']) {
    checks.push({
      name: `${cli.name} ${flag} lists every command with its summary`,
      check: async () => {
        const { code, stdout, stderr } = await run(flag);
        assert.equal(code, 0, stderr);
        assert.equal(stdout, `${overview(cli)}\n`);
        for (const c of cli.commands) assert.match(stdout, new RegExp(`^  ${c.name} +\\S`, 'm'), `${c.name} listed`);
      },
    });
  }
  for (const entry of cli.commands) {
    const help = `${commandHelp(cli, entry)}\n`;
    for (const args of [[entry.name, '--help'], ['help', entry.name]]) {
      checks.push({
        name: `${cli.name} ${args.join(' ')} prints its usage and exits 0`,
        check: async () => {
          const { code, stdout, stderr } = await run(...args);
          assert.equal(code, 0, stderr);
          assert.ok(stdout.startsWith(`usage: ${cli.name} ${entry.name}`), stdout);
          assert.equal(stdout, help);
          assert.equal(stderr, '');
        },
      });
    }
  }
  checks.push({
    name: `${cli.name} with an unknown command exits 2 with a usage error`,
    check: async () => {
      const { code, stdout, stderr } = await run('no-such-command');
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, new RegExp(`^${cli.name}: UsageError: unknown command no-such-command`));
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    },
  });
  const parsed = cli.commands.find((c) => !c.passThrough);
  if (parsed) {
    checks.push({
      name: `${cli.name} ${parsed.name} with an unknown option exits 2 naming it and pointing at its help`,
      check: async () => {
        const { code, stderr } = await run(parsed.name, '--bogus-option');
        assert.equal(code, 2);
        assert.match(stderr, /unknown option --bogus-option/);
        assert.ok(stderr.includes(`\`${cli.name} ${parsed.name} --help\``), stderr);
        assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
      },
    });
  }
  checks.push({
    name: `${cli.name} --help with its stdout closed exits 0 without EPIPE`,
    check: async () => {
      const { code, stderr } = await runCliScript(script, ['--help'], { closeStdout: 'start' });
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stderr, /EPIPE/);
    },
  });
  return checks;
}
