import { common, peer } from '@hyperledger/fabric-protos';

import { connectGateway } from '../client/gateway';
import type { StateLayout } from '../state/layout';
import type { Topology } from '../topology';

/*
 * Counts from the chain itself: every transaction of a range of blocks with its validation code (the
 * committing peer's TRANSACTIONS_FILTER), its type, its chaincode function and the time its client
 * made it. What a benchmark says the ledger committed comes from here, not from the load generator.
 */

/** One transaction as a block holds it. */
export interface BlockTransaction {
  readonly block: number;
  /** Its position in the block. */
  readonly index: number;
  readonly txId: string;
  /** HeaderType name: ENDORSER_TRANSACTION, CONFIG, ... */
  readonly type: string;
  /** TxValidationCode name: VALID, MVCC_READ_CONFLICT, DUPLICATE_TXID, ENDORSEMENT_POLICY_FAILURE, ... */
  readonly validation: string;
  /** `<contract>:<function>` as the client invoked it (ENDORSER_TRANSACTION only), e.g. `orders:DeclareOrder`. */
  readonly fn?: string;
  readonly chaincode?: string;
  /** When the client made the transaction (its channel header), ms since the epoch. */
  readonly timestampMs: number;
}

export class BlockDecodeError extends Error {
  override readonly name = 'BlockDecodeError';
}

const nameOf = (map: object, value: number): string => (Object.entries(map) as [string, unknown][]).find(([, v]) => v === value)?.[0] ?? `UNKNOWN_${String(value)}`;

/** The name of a validation code (peer.TxValidationCode). */
export const validationName = (code: number): string => nameOf(peer.TxValidationCode, code);

/** The name of a header type (common.HeaderType). */
export const headerTypeName = (type: number): string => nameOf(common.HeaderType, type);

/** The chaincode and function an endorser transaction invoked, or undefined when it names none. */
function invocationOf(payloadData: Uint8Array): { chaincode?: string; fn?: string } {
  const [action] = peer.Transaction.deserializeBinary(payloadData).getActionsList();
  if (!action) return {};
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
  const proposalPayload = peer.ChaincodeProposalPayload.deserializeBinary(actionPayload.getChaincodeProposalPayload_asU8());
  const spec = peer.ChaincodeInvocationSpec.deserializeBinary(proposalPayload.getInput_asU8()).getChaincodeSpec();
  const [fn] = spec?.getInput()?.getArgsList_asU8() ?? [];
  const chaincode = spec?.getChaincodeId()?.getName();
  return { ...(chaincode ? { chaincode } : {}), ...(fn ? { fn: Buffer.from(fn).toString('utf8') } : {}) };
}

/** Every transaction of a block, decoded. */
export function blockTransactions(block: common.Block): BlockTransaction[] {
  const number = block.getHeader()?.getNumber() ?? -1;
  const filter = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
  const envelopes = block.getData()?.getDataList_asU8() ?? [];
  if (filter === undefined || filter.length !== envelopes.length) {
    throw new BlockDecodeError(`block ${String(number)}: ${envelopes.length} transactions but a validation filter of ${String(filter?.length ?? 0)}`);
  }
  return envelopes.map((bytes, index) => {
    try {
      const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(bytes).getPayload_asU8());
      const header = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array());
      const type = header.getType();
      const seconds = header.getTimestamp()?.getSeconds() ?? 0;
      const nanos = header.getTimestamp()?.getNanos() ?? 0;
      return {
        block: number,
        index,
        txId: header.getTxId(),
        type: headerTypeName(type),
        validation: validationName(filter[index] ?? -1),
        ...(type === common.HeaderType.ENDORSER_TRANSACTION ? invocationOf(payload.getData_asU8()) : {}),
        timestampMs: seconds * 1000 + Math.floor(nanos / 1e6),
      };
    } catch (cause) {
      throw new BlockDecodeError(`block ${String(number)}, transaction ${String(index)}: cannot decode`, { cause });
    }
  });
}

/** Who reads the blocks: a member of a peer org, through the Fabric Gateway of one of its peers. */
export interface BlockReader {
  readonly org: string;
  readonly user: string;
  readonly peer?: string;
}

/**
 * Every transaction of blocks [from, to] of the channel (deliver service of one peer; the peer must
 * already hold block `to`: ask for the height first). Bounded by `timeoutMs` (default 120 s).
 */
export async function scanBlocks(topology: Topology, layout: StateLayout, reader: BlockReader, from: number, to: number, timeoutMs = 120_000): Promise<BlockTransaction[]> {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from) throw new RangeError(`blocks ${String(from)}..${String(to)}: not a range`);
  const connection = connectGateway(topology, layout, reader);
  const found: BlockTransaction[] = [];
  try {
    const network = connection.gateway.getNetwork(topology.channel.name);
    const blocks = await network.getBlockEvents({ startBlock: BigInt(from) });
    const timer = setTimeout(() => {
      blocks.close();
    }, timeoutMs);
    try {
      for await (const block of blocks) {
        found.push(...blockTransactions(block));
        if ((block.getHeader()?.getNumber() ?? -1) >= to) break;
      }
    } finally {
      clearTimeout(timer);
      blocks.close();
    }
  } finally {
    connection.close();
  }
  const last = found.at(-1)?.block ?? from - 1;
  if (last < to) throw new BlockDecodeError(`blocks ${String(from)}..${String(to)}: the scan stopped at block ${String(last)} (timed out after ${String(timeoutMs / 1000)} s?)`);
  return found;
}

/** How many transactions of each validation code, and of each function by code. */
export interface TransactionCounts {
  readonly total: number;
  readonly byValidation: Readonly<Record<string, number>>;
  /** `<contract>:<function>` (or the header type for others) -> code -> count. */
  readonly byFunction: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Counts transactions by validation code and by function. */
export function countTransactions(transactions: readonly Pick<BlockTransaction, 'validation' | 'fn' | 'type'>[]): TransactionCounts {
  const byValidation: Record<string, number> = {};
  const byFunction: Record<string, Record<string, number>> = {};
  for (const tx of transactions) {
    byValidation[tx.validation] = (byValidation[tx.validation] ?? 0) + 1;
    const key = tx.fn ?? tx.type;
    const codes = (byFunction[key] ??= {});
    codes[tx.validation] = (codes[tx.validation] ?? 0) + 1;
  }
  return { total: transactions.length, byValidation, byFunction };
}
