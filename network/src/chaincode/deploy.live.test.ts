import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Actor } from '../testing/actors';
import { sharedNetwork, topology } from '../testing/live';
import { peerOrg } from '../topology';

const network = sharedNetwork();
const quiet = (): void => undefined;

/** A template and an order with private terms, written before an upgrade to be read after it. */
async function writeOrder(): Promise<{ templateId: string; orderId: string; tradePrice: string }> {
  const run = Date.now().toString(36);
  const consumer = Actor.connect(topology, network.layout, 'consumer', 'consumer1');
  const retailer = Actor.connect(topology, network.layout, 'retailer', 'retailer1');
  try {
    await consumer.submit('participants', 'RegisterParticipant');
    const seller = (await retailer.submitJson<{ handle: string }>('participants', 'RegisterParticipant')).handle;
    const year = new Date().getUTCFullYear();
    const templateId = `upgrade-${run}`;
    await retailer.submit('packages', 'CreatePackageTemplate', [
      JSON.stringify({
        id: templateId,
        name: 'before the upgrade',
        region: 'Zhejiang',
        marketStage: 'annual',
        targetUserType: 'large',
        priceTerms: { model: 'indexed', reference: 'monthly clearing price', spread: '-3.50' },
        validFrom: `${year}-01-01`,
        validTo: `${year + 1}-01-01`,
      }),
    ]);
    const tradePrice = '377.77';
    const terms = { quantityMWh: '10', tradePrice, settlementPrice: '370.00', salt: `salt-${run}-0123456789` };
    const orderId = `upgrade-${run}`;
    await consumer.submit('orders', 'DeclareOrder', [JSON.stringify({ id: orderId, packageId: templateId, content: 'annual block', seller })], {
      transient: { terms: JSON.stringify(terms) },
      orgs: [peerOrg(topology, 'exchange').mspId, peerOrg(topology, 'consumer').mspId],
    });
    return { templateId, orderId, tradePrice };
  } finally {
    consumer.close();
    retailer.close();
  }
}

void describe('chaincode-as-a-service pipeline (live)', { timeout: 300_000 }, () => {
  void it('deploying again with nothing changed commits nothing', async () => {
    assert.ok((await network.readStatus())?.chaincode, 'up recorded no chaincode');
    const before = await network.deploy(quiet);
    const again = await network.deploy(quiet);
    assert.equal(again.committed, false);
    assert.equal(again.sequence, before.sequence);
    assert.equal(again.packageId, before.packageId);
  });

  void it('an upgrade (a new package) bumps the sequence, restarts the servers, and keeps existing state readable', async () => {
    const before = (await network.readStatus())?.chaincode;
    assert.ok(before);
    const existing = await writeOrder();
    const upgraded = await network.deploy(quiet, { revision: `r${Date.now().toString(36)}` });
    assert.equal(upgraded.committed, true);
    assert.equal(upgraded.sequence, before.sequence + 1);
    assert.notEqual(upgraded.packageId, before.packageId);
    for (const record of (await network.supervisor.records()).filter((r) => r.kind === 'chaincode')) {
      assert.ok(record.args.includes(upgraded.packageId), `${record.id} serves the new package`);
    }
    const consumer = Actor.connect(topology, network.layout, 'consumer', 'consumer1');
    try {
      const order = await consumer.evaluateJson<{ id: string; terms: { tradePrice: string } }>('orders', 'ReadOrder', [existing.orderId]);
      assert.equal(order.terms.tradePrice, existing.tradePrice);
      const template = await consumer.evaluateJson<{ id: string }>('packages', 'ReadPackageTemplate', [existing.templateId]);
      assert.equal(template.id, existing.templateId);
      const record = await consumer.submitJson<{ mspId: string }>('participants', 'RegisterParticipant');
      assert.equal(record.mspId, peerOrg(topology, 'consumer').mspId);
    } finally {
      consumer.close();
    }
  });
});
