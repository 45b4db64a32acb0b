import { spawn } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';

import { cacheDirectory, locateToolchain } from '../../toolchain';
import { CommandError, run, type RunOptions } from '../../util/exec';
import { listProcesses, startTicksOf, type ProcessInfo } from '../../util/proc';
import { sleep } from '../../util/retry';
import { tail } from '../../util/tail';
import { markerAlive, markerPath, readMarker, removeMarker, writeMarker, type EngineMarker } from './engine-marker';
import { findResidue, removeResidue, snapshotHostNetwork, type HostNetworkSnapshot } from './engine-residue';
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
  /** Where dockerd.log and the marker of a dockerd we started (dockerd.json) go; default the toolchain's cache directory. */
  readonly cacheDir?: string;
  /** How long a started dockerd has to answer (default 60 s); how long a stopped one has to exit (default 30 s). */
  readonly timeoutMs?: number;
}

/**
 * Makes sure a Docker engine answers: when none does, installs Debian's docker.io if it is missing
 * and starts dockerd detached, so the engine outlives this process as a system service would. Needs
 * root for that; an engine that already answers (a system service, a rootless one) is used as it is.
 * A dockerd started here is recorded (engine-marker.ts) with what the machine had before, for
 * stopDockerEngine.
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
  const before = await snapshotBefore(cacheDir);
  log(`starting dockerd (log: ${logFile})`);
  const { pid, exit } = await startDetached('dockerd', logFile);
  await writeMarker(cacheDir, { pid, startTicks: startTicksOf(pid) ?? '', startedAt: new Date().toISOString(), before });
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

/**
 * Docker's part of the machine's network as it was before our first dockerd: a dockerd of ours that
 * died left its traces, which are not the machine's own, so its marker's snapshot is kept.
 */
async function snapshotBefore(cacheDir: string): Promise<HostNetworkSnapshot> {
  const previous = await readMarker(cacheDir);
  return previous === undefined || markerAlive(previous) ? snapshotHostNetwork() : previous.before;
}

/** Starts a command in its own process group with output appended to logFile; `exit.status` is set if it ends. */
async function startDetached(command: string, logFile: string): Promise<{ pid: number; exit: { status: string | undefined } }> {
  const exit: { status: string | undefined } = { status: undefined };
  const out = await open(logFile, 'a');
  try {
    const child = spawn(command, [], { detached: true, stdio: ['ignore', out.fd, out.fd] });
    child.on('exit', (code, signal) => (exit.status = signal ?? `exit code ${String(code)}`));
    const failed = await new Promise<Error | undefined>((resolve) => {
      child.once('error', resolve);
      child.once('spawn', () => {
        resolve(undefined);
      });
    });
    if (failed !== undefined || child.pid === undefined) throw new DockerEngineError(`cannot start ${command}`, { cause: failed });
    child.unref();
    return { pid: child.pid, exit };
  } finally {
    await out.close();
  }
}

/** Whether an engine answers, and the dockerd this project started (if its marker is there). */
export interface EngineStatus {
  readonly version: string | undefined;
  readonly ours: (EngineMarker & { readonly alive: boolean }) | undefined;
}

export async function engineStatus(options: Pick<EngineOptions, 'cacheDir'> = {}): Promise<EngineStatus> {
  const marker = await readMarker(options.cacheDir ?? cacheDirectory());
  return { version: await engineVersion(), ours: marker === undefined ? undefined : { ...marker, alive: markerAlive(marker) } };
}

/** What stopDockerEngine found and did. */
export interface EngineStop {
  /** none: no engine of ours; not-ours: the engine that answers is someone else's (left running); stopped; gone: ours had exited already. */
  readonly engine: 'none' | 'not-ours' | 'stopped' | 'gone';
  /** The dockerd stopped (or found gone). */
  readonly pid?: number;
  /** Its containerd (and containerd's shims), gone with it. */
  readonly helpers: readonly number[];
  /** The traces it left that were removed (iptables rules and chains, bridges, forwarding settings). */
  readonly removed: readonly string[];
}

/**
 * Stops the dockerd this project started (ensureDockerEngine), never another: SIGTERM, SIGKILL after
 * `timeoutMs` (30 s), and waits for the containerd it started (and its shims) to go too. Then removes
 * what it left on the machine that was not there before it started (engine-residue.ts) and its
 * marker; /var/lib/docker (the images, a cache) is kept. When a step fails the marker stays, so that
 * a second `engine stop` finishes the job.
 */
