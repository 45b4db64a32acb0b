import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { AdminCli } from '../fabric/admin-cli';
import { isRunning } from '../runtime/native/supervisor';
import { locateToolchain } from '../toolchain';

import { Actor } from '../testing/actors';
import { sharedNetwork, topology } from '../testing/live';
import { peerOrg, peers } from '../topology';
import { queryCommitted } from './deploy';
import { committedDissemination, describeDissemination, DisseminationError, modelDissemination } from './dissemination';

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

  void it("deploys the collections with other dissemination counts (a definition upgrade, same package), and the model's back", async () => {
    const cli = new AdminCli(await locateToolchain(), network.layout, topology);
    const committed = async (): Promise<string> => {
      const definition = await queryCommitted(cli, peers(topology)[0] ?? assert.fail('no peer'), topology.channel.name, topology.chaincode.name);
      const held = committedDissemination(definition ?? assert.fail('no definition committed'));
      return held === null ? 'none' : describeDissemination(held);
    };
    const model = describeDissemination(await modelDissemination());
    assert.equal(await committed(), model);
    const before = await network.deploy(quiet);
    // Refused before anything is sent: a peer count above the maximum.
    await assert.rejects(network.deploy(quiet, { dissemination: { requiredPeerCount: 2, maxPeerCount: 1 } }), DisseminationError);
    const one = await network.deploy(quiet, { dissemination: { requiredPeerCount: 1, maxPeerCount: 1 } });
    assert.equal(one.committed, true);
    assert.equal(one.sequence, before.sequence + 1);
    assert.equal(one.packageId, before.packageId);
    assert.equal(await committed(), 'requiredPeerCount 1, maxPeerCount 1');
    // A private write and its terms, read back by the other party, under the new counts.
    const order = await writeOrder();
    const retailer = Actor.connect(topology, network.layout, 'retailer', 'retailer1');
    try {
      assert.equal((await retailer.evaluateJson<{ terms: { tradePrice: string } }>('orders', 'ReadOrder', [order.orderId])).terms.tradePrice, order.tradePrice);
    } finally {
      retailer.close();
    }
    // Deploying without counts brings the model's back, once.
    const back = await network.deploy(quiet);
    assert.equal(back.committed, true);
    assert.equal(await committed(), model);
    assert.equal((await network.deploy(quiet)).committed, false);
  });

  void it("restarts the peers with extra environment, and with the model's again", async () => {
    const peerRecords = async () => (await network.supervisor.records()).filter((r) => r.kind === 'peer' && isRunning(r));
    const environOf = (pid: number): string[] => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const before = await peerRecords();
    assert.equal(before.length, peers(topology).length);
    await network.restartPeers(quiet, { FABRIC_LOGGING_SPEC: 'warning' });
    const quietPeers = await peerRecords();
    for (const record of quietPeers) {
      assert.notEqual(record.pid, before.find((b) => b.id === record.id)?.pid, `${record.id} restarted`);
      assert.ok(environOf(record.pid).includes('FABRIC_LOGGING_SPEC=warning'), `${record.id} runs with the extra environment`);
    }
    // Nothing changed: nothing restarts.
    await network.restartPeers(quiet, { FABRIC_LOGGING_SPEC: 'warning' });
    assert.deepEqual((await peerRecords()).map((r) => r.pid), quietPeers.map((r) => r.pid));
    await network.restartPeers(quiet);
    for (const record of await peerRecords()) assert.ok(!environOf(record.pid).some((v) => v.startsWith('FABRIC_LOGGING_SPEC=')), `${record.id} runs as generated again`);
    // Endorsable again: a private write goes through.
    await writeOrder();
  });
});
