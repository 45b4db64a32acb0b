import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';

import { goBuildEnvironment, type Toolchain } from '../toolchain';
import { run } from '../util/exec';

/** The chaincode directory cannot be built or run as a chaincode server; the message says what to change. */
export class ChaincodeSourceError extends Error {
  override readonly name = 'ChaincodeSourceError';
}

export type ChaincodeLanguage = 'node' | 'go';

/** Where a chaincode server listens and the TLS material it serves and checks peers with. */
export interface ServerTls {
  readonly address: string;
  readonly packageId: string;
  readonly key: string;
  readonly cert: string;
  /** The CA whose client certificates (its org's peers') the server accepts. */
  readonly clientCa: string;
}

/** How to run one chaincode server of a build: command, arguments, environment, working directory. */
export interface ServerCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/** A chaincode built from a user's directory into the state: what its servers run, whatever happens to the directory after. */
export interface ChaincodeBuild {
  readonly language: ChaincodeLanguage;
  /**
   * Node only: `contract` (fabric-contract-api, served by fabric-shim's `server` command) or `shim`
   * (a ChaincodeInterface handed to Shim.start, served through shim-launcher.ts).
   */
  readonly api?: 'contract' | 'shim';
  /** The directory it was built from. */
  readonly source: string;
  /** The build the servers run (a copy of a Node module with its node_modules, or a Go binary). */
  readonly artefact: string;
  /** sha256 of the source files: a changed build is a new package, hence an upgrade. */
  readonly codeHash: string;
  /** The version the source declares (package.json), if any. */
  readonly declaredVersion?: string;
  /** META-INF of the source (CouchDB indexes), packaged with it when present. */
  readonly metaInf?: string;
}

const IGNORED = new Set(['node_modules', '.git', 'dist', 'build', 'coverage']);

/** Files that define a chaincode's code: everything but dependencies, VCS and build output, sorted. */
function sourceFiles(dir: string, root = dir): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      if (IGNORED.has(name)) return [];
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sourceFiles(path, root) : [relative(root, path)];
    });
}

export function sourceHash(dir: string): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles(dir)) hash.update(file).update('\0').update(readFileSync(join(dir, file))).update('\0');
  return hash.digest('hex');
}

/** Node (package.json) or Go (go.mod); anything else is refused with what would make it deployable. */
export function detectLanguage(dir: string): ChaincodeLanguage {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ChaincodeSourceError(`${dir} is not a directory`);
  if (existsSync(join(dir, 'package.json'))) return 'node';
  if (existsSync(join(dir, 'go.mod'))) return 'go';
  throw new ChaincodeSourceError(`${dir} has neither package.json (a Node chaincode) nor go.mod (a Go chaincode)`);
}

/**
 * Builds the chaincode in `dir` into `buildsDir` for chaincode-as-a-service:
 * - Node (fabric-contract-api or fabric-shim, JavaScript or TypeScript): its dependencies installed
 *   from the registry (`npm ci` with a lockfile, else `npm install`), `npm run build` when it has a
 *   build script, then the module copied into the state. A contract's servers run fabric-shim's own
 *   `server` command; a low-level one (Shim.start) runs through shim-launcher.ts. Either way the
 *   chaincode must depend on fabric-shim, as fabric-samples' do.
 * - Go: `go build` with the toolchain's Go and module caches (modules from the proxy). The program
 *   starts its own `shim.ChaincodeServer` from the environment fabric-samples' external chaincode
 *   reads: CHAINCODE_SERVER_ADDRESS, CHAINCODE_ID, CHAINCODE_TLS_DISABLED, CHAINCODE_TLS_KEY,
 *   CHAINCODE_TLS_CERT, CHAINCODE_CLIENT_CA_CERT.
 */
