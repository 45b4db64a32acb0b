import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { cacheDirectory } from '@energysale/network';

import { repoRoot } from '../table4/provenance';

/*
 * The two sides of an A/B run: two builds of the retail service. A side is a git revision (exported
 * with `git archive` into the cache outside the repo, its dependencies hard-linked from this
 * checkout's node_modules when its lockfile is the same, else installed offline, and built once;
 * reused while the cache holds it) or a directory holding a built checkout (`.`: this one).
 */

export class AbSideError extends Error {
  override readonly name = 'AbSideError';
}

export interface AbSide {
  /** What the user named: a revision or a directory. */
  readonly spec: string;
  /** The commit the build is of, and whether its tree differs from it (a directory with changes). */
  readonly commit: string;
  readonly dirty: boolean;
  /** The built service's dist directory (service/dist): what the tier runs. */
  readonly build: string;
}

const git = (cwd: string, args: readonly string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** A directory holding a built checkout of this repository. */
function directorySide(spec: string): AbSide {
  const dir = resolve(spec);
  const build = join(dir, 'service', 'dist');
  if (!existsSync(join(build, 'server.js'))) throw new AbSideError(`${dir} holds no built service (service/dist/server.js): run npx tsc -b there first`);
  try {
    return { spec, commit: git(dir, ['rev-parse', 'HEAD']), dirty: git(dir, ['status', '--porcelain', '--untracked-files=no']) !== '', build };
  } catch (error) {
    throw new AbSideError(`${dir} is not a git checkout: a side's commit must be known`, { cause: error });
  }
}

/** Runs a step of a side's build, its output kept for the error. */
function step(cwd: string, command: string, args: readonly string[], what: string): void {
  try {
    execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 2 ** 20 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new AbSideError(`${what} failed in ${cwd}:\n${`${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`.trim().split('\n').slice(-20).join('\n')}`, { cause: error });
  }
}

/** A revision of this repository, built in the cache (once). */
function revisionSide(spec: string, log: (line: string) => void): AbSide {
  let commit: string;
  try {
    commit = git(repoRoot, ['rev-parse', '--verify', `${spec}^{commit}`]);
  } catch (error) {
    throw new AbSideError(`${spec} is neither a directory nor a revision of ${repoRoot}`, { cause: error });
  }
  const dir = join(cacheDirectory(), 'ab', commit);
  const build = join(dir, 'service', 'dist');
  if (existsSync(join(build, 'server.js'))) {
    log(`side ${spec}: ${commit.slice(0, 12)}, built in ${dir}`);
    return { spec, commit, dirty: false, build };
  }
  log(`side ${spec}: exporting ${commit.slice(0, 12)} into ${dir} and building its service`);
  const staging = `${dir}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // Without the committed reports: a build needs none of them.
  step(repoRoot, 'sh', ['-c', `git archive ${commit} -- . ':(exclude)reports' | tar -x -C "${staging}"`], 'git archive');
  const sameLock = readFileSync(join(staging, 'package-lock.json'), 'utf8') === readFileSync(join(repoRoot, 'package-lock.json'), 'utf8');
  // The same lockfile: the same packages, hard-linked (the workspaces' links are relative: they point into the side's own tree).
  if (sameLock) {
    // The root's and each workspace's own (a package npm could not hoist).
    for (const modules of ['.', ...readdirSync(repoRoot)].map((d) => join(d, 'node_modules')).filter((m) => existsSync(join(repoRoot, m)) && existsSync(join(staging, dirname(m))))) {
      step(staging, 'cp', ['-al', join(repoRoot, modules), join(staging, modules)], `linking ${modules}`);
    }
  } else step(staging, 'npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], 'npm ci');
  step(staging, process.execPath, [join(staging, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'service'], 'building the service');
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return { spec, commit, dirty: false, build };
}

/** The side `spec` names, built: a directory when one exists by that name, else a revision. */
export function prepareSide(spec: string, log: (line: string) => void): AbSide {
  return existsSync(spec) ? directorySide(spec) : revisionSide(spec, log);
}
