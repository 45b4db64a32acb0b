import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { readProcess } from '../../util/proc';
import type { HostNetworkSnapshot } from './engine-residue';

/*
 * The record that a dockerd is this project's: written when ensureDockerEngine starts one, read by
 * `engine stop` (which stops only that one) and by `leftovers`. An engine without it (a system
 * service, someone else's) is never stopped.
 */

export interface EngineMarker {
  readonly pid: number;
  /** The process's start time (util/proc.ts), so that a later process given the same pid is not taken for it. */
  readonly startTicks: string;
  readonly startedAt: string;
  /** Docker's part of the machine's network before it started: what its stop leaves. */
  readonly before: HostNetworkSnapshot;
}

export const markerPath = (cacheDir: string): string => join(cacheDir, 'dockerd.json');

export async function readMarker(cacheDir: string): Promise<EngineMarker | undefined> {
  const file = markerPath(cacheDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(await readFile(file, 'utf8')) as EngineMarker;
}

export async function writeMarker(cacheDir: string, marker: EngineMarker): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  await writeFile(markerPath(cacheDir), `${JSON.stringify(marker, null, 2)}\n`);
}

export async function removeMarker(cacheDir: string): Promise<void> {
  await rm(markerPath(cacheDir), { force: true });
}

/** Whether the marker's dockerd still runs: the same pid, started at the same time, running dockerd. */
export function markerAlive(marker: Pick<EngineMarker, 'pid' | 'startTicks'>, read: typeof readProcess = readProcess): boolean {
  const process = read(marker.pid);
  return process !== undefined && process.startTicks === marker.startTicks && basename(process.cmdline[0] ?? '') === 'dockerd';
}
