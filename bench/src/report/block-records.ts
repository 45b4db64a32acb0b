import { gunzipSync, gzipSync } from 'node:zlib';

import type { BlockTransaction } from '@energysale/network';

/*
 * The transactions of a measured window as a report's raw/ keeps them (Table 4 and the soak alike):
 * what the chain counts are derived from, gzipped JSON. A transaction's id is not kept: 32 random
 * bytes that no count uses and gzip cannot shrink, most of the file otherwise (95,500 writes of a
 * soak: 4 MB with ids).
 */

/** A transaction as raw/ keeps it: where it is, its type, validation code, function and time. */
export type RecordedTx = Omit<BlockTransaction, 'txId'>;

/** A window's transactions and where they were read (which blocks, from which peer). */
export interface BlockRecords {
  readonly source: string;
  readonly transactions: readonly RecordedTx[];
}

export class BlockRecordsError extends Error {
  override readonly name = 'BlockRecordsError';
}

function recorded(t: RecordedTx): RecordedTx {
  return {
    block: t.block,
    index: t.index,
    type: t.type,
    validation: t.validation,
    ...(t.fn === undefined ? {} : { fn: t.fn }),
    ...(t.chaincode === undefined ? {} : { chaincode: t.chaincode }),
    timestampMs: t.timestampMs,
  };
}

/** The file's bytes: each transaction without its id (a BlockTransaction given is stripped of it). */
export function encodeBlockRecords(records: BlockRecords): Buffer {
  return gzipSync(JSON.stringify({ source: records.source, transactions: records.transactions.map(recorded) }), { level: 9 });
}

/** The records of a file `encodeBlockRecords` wrote; `file` names it in errors. */
export function decodeBlockRecords(gzipped: Buffer, file: string): BlockRecords {
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(gzipped).toString('utf8'));
  } catch (error) {
    throw new BlockRecordsError(`${file}: not gzipped JSON`, { cause: error });
  }
  const r = parsed as Partial<BlockRecords> | null;
  if (typeof r?.source !== 'string' || !Array.isArray(r.transactions)) throw new BlockRecordsError(`${file}: expected { source, transactions }`);
  for (const [i, t] of (r.transactions as unknown[]).entries()) {
    const tx = t as Partial<RecordedTx> | null;
    if (typeof tx?.validation !== 'string' || typeof tx.timestampMs !== 'number' || typeof tx.block !== 'number') {
      throw new BlockRecordsError(`${file}: transaction ${String(i)} lacks its block, validation code or time`);
    }
  }
  return { source: r.source, transactions: (r.transactions as RecordedTx[]).map(recorded) };
}
