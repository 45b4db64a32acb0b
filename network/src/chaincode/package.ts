import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { run } from '../util/exec';
import { chaincodeWorkspace } from '../util/paths';

export class ChaincodePackageError extends Error {
  override readonly name = 'ChaincodePackageError';
}

export interface ChaincodePackage {
  readonly file: string;
  readonly label: string;
  /** `<label>:<sha256 of the package>`, as peers compute it. */
  readonly packageId: string;
  readonly version: string;
  /** Hash of the chaincode build the servers run: a new build gives a new package, hence an upgrade. */
  readonly codeHash: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * sha256 over what defines the chaincode: package.json, collections.json and the built JavaScript
 * (tests excluded). A change to any of them is a new package, hence a new definition sequence.
 */
export function chaincodeCodeHash(workspace = chaincodeWorkspace): string {
  const dist = join(workspace, 'dist');
  let files: string[];
  try {
    files = filesUnder(dist).filter((f) => f.endsWith('.js') && !f.endsWith('.test.js'));
  } catch (cause) {
    throw new ChaincodePackageError(`chaincode is not built (${dist} missing): run \`npm run build\``, { cause });
  }
  if (files.length === 0) throw new ChaincodePackageError(`chaincode is not built: no JavaScript in ${dist}`);
  const hash = createHash('sha256');
  for (const file of ['package.json', 'collections.json', ...files.map((f) => relative(workspace, f)).sort()]) {
    hash.update(file).update('\0').update(readFileSync(join(workspace, file))).update('\0');
  }
  return hash.digest('hex');
}

/**
 * connection.json of the package. The values are templates the ccaas builder fills per peer from
 * CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG: each peer reaches the chaincode server of its own host,
 * over mutual TLS, with one package (one package id) for the whole network.
 */
export const connectionTemplate = {
  address: '{{.address}}',
  dial_timeout: '10s',
  tls_required: true,
  client_auth_required: true,
  root_cert: '{{.root_cert}}',
  client_cert: '{{.client_cert}}',
  client_key: '{{.client_key}}',
} as const;

/** Reproducible tar.gz: same inputs, same bytes, same package id. */
async function deterministicTarGz(dir: string, out: string, entries: string[]): Promise<void> {
  await run('tar', [
    '--sort=name',
    '--mtime=@0',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--format=gnu',
    '-C',
    dir,
    '-cf',
    `${out}.tar`,
    ...entries,
  ]);
  await run('gzip', ['-n', '-f', `${out}.tar`]);
  await run('mv', [`${out}.tar.gz`, out]);
}

/** Packages the chaincode workspace as a chaincode-as-a-service package in `outDir`. */
export async function packageChaincode(name: string, outDir: string, revision = ''): Promise<ChaincodePackage> {
  const pkg = JSON.parse(await readFile(join(chaincodeWorkspace, 'package.json'), 'utf8')) as { version?: string };
  const version = pkg.version ?? '0.0.0';
  const codeHash = chaincodeCodeHash();
  const label = `${name}_${version}_${codeHash.slice(0, 12)}${revision ? `_${revision}` : ''}`;
  const work = await mkdtemp(join(tmpdir(), 'ccaas-'));
  try {
    await mkdir(join(work, 'code'));
    await writeFile(join(work, 'code', 'connection.json'), `${JSON.stringify(connectionTemplate, null, 2)}\n`);
    await writeFile(join(work, 'code', 'chaincode.json'), `${JSON.stringify({ name, version, codeHash, revision }, null, 2)}\n`);
    await deterministicTarGz(join(work, 'code'), join(work, 'code.tar.gz'), ['chaincode.json', 'connection.json']);
    await writeFile(join(work, 'metadata.json'), `${JSON.stringify({ label, type: 'ccaas' })}\n`);
    await mkdir(outDir, { recursive: true });
    const file = join(outDir, `${label}.tar.gz`);
    await deterministicTarGz(work, file, ['code.tar.gz', 'metadata.json']);
    const packageId = `${label}:${createHash('sha256').update(await readFile(file)).digest('hex')}`;
    return { file, label, packageId, version, codeHash };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
