import { execFileSync } from 'node:child_process';
import { arch, availableParallelism, cpus, release, totalmem, type as osType } from 'node:os';
import { resolve } from 'node:path';

import type { Machine } from '../report/schema';

/* What produced a figure: the commit of the repository and the machine (every report and baseline states both). */

const repoRoot = resolve(__dirname, '..', '..', '..');

export function commit(): { sha: string; dirty: boolean } {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return { sha, dirty };
  } catch {
    return { sha: 'unknown', dirty: true };
  }
}

export function machine(): Machine {
  return {
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    os: `${osType()} ${arch()}`,
    kernel: release(),
    node: process.version,
  };
}

