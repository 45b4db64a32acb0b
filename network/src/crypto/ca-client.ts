import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { StateLayout } from '../state/layout';
import type { Toolchain } from '../toolchain';
import type { CaInfo, ParticipantRole } from '../topology';
import { CommandError, run } from '../util/exec';
import { identityFiles, nodeOuConfig, type IdentityFiles } from './identity-files';

export type IdentityType = 'peer' | 'orderer' | 'admin' | 'client';

export interface IdentitySpec {
  readonly name: string;
  readonly type: IdentityType;
  /** Business role, written into the enrollment certificate as the `role` attribute. */
  readonly role?: ParticipantRole;
  /** Names and addresses the TLS certificate is valid for (servers only). */
  readonly hosts?: readonly string[];
}

/** An enrollment or registration was refused by the CA, or the CA could not be reached. */
export class EnrollmentError extends Error {
  override readonly name = 'EnrollmentError';
}

/**
 * Talks to one org's Fabric CA through fabric-ca-client, as that CA's bootstrap registrar.
 * Identity secrets are derived from the registrar's secret, so a re-run can enroll again an
 * identity registered earlier without storing one password per identity.
 */
export class CaClient {
  constructor(
    private readonly toolchain: Toolchain,
    private readonly layout: StateLayout,
    readonly ca: CaInfo,
  ) {}

  private get orgKey(): string {
    return this.ca.org.key;
  }

  /** The registrar's bootstrap secret, created once per network. */
  async registrarSecret(): Promise<string> {
    const file = this.layout.caRegistrarSecret(this.orgKey);
    if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
    await mkdir(join(file, '..'), { recursive: true });
    const secret = randomBytes(18).toString('hex');
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }

  private async secretOf(name: string): Promise<string> {
    return createHmac('sha256', await this.registrarSecret()).update(name).digest('hex').slice(0, 32);
  }

  private caArgs(home: string): string[] {
    return ['--caname', this.ca.ca.name, '--tls.certfiles', this.layout.caCert(this.orgKey), '-H', home];
  }

  private async client(args: string[]): Promise<string> {
    try {
      const { stdout, stderr } = await run(this.toolchain.bin.fabricCaClient, args, { timeoutMs: 60_000 });
      return stdout + stderr;
    } catch (cause) {
      const detail = cause instanceof CommandError ? cause.stderr.trim().split('\n').slice(-3).join(' | ') : String(cause);
      throw new EnrollmentError(`${this.ca.id}: fabric-ca-client ${args[0] ?? ''} failed: ${detail}`, { cause });
    }
  }

  async enrollRegistrar(): Promise<void> {
    const home = this.layout.caRegistrarHome(this.orgKey);
    if (existsSync(join(home, 'msp', 'signcerts', 'cert.pem'))) return;
    const secret = await this.registrarSecret();
    await this.client(['enroll', '-u', `https://admin:${secret}@${this.ca.endpoint}`, ...this.caArgs(home)]);
  }

  /** Registers an identity; registering one that exists already is not an error. */
  async register(spec: IdentitySpec): Promise<void> {
    const args = [
      'register',
      '-u',
      this.ca.url,
      ...this.caArgs(this.layout.caRegistrarHome(this.orgKey)),
      '--id.name',
      spec.name,
      '--id.secret',
      await this.secretOf(spec.name),
      '--id.type',
      spec.type,
    ];
    if (spec.role) args.push('--id.attrs', `role=${spec.role}:ecert`);
    try {
      await this.client(args);
    } catch (error) {
      if (error instanceof EnrollmentError && /already registered/i.test(error.message)) return;
      throw error;
    }
  }

  /**
   * Revokes every certificate of `name` (an identity revoked before is not an error) and returns
   * the CA's certificate revocation list (PEM), signed by the CA: what the org's channel MSP takes.
   */
  async revoke(name: string, reason = 'keycompromise'): Promise<string> {
    const home = this.layout.caRegistrarHome(this.orgKey);
    await this.enrollRegistrar();
    try {
      await this.client(['revoke', '-u', this.ca.url, ...this.caArgs(home), '--revoke.name', name, '--revoke.reason', reason]);
    } catch (error) {
      if (!(error instanceof EnrollmentError && /already revoked|no certificates? (were|was) revoked/i.test(error.message))) throw error;
    }
    await this.client(['gencrl', '-u', this.ca.url, ...this.caArgs(home)]);
    return readFile(join(home, 'msp', 'crls', 'crl.pem'), 'utf8');
  }

  /**
   * Enrolls the identity's signing certificate (msp/) and TLS certificate (tls/) into its
   * directory under fixed file names. Skips what is there already.
   */
  async enroll(spec: IdentitySpec): Promise<IdentityFiles> {
    const files = identityFiles(this.layout.identityDir(this.orgKey, spec.name));
    const secret = await this.secretOf(spec.name);
    const url = `https://${spec.name}:${secret}@${this.ca.endpoint}`;
    const hosts = spec.hosts ?? [];
    const csr = hosts.length > 0 ? ['--csr.hosts', hosts.join(',')] : [];
    if (!existsSync(files.signCert)) {
      await this.client(['enroll', '-u', url, ...this.caArgs(files.dir), '-M', files.mspDir, ...csr]);
      await normaliseMsp(files.mspDir);
      await writeFile(join(files.mspDir, 'config.yaml'), nodeOuConfig('cacerts/ca.pem'));
    }
    if (!existsSync(files.tlsCert)) {
      const tlsDir = join(files.dir, 'tls-enroll');
      await this.client(['enroll', '-u', url, ...this.caArgs(files.dir), '-M', tlsDir, '--enrollment.profile', 'tls', ...csr]);
      await mkdir(join(files.dir, 'tls'), { recursive: true });
      await rename(await onlyFile(join(tlsDir, 'tlscacerts')), files.tlsCa);
      await rename(join(tlsDir, 'signcerts', 'cert.pem'), files.tlsCert);
      await rename(await onlyFile(join(tlsDir, 'keystore')), files.tlsKey);
      await rm(tlsDir, { recursive: true, force: true });
    }
    return files;
  }
}

async function onlyFile(dir: string): Promise<string> {
  const names = await readdir(dir);
  const [name, ...rest] = names;
  if (name === undefined || rest.length > 0) throw new EnrollmentError(`expected exactly one file in ${dir}, found ${names.length}`);
  return join(dir, name);
}

/** fabric-ca-client names files after hosts and key ids; give them the fixed names configs refer to. */
async function normaliseMsp(mspDir: string): Promise<void> {
  await rename(await onlyFile(join(mspDir, 'cacerts')), join(mspDir, 'cacerts', 'ca.pem.tmp'));
  await rename(join(mspDir, 'cacerts', 'ca.pem.tmp'), join(mspDir, 'cacerts', 'ca.pem'));
  await rename(await onlyFile(join(mspDir, 'keystore')), join(mspDir, 'keystore', 'key.pem.tmp'));
  await rename(join(mspDir, 'keystore', 'key.pem.tmp'), join(mspDir, 'keystore', 'key.pem'));
}
