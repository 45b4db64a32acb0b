// The main job on the embedded default (`npm run main`): build, toolchain, the native network with
// the chaincode deployed, its idle resource use, then the Table 4 reproduction (paper profile:
// 30 users, 10 minutes per test, through nginx and the retail service) and its report.
// `npm run main -- quick` runs the short profile instead.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

import { ensureSystemPackages } from './system-packages.mjs';

const root = resolve(import.meta.dirname, '..');
const cli = join(root, 'network', 'dist', 'cli', 'main.js');

function step(title, command, args) {
  console.log(`\n=== ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`=== ${title} failed (exit ${String(result.status)})`);
    process.exit(result.status ?? 1);
  }
}

if (ensureSystemPackages(['nginx', 'prometheus']).length > 0) process.exit(1);
step('build', 'npx', ['tsc', '-b']);
step('toolchain', process.execPath, [cli, 'setup']);
step('network up', process.execPath, [cli, 'up']);
step('network status', process.execPath, [cli, 'status']);
step('idle resource use (10 s)', process.execPath, [cli, 'stats', '--seconds', '10']);
const profile = process.argv[2] ?? 'paper';
console.log(`\n=== Table 4 reproduction (${profile} profile)`);
const bench = spawnSync(process.execPath, [join(root, 'bench', 'dist', 'cli.js'), 'table4', '--profile', profile], { cwd: root, stdio: 'inherit' });
// 99: the run completed but fell short of a paper figure (a threshold), as k6 reports it.
process.exit(bench.status ?? 1);
