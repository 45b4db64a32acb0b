import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { Actor } from '../testing/actors';
import { currentTemplate } from '../testing/fixtures';
import { sharedNetwork, topology } from '../testing/live';
import { peerOrg } from '../topology';

const network = sharedNetwork();
const run = Date.now().toString(36);
const exchangeMsp = peerOrg(topology, 'exchange').mspId;
const consumerMsp = peerOrg(topology, 'consumer').mspId;
const retailerMsp = peerOrg(topology, 'retailer').mspId;

type Order = { id: string; stage: string; status: string; nextOperator: string | null; termsHash: string; historyLength: number; terms?: Record<string, string> };

void describe('the retail contract on the live network', { timeout: 300_000 }, () => {
  let consumer: Actor, retailer: Actor, exchange: Actor, regulator: Actor;
  const templateId = `live-${run}`;
  const terms = { quantityMWh: '800.000', tradePrice: '398.20', settlementPrice: '391.00', salt: randomBytes(12).toString('hex') };
  const seller = `${retailerMsp}/retailer1`;
  /** Private terms are endorsed by the exchange and a party, as PAPER.md §4 describes: named explicitly. */
  const privateEndorsers = { orgs: [exchangeMsp, consumerMsp] };

  const declare = (id: string, extra: Record<string, string> = {}) =>
    consumer.submitJson<Order>(
      'orders',
      'DeclareOrder',
      [JSON.stringify({ id, packageId: templateId, content: 'baseload', seller, ...extra })],
      { transient: { terms: JSON.stringify(terms) }, ...privateEndorsers },
    );

  before(async () => {
    consumer = Actor.connect(topology, network.layout, 'consumer', 'consumer1');
    retailer = Actor.connect(topology, network.layout, 'retailer', 'retailer1');
    exchange = Actor.connect(topology, network.layout, 'exchange', 'exchange1');
    regulator = Actor.connect(topology, network.layout, 'exchange', 'regulator1');
    for (const actor of [consumer, retailer, exchange, regulator]) await actor.submit('participants', 'RegisterParticipant');
    await retailer.submit('packages', 'CreatePackageTemplate', [JSON.stringify(currentTemplate(templateId, 'live template'))]);
  });
  after(() => {
    for (const actor of [consumer, retailer, exchange, regulator]) actor.close();
  });

  void it('runs the whole flow: declare, confirmations, review, signatures, execution, expiry', async () => {
    const id = `flow-${run}`;
    const declared = await declare(id);
    assert.deepEqual([declared.stage, declared.status, declared.nextOperator], ['drafting', 'submitted', 'retailer']);
    await retailer.submit('orders', 'ConfirmOrder', [id]);
    await consumer.submit('orders', 'ConfirmOrder', [id]);
    await exchange.submit('orders', 'ApproveOrder', [id]);
    await consumer.submit('orders', 'SignOrder', [id]);
    await retailer.submit('orders', 'SignOrder', [id]);
    await exchange.submit('orders', 'StartExecution', [id]);
    const expired = await exchange.submitJson<Order>('orders', 'ExpireOrder', [id]);
    assert.deepEqual([expired.stage, expired.status, expired.nextOperator], ['execution', 'expired', null]);
    const history = await regulator.evaluateJson<{ action: string; operatorId: string }[]>('orders', 'GetOrderHistory', [id]);
    assert.deepEqual(history.map((h) => h.action), ['declare', 'confirm', 'confirm', 'approve', 'sign', 'sign', 'start-execution', 'expire']);
    assert.equal(history[3]?.operatorId, `${exchangeMsp}/exchange1`);
  });

  void it('refuses an illegal transition and a wrong role with their codes, changing nothing', async () => {
    const id = `reject-${run}`;
    await declare(id);
    await assert.rejects(exchange.submit('orders', 'StartExecution', [id]), /ILLEGAL_TRANSITION: /);
    await assert.rejects(regulator.submit('orders', 'RejectOrder', [id, 'no']), /FORBIDDEN_ROLE: /);
    await assert.rejects(consumer.submit('orders', 'ConfirmOrder', [id]), /FORBIDDEN_ROLE: /);
    const rejected = await retailer.submitJson<Order>('orders', 'RejectOrder', [id, 'no capacity']);
    assert.deepEqual([rejected.status, rejected.historyLength], ['rejected', 2]);
    await assert.rejects(exchange.submit('orders', 'ApproveOrder', [id]), /ILLEGAL_TRANSITION: /);
    const deleted = await consumer.submitJson<Order>('orders', 'DeleteOrder', [id]);
    assert.deepEqual([deleted.status, deleted.historyLength], ['deleted', 3]);
  });

  void it('keeps the terms private: member peers return them, a non-member peer holds only the hash, which verifies', async () => {
    const id = `private-${run}`;
    await declare(id);
    const mine = await consumer.evaluateJson<Order>('orders', 'ReadOrder', [id], { orgs: [consumerMsp] });
    assert.deepEqual(mine.terms, terms);
    const theirs = await retailer.evaluateJson<Order>('orders', 'ReadOrder', [id], { orgs: [retailerMsp] });
    assert.deepEqual(theirs.terms, terms);
    // The same party's read, run on the exchange's peer, finds no private value there.
    await assert.rejects(consumer.evaluate('orders', 'ReadOrder', [id], { orgs: [exchangeMsp] }));
    const review = await exchange.evaluate('orders', 'ReadOrder', [id]);
    assert.ok(!review.includes(terms.tradePrice) && !review.includes(terms.quantityMWh) && !review.includes('"terms"'), review);
    const verified = await regulator.evaluateJson<{ matches: boolean; onChainHash: string }>('orders', 'VerifyTradeTerms', [id, JSON.stringify(terms)], {
      orgs: [exchangeMsp],
    });
    assert.equal(verified.matches, true);
    const forged = await regulator.evaluateJson<{ matches: boolean }>('orders', 'VerifyTradeTerms', [id, JSON.stringify({ ...terms, tradePrice: '1.00' })]);
    assert.equal(forged.matches, false);
  });

  void it('files the contract text only through the exchange, after both parties submitted it', async () => {
    const id = `filing-${run}`;
    await declare(id);
    await retailer.submit('orders', 'ConfirmOrder', [id]);
    await consumer.submit('orders', 'ConfirmOrder', [id]);
    await exchange.submit('orders', 'ApproveOrder', [id]);
    const text = { transient: { contractText: `retail contract ${id}` } };
    await consumer.submit('filing', 'SubmitContractText', [id], text);
    await retailer.submit('filing', 'SubmitContractText', [id], text);
    const cipher = { transient: { ciphertext: randomBytes(48).toString('base64') } };
    await assert.rejects(retailer.submit('filing', 'FileContractText', [id], cipher), /FORBIDDEN_ROLE: /);
    await assert.rejects(consumer.submit('filing', 'FileContractText', [id], cipher), /FORBIDDEN_ROLE: /);
    const filed = await exchange.submitJson<{ filed: { filedBy: string } }>('filing', 'FileContractText', [id], cipher);
    assert.equal(filed.filed.filedBy, `${exchangeMsp}/exchange1`);
    const read = await regulator.evaluateJson<{ ciphertext: string }>('filing', 'ReadContractFiling', [id]);
    assert.equal(read.ciphertext, cipher.transient.ciphertext);
  });

  void it('creates an order once: a replay returns it without a second write; other content is a CONFLICT', async () => {
    const id = `idem-${run}`;
    const first = await declare(id);
    const replay = await declare(id);
    assert.deepEqual(replay, first);
    const history = await consumer.evaluateJson<unknown[]>('orders', 'GetOrderHistory', [id]);
    assert.equal(history.length, 1);
    await assert.rejects(declare(id, { content: 'peak only' }), /CONFLICT: /);
    const page = await retailer.evaluateJson<{ records: Order[] }>('orders', 'ListOrdersOfParticipant', [seller, '100', '']);
    assert.equal(page.records.filter((o) => o.id === id).length, 1);
  });
});
