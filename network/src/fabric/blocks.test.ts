import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { common, peer } from '@hyperledger/fabric-protos';

import { BlockDecodeError, blockTransactions, countTransactions } from './blocks';

/** A google.protobuf.Timestamp, built from its wire form (field 1 seconds, field 2 nanos, varints) inside field 3 of a ChannelHeader. */
function timestampOf(atMs: number): ReturnType<common.ChannelHeader['getTimestamp']> {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    let v = n;
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    return out;
  };
  const inner = [0x08, ...varint(Math.floor(atMs / 1000)), 0x10, ...varint((atMs % 1000) * 1e6)];
  return common.ChannelHeader.deserializeBinary(Uint8Array.from([0x1a, inner.length, ...inner])).getTimestamp();
}

/** An envelope of the given type, with an invocation of `fn` when it is an endorser transaction. */
function envelope(type: number, txId: string, atMs: number, fn?: string): Uint8Array {
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(type);
  channelHeader.setTxId(txId);
  channelHeader.setTimestamp(timestampOf(atMs));
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  if (fn !== undefined) {
    const input = new peer.ChaincodeInput();
    input.setArgsList([Buffer.from(fn), Buffer.from('{"id":"o1"}')]);
    const id = new peer.ChaincodeID();
    id.setName('retail');
    const spec = new peer.ChaincodeSpec();
    spec.setChaincodeId(id);
    spec.setInput(input);
    const invocation = new peer.ChaincodeInvocationSpec();
    invocation.setChaincodeSpec(spec);
    const proposalPayload = new peer.ChaincodeProposalPayload();
    proposalPayload.setInput(invocation.serializeBinary());
    const actionPayload = new peer.ChaincodeActionPayload();
    actionPayload.setChaincodeProposalPayload(proposalPayload.serializeBinary());
    const action = new peer.TransactionAction();
    action.setPayload(actionPayload.serializeBinary());
    const transaction = new peer.Transaction();
    transaction.setActionsList([action]);
    payload.setData(transaction.serializeBinary());
  }
  const env = new common.Envelope();
  env.setPayload(payload.serializeBinary());
  return env.serializeBinary();
}

function block(number: number, envelopes: Uint8Array[], codes: number[]): common.Block {
  const header = new common.BlockHeader();
  header.setNumber(number);
  const data = new common.BlockData();
  data.setDataList(envelopes);
  const metadata = new common.BlockMetadata();
  const list: Uint8Array[] = [new Uint8Array(), new Uint8Array(), new Uint8Array(), new Uint8Array(), new Uint8Array()];
  list[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = Uint8Array.from(codes);
  metadata.setMetadataList(list);
  const b = new common.Block();
  b.setHeader(header);
  b.setData(data);
  b.setMetadata(metadata);
  return common.Block.deserializeBinary(b.serializeBinary());
}

const ENDORSER = common.HeaderType.ENDORSER_TRANSACTION;
const { VALID, MVCC_READ_CONFLICT, DUPLICATE_TXID } = peer.TxValidationCode;

void describe('block scan decoding', () => {
  void it("reads each transaction's id, type, validation code, function and client time", () => {
    const at = Date.UTC(2026, 11, 6, 1, 2, 3, 456);
    const txs = blockTransactions(
      block(
        42,
        [envelope(ENDORSER, 'a', at, 'orders:DeclareOrder'), envelope(ENDORSER, 'b', at + 1, 'orders:DeclareOrder'), envelope(common.HeaderType.CONFIG, 'c', at + 2)],
        [VALID, MVCC_READ_CONFLICT, VALID],
      ),
    );
    assert.deepEqual(txs, [
      { block: 42, index: 0, txId: 'a', type: 'ENDORSER_TRANSACTION', validation: 'VALID', chaincode: 'retail', fn: 'orders:DeclareOrder', timestampMs: at },
      { block: 42, index: 1, txId: 'b', type: 'ENDORSER_TRANSACTION', validation: 'MVCC_READ_CONFLICT', chaincode: 'retail', fn: 'orders:DeclareOrder', timestampMs: at + 1 },
      { block: 42, index: 2, txId: 'c', type: 'CONFIG', validation: 'VALID', timestampMs: at + 2 },
    ]);
  });

  void it('counts by validation code and by function', () => {
    const at = Date.now();
    const counts = countTransactions(
      blockTransactions(
        block(7, [envelope(ENDORSER, 'a', at, 'orders:DeclareOrder'), envelope(ENDORSER, 'a', at, 'orders:DeclareOrder'), envelope(ENDORSER, 'c', at, 'participants:RegisterParticipant')], [VALID, DUPLICATE_TXID, VALID]),
      ),
    );
    assert.deepEqual(counts, {
      total: 3,
      byValidation: { VALID: 2, DUPLICATE_TXID: 1 },
      byFunction: { 'orders:DeclareOrder': { VALID: 1, DUPLICATE_TXID: 1 }, 'participants:RegisterParticipant': { VALID: 1 } },
    });
  });

  void it('refuses a block whose validation filter does not cover its transactions', () => {
    assert.throws(() => blockTransactions(block(3, [envelope(ENDORSER, 'a', 0, 'x')], [])), BlockDecodeError);
  });
});
