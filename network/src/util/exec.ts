import { spawn, type SpawnOptions } from 'node:child_process';

/** A command exited non-zero, could not be started, or timed out. Keeps what it printed. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly command: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the command after this many milliseconds (default 10 minutes). */
  readonly timeoutMs?: number;
  /** Called with each line of stderr and stdout as it arrives (progress for long commands). */
  readonly onLine?: (line: string) => void;
  readonly input?: string;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion without a shell; rejects with CommandError on failure. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, spawnOptions);
    let stdout = '';
    let stderr = '';
    let pending = '';
    const feed = (chunk: string): void => {
      if (!options.onLine) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    };
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      feed(c);
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      feed(c);
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (cause) => {
      clearTimeout(timer);
      reject(new CommandError(command, args, null, stdout, stderr, `cannot start ${command}: ${cause.message}`, { cause }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (pending && options.onLine) options.onLine(pending);
      if (code === 0) {
        resolve({ stdout, stderr });
        return;
      }
      const why = signal ? `was killed by ${signal}` : `exited with ${String(code)}`;
      const tail = (stderr.trim() || stdout.trim()).split('\n').slice(-15).join('\n');
      reject(new CommandError(command, args, code, stdout, stderr, `${command} ${args.join(' ')} ${why}\n${tail}`));
    });
  });
}
