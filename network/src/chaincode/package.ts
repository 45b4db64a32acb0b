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
 * connection.json of a package. The values are templates the ccaas builder fills per peer from
 * CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG: each peer reaches the chaincode server of its own host,
 * over mutual TLS, with one package (one package id) for the whole network. Our chaincode's servers
 * sit at the model's address of each host (`{{.address}}`); another chaincode's at its own port of
 * the peer's host (`{{.chaincode_host}}:<port>`).
 */
export function connectionTemplate(address = '{{.address}}'): Record<string, string | boolean> {
  return {
    address,
    dial_timeout: '10s',
    tls_required: true,
    client_auth_required: true,
    root_cert: '{{.root_cert}}',
    client_cert: '{{.client_cert}}',
    client_key: '{{.client_key}}',
  };
}

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

/** What a chaincode-as-a-service package holds: who it is, which build, where its servers are. */
export interface PackageInputs {
  readonly name: string;
  readonly version: string;
  readonly codeHash: string;
  readonly revision?: string;
  /** connection.json's address (a template of the ccaas builder's config). */
  readonly address?: string;
  /** META-INF (CouchDB index definitions) to package beside connection.json. */
  readonly metaInf?: string;
}

/** A package label allows letters, digits and `_.+-`: other characters of a version become `-`. */
const labelPart = (value: string): string => value.replace(/[^A-Za-z0-9_.+-]/g, '-');

/** A chaincode-as-a-service package in `outDir`: same inputs, same bytes, same package id. */
export async function packageChaincode(inputs: PackageInputs, outDir: string): Promise<ChaincodePackage> {
  const { name, version, codeHash, revision = '' } = inputs;
  const label = labelPart(`${name}_${version}_${codeHash.slice(0, 12)}${revision ? `_${revision}` : ''}`);
  const work = await mkdtemp(join(tmpdir(), 'ccaas-'));
  try {
    await mkdir(join(work, 'code'));
    await writeFile(join(work, 'code', 'connection.json'), `${JSON.stringify(connectionTemplate(inputs.address), null, 2)}\n`);
    await writeFile(join(work, 'code', 'chaincode.json'), `${JSON.stringify({ name, version, codeHash, revision }, null, 2)}\n`);
    const entries = ['chaincode.json', 'connection.json'];
    if (inputs.metaInf !== undefined) {
      await run('cp', ['-r', inputs.metaInf, join(work, 'code', 'META-INF')]);
      entries.push('META-INF');
    }
    await deterministicTarGz(join(work, 'code'), join(work, 'code.tar.gz'), entries);
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

/** Our retail chaincode's package: the chaincode workspace's version and build. */
export async function packageRetailChaincode(name: string, outDir: string, revision = ''): Promise<ChaincodePackage> {
  const pkg = JSON.parse(await readFile(join(chaincodeWorkspace, 'package.json'), 'utf8')) as { version?: string };
  return packageChaincode({ name, version: pkg.version ?? '0.0.0', codeHash: chaincodeCodeHash(), revision }, outDir);
}