export async function stopDockerEngine(log: (line: string) => void, options: EngineOptions = {}): Promise<EngineStop> {
  const cacheDir = options.cacheDir ?? cacheDirectory();
  const marker = await readMarker(cacheDir);
  const version = await engineVersion();
  if (marker === undefined) {
    log(version === undefined ? 'no Docker engine answers, and none was started by this project' : `the Docker engine ${version} was not started by this project (no ${markerPath(cacheDir)}): left running`);
    return { engine: version === undefined ? 'none' : 'not-ours', helpers: [], removed: [] };
  }
  let helpers: number[] = [];
  const alive = markerAlive(marker);
  if (alive) {
    helpers = await stopDockerd(marker.pid, options.timeoutMs ?? 30_000, log);
  } else if (version !== undefined) {
    log(`the dockerd this project started (pid ${marker.pid}) is gone; the engine ${version} that answers now is not ours: left running, with its chains and bridges`);
    await removeMarker(cacheDir);
    return { engine: 'not-ours', pid: marker.pid, helpers, removed: [] };
  } else {
    log(`the dockerd this project started (pid ${marker.pid}) has exited already`);
  }
  const { removed, failed } = await removeResidue(await findResidue(marker.before));
  if (removed.length > 0) log(`removed what it left that was not there before it:\n  ${removed.join('\n  ')}`);
  if (failed.length > 0) {
    throw new DockerEngineError(`dockerd stopped, but ${failed.length} of what it left could not be removed (run \`engine stop\` again): ${failed.map((e) => e.message).join('; ')}`, {
      cause: new AggregateError(failed),
    });
  }
  await removeMarker(cacheDir);
  return { engine: alive ? 'stopped' : 'gone', pid: marker.pid, helpers, removed };
}

/**
 * The processes a dockerd runs its containers with: the containerd it starts when none runs (its
 * child, configured under /var/run/docker/containerd) and that containerd's shims (addressed there).
 */
export function engineHelpers(processes: readonly Pick<ProcessInfo, 'pid' | 'ppid' | 'cmdline'>[], dockerdPid: number): number[] {
  const underDocker = (arg: string): boolean => /^(\/var)?\/run\/docker\/containerd\//.test(arg);
  return processes
    .filter((p) => p.pid !== dockerdPid && ((p.ppid === dockerdPid && path.basename(p.cmdline[0] ?? '') === 'containerd') || p.cmdline.some(underDocker)))
    .map((p) => p.pid);
}

type Running = Pick<ProcessInfo, 'pid' | 'startTicks'>;

const stillRunning = (processes: readonly Running[]): Running[] => processes.filter((p) => startTicksOf(p.pid) === p.startTicks);

function signal(processes: readonly Running[], name: NodeJS.Signals): void {
  for (const p of stillRunning(processes)) {
    try {
      process.kill(p.pid, name);
    } catch {
      // gone meanwhile
    }
  }
}

/** Waits up to `ms` for the processes to be gone; those still running. */
async function waitGone(processes: readonly Running[], ms: number): Promise<Running[]> {
  const deadline = Date.now() + ms;
  while (stillRunning(processes).length > 0 && Date.now() < deadline) await sleep(200);
  return stillRunning(processes);
}

/** SIGTERM, SIGKILL after `graceMs`; those that survived even that. */
async function terminate(processes: readonly Running[], graceMs: number, log: (line: string) => void): Promise<Running[]> {
  signal(processes, 'SIGTERM');
  const left = await waitGone(processes, graceMs);
  if (left.length === 0) return left;
  log(`pid ${left.map((p) => p.pid).join(', ')} still running ${graceMs / 1000} s after SIGTERM: SIGKILL`);
  signal(left, 'SIGKILL');
  return waitGone(left, 10_000);
}

/** Stops dockerd, then its helpers if they outlive it; their pids. */
async function stopDockerd(pid: number, timeoutMs: number, log: (line: string) => void): Promise<number[]> {
  const all = listProcesses();
  const helperPids = engineHelpers(all, pid);
  const helpers = all.filter((p) => helperPids.includes(p.pid));
  const containers = (await docker(['ps', '--quiet'], { timeoutMs: 15_000 }).catch(() => '')).split('\n').filter((id) => id !== '').length;
  log(`stopping dockerd (pid ${pid}${helpers.length > 0 ? `; containerd and shims ${helpers.map((h) => h.pid).join(', ')}` : ''}; ${containers} running container(s) stop with it)`);
  const dockerdLeft = await terminate(all.filter((p) => p.pid === pid), timeoutMs, log);
  // dockerd stops the containerd it started as it exits; one that outlives it by 15 s is stopped here.
  const helpersLeft = await terminate(await waitGone(helpers, 15_000), 10_000, log);
  const left = [...dockerdLeft, ...helpersLeft];
  if (left.length > 0) throw new DockerEngineError(`could not stop pid ${left.map((p) => p.pid).join(', ')} of the Docker engine, even with SIGKILL`);
  return helpers.map((h) => h.pid);
}
