// The one test command (`npm test`, called by .ci/run): build, lint, unit tests, then the live
// tests against ONE shared native network brought up from nothing, then the lifecycle tests that
// take that network down and up again; then, that network down, the size tests (each size of the
// model up in turn, in states of their own), and the container tests against the
// same model brought up in the docker runtime (its own state). Ends with "N passed, N failed".
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { ensureSystemPackages } from './system-packages.mjs';

const root = resolve(import.meta.dirname, '..');
const stateDir = join(root, 'network', '.state-test');
const dockerStateDir = join(root, 'network', '.state-docker-test');
let env = { ...process.env, ENERGYSALE_STATE: stateDir };
const totals = { passed: 0, failed: 0 };
/** The names of what failed, phase by phase: repeated at the end, where a CI log's tail shows it. */
const failures = [];

function sh(command, args, options = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd: options.cwd ?? root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const forward = (stream) => (chunk) => {
      out += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', forward(process.stdout));
    child.stderr.on('data', forward(process.stderr));
    child.on('close', (code) => resolvePromise({ code: code ?? 1, out }));
  });
}

async function step(title, command, args, options) {
  console.log(`\n=== ${title}`);
  const started = Date.now();
  const result = await sh(command, args, options);
  console.log(`=== ${title}: ${result.code === 0 ? 'ok' : `FAILED (exit ${result.code})`} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return result;
}

function testFiles(kind) {
  const files = [];
  for (const workspace of ['network', 'chaincode', 'service', 'bench', 'dashboards']) {
    const dist = join(root, workspace, 'dist');
    let entries = [];
    try {
      entries = readdirSync(dist, { recursive: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const file = join(dist, entry);
      if (!file.endsWith('.test.js') || !statSync(file).isFile()) continue;
      const fileKind = file.endsWith('.lifecycle.test.js')
        ? 'lifecycle'
        : file.endsWith('.live.test.js')
          ? 'live'
          : file.endsWith('.container.test.js')
            ? 'container'
            : file.endsWith('.sizes.test.js')
              ? 'sizes'
              : 'unit';
      if (fileKind === kind) files.push(file);
    }
  }
  return files.sort();
}

/** node --test over files, one at a time; adds its counts to the totals. */
async function nodeTests(title, files) {
  if (files.length === 0) {
    console.log(`\n=== ${title}: no test files found`);
    totals.failed += 1;
    return false;
  }
  const result = await step(title, process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files]);
  const count = (label) => [...result.out.matchAll(new RegExp(`^ℹ ${label} (\\d+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  const passed = count('pass');
  const failed = count('fail') + (result.code !== 0 && count('fail') === 0 ? 1 : 0);
  totals.passed += passed;
  totals.failed += failed;
  if (failed > 0) failures.push(`${title}:`, ...failingTests(result.out));
  return result.code === 0;
}

/** The spec reporter's closing "failing tests" list: each test's file, name and first line of error. */
function failingTests(out) {
  const at = out.lastIndexOf('✖ failing tests:');
  if (at < 0) return ['  (no failing test named: the run itself exited non-zero)'];
  const lines = out.slice(at).split('\n');
  const named = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('✖ ') || line.startsWith('✖ failing tests:')) return;
    const where = lines[i - 1]?.startsWith('test at ') ? ` (${lines[i - 1].slice('test at '.length)})` : '';
    named.push(`  ${line}${where}`, `      ${(lines[i + 1] ?? '').trim().slice(0, 300)}`);
  });
  return named;
}

async function goTests(dir) {
  const result = await step(`go test (${dir})`, 'go', ['test', '-count=1', '-v', './...'], { cwd: join(root, dir) });
  totals.passed += [...result.out.matchAll(/^\s*--- PASS/gm)].length;
  const failed = [...result.out.matchAll(/^\s*--- FAIL.*$/gm)].map((m) => `  ${m[0].trim()}`);
  totals.failed += failed.length + (result.code !== 0 ? 1 : 0);
  if (result.code !== 0) failures.push(`go test (${dir}):`, ...failed);
  return result.code === 0;
}

async function main() {
  const cli = [join(root, 'network', 'dist', 'cli', 'main.js')];
  totals.failed += ensureSystemPackages(['nginx', 'prometheus', 'chromium', 'docker']).length;
  if ((await step('build (tsc -b)', 'npx', ['tsc', '-b'])).code !== 0) return 1;
  if ((await step('lint (eslint)', 'npx', ['eslint', '.'])).code !== 0) {
    totals.failed += 1;
    failures.push('lint (eslint)');
  }
  if ((await step('toolchain setup', process.execPath, [...cli, 'setup'])).code !== 0) return 1;
  await goTests('network/toolchain/ccaas-builder');
  await nodeTests('unit tests', testFiles('unit'));

  await step('stop a leftover test network', process.execPath, [...cli, 'down']);
  await step('remove leftover test state', process.execPath, [...cli, 'clean']);
  const up = await step('network up (from nothing)', process.execPath, [...cli, 'up']);
  if (up.code !== 0) {
    totals.failed += 1;
    failures.push('network up (from nothing)');
  } else {
    await nodeTests('live tests (shared network)', testFiles('live'));
    await nodeTests('lifecycle tests (down and up again)', testFiles('lifecycle'));
  }
  await step('network down', process.execPath, [...cli, 'down']);
  // With the shared network down: each size of the model up in turn, in states of their own.
  await nodeTests('size tests (each size of the model up in turn)', testFiles('sizes'));

  // The same model in containers: images built offline (cached), every node a container.
  env = { ...process.env, ENERGYSALE_STATE: dockerStateDir };
  await step('stop a leftover container network', process.execPath, [...cli, 'down']);
  await step('remove leftover container state', process.execPath, [...cli, 'clean']);
  const dockerUp = await step('network up --runtime docker (from nothing)', process.execPath, [...cli, 'up', '--runtime', 'docker']);
  if (dockerUp.code !== 0) {
    totals.failed += 1;
    failures.push('network up --runtime docker (from nothing)');
  } else {
    await nodeTests('container tests (docker runtime)', testFiles('container'));
  }
  await step('container network down', process.execPath, [...cli, 'down']);
  return totals.failed === 0 ? 0 : 1;
}

const code = await main();
if (failures.length > 0) console.log(`\nwhat failed:\n${failures.join('\n')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
process.exit(code);
