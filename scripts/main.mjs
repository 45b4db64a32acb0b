// The main job on the embedded default (`npm run main`): build, toolchain, the native network with
// the chaincode deployed, then the network's idle resource use. The retail service, the Table 4
// reproduction and its report join this job as their issues land (see README, "Status").
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

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

step('build', 'npx', ['tsc', '-b']);
step('toolchain', process.execPath, [cli, 'setup']);
step('network up', process.execPath, [cli, 'up']);
step('network status', process.execPath, [cli, 'status']);
step('idle resource use (10 s)', process.execPath, [cli, 'stats', '--seconds', '10']);
