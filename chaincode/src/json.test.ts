import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stableStringify } from './json';

void describe('stableStringify', () => {
  void it('sorts object keys at every depth and keeps array order', () => {
    const value = { b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } };
    assert.equal(stableStringify(value), '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  void it('writes the same bytes whatever order the keys were inserted in', () => {
    assert.equal(stableStringify({ x: 1, y: { p: 'a', q: 'b' } }), stableStringify({ y: { q: 'b', p: 'a' }, x: 1 }));
  });

  void it('escapes strings as JSON does', () => {
    assert.equal(stableStringify({ '"k"': '套餐\n\u0000' }), JSON.stringify({ '"k"': '套餐\n\u0000' }));
  });

  void it('refuses numbers JSON cannot represent', () => {
    assert.throws(() => stableStringify({ price: Number.NaN }), TypeError);
    assert.throws(() => stableStringify([Number.POSITIVE_INFINITY]), TypeError);
  });
});
