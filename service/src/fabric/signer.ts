import { sign, type KeyObject } from 'node:crypto';

import { hash, type Hash, type Signer } from '@hyperledger/fabric-gateway';

/*
 * How the service signs its users' proposals and transactions: ECDSA in node:crypto (OpenSSL),
 * where the gateway client's own signer (signers.newPrivateKeySigner) computes it in JavaScript
 * (@noble/curves), a quarter of the service's CPU under Table 4's order query (docs/cost-budget.md).
 * Fabric accepts only low-S signatures (its MSP rejects s > n/2): OpenSSL's s is normalised here,
 * as the gateway client's signer does.
 */

export class UnsupportedKeyError extends Error {
  override readonly name = 'UnsupportedKeyError';
}

/** The curves Fabric CAs issue keys on, by OpenSSL's name: the group order n and the bytes of a scalar. */
const CURVES: Readonly<Record<string, { readonly order: bigint; readonly bytes: number }>> = {
  prime256v1: { order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n, bytes: 32 },
  secp384r1: { order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n, bytes: 48 },
};

const toBigInt = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);

/** A non-negative integer as DER's INTEGER content: big-endian, minimal, a 0 byte first when the top bit is set. */
function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  const body = (bytes[0] ?? 0) >= 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : bytes;
  return Buffer.concat([Buffer.of(0x02, body.length), body]);
}

/** ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (at most 2 × 50 bytes: a one-byte length suffices). */
export function derSignature(r: bigint, s: bigint): Buffer {
  const content = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.of(0x30, content.length), content]);
}

/**
 * A signer for `key` (an EC private key) with the hash to pair it with in the gateway's connect():
 * the gateway hands the signer the message itself (hash.none) and OpenSSL hashes it with SHA-256
 * as it signs, as Fabric's MSPs verify.
 */
export function nativeSigner(key: KeyObject): { readonly signer: Signer; readonly hash: Hash } {
  const curve = key.asymmetricKeyType === 'ec' ? CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''] : undefined;
  if (curve === undefined) throw new UnsupportedKeyError(`a ${key.asymmetricKeyType ?? 'unknown'} key on ${key.asymmetricKeyDetails?.namedCurve ?? 'no named curve'}: the service signs with ECDSA on ${Object.keys(CURVES).join(' or ')}`);
  const half = curve.order / 2n;
  return {
    hash: hash.none,
    signer: (message: Uint8Array): Promise<Uint8Array> => {
      // r || s, each `bytes` long: simpler to normalise than DER.
      const raw = sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' });
      const r = toBigInt(raw.subarray(0, curve.bytes));
      const s = toBigInt(raw.subarray(curve.bytes));
      return Promise.resolve(derSignature(r, s > half ? curve.order - s : s));
    },
  };
}
