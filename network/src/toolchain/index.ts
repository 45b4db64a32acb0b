import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { run } from '../util/exec.js';
import {
  explainGoFailure,
  GoToolchainError,
  ToolchainBuildError,
  ToolchainMissingError,
  type GoFailureContext,
} from './errors.js';
import { FABRIC, FABRIC_CA, VEGETA } from './versions.js';

export {
  CCompilerError,
  DiskFullError,
  GoToolchainError,
  ModuleProxyError,
  ToolchainBuildError,
  ToolchainError,
  ToolchainMissingError,
} from './errors.js';
export { FABRIC, FABRIC_CA, VEGETA } from './versions.js';

export interface Toolchain {
  /** ~/.cache/energysale-bench, or ENERGYSALE_CACHE. Holds binaries, Go module and build caches. */
  readonly cacheDir: string;
  /** <cacheDir>/toolchain/<versionKey>/bin */
  readonly binDir: string;
  readonly bin: {
    readonly peer: string;
    readonly orderer: string;
    readonly configtxgen: string;
    readonly configtxlator: string;
    readonly osnadmin: string;
    readonly fabricCaServer: string;
    readonly fabricCaClient: string;
    readonly vegeta: string;
  };
  /** The Fabric module's sampleconfig (core.yaml, orderer.yaml, configtx.yaml). Read-only: copy before editing. */
  readonly sampleConfigDir: string;
  /** Holds bin/detect, bin/build, bin/release: a peer's chaincode.externalBuilders path. */
  readonly externalBuilderDir: string;
  readonly versions: { readonly fabric: string; readonly fabricCa: string; readonly vegeta: string };
}

/** network/toolchain: the Go modules that pin what we build (this file runs from network/dist/toolchain). */
const SOURCE_DIR = path.resolve(__dirname, '..', '..', 'toolchain');

const SETUP_TIMEOUT_MS = 30 * 60_000;

interface Layout {
  readonly cacheDir: string;
  readonly key: string;
  /** <cacheDir>/toolchain/<key> */
  readonly root: string;
  readonly binDir: string;
  readonly externalBuilderDir: string;
  readonly goModCache: string;
  readonly goBuildCache: string;
  readonly sampleConfigDir: string;
}

interface GoBuild {
  readonly packages: readonly string[];
  readonly ldflags?: string;
  readonly tags?: string;
  readonly env?: Readonly<Record<string, string>>;
}

interface Component {
  readonly title: string;
  /** Directory of its Go module under network/toolchain. */
  readonly module: string;
  readonly firstTime: string;
  readonly builds: readonly GoBuild[];
  readonly outDir: (layout: Layout) => string;
  /** Commands (`<binary> version` unless args say otherwise) whose output proves the binaries carry the pinned version. */
  readonly versionChecks: readonly {
    readonly binary: string;
    readonly version: string;
    readonly args?: readonly string[];
  }[];
}

const FABRIC_CMDS = ['peer', 'orderer', 'configtxgen', 'configtxlator', 'osnadmin'] as const;
const CA_METADATA = `${FABRIC_CA.module}/lib/metadata`;

