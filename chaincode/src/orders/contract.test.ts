import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { ParticipantContract } from '../participants/contract';
import { PackageTemplateContract } from '../templates/contract';
import { FakeLedger, type FakeCaller, type FakeOptions } from '../testing/fake-context';
import { contractError, monthlyFixedTemplate } from '../testing/fixtures';
import { OrderContract } from './contract';
import { FilingContract } from './filing';
import { TERMS_COLLECTION, type HistoryEntry, type OrderRecord } from './model';
import type { Action } from './lifecycle';
import { act, cast, ctxOf, t0, terms } from './testing';

const orders = new OrderContract();
const filing = new FilingContract();
const later = (minutes: number): Date => new Date(t0.getTime() + minutes * 60_000);

const template = { ...monthlyFixedTemplate, id: 'pkg-1', validFrom: '2025-01-01', validTo: '2026-01-01' };
const declaration = { id: 'o-1', packageId: 'pkg-1', content: 'baseload, 2025-07', seller: 'RetailerOrgMSP/retailer1' };
const withTerms = { transient: { terms: JSON.stringify(terms) } };

async function world(): Promise<FakeLedger> {
  const ledger = new FakeLedger();
  await new PackageTemplateContract().CreatePackageTemplate(ctxOf(ledger, cast.exchange), JSON.stringify(template));
  for (const who of [cast.buyer, cast.seller, cast.otherConsumer, cast.otherRetailer]) {
    await new ParticipantContract().RegisterParticipant(ctxOf(ledger, who));
  }
  ledger.writes.length = 0;
  return ledger;
}

function declare(ledger: FakeLedger, json = JSON.stringify(declaration), options: FakeOptions = withTerms, at = t0): Promise<string> {
  return orders.DeclareOrder(ctxOf(ledger, cast.buyer, at, options), json);
}

