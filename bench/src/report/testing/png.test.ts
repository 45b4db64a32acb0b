import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';

import { decodePng, rgbAt } from './png';

function chunk(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  // The decoder does not check CRCs, so zeros do.
  return Buffer.concat([length, Buffer.from(type, 'latin1'), body, Buffer.alloc(4)]);
}

/** A PNG whose row y is filtered with filter y % 5, so one image exercises all five filters. */
function encode(width: number, rows: number[][], channels: 3 | 4): Buffer {
  const stride = width * channels;
  const filtered = rows.map((row, y) => {
    const filter = y % 5;
    const previous = rows[y - 1] ?? new Array<number>(stride).fill(0);
    const out = row.map((value, x) => {
      const left = x >= channels ? (row[x - channels] ?? 0) : 0;
      const up = previous[x] ?? 0;
      const upLeft = x >= channels ? (previous[x - channels] ?? 0) : 0;
      const p = left + up - upLeft;
      const paeth = Math.abs(p - left) <= Math.abs(p - up) && Math.abs(p - left) <= Math.abs(p - upLeft) ? left : Math.abs(p - up) <= Math.abs(p - upLeft) ? up : upLeft;
      const predicted = [0, left, up, (left + up) >> 1, paeth][filter] ?? 0;
      return (value - predicted) & 0xff;
    });
    return Buffer.from([filter, ...out]);
  });
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(rows.length, 4);
  header[8] = 8;
  header[9] = channels === 4 ? 6 : 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(filtered))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

void describe('decodePng', () => {
  const width = 4;
  const rows = Array.from({ length: 6 }, (_, y) => Array.from({ length: width * 3 }, (_, x) => (y * 53 + x * 97 + ((x * y) % 7) * 31) & 0xff));

  void it('undoes all five row filters of an RGB image', () => {
    const image = decodePng(encode(width, rows, 3));
    assert.deepEqual([image.width, image.height, image.channels], [4, 6, 3]);
    assert.deepEqual([...image.pixels], rows.flat());
    assert.deepEqual(rgbAt(image, 1, 2), rows[2]?.slice(3, 6));
  });

  void it('reads RGBA and ignores the alpha for colours', () => {
    const rgba = [[10, 20, 30, 255, 40, 50, 60, 128]];
    const image = decodePng(encode(2, rgba, 4));
    assert.deepEqual(rgbAt(image, 1, 0), [40, 50, 60]);
  });

  void it('refuses what it cannot read', () => {
    assert.throws(() => decodePng(Buffer.from('GIF89a')), /not a PNG/);
    const sixteenBit = encode(1, [[0, 0, 0]], 3);
    sixteenBit[8 + 8 + 8] = 16;
    assert.throws(() => decodePng(sixteenBit), /unsupported PNG: bit depth 16/);
  });
});