const COMPONENTS: readonly Component[] = [
  {
    title: `Fabric ${FABRIC.version}`,
    module: 'fabric',
    firstTime: '~3 min',
    builds: [
      {
        packages: FABRIC_CMDS.map((cmd) => `${FABRIC.module}/cmd/${cmd}`),
        // Without these `peer version` says "latest": the Makefile normally sets them.
        ldflags: [
          `-X ${FABRIC.module}/common/metadata.Version=${FABRIC.version}`,
          `-X ${FABRIC.module}/common/metadata.CommitSHA=${FABRIC.commit.slice(0, 7)}`,
        ].join(' '),
      },
    ],
    outDir: (layout) => layout.binDir,
    versionChecks: [{ binary: 'peer', version: FABRIC.version }],
  },
  {
    title: `Fabric CA ${FABRIC_CA.version}`,
    module: 'fabric-ca',
    firstTime: '~2 min',
    // As upstream's release targets: cgo for the server's SQLite driver, which the client leaves
    // out through the caclient tag. Without cgo the server logs a sqlite error and still exits 0.
    builds: [
      {
        packages: [`${FABRIC_CA.module}/cmd/fabric-ca-server`],
        ldflags: `-X ${CA_METADATA}.Version=${FABRIC_CA.version}`,
        env: { CGO_ENABLED: '1' },
      },
      {
        packages: [`${FABRIC_CA.module}/cmd/fabric-ca-client`],
        ldflags: `-X ${CA_METADATA}.Version=${FABRIC_CA.version}`,
        tags: 'caclient',
        env: { CGO_ENABLED: '1' },
      },
    ],
    outDir: (layout) => layout.binDir,
    versionChecks: [
      { binary: 'fabric-ca-server', version: FABRIC_CA.version },
      { binary: 'fabric-ca-client', version: FABRIC_CA.version },
    ],
  },
  {
    title: 'the chaincode-as-a-service builder',
    module: 'ccaas-builder',
    firstTime: 'a few seconds',
    builds: [{ packages: ['./cmd/detect', './cmd/build', './cmd/release'], env: { CGO_ENABLED: '0' } }],
    outDir: (layout) => path.join(layout.externalBuilderDir, 'bin'),
    versionChecks: [],
  },
  {
    title: `vegeta ${VEGETA.version}`,
    module: 'vegeta',
    firstTime: '~30 s',
    // As upstream's Makefile: static, and the version its Makefile stamps from the git tag.
    builds: [{ packages: [VEGETA.module], ldflags: `-X main.Version=${VEGETA.version}`, env: { CGO_ENABLED: '0' } }],
    outDir: (layout) => layout.binDir,
    versionChecks: [{ binary: 'vegeta', version: VEGETA.version, args: ['-version'] }],
  },
];

function binaries(component: Component): string[] {
  return component.builds.flatMap((b) => b.packages.map(executableName));
}

/** The file `go build` writes for a main package: named after its last path element, or the one before a major-version suffix (.../vegeta/v12 -> vegeta). */
function executableName(pkg: string): string {
  const name = path.posix.basename(pkg);
  return /^v\d+$/.test(name) && pkg.includes('/') ? path.posix.basename(path.posix.dirname(pkg)) : name;
}

/**
 * Makes sure the pinned Fabric, Fabric CA, ccaas builder and vegeta binaries are in the cache, building
 * what is absent or reports the wrong version, and returns where they are. When everything is in
 * place it only checks versions, which takes well under a second.
 */
export async function ensureToolchain(options: { log?: (line: string) => void } = {}): Promise<Toolchain> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const layout = await resolveLayout();
  const problems = await Promise.all(COMPONENTS.map((component) => inspect(component, layout)));
  let go: GoInstallation | undefined;
  for (const [i, component] of COMPONENTS.entries()) {
    const problem = problems[i];
    if (problem === undefined) continue;
    go ??= await checkGo(layout, log);
    if (problem.kind === 'wrong') log(`${component.title}: ${problem.detail}; rebuilding`);
    log(`building ${component.title} ${binaries(component).join(', ')} (first time: ${component.firstTime})`);
    await build(component, layout, go, log);
    const after = await inspect(component, layout);
    if (after !== undefined) {
      const detail = after.kind === 'wrong' ? after.detail : `${after.names.join(', ')} still absent`;
      throw new ToolchainBuildError(`built ${component.title} into ${component.outDir(layout)}, but ${detail}`);
    }
  }
  if (!(await hasSampleConfig(layout))) {
    go ??= await checkGo(layout, log);
    log(`downloading the Fabric ${FABRIC.version} module for its sampleconfig`);
    await goCommand(['mod', 'download', `${FABRIC.module}@${FABRIC.moduleVersion}`], 'fabric', layout, go, log, {
      doing: `downloading the Fabric ${FABRIC.version} module`,
    });
    if (!(await hasSampleConfig(layout))) {
      throw new ToolchainBuildError(
        `downloaded the Fabric ${FABRIC.version} module, but ${layout.sampleConfigDir} has no core.yaml`,
      );
    }
  }
  if (go !== undefined) await pruneStale(layout, log);
  const toolchain = describe(layout);
  log(`Fabric ${FABRIC.version}, Fabric CA ${FABRIC_CA.version} and vegeta ${VEGETA.version} ready in ${toolchain.binDir}`);
  return toolchain;
}

