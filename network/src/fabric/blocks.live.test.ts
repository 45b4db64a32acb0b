import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { connectGateway } from '../client/gateway';
import { enrollUsers } from '../crypto/org-crypto';
import { sharedNetwork, topology } from '../testing/live';
import { locateToolchain } from '../toolchain';
import { peers } from '../topology';
import { countTransactions, scanBlocks, validationName, type BlockTransaction } from './blocks';
import { ledgerHeight } from './metrics';

const network = sharedNetwork();
const channel = topology.channel.name;
const reader = { org: 'exchange', user: 'exchange1' };

/**
 * Scans from `from` to the ledger's last block until `found` holds (at most `timeoutMs`): a
 * transaction sent now is in a block within a batch timeout or two.
 */
async function scanUntil(from: number, found: (txs: BlockTransaction[]) => boolean, timeoutMs = 30_000): Promise<BlockTransaction[]> {
  const [peer] = peers(topology);
  assert.ok(peer);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const height = (await ledgerHeight(peer, channel)) ?? 0;
    const txs = height > from ? await scanBlocks(topology, network.layout, { ...reader, peer: peer.id }, from, height - 1) : [];
    if (found(txs) || Date.now() > deadline) return txs;
    await sleep(500);
  }
}

void describe('counts from the chain: a block scan (live)', { timeout: 300_000 }, () => {
  void it('counts a read conflict and a duplicated transaction by their validation codes, and each function', async () => {
    // A new participant registered twice at once: both endorsements read "no record" and write one,
    // so whichever commits second is a read conflict. Then the first's signed bytes sent again.
    const user = `blockscan-${Date.now().toString(36)}`;
    await enrollUsers(await locateToolchain(), network.layout, topology, 'consumer', [user], 'consumer');
    const [peer] = peers(topology);
    assert.ok(peer);
    const from = (await ledgerHeight(peer, channel)) ?? 0;
    const connection = connectGateway(topology, network.layout, { org: 'consumer', user });
    let ids: string[];
    let statuses: string[];
    try {
      const contract = connection.gateway.getNetwork(channel).getContract(topology.chaincode.name, 'participants');
      const endorsed = await Promise.all([contract.newProposal('RegisterParticipant').endorse(), contract.newProposal('RegisterParticipant').endorse()]);
      const submitted = await Promise.all(endorsed.map((tx) => tx.submit()));
      statuses = await Promise.all(submitted.map(async (s) => validationName((await s.getStatus()).code)));
      ids = endorsed.map((tx) => tx.getTransactionId());
      const [first] = endorsed;
      assert.ok(first);
      await first.submit();
    } finally {
      connection.close();
    }
    const [a = '', b = ''] = ids;
    const txs = await scanUntil(from, (all) => all.filter((t) => t.txId === a || t.txId === b).length >= 3);
    const ours = txs.filter((t) => t.txId === a || t.txId === b);
    const counts = countTransactions(ours);
    assert.deepEqual(counts.byValidation, { VALID: 1, MVCC_READ_CONFLICT: 1, DUPLICATE_TXID: 1 }, `statuses ${statuses.join(', ')}; blocks ${JSON.stringify(ours)}`);
    assert.deepEqual(counts.byFunction, { 'participants:RegisterParticipant': { VALID: 1, MVCC_READ_CONFLICT: 1, DUPLICATE_TXID: 1 } });
    // What the gateway reported for the two is what the blocks say, and the first one's copy came after it.
    assert.deepEqual([...statuses].sort(), ['MVCC_READ_CONFLICT', 'VALID']);
    assert.deepEqual(ours.filter((t) => t.txId === a).map((t) => t.validation), [statuses[0], 'DUPLICATE_TXID']);
    assert.deepEqual(ours.filter((t) => t.txId === b).map((t) => t.validation), [statuses[1]]);
    assert.ok(ours.every((t) => t.chaincode === topology.chaincode.name && t.type === 'ENDORSER_TRANSACTION'));
    assert.ok(ours.every((t) => Math.abs(t.timestampMs - Date.now()) < 120_000), 'client times are recent');
  });
});
