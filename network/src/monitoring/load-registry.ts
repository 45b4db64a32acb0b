import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { StateLayout } from '../state/layout';
import { startTicksOf } from '../util/proc';

/*
 * The benchmark processes of a run, registered in the network's state so the own-process exporter
 * counts their trees (vegeta, Caliper and the harness) as this network's load: one small file per
 * process, `<state>/run/load-<pid>.json`, written when a run starts and removed when it ends. A file
 * left by a process that died is stale: its pid no longer holds a process with its start time, and
 * it is ignored (and removed by the next registration).
 */

export interface LoadRegistration {
  readonly pid: number;
  readonly startTicks: string;
}

export class LoadRegistrationError extends Error {
  override readonly name = 'LoadRegistrationError';
}

const PREFIX = 'load-';

export function loadRegistryDir(layout: StateLayout): string {
  return join(layout.root, 'run');
}

function parseRegistration(text: string): LoadRegistration | undefined {
  try {
    const value = JSON.parse(text) as Partial<LoadRegistration>;
    return typeof value.pid === 'number' && typeof value.startTicks === 'string' ? { pid: value.pid, startTicks: value.startTicks } : undefined;
  } catch {
    return undefined;
  }
}

/** Every registration in `dir`, live or stale (the caller checks the start time against /proc). */
export function readLoadRegistrations(dir: string): LoadRegistration[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(PREFIX) && n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    try {
      return parseRegistration(readFileSync(join(dir, name), 'utf8')) ?? [];
    } catch {
      // removed between the listing and the read: the run ended
      return [];
    }
  });
}

/** Whether the registration's pid still holds the process that registered. */
export function isLive(registration: LoadRegistration, startTicks: (pid: number) => string | undefined = startTicksOf): boolean {
  return startTicks(registration.pid) === registration.startTicks;
}

export interface LoadRegistrationHandle {
  readonly file: string;
  /** Removes the registration: the process is no longer load. */
  unregister(): void;
}

/**
 * Registers this process (and so its descendants) as the network's load until `unregister()` or the
 * process exits.
 */
export function registerLoad(layout: StateLayout, pid: number = process.pid): LoadRegistrationHandle {
  const dir = loadRegistryDir(layout);
  const startTicks = startTicksOf(pid);
  if (startTicks === undefined) throw new LoadRegistrationError(`cannot register process ${String(pid)} as load: /proc/${String(pid)}/stat is unreadable`);
  const file = join(dir, `${PREFIX}${String(pid)}.json`);
  try {
    mkdirSync(dir, { recursive: true });
    for (const stale of readdirSync(dir).filter((n) => n.startsWith(PREFIX) && n.endsWith('.json'))) {
      const registration = parseRegistration(readFileSync(join(dir, stale), 'utf8'));
      if (registration === undefined || !isLive(registration)) rmSync(join(dir, stale), { force: true });
    }
    writeFileSync(file, JSON.stringify({ pid, startTicks } satisfies LoadRegistration));
  } catch (cause) {
    throw new LoadRegistrationError(`cannot register process ${String(pid)} as load in ${dir}`, { cause });
  }
  const remove = (): void => {
    rmSync(file, { force: true });
  };
  process.once('exit', remove);
  return {
    file,
    unregister: () => {
      process.off('exit', remove);
      remove();
    },
  };
}