/** Returns the toolchain that `npm run setup` built, without building anything. */
export async function locateToolchain(): Promise<Toolchain> {
  const layout = await resolveLayout();
  const missing: string[] = [];
  for (const component of COMPONENTS) {
    for (const name of binaries(component)) {
      const file = path.join(component.outDir(layout), name);
      if (!(await isExecutable(file))) missing.push(path.relative(layout.root, file));
    }
  }
  if (!(await hasSampleConfig(layout))) {
    missing.push(`the Fabric ${FABRIC.version} sampleconfig (${layout.sampleConfigDir})`);
  }
  if (missing.length > 0) throw new ToolchainMissingError(missing, layout.root);
  return describe(layout);
}

function describe(layout: Layout): Toolchain {
  const bin = (name: string): string => path.join(layout.binDir, name);
  return {
    cacheDir: layout.cacheDir,
    binDir: layout.binDir,
    bin: {
      peer: bin('peer'),
      orderer: bin('orderer'),
      configtxgen: bin('configtxgen'),
      configtxlator: bin('configtxlator'),
      osnadmin: bin('osnadmin'),
      fabricCaServer: bin('fabric-ca-server'),
      fabricCaClient: bin('fabric-ca-client'),
      vegeta: bin('vegeta'),
    },
    sampleConfigDir: layout.sampleConfigDir,
    externalBuilderDir: layout.externalBuilderDir,
    versions: { fabric: FABRIC.version, fabricCa: FABRIC_CA.version, vegeta: VEGETA.version },
  };
}

/** ~/.cache/energysale-bench, or ENERGYSALE_CACHE: where the toolchain is built (whether it is yet or not). */
export function cacheDirectory(): string {
  const override = process.env['ENERGYSALE_CACHE'];
  return override ? path.resolve(override) : path.join(os.homedir(), '.cache', 'energysale-bench');
}

async function resolveLayout(): Promise<Layout> {
  const cacheDir = cacheDirectory();
  const key = await versionKey();
  const root = path.join(cacheDir, 'toolchain', key);
  const goModCache = path.join(cacheDir, 'gomod');
  // goBuildEnvironment() names the same two caches for a user's Go chaincode.
  return {
    cacheDir,
    key,
    root,
    binDir: path.join(root, 'bin'),
    externalBuilderDir: path.join(root, 'ccaas-builder'),
    goModCache,
    goBuildCache: path.join(cacheDir, 'gobuild'),
    sampleConfigDir: path.join(
      goModCache,
      `${escapeModulePath(FABRIC.module)}@${FABRIC.moduleVersion}`,
      'sampleconfig',
    ),
  };
}

/**
 * Names the build: it changes with any pin, build flag, go.mod/go.sum or builder source, so a
 * stale cache is never mistaken for the current one. Tests are left out: they do not change a binary.
 */
async function versionKey(): Promise<string> {
  const hash = createHash('sha256');
  const recipe = {
    FABRIC,
    FABRIC_CA,
    VEGETA,
    builds: COMPONENTS.map((c) => c.builds),
    platform: `${process.platform}-${process.arch}`,
  };
  hash.update(JSON.stringify(recipe));
  const files = (await readdir(SOURCE_DIR, { recursive: true }))
    .map((file) => file.split(path.sep).join('/'))
    .filter((file) => /(^|\/)go\.(mod|sum)$|\.go$/.test(file) && !file.endsWith('_test.go'))
    .sort();
  for (const file of files) {
    hash.update(`\0${file}\0`);
    hash.update(await readFile(path.join(SOURCE_DIR, file)));
  }
  return `fabric-${FABRIC.version}-ca-${FABRIC_CA.version}-${hash.digest('hex').slice(0, 12)}`;
}

