import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeLedger, fakeContext, type FakeCaller } from '../testing/fake-context';
import { contractError, monthlyFixedTemplate } from '../testing/fixtures';
import { PackageTemplateContract } from './contract';

const retailer: FakeCaller = { mspId: 'RetailerOrgMSP', role: 'retailer', id: 'x509::CN=retailer1::CN=ca.retailerorg' };
const exchange: FakeCaller = { mspId: 'ExchangeOrgMSP', role: 'exchange' };
const regulator: FakeCaller = { mspId: 'ExchangeOrgMSP', role: 'regulator' };
const consumer: FakeCaller = { mspId: 'ConsumerOrgMSP', role: 'consumer' };

const txTime = new Date('2025-01-15T08:30:00.123Z');
const later = new Date('2025-01-15T08:31:00Z');
const templateJson = JSON.stringify(monthlyFixedTemplate);

const contract = new PackageTemplateContract();

function create(ledger: FakeLedger, caller: FakeCaller, json: string, at = txTime): Promise<string> {
  return contract.CreatePackageTemplate(fakeContext(ledger, caller, at), json);
}

function read(ledger: FakeLedger, caller: FakeCaller, id: string): Promise<string> {
  return contract.ReadPackageTemplate(fakeContext(ledger, caller, txTime), id);
}

void describe('PackageTemplateContract', () => {
  void it('is the contract named packages', () => {
    assert.equal(contract.getName(), 'packages');
  });

  void it('stores a template with version, creator and transaction time, and reads it back', async () => {
    const ledger = new FakeLedger();
    const created = await create(ledger, retailer, templateJson);

    assert.deepEqual(JSON.parse(created), {
      ...monthlyFixedTemplate,
      version: 1,
      createdBy: { mspId: 'RetailerOrgMSP', role: 'retailer', id: 'x509::CN=retailer1::CN=ca.retailerorg' },
      createdAt: '2025-01-15T08:30:00.123Z',
    });
    assert.deepEqual(ledger.writes, ['\u0000template\u0000js-2025-01-fixed\u0000']);
    for (const reader of [retailer, exchange, regulator, consumer]) {
      assert.equal(await read(ledger, reader, monthlyFixedTemplate.id), created);
    }
  });

  void it('lets the exchange create templates', async () => {
    const ledger = new FakeLedger();
    const created = await create(ledger, exchange, templateJson);
    assert.equal((JSON.parse(created) as { createdBy: { role: string } }).createdBy.role, 'exchange');
  });

  void it('writes the same bytes on every endorser, with keys sorted', async () => {
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(monthlyFixedTemplate).reverse()));
    const [first, second] = [new FakeLedger(), new FakeLedger()];
    await create(first, retailer, templateJson);
    await create(second, retailer, reordered);

    assert.deepEqual(first.state, second.state);
    assert.equal(
      [...first.state.values()][0],
      '{"createdAt":"2025-01-15T08:30:00.123Z",' +
        '"createdBy":{"id":"x509::CN=retailer1::CN=ca.retailerorg","mspId":"RetailerOrgMSP","role":"retailer"},' +
        '"id":"js-2025-01-fixed","marketStage":"monthly","name":"江苏 2025年1月 固定价格套餐",' +
        '"priceTerms":{"model":"fixed","price":"412.50"},"region":"Jiangsu","targetUserType":"commercial",' +
        '"validFrom":"2025-01-01","validTo":"2025-02-01","version":1}',
    );
  });

  void it('answers a replayed create with the stored record and writes nothing', async () => {
    const ledger = new FakeLedger();
    const created = await create(ledger, retailer, templateJson);
    const replayed = await create(ledger, retailer, templateJson, later);

    assert.equal(replayed, created);
    assert.equal(ledger.writes.length, 1);
  });

  void it('refuses other content under an existing id as CONFLICT and keeps the stored record', async () => {
    const ledger = new FakeLedger();
    const created = await create(ledger, retailer, templateJson);
    const cheaper = JSON.stringify({ ...monthlyFixedTemplate, priceTerms: { model: 'fixed', price: '399.00' } });

    await assert.rejects(create(ledger, retailer, cheaper, later), contractError('CONFLICT', /.*'js-2025-01-fixed'/));
    assert.equal(ledger.writes.length, 1);
    assert.equal(await read(ledger, consumer, monthlyFixedTemplate.id), created);
  });

  void it('refuses creators whose role may not create, before reading their input', async () => {
    for (const caller of [consumer, regulator]) {
      const ledger = new FakeLedger();
      await assert.rejects(create(ledger, caller, 'not even JSON'), contractError('FORBIDDEN_ROLE', /.*may not create/));
      assert.equal(ledger.writes.length, 0);
    }
  });

  void it('refuses a role claimed from the wrong organisation, to write and to read', async () => {
    const forged: FakeCaller = { mspId: 'ConsumerOrgMSP', role: 'retailer' };
    const ledger = new FakeLedger();
    await assert.rejects(create(ledger, forged, templateJson), contractError('FORBIDDEN_ROLE', /.*not issued by ConsumerOrgMSP/));
    assert.equal(ledger.writes.length, 0);

    await create(ledger, retailer, templateJson);
    await assert.rejects(read(ledger, forged, monthlyFixedTemplate.id), contractError('FORBIDDEN_ROLE'));
  });

  void it('refuses to read for an identity without a role', async () => {
    const ledger = new FakeLedger();
    await create(ledger, retailer, templateJson);
    await assert.rejects(read(ledger, { mspId: 'RetailerOrgMSP', role: null }, monthlyFixedTemplate.id), contractError('FORBIDDEN_ROLE'));
  });

  void it('refuses an invalid template as INVALID_ARGUMENT naming the field, and writes nothing', async () => {
    const ledger = new FakeLedger();
    const undated = JSON.stringify({ ...monthlyFixedTemplate, validTo: '2024-12-31' });
    await assert.rejects(create(ledger, retailer, undated), contractError('INVALID_ARGUMENT', /validTo must be after validFrom/));
    assert.equal(ledger.writes.length, 0);
  });

  void it('answers NOT_FOUND for a template that does not exist, and INVALID_ARGUMENT for a malformed id', async () => {
    const ledger = new FakeLedger();
    await assert.rejects(read(ledger, consumer, 'no-such-template'), contractError('NOT_FOUND', /package template 'no-such-template'/));
    await assert.rejects(read(ledger, consumer, 'a\u0000b'), contractError('INVALID_ARGUMENT', /id must be/));
  });
});
