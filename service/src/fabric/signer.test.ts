import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, it } from 'node:test';

import { hash } from '@hyperledger/fabric-gateway';

import { derSignature, nativeSigner, UnsupportedKeyError } from './signer';

const P256_HALF = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n / 2n;

/** r and s of a DER ECDSA signature (one-byte lengths, as P-256's and P-384's are). */
function parseDer(der: Uint8Array): { r: bigint; s: bigint } {
  const b = Buffer.from(der);
  assert.equal(b[0], 0x30);
  assert.equal(b[1], b.length - 2);
  const int = (at: number): { value: bigint; next: number } => {
    assert.equal(b[at], 0x02);
    const len = b[at + 1] ?? 0;
    const body = b.subarray(at + 2, at + 2 + len);
    // Minimal: no needless leading 0, and positive.
    if (body.length > 1) assert.ok(!(body[0] === 0 && (body[1] ?? 0) < 0x80), 'a needless leading zero');
    assert.ok((body[0] ?? 0) < 0x80, 'a negative integer');
    return { value: BigInt(`0x${body.toString('hex')}`), next: at + 2 + len };
  };
  const r = int(2);
  const s = int(r.next);
  assert.equal(s.next, b.length);
  return { r: r.value, s: s.value };
}

describe('native ECDSA signer', () => {
  it('signs what node:crypto verifies against the message, with a low S every time (P-256)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const { signer, hash: paired } = nativeSigner(privateKey);
    assert.equal(paired, hash.none);
    for (let i = 0; i < 200; i++) {
      const message = Buffer.from(`proposal ${String(i)}`);
      const der = await signer(message);
      assert.ok(verify('sha256', message, publicKey, der), `signature ${String(i)} verifies`);
      assert.ok(parseDer(der).s <= P256_HALF, `signature ${String(i)} has a low S`);
    }
  });

  it('signs on P-384 too', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const message = Buffer.from('a transaction');
    assert.ok(verify('sha256', message, publicKey, await nativeSigner(privateKey).signer(message)));
  });

  it('refuses a key it cannot sign for, naming it', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    assert.throws(() => nativeSigner(privateKey), (error: unknown) => error instanceof UnsupportedKeyError && /ed25519/.test(error.message));
  });

  it('encodes integers minimally, a zero byte before a set top bit', () => {
    assert.deepEqual(derSignature(1n, 0x80n), Buffer.from([0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80]));
    assert.deepEqual(parseDer(derSignature(0x1234n, 0x7fn)), { r: 0x1234n, s: 0x7fn });
  });
});
