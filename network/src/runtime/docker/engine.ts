import { spawn } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';

import { locateToolchain } from '../../toolchain';
import { CommandError, run, type RunOptions } from '../../util/exec';
import { sleep } from '../../util/retry';
import { tail } from '../../util/tail';
import { ensureSystemTools } from './system-tools';

/** Base of the errors the container runtime throws. */
export class DockerError extends Error {
  override readonly name: string = 'DockerError';
}

/** A docker CLI command failed; keeps its arguments and what it printed on stderr. */
export class DockerCommandError extends DockerError {
  override readonly name: string = 'DockerCommandError';
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The Docker engine does not answer and could not be started; the cause holds dockerd's last log lines. */
export class DockerEngineError extends DockerError {
  override readonly name: string = 'DockerEngineError';
}

/** `env`: variables added to this process's environment (e.g. the ones a stack file interpolates). */
export type DockerOptions = Pick<RunOptions, 'timeoutMs' | 'onLine' | 'input'> & { readonly env?: Readonly<Record<string, string>> };

/**
 * Runs the docker CLI and returns its stdout. DOCKER_BUILDKIT=0 selects the legacy builder: a
 * recent CLI otherwise hands `docker build` to the buildx plugin, which Debian's engine (20.10)
 * does not ship.
 */
export async function docker(args: readonly string[], options: DockerOptions = {}): Promise<string> {
  try {
    const { stdout } = await run('docker', args, { ...options, env: { ...process.env, ...options.env, DOCKER_BUILDKIT: '0' } });
    return stdout;
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    const detail = error.stderr.trim().split('\n').slice(-15).join('\n') || error.message;
    throw new DockerCommandError(args, error.stderr, `docker ${args.join(' ')} failed: ${detail}`, { cause: error });
  }
}

/** The engine's version, or undefined when it does not answer (or there is no docker CLI). */
export async function engineVersion(): Promise<string | undefined> {
  try {
    const version = (await docker(['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 15_000 })).trim();
    return version === '' ? undefined : version;
  } catch (error) {
    if (error instanceof DockerCommandError) return undefined;
    throw error;
  }
}

export interface EngineOptions {
  /** Where dockerd.log goes; default the toolchain's cache directory. */
  readonly cacheDir?: string;
  /** How long a started dockerd has to answer (default 60 s). */
  readonly timeoutMs?: number;
}

/**
 * Makes sure a Docker engine answers: when none does, installs Debian's docker.io if it is missing
 * and starts dockerd detached, so the engine outlives this process as a system service would. Needs
 * root for that; an engine that already answers (a system service, a rootless one) is used as it is.
 */
export async function ensureDockerEngine(log: (line: string) => void, options: EngineOptions = {}): Promise<string> {
  const running = await engineVersion();
  if (running !== undefined) {
    log(`Docker engine ${running} answers`);
    return running;
  }
  await ensureSystemTools(['docker'], log);
  if (process.getuid?.() !== 0) {
    throw new DockerEngineError(
      'the Docker engine does not answer, and starting dockerd needs root: start it (e.g. `sudo dockerd &`) ' +
        'or run this as root',
    );
  }
  // The containers run the toolchain's binaries, so a missing toolchain is reported here as well as later.
  const cacheDir = options.cacheDir ?? (await locateToolchain()).cacheDir;
  const logFile = path.join(cacheDir, 'dockerd.log');
  await mkdir(cacheDir, { recursive: true });
  log(`starting dockerd (log: ${logFile})`);
  const exit = await startDetached('dockerd', logFile);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && exit.status === undefined) {
    const version = await engineVersion();
    if (version !== undefined) {
      log(`Docker engine ${version} answers`);
      return version;
    }
    await sleep(500);
  }
  const why = exit.status === undefined ? `did not answer within ${timeoutMs / 1000} s` : `exited (${exit.status})`;
  throw new DockerEngineError(`dockerd ${why}; its log is ${logFile}`, {
    cause: new Error(`last lines of ${logFile}:\n${await tail(logFile, 20)}`),
  });
}

/** Starts a command in its own process group with output appended to logFile; `status` is set if it ends. */
async function startDetached(command: string, logFile: string): Promise<{ status: string | undefined }> {
  const exit: { status: string | undefined } = { status: undefined };
  const out = await open(logFile, 'a');
  try {
    const child = spawn(command, [], { detached: true, stdio: ['ignore', out.fd, out.fd] });
    child.on('error', (error) => (exit.status = error.message));
    child.on('exit', (code, signal) => (exit.status = signal ?? `exit code ${String(code)}`));
    child.unref();
  } finally {
    await out.close();
  }
  return exit;
}
