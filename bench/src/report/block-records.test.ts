import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';

import type { BlockTransaction } from '@energysale/network';

import { BlockRecordsError, decodeBlockRecords, encodeBlockRecords } from './block-records';

const tx = (block: number, index: number, validation: string, fn?: string): BlockTransaction => ({
  block,
  index,
  txId: `${String(block)}-${String(index)}`.padEnd(64, 'f'),
  type: 'ENDORSER_TRANSACTION',
  validation,
  ...(fn === undefined ? {} : { fn, chaincode: 'retail' }),
  timestampMs: 1_765_000_000_000 + block * 2000 + index,
});

describe('block records (raw/ blocks files)', () => {
  it('keeps every field a count uses and drops the transaction ids', () => {
    const transactions = [tx(7, 0, 'VALID', 'orders:DeclareOrder'), tx(7, 1, 'MVCC_READ_CONFLICT', 'orders:DeclareOrder'), tx(8, 0, 'VALID')];
    const file = encodeBlockRecords({ source: 'blocks 7–8 (peer0)', transactions });
    const decoded = decodeBlockRecords(file, 'raw/blocks.json.gz');
    assert.equal(decoded.source, 'blocks 7–8 (peer0)');
    assert.deepEqual(
      decoded.transactions,
      transactions.map((t) => Object.fromEntries(Object.entries(t).filter(([key]) => key !== 'txId'))),
    );
    assert.ok(!gunzipSync(file).toString('utf8').includes('txId'), 'no id in the file');
  });

  it('reads a file written with ids (the first soaks) and drops them', () => {
    const old = gzipSync(JSON.stringify({ source: 's', transactions: [tx(1, 0, 'VALID')] }));
    assert.deepEqual(Object.keys(decodeBlockRecords(old, 'f').transactions[0] ?? {}).sort(), ['block', 'index', 'timestampMs', 'type', 'validation']);
  });

  it('refuses what is not a window of transactions, naming the file', () => {
    assert.throws(() => decodeBlockRecords(Buffer.from('plain'), 'raw/x.json.gz'), (e: unknown) => e instanceof BlockRecordsError && /raw\/x\.json\.gz: not gzipped JSON/.test(e.message));
    assert.throws(() => decodeBlockRecords(gzipSync('[]'), 'f'), /expected \{ source, transactions \}/);
    assert.throws(() => decodeBlockRecords(gzipSync(JSON.stringify({ source: 's', transactions: [{ block: 1 }] })), 'f'), /transaction 0 lacks/);
  });
});