void describe('OrderContract', () => {
  let ledger: FakeLedger;
  beforeEach(async () => {
    ledger = await world();
  });

  void describe('DeclareOrder', () => {
    void it('records the order for everyone and the terms only in the parties collection, with their hash', async () => {
      const order = JSON.parse(await declare(ledger)) as OrderRecord;
      assert.equal(order.stage, 'drafting');
      assert.equal(order.status, 'submitted');
      assert.equal(order.nextOperator, 'retailer');
      assert.equal(order.operator, 'user');
      assert.equal(order.operatorId, 'ConsumerOrgMSP/consumer1');
      assert.equal(order.refreshTime, t0.toISOString());
      assert.deepEqual(order.seller, { handle: 'RetailerOrgMSP/retailer1', mspId: 'RetailerOrgMSP' });
      assert.equal(order.packageVersion, 1);
      const publicBytes = [...ledger.state.values()].join('');
      assert.ok(!publicBytes.includes(terms.tradePrice) && !publicBytes.includes(terms.quantityMWh), 'a price or quantity is public');
      const privateBytes = ledger.collection(TERMS_COLLECTION).get('o-1') ?? '';
      assert.ok(privateBytes.includes(terms.tradePrice));
      const verify = JSON.parse(await orders.VerifyTradeTerms(ctxOf(ledger, cast.regulator), 'o-1', JSON.stringify(terms))) as { matches: boolean; onChainHash: string };
      assert.deepEqual(verify, { orderId: 'o-1', matches: true, onChainHash: order.termsHash });
    });

    void it('replaying the same declaration returns the stored order and writes nothing', async () => {
      const first = await declare(ledger);
      const writes = ledger.writes.length;
      assert.equal(await declare(ledger, JSON.stringify(declaration), withTerms, later(5)), first);
      assert.equal(ledger.writes.length, writes);
    });

    void it('refuses other content or other terms under a taken id as a CONFLICT', async () => {
      await declare(ledger);
      const writes = ledger.writes.length;
      await assert.rejects(declare(ledger, JSON.stringify({ ...declaration, content: 'peak only' })), contractError('CONFLICT'));
      await assert.rejects(declare(ledger, undefined, { transient: { terms: JSON.stringify({ ...terms, tradePrice: '500.00' }) } }), contractError('CONFLICT'));
      assert.equal(ledger.writes.length, writes);
    });

    void it('wants the terms in the transient map, complete and valid', async () => {
      await assert.rejects(declare(ledger, undefined, { transient: {} }), contractError('INVALID_ARGUMENT', /transient terms is required/));
      await assert.rejects(
        declare(ledger, undefined, { transient: { terms: JSON.stringify({ ...terms, salt: 'short' }) } }),
        contractError('INVALID_ARGUMENT', /terms.salt/),
      );
      await assert.rejects(
        declare(ledger, undefined, { transient: { terms: JSON.stringify({ ...terms, quantityMWh: '-1' }) } }),
        contractError('INVALID_ARGUMENT', /terms.quantityMWh/),
      );
      assert.deepEqual(ledger.writes, []);
    });

    void it('refuses a bad declaration, an unknown or expired package, an unregistered seller, and non-consumers', async () => {
      await assert.rejects(declare(ledger, '{'), contractError('INVALID_ARGUMENT'));
      await assert.rejects(declare(ledger, JSON.stringify({ ...declaration, seller: 'nobody' })), contractError('INVALID_ARGUMENT', /seller/));
      await assert.rejects(declare(ledger, JSON.stringify({ ...declaration, extra: 1 })), contractError('INVALID_ARGUMENT', /extra/));
      await assert.rejects(declare(ledger, JSON.stringify({ ...declaration, packageId: 'nope' })), contractError('NOT_FOUND'));
      await assert.rejects(declare(ledger, JSON.stringify({ ...declaration, seller: 'RetailerOrgMSP/ghost' })), contractError('NOT_FOUND'));
      await assert.rejects(declare(ledger, JSON.stringify({ ...declaration, seller: 'ConsumerOrgMSP/consumer2' })), contractError('NOT_FOUND', /seller .* is not a registered retailer/));
      await assert.rejects(declare(ledger, undefined, withTerms, new Date('2026-03-01T00:00:00Z')), contractError('INVALID_ARGUMENT', /packageId .* expired/));
      for (const who of [cast.seller, cast.exchange, cast.regulator]) {
        await assert.rejects(orders.DeclareOrder(ctxOf(ledger, who, t0, withTerms), JSON.stringify(declaration)), contractError('FORBIDDEN_ROLE'));
      }
      assert.deepEqual(ledger.writes, []);
    });
  });

  void it('runs the whole normal flow, keeping each step, operator and time as history', async () => {
    await declare(ledger);
    const steps: [Exclude<Action, 'declare'>, FakeCaller][] = [
      ['confirm', cast.seller],
      ['confirm', cast.buyer],
      ['approve', cast.exchange],
      ['sign', cast.buyer],
      ['sign', cast.seller],
      ['start-execution', cast.exchange],
      ['expire', cast.exchange],
    ];
    let minute = 1;
    for (const [action, who] of steps) await act(orders, action, ctxOf(ledger, who, later(minute++)), 'o-1');
    const order = JSON.parse(await orders.ReadOrder(ctxOf(ledger, cast.exchange), 'o-1')) as OrderRecord;
    assert.deepEqual([order.stage, order.status, order.nextOperator], ['execution', 'expired', null]);
    assert.equal(order.refreshTime, later(7).toISOString());
    const history = JSON.parse(await orders.GetOrderHistory(ctxOf(ledger, cast.regulator), 'o-1')) as HistoryEntry[];
    assert.deepEqual(
      history.map((h) => `${h.action}:${h.operator}:${h.to.stage}/${h.to.status}`),
      [
        'declare:user:drafting/submitted',
        'confirm:retailer:drafting/confirmed',
        'confirm:user:review/pending',
        'approve:exchange:signing/pending',
        'sign:user:signing/pending',
        'sign:retailer:signing/signed',
        'start-execution:exchange:execution/executing',
        'expire:exchange:execution/expired',
      ],
    );
    assert.deepEqual(history.map((h) => h.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
    const approval = history[3];
    assert.ok(approval);
    assert.equal(approval.operatorId, 'ExchangeOrgMSP/exchange1');
    assert.equal(approval.time, later(3).toISOString());
  });

  void it('with review at submission, the exchange reviews first and the confirmations lead to signing', async () => {
    await assert.rejects(orders.SetReviewMode(ctxOf(ledger, cast.seller), 'at-submission'), contractError('FORBIDDEN_ROLE'));
    await assert.rejects(orders.SetReviewMode(ctxOf(ledger, cast.exchange), 'never'), contractError('INVALID_ARGUMENT'));
    await orders.SetReviewMode(ctxOf(ledger, cast.exchange), 'at-submission');
    const order = JSON.parse(await declare(ledger)) as OrderRecord;
    assert.deepEqual([order.stage, order.status, order.nextOperator, order.reviewMode], ['review', 'submitted', 'exchange', 'at-submission']);
    await orders.ApproveOrder(ctxOf(ledger, cast.exchange), 'o-1');
    await orders.ConfirmOrder(ctxOf(ledger, cast.seller), 'o-1');
    const confirmed = JSON.parse(await orders.ConfirmOrder(ctxOf(ledger, cast.buyer), 'o-1')) as OrderRecord;
    assert.deepEqual([confirmed.stage, confirmed.status, confirmed.nextOperator], ['signing', 'pending', 'user']);
  });

  void it('a rejected order can be deleted by its user, and then nothing more', async () => {
    await declare(ledger);
    await orders.RejectOrder(ctxOf(ledger, cast.seller), 'o-1', 'capacity exhausted');
    const deleted = JSON.parse(await orders.DeleteOrder(ctxOf(ledger, cast.buyer), 'o-1')) as OrderRecord;
    assert.deepEqual([deleted.stage, deleted.status, deleted.nextOperator], ['drafting', 'deleted', null]);
    await assert.rejects(orders.ConfirmOrder(ctxOf(ledger, cast.seller), 'o-1'), contractError('ILLEGAL_TRANSITION'));
    const history = JSON.parse(await orders.GetOrderHistory(ctxOf(ledger, cast.buyer), 'o-1')) as HistoryEntry[];
    assert.equal(history[1]?.reason, 'capacity exhausted');
  });

  void it('answers NOT_FOUND for an unknown order and INVALID_ARGUMENT for a malformed id or a long reason', async () => {
    await assert.rejects(orders.ConfirmOrder(ctxOf(ledger, cast.seller), 'missing'), contractError('NOT_FOUND'));
    await assert.rejects(orders.ReadOrder(ctxOf(ledger, cast.exchange), 'bad id!'), contractError('INVALID_ARGUMENT'));
    await declare(ledger);
    await assert.rejects(orders.RejectOrder(ctxOf(ledger, cast.seller), 'o-1', 'x'.repeat(501)), contractError('INVALID_ARGUMENT'));
  });

  void describe('views', () => {
    beforeEach(async () => {
      await declare(ledger);
    });

    void it('the parties see the agreed terms; the exchange and the regulator see no quantity or price', async () => {
      for (const who of [cast.buyer, cast.seller]) {
        const view = JSON.parse(await orders.ReadOrder(ctxOf(ledger, who), 'o-1')) as { terms?: typeof terms };
        assert.deepEqual(view.terms, terms);
      }
      for (const who of [cast.exchange, cast.regulator]) {
        const text = await orders.ReadOrder(ctxOf(ledger, who, t0, { collectionMember: false }), 'o-1');
        assert.ok(!text.includes(terms.tradePrice) && !text.includes(terms.quantityMWh) && !text.includes('"terms"'), text);
      }
    });

    void it('other users and retailers may not see the order', async () => {
      for (const who of [cast.otherConsumer, cast.otherRetailer]) {
        await assert.rejects(orders.ReadOrder(ctxOf(ledger, who), 'o-1'), contractError('FORBIDDEN_ROLE'));
        await assert.rejects(orders.GetOrderHistory(ctxOf(ledger, who), 'o-1'), contractError('FORBIDDEN_ROLE'));
      }
    });

    void it('a peer outside the collection cannot give a party the terms', async () => {
      await assert.rejects(orders.ReadOrder(ctxOf(ledger, cast.buyer, t0, { collectionMember: false }), 'o-1'), /not a member/);
    });

    void it('verification fails for claimed terms that differ from the agreed ones', async () => {
      const result = JSON.parse(await orders.VerifyTradeTerms(ctxOf(ledger, cast.exchange), 'o-1', JSON.stringify({ ...terms, tradePrice: '1.00' }))) as {
        matches: boolean;
      };
      assert.equal(result.matches, false);
    });

    void it('lists a participant’s orders a page at a time, only to itself, the exchange and the regulator', async () => {
      for (let i = 2; i <= 5; i++) await declare(ledger, JSON.stringify({ ...declaration, id: `o-${i}` }));
      const first = JSON.parse(await orders.ListOrdersOfParticipant(ctxOf(ledger, cast.seller), 'RetailerOrgMSP/retailer1', '3', '')) as {
        records: OrderRecord[];
        bookmark: string;
      };
      assert.deepEqual(first.records.map((o) => o.id), ['o-1', 'o-2', 'o-3']);
      const second = JSON.parse(await orders.ListOrdersOfParticipant(ctxOf(ledger, cast.regulator), 'RetailerOrgMSP/retailer1', '3', first.bookmark)) as {
        records: OrderRecord[];
        bookmark: string;
      };
      assert.deepEqual(second.records.map((o) => o.id), ['o-4', 'o-5']);
      assert.equal(second.bookmark, '');
      await assert.rejects(orders.ListOrdersOfParticipant(ctxOf(ledger, cast.otherRetailer), 'RetailerOrgMSP/retailer1', '3', ''), contractError('FORBIDDEN_ROLE'));
      await assert.rejects(orders.ListOrdersOfParticipant(ctxOf(ledger, cast.seller), 'RetailerOrgMSP/retailer1', '0', ''), contractError('INVALID_ARGUMENT'));
    });

    void it('exports trade results once both parties agreed: parties with terms, the exchange without', async () => {
      await declare(ledger, JSON.stringify({ ...declaration, id: 'o-2' }));
      await orders.ConfirmOrder(ctxOf(ledger, cast.seller), 'o-1');
      await orders.ConfirmOrder(ctxOf(ledger, cast.buyer), 'o-1');
      type Export = { rows: Record<string, unknown>[] };
      const mine = JSON.parse(await orders.ExportTradeResults(ctxOf(ledger, cast.buyer), '{}')) as Export;
      assert.deepEqual(mine.rows.map((r) => r.orderId), ['o-1']);
      const [row] = mine.rows;
      assert.ok(row);
      assert.equal(row.tradePrice, terms.tradePrice);
      assert.equal(row.buyerType, 'power-user');
      const exchange = JSON.parse(await orders.ExportTradeResults(ctxOf(ledger, cast.exchange, t0, { collectionMember: false }), '{"pageSize":10}')) as Export;
      assert.deepEqual(exchange.rows.map((r) => r.orderId), ['o-1']);
      const [reviewRow] = exchange.rows;
      assert.ok(reviewRow);
      assert.equal(reviewRow.tradePrice, undefined);
      assert.equal(reviewRow.quantityMWh, undefined);
      await assert.rejects(orders.ExportTradeResults(ctxOf(ledger, cast.buyer), '{"pageSize":0}'), contractError('INVALID_ARGUMENT'));
    });
  });
});

void describe('FilingContract', () => {
  let ledger: FakeLedger;
  const text = { transient: { contractText: '售电合同 ... signed text' } };
  const cipher = { transient: { ciphertext: Buffer.from('encrypted bytes').toString('base64') } };

  beforeEach(async () => {
    ledger = await world();
    await declare(ledger);
    await orders.ConfirmOrder(ctxOf(ledger, cast.seller), 'o-1');
    await orders.ConfirmOrder(ctxOf(ledger, cast.buyer), 'o-1');
  });

  void it('is refused before the contract exists (before the review passed)', async () => {
    await assert.rejects(filing.SubmitContractText(ctxOf(ledger, cast.buyer, t0, text), 'o-1'), contractError('ILLEGAL_TRANSITION'));
  });

  void it('keeps the hash of the text both parties submitted; only the exchange files the encrypted text', async () => {
    await orders.ApproveOrder(ctxOf(ledger, cast.exchange), 'o-1');
    await filing.SubmitContractText(ctxOf(ledger, cast.buyer, t0, text), 'o-1');
    await assert.rejects(filing.FileContractText(ctxOf(ledger, cast.exchange, t0, cipher), 'o-1'), contractError('ILLEGAL_TRANSITION'));
    await assert.rejects(
      filing.SubmitContractText(ctxOf(ledger, cast.seller, t0, { transient: { contractText: 'another text' } }), 'o-1'),
      contractError('CONFLICT'),
    );
    const submitted = JSON.parse(await filing.SubmitContractText(ctxOf(ledger, cast.seller, t0, text), 'o-1')) as { submittedBy: string[] };
    assert.deepEqual(submitted.submittedBy, ['retailer', 'user']);
    for (const who of [cast.buyer, cast.seller, cast.regulator]) {
      await assert.rejects(filing.FileContractText(ctxOf(ledger, who, t0, cipher), 'o-1'), contractError('FORBIDDEN_ROLE'));
    }
    const filed = JSON.parse(await filing.FileContractText(ctxOf(ledger, cast.exchange, later(1), cipher), 'o-1')) as { filed: { filedBy: string } };
    assert.equal(filed.filed.filedBy, 'ExchangeOrgMSP/exchange1');
    const read = JSON.parse(await filing.ReadContractFiling(ctxOf(ledger, cast.regulator), 'o-1')) as { ciphertext: string; hash: string };
    assert.equal(read.ciphertext, cipher.transient.ciphertext);
    await assert.rejects(
      filing.FileContractText(ctxOf(ledger, cast.exchange, t0, { transient: { ciphertext: 'b3RoZXI=' } }), 'o-1'),
      contractError('CONFLICT'),
    );
    await assert.rejects(filing.SubmitContractText(ctxOf(ledger, cast.otherConsumer, t0, text), 'o-1'), contractError('FORBIDDEN_ROLE'));
  });
});
