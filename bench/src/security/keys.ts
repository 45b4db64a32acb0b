import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/*
 * No private key in the repository, the network's logs or the reports: a PEM private key block (any
 * algorithm, encrypted or not) found in any of them is a finding. Keys belong in the network state's
 * keystores only, which is neither committed nor published.
 */

const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;

export interface KeyFinding {
  readonly where: string;
  readonly file: string;
}

function* filesUnder(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { recursive: true })) {
    const file = join(dir, String(entry));
    if (statSync(file, { throwIfNoEntry: false })?.isFile()) yield file;
  }
}

function scan(where: string, files: Iterable<string>, root: string): KeyFinding[] {
  const found: KeyFinding[] = [];
  for (const file of files) {
    const size = statSync(file).size;
    if (size > 50 * 1024 * 1024) continue;
    if (PEM_PRIVATE_KEY.test(readFileSync(file, 'latin1'))) found.push({ where, file: relative(root, file) });
  }
  return found;
}

/** Every file git tracks in `repo`, every log of the network state, every file under `reports`. */
export function scanForPrivateKeys(repo: string, logDir: string, reportsDir: string): { scanned: number; findings: KeyFinding[] } {
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' }).split('\0').filter(Boolean).map((f) => join(repo, f)).filter((f) => existsSync(f));
  const logs = [...filesUnder(logDir)];
  const reports = [...filesUnder(reportsDir)];
  const findings = [...scan('repository', tracked, repo), ...scan('logs', logs, logDir), ...scan('reports', reports, reportsDir)];
  return { scanned: tracked.length + logs.length + reports.length, findings };
}

export { PEM_PRIVATE_KEY };
