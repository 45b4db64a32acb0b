import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { StateLayout } from '@energysale/network';

import { TokenIssuer, writeOnce } from './tokens';

void describe('TokenIssuer', () => {
  const layout = new StateLayout(mkdtempSync(join(tmpdir(), 'tokens-')));

  void it('issues a token that verifies to its identity, and only to it', () => {
    const tokens = new TokenIssuer(layout);
    const token = tokens.issue({ org: 'consumer', user: 'vu0001' });
    assert.deepEqual(tokens.verify(token), { org: 'consumer', user: 'vu0001' });
    const [, signature] = token.split('.');
    const other = `${Buffer.from('consumer/vu0002').toString('base64url')}.${signature ?? ''}`;
    assert.equal(tokens.verify(other), undefined, 'a signature moved to another identity');
    assert.equal(tokens.verify('garbage'), undefined);
    assert.equal(tokens.verify(`${token}x`), undefined);
  });

  void it('keeps its secret across instances of one network and refuses revoked identities', () => {
    const token = new TokenIssuer(layout).issue({ org: 'retailer', user: 'retailer1' });
    const again = new TokenIssuer(layout);
    assert.deepEqual(again.verify(token), { org: 'retailer', user: 'retailer1' });
    again.revoke({ org: 'retailer', user: 'retailer1' });
    assert.equal(new TokenIssuer(layout).verify(token), undefined);
  });

  void it("does not accept another network's tokens", () => {
    const token = new TokenIssuer(layout).issue({ org: 'consumer', user: 'consumer1' });
    const elsewhere = new TokenIssuer(new StateLayout(mkdtempSync(join(tmpdir(), 'tokens-'))));
    assert.equal(elsewhere.verify(token), undefined);
  });

  void it('creates a file once: a process that lost the race to create it keeps what the winner wrote, and leaves nothing behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'write-once-'));
    const file = join(dir, 'token.secret');
    writeOnce(file, 'first');
    writeOnce(file, 'second');
    assert.equal(readFileSync(file, 'utf8'), 'first');
    assert.deepEqual(readdirSync(dir), ['token.secret']);
  });
});
