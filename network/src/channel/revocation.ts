import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { CaClient } from '../crypto/ca-client';
import { identityOf } from '../crypto/org-crypto';
import type { NativeContext } from '../runtime/native/specs';
import { certificateAuthorities, orderers, peerOrg, peers, type PeerOrg } from '../topology';
import { applyConfigUpdate, ChannelConfigError, fetchChannelConfig, type ConfigJson } from './config';

/*
 * Revoking an identity on the chain, not only in the service: the org's CA revokes the identity's
 * certificates and signs a new CRL, and the org's admin puts that CRL into the org's MSP in the
 * channel config. From the config block on, every peer's and orderer's MSP refuses the certificate:
 * proposals, transactions and deliver requests signed with it alike.
 */

interface MspValue {
  value?: { config?: { name?: string; revocation_list?: string[] } };
}

function mspConfigOf(config: ConfigJson, org: PeerOrg): NonNullable<NonNullable<MspValue['value']>['config']> {
  const group = config['channel_group'] as { groups?: { Application?: { groups?: Record<string, { values?: { MSP?: MspValue } }> } } } | undefined;
  const msp = group?.groups?.Application?.groups?.[org.mspId]?.values?.MSP?.value?.config;
  if (!msp) throw new ChannelConfigError(`the channel config has no MSP for ${org.mspId} under /Channel/Application`);
  return msp;
}

/** The CRLs (PEM) the channel config holds for `org`'s MSP. */
export function revocationListOf(config: ConfigJson, org: PeerOrg): string[] {
  return (mspConfigOf(config, org).revocation_list ?? []).map((b64) => Buffer.from(b64, 'base64').toString('utf8'));
}

/**
 * A copy of `config` whose `org` MSP holds `crl` as its CRL from `org`'s CA. A CA's newer CRL lists
 * every certificate it revoked, so it replaces the list rather than adding to it.
 */
export function withRevocationList(config: ConfigJson, org: PeerOrg, crl: string): ConfigJson {
  if (!/-----BEGIN X509 CRL-----/.test(crl)) throw new ChannelConfigError(`not a PEM certificate revocation list: ${crl.slice(0, 40)}`);
  const updated = structuredClone(config);
  mspConfigOf(updated, org).revocation_list = [Buffer.from(crl).toString('base64')];
  return updated;
}

export interface Revocation {
  readonly handle: string;
  /** Serial number (hex) of the identity's enrollment certificate, now on the CRL. */
  readonly serial: string;
  /** The config block that carries the CRL; undefined when the channel held this CRL already. */
  readonly configBlock?: number;
  /** From the CA's revocation to the last orderer and peer holding the new config. */
  readonly elapsedMs: number;
}

/**
 * Revokes `user` of `orgKey` with the org's CA and puts the CA's CRL into the org's MSP in the
 * channel config, signed by the org's admin; waits until every orderer and peer holds it.
 */
export async function revokeIdentity(ctx: NativeContext, orgKey: string, user: string, log: (line: string) => void, options: { timeoutMs?: number } = {}): Promise<Revocation> {
  const started = performance.now();
  const org = peerOrg(ctx.topology, orgKey);
  const ca = certificateAuthorities(ctx.topology).find((c) => c.org.key === org.key);
  const signer = peers(ctx.topology).find((p) => p.org.key === org.key);
  const [orderer] = orderers(ctx.topology);
  if (!ca || !signer || !orderer) throw new ChannelConfigError(`${org.name} needs a CA and a peer, and the channel an orderer, to revoke an identity`);
  const handle = `${org.mspId}/${user}`;
  const serial = new X509Certificate(await readFile(identityOf(ctx.layout, org.key, user).signCert)).serialNumber;
  const crl = await new CaClient(ctx.toolchain, ctx.layout, ca).revoke(user);
  log(`${ca.id}: revoked ${handle} (certificate ${serial}); CRL generated`);
  const current = await fetchChannelConfig(ctx, orderer);
  if (revocationListOf(current.config, org).includes(crl)) {
    log(`${ctx.topology.channel.name}: ${org.mspId} already holds this CRL; nothing sent`);
    return { handle, serial, elapsedMs: performance.now() - started };
  }
  const { configBlock, nodes } = await applyConfigUpdate(ctx, current, withRevocationList(current.config, org, crl), {
    orderer,
    signer,
    holds: (config) => revocationListOf(config, org).includes(crl),
    what: 'the CRL',
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  log(`${ctx.topology.channel.name}: config block ${configBlock} carries the CRL of ${org.mspId}, held by ${nodes} orderers and peers`);
  return { handle, serial, configBlock, elapsedMs: performance.now() - started };
}
