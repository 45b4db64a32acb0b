import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import type { StateLayout } from '@energysale/network';

export interface TokenSubject {
  readonly org: string;
  readonly user: string;
}

/**
 * Writes `content` to `file` unless the file exists, atomically: written whole under a name of its
 * own, then linked into place, so that of processes racing to create it (the service instances
 * starting together) one wins and the others read what it wrote, never a half-written file.
 */
export function writeOnce(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const own = `${file}.${String(process.pid)}.${randomBytes(4).toString('hex')}`;
  writeFileSync(own, content, { mode: 0o600 });
  try {
    linkSync(own, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(own, { force: true });
  }
}

/**
 * API tokens bound to one enrolled identity: `<base64url(org/user)>.<base64url(hmac)>`, signed with
 * the service's secret (created once per network, beside its crypto). A token cannot be turned into
 * another user's; a revoked identity's token is refused even though its signature is good.
 */
export class TokenIssuer {
  private readonly secret: Buffer;
  private readonly revokedFile: string;

  constructor(layout: StateLayout) {
    const dir = join(layout.root, 'service');
    const secretFile = join(dir, 'token.secret');
    this.revokedFile = join(dir, 'revoked.json');
    if (!existsSync(secretFile)) writeOnce(secretFile, randomBytes(32).toString('hex'));
    this.secret = Buffer.from(readFileSync(secretFile, 'utf8').trim(), 'hex');
  }

  private mac(subject: string): Buffer {
    return createHmac('sha256', this.secret).update(subject).digest();
  }

  /** A value only this service can compute, stable for `label` (e.g. the salt of an order's private terms). */
  derive(label: string): string {
    return this.mac(`derive:${label}`).toString('hex').slice(0, 32);
  }

  issue(subject: TokenSubject): string {
    const name = `${subject.org}/${subject.user}`;
    return `${Buffer.from(name).toString('base64url')}.${this.mac(name).toString('base64url')}`;
  }

  /** The identity a token stands for, or undefined for a forged, malformed or revoked one. */
  verify(token: string): TokenSubject | undefined {
    const [encoded, signature, ...rest] = token.split('.');
    if (encoded === undefined || signature === undefined || rest.length > 0) return undefined;
    const name = Buffer.from(encoded, 'base64url').toString('utf8');
    const given = Buffer.from(signature, 'base64url');
    const expected = this.mac(name);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (this.revoked().includes(name)) return undefined;
    const [org, user, ...more] = name.split('/');
    if (!org || !user || more.length > 0) return undefined;
    return { org, user };
  }

  revoke(subject: TokenSubject): void {
    const list = new Set(this.revoked());
    list.add(`${subject.org}/${subject.user}`);
    writeFileSync(this.revokedFile, JSON.stringify([...list].sort(), null, 2));
  }

  private revoked(): string[] {
    return existsSync(this.revokedFile) ? (JSON.parse(readFileSync(this.revokedFile, 'utf8')) as string[]) : [];
  }
}