/** The module cache spells upper-case letters as '!' + lower-case. */
function escapeModulePath(modulePath: string): string {
  return modulePath.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

type Problem =
  | { readonly kind: 'absent'; readonly names: readonly string[] }
  | { readonly kind: 'wrong'; readonly detail: string };

async function inspect(component: Component, layout: Layout): Promise<Problem | undefined> {
  const dir = component.outDir(layout);
  const names: string[] = [];
  for (const name of binaries(component)) {
    if (!(await isExecutable(path.join(dir, name)))) names.push(name);
  }
  if (names.length > 0) return { kind: 'absent', names };
  const wrong = await Promise.all(
    component.versionChecks.map(async ({ binary, version, args = ['version'] }) => {
      // cwd: a version command must not leave files where it happens to run.
      const output = await run(path.join(dir, binary), args, { cwd: os.tmpdir(), timeoutMs: 30_000 }).then(
        (r) => r.stdout + r.stderr,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      const reported = /^\s*Version: (\S+)\s*$/m.exec(output)?.[1];
      if (reported === version) return undefined;
      return `\`${binary} ${args.join(' ')}\` reports ${reported ?? `no version (${output.trim()})`}, not ${version}`;
    }),
  );
  const detail = wrong.find((w) => w !== undefined);
  return detail === undefined ? undefined : { kind: 'wrong', detail };
}

async function build(
  component: Component,
  layout: Layout,
  go: GoInstallation,
  log: (line: string) => void,
): Promise<void> {
  const context = { doing: `building ${component.title}` };
  const outDir = component.outDir(layout);
  let staging: string | undefined;
  try {
    await mkdir(outDir, { recursive: true });
    // Built beside the final place and renamed into it, so an interrupted or concurrent build never
    // leaves a half-written binary where inspect() would take it for a good one.
    staging = await mkdtemp(path.join(layout.root, '.staging-'));
    for (const step of component.builds) {
      const args = ['build', '-o', `${staging}${path.sep}`];
      if (step.tags !== undefined) args.push('-tags', step.tags);
      if (step.ldflags !== undefined) args.push('-ldflags', step.ldflags);
      await goCommand([...args, ...step.packages], component.module, layout, go, log, context, step.env);
    }
    for (const name of binaries(component)) await rename(path.join(staging, name), path.join(outDir, name));
  } catch (error) {
    throw explainGoFailure(error, { ...context, cacheDir: layout.cacheDir, goproxy: go.goproxy });
  } finally {
    if (staging !== undefined) await rm(staging, { recursive: true, force: true });
  }
}

interface GoInstallation {
  readonly version: string;
  readonly goproxy: string;
}

/**
 * Environment of a `go` command building with the toolchain's caches (modules from the proxy into the
 * cache, nothing fetched or stamped behind our back): what a user's Go chaincode is built with.
 */
export function goBuildEnvironment(toolchain: Pick<Toolchain, 'cacheDir'>, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return goEnvironment({ goModCache: path.join(toolchain.cacheDir, 'gomod'), goBuildCache: path.join(toolchain.cacheDir, 'gobuild') }, extra);
}

/** Environment for every go command: our caches, and nothing fetched or stamped behind our back. */
function goEnvironment(layout: Pick<Layout, 'goModCache' | 'goBuildCache'>, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOMODCACHE: layout.goModCache,
    GOCACHE: layout.goBuildCache,
    // A GOFLAGS variable replaces what `go env -w` set, so it restates the flag we rely on: the
    // modules sit inside this git checkout, whose state must not be stamped into (or break) builds.
    GOFLAGS: '-buildvcs=false',
    // Too old a Go is reported by checkGo(), not silently replaced by a downloaded toolchain.
    GOTOOLCHAIN: 'local',
    GOWORK: 'off',
    ...extra,
  };
}

async function goCommand(
  args: readonly string[],
  module: string,
  layout: Layout,
  go: GoInstallation,
  log: (line: string) => void,
  context: Pick<GoFailureContext, 'doing'>,
  env?: Readonly<Record<string, string>>,
): Promise<void> {
  try {
    await run('go', args, {
      cwd: path.join(SOURCE_DIR, module),
      env: goEnvironment(layout, env),
      timeoutMs: SETUP_TIMEOUT_MS,
      onLine: (line) => {
        if (line.trim() !== '') log(line);
      },
    });
  } catch (error) {
    throw explainGoFailure(error, { ...context, cacheDir: layout.cacheDir, goproxy: go.goproxy });
  }
}

/** Finds go and checks it against the highest `go` directive of our modules. */
async function checkGo(layout: Layout, log: (line: string) => void): Promise<GoInstallation> {
  let stdout: string;
  try {
    // cwd: outside any module, so a go.mod asking for a newer Go cannot make this fail instead.
    ({ stdout } = await run('go', ['env', 'GOVERSION', 'GOPROXY'], { cwd: SOURCE_DIR, env: goEnvironment(layout) }));
  } catch (error) {
    const context = { doing: 'checking the Go installation', cacheDir: layout.cacheDir, goproxy: 'unknown' };
    throw explainGoFailure(error, context);
  }
  const [version = '', goproxy = ''] = stdout.trim().split('\n');
  const required = await requiredGo();
  const have = parseGoVersion(version.replace(/^go/, ''));
  if (have !== undefined && compareVersions(have, required.version) < 0) {
    throw new GoToolchainError(
      `${version} is too old: network/toolchain/${required.module}/go.mod needs go >= ${required.version.join('.')}. ` +
        'Install a newer Go (https://go.dev/dl/ or the system package manager), then run `npm run setup` again.',
    );
  }
  log(`using ${version} (GOPROXY=${goproxy}, caches in ${layout.cacheDir})`);
  return { version, goproxy };
}

async function requiredGo(): Promise<{ module: string; version: number[] }> {
  let highest = { module: '', version: [0] };
  for (const { module } of COMPONENTS) {
    const goMod = await readFile(path.join(SOURCE_DIR, module, 'go.mod'), 'utf8');
    const directive = /^go (\S+)$/m.exec(goMod)?.[1];
    const version = directive === undefined ? undefined : parseGoVersion(directive);
    if (version !== undefined && compareVersions(version, highest.version) > 0) highest = { module, version };
  }
  return highest;
}

/** "1.25.0" -> [1, 25, 0]; undefined for development builds, which are assumed new enough. */
function parseGoVersion(text: string): number[] | undefined {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * After a build, drops the binaries of earlier pins: ~250 MB each. The Go caches are shared and kept.
 * One that a running process was started from (a network brought up before the pins changed) is
 * kept: its peers still need its chaincode builder. A later setup removes it.
 */
async function pruneStale(layout: Layout, log: (line: string) => void): Promise<void> {
  const parent = path.dirname(layout.root);
  for (const entry of await readdir(parent)) {
    if (entry === layout.key || !entry.startsWith('fabric-')) continue;
    const dir = path.join(parent, entry);
    const pid = await processRunningFrom(dir);
    if (pid !== undefined) {
      log(`keeping the stale toolchain ${dir}: process ${pid} runs from it`);
      continue;
    }
    log(`removing the stale toolchain ${dir}`);
    await rm(dir, { recursive: true, force: true });
  }
}

/** A process whose executable lies under `dir` (Linux /proc; elsewhere none is found). */
async function processRunningFrom(dir: string): Promise<string | undefined> {
  const pids = await readdir('/proc').catch(() => []);
  for (const pid of pids.filter((p) => /^\d+$/.test(p))) {
    const exe = await readlink(path.join('/proc', pid, 'exe')).catch(() => '');
    if (exe.startsWith(`${dir}${path.sep}`)) return pid;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function hasSampleConfig(layout: Layout): Promise<boolean> {
  return access(path.join(layout.sampleConfigDir, 'core.yaml'), constants.R_OK).then(
    () => true,
    () => false,
  );
}
