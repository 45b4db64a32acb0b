// The one test command (`npm test`, called by .ci/run): build, lint, unit tests, then the live
// tests against ONE shared native network brought up from nothing, then the lifecycle tests that
// take that network down and up again; then, that network down, the size tests (each size of the
// model up in turn, in states of their own), and the container tests against the
// same model brought up in the docker runtime (its own state). Every test network sits on host
// addresses of its own (ENERGYSALE_HOSTS), so a network the user runs on the model's addresses (what
// `npm run main` leaves under network/.state) shares no port with it and is never touched. A passing
// run removes its test states, stops the Docker engine it started, and checks that nothing of its own
// is left; a failing one keeps its states and says where. Ends with "N passed, N failed".
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { ensureSystemPackages } from './system-packages.mjs';

const root = resolve(import.meta.dirname, '..');
const stateDir = join(root, 'network', '.state-test');
const dockerStateDir = join(root, 'network', '.state-docker-test');
/** The test networks' hosts: 127.20.0.1, .2, ... (the model's are 127.10.0.x; network/src/topology/addresses.ts). */
const TEST_HOSTS = '127.20.0';
const baseEnv = { ...process.env, ENERGYSALE_HOSTS: TEST_HOSTS };
let env = { ...baseEnv, ENERGYSALE_STATE: stateDir };
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

const cli = [join(root, 'network', 'dist', 'cli', 'main.js')];

/** The states the test command makes: network/.state-test, .state-test-<size>, .state-test-beside, .state-docker-test. */
function testStates() {
  let names = [];
  try {
    names = readdirSync(join(root, 'network'));
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith('.state-test') || n.startsWith('.state-docker-test')).map((n) => join(root, 'network', n));
}

/** Stops whatever runs in each test state; with `remove`, removes the states too. */
async function settleTestStates(title, remove) {
  for (const state of testStates()) {
    // The state knows its hosts' addresses: no hosts setting to disagree with one made otherwise.
    env = { ...process.env, ENERGYSALE_STATE: state };
    await step(`${title}: network down (${state})`, process.execPath, [...cli, 'down']);
    if (remove) await step(`${title}: clean (${state})`, process.execPath, [...cli, 'clean']);
  }
}

/** Whether a Docker engine answers now (the container phase starts one when none does). */
const engineAnswers = () => spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 15_000 }).status === 0;

async function main() {
  // The image test (live phase) and the container phase start a Docker engine when none answers.
  const engineBefore = engineAnswers();
  console.log('\n=== Debian packages (nginx, prometheus, chromium, docker)');
  const installing = Date.now();
  const missing = ensureSystemPackages(['nginx', 'prometheus', 'chromium', 'docker']);
  totals.failed += missing.length;
  console.log(`=== Debian packages: ${missing.length === 0 ? 'ok' : `FAILED (${missing.join(', ')})`} in ${((Date.now() - installing) / 1000).toFixed(0)} s`);
  if ((await step('build (tsc -b)', 'npx', ['tsc', '-b'])).code !== 0) return 1;
  if ((await step('lint (eslint)', 'npx', ['eslint', '.'])).code !== 0) {
    totals.failed += 1;
    failures.push('lint (eslint)');
  }
  if ((await step('toolchain setup', process.execPath, [...cli, 'setup'])).code !== 0) return 1;
  await goTests('network/toolchain/ccaas-builder');
  await nodeTests('unit tests', testFiles('unit'));

  await settleTestStates('leftover test state', true);
  env = { ...baseEnv, ENERGYSALE_STATE: stateDir };
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
  env = { ...baseEnv, ENERGYSALE_STATE: dockerStateDir };
  const dockerUp = await step('network up --runtime docker (from nothing)', process.execPath, [...cli, 'up', '--runtime', 'docker']);
  if (dockerUp.code !== 0) {
    totals.failed += 1;
    failures.push('network up --runtime docker (from nothing)');
  } else {
    await nodeTests('container tests (docker runtime)', testFiles('container'));
  }
  await step('container network down', process.execPath, [...cli, 'down']);

  // Leave the machine as the run found it: test states removed when everything passed (kept for a
  // look otherwise), the Docker engine stopped when this run started it, then a check of what is left.
  const passed = totals.failed === 0;
  await settleTestStates(passed ? 'remove test state' : 'stop test network', passed);
  if (!engineBefore) await step('stop the Docker engine this run started', process.execPath, [...cli, 'engine', 'stop']);
  env = baseEnv;
  const leftovers = await step('what is left', process.execPath, [...cli, 'leftovers', '--states', 'test', ...(engineBefore ? [] : ['--engine'])]);
  if (leftovers.code !== 0 && passed) {
    totals.failed += 1;
    failures.push('what is left: the run left something of its own (listed above)');
  }
  if (!passed) console.log(`\ntest states kept for a look (removed by the next passing run, or \`npm run network -- clean --all\`):\n${testStates().map((s) => `  ${s}`).join('\n')}`);
  return totals.failed === 0 ? 0 : 1;
}

const code = await main();
if (failures.length > 0) console.log(`\nwhat failed:\n${failures.join('\n')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed`);
process.exit(code);