export async function buildChaincode(
  name: string,
  dir: string,
  buildsDir: string,
  toolchain: Pick<Toolchain, 'cacheDir'>,
  log: (line: string) => void,
): Promise<ChaincodeBuild> {
  const source = resolve(dir);
  const language = detectLanguage(source);
  const codeHash = sourceHash(source);
  const artefact = join(buildsDir, `${name}-${codeHash.slice(0, 12)}`);
  const metaInf = existsSync(join(source, 'META-INF')) ? join(source, 'META-INF') : undefined;
  await mkdir(buildsDir, { recursive: true });
  const step = async (command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<void> => {
    log(`  ${basename(command)} ${args.join(' ')} (in ${source})`);
    try {
      await run(command, args, { cwd: source, timeoutMs: 15 * 60_000, ...(env ? { env } : {}) });
    } catch (cause) {
      throw new ChaincodeSourceError(`building ${name} from ${source} failed at \`${basename(command)} ${args.join(' ')}\``, { cause });
    }
  };
  if (language === 'go') {
    if (!existsSync(artefact)) await step('go', ['build', '-o', artefact, '.'], goBuildEnvironment(toolchain));
    return { language, source, artefact, codeHash, ...(metaInf ? { metaInf } : {}) };
  }
  const pkg = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { version?: string; scripts?: Record<string, string>; dependencies?: Record<string, string> };
  const api = pkg.dependencies?.['fabric-contract-api'] === undefined ? 'shim' : 'contract';
  if (!existsSync(join(source, 'node_modules'))) {
    await step('npm', existsSync(join(source, 'package-lock.json')) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
  }
  if (pkg.scripts?.['build'] !== undefined) await step('npm', ['run', 'build']);
  shimCli(source);
  if (!existsSync(artefact)) {
    // A copy of the built module, dependencies included: the servers run exactly what was packaged.
    await rm(`${artefact}.tmp`, { recursive: true, force: true });
    await run('cp', ['-a', source, `${artefact}.tmp`]);
    await rm(join(`${artefact}.tmp`, '.git'), { recursive: true, force: true });
    await run('mv', [`${artefact}.tmp`, artefact]);
  }
  return { language, api, source, artefact, codeHash, ...(pkg.version ? { declaredVersion: pkg.version } : {}), ...(metaInf ? { metaInf } : {}) };
}

/** fabric-shim's CLI as the chaincode module resolves it (its own dependency, its own version). */
function shimCli(moduleDir: string): string {
  try {
    return require.resolve('fabric-shim/cli.js', { paths: [moduleDir] });
  } catch (cause) {
    throw new ChaincodeSourceError(
      `${moduleDir} does not depend on fabric-shim: add it to its dependencies (fabric-samples' Node chaincodes have it), its \`server\` command runs the chaincode as a service`,
      { cause },
    );
  }
}

/** The environment a chaincode server started from its environment reads (fabric-samples' external chaincode). */
function serverEnvironment(tls: ServerTls): Record<string, string> {
  return {
    CHAINCODE_SERVER_ADDRESS: tls.address,
    CHAINCODE_ID: tls.packageId,
    CHAINCODE_TLS_DISABLED: 'false',
    CHAINCODE_TLS_KEY: tls.key,
    CHAINCODE_TLS_CERT: tls.cert,
    CHAINCODE_CLIENT_CA_CERT: tls.clientCa,
  };
}

/** fabric-contract-api logs each transaction it declares at info level; a server's log keeps warnings up. */
const QUIET_CONTRACT = { CORE_CHAINCODE_LOGGING_LEVEL: 'warning' } as const;

/** The command of one chaincode server of a build. */
export function serverCommand(build: Pick<ChaincodeBuild, 'language' | 'api' | 'artefact'>, tls: ServerTls): ServerCommand {
  if (build.language === 'go') return { command: build.artefact, args: [], cwd: resolve(build.artefact, '..'), env: serverEnvironment(tls) };
  const cli = shimCli(build.artefact);
  if (build.api === 'shim') {
    return { command: process.execPath, args: [join(__dirname, 'shim-launcher.js'), build.artefact], cwd: build.artefact, env: { ...serverEnvironment(tls), ...QUIET_CONTRACT } };
  }
  return {
    command: process.execPath,
    args: [
      cli,
      'server',
      '--chaincode-address',
      tls.address,
      '--chaincode-id',
      tls.packageId,
      '--chaincode-tls-key-file',
      tls.key,
      '--chaincode-tls-cert-file',
      tls.cert,
      // Only peers of the server's org, with TLS certificates from its CA, may connect.
      '--chaincode-tls-client-cacert-file',
      tls.clientCa,
      '--module-path',
      build.artefact,
    ],
    cwd: build.artefact,
    env: QUIET_CONTRACT,
  };
}
