import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { EndorseError } from '@hyperledger/fabric-gateway';

import { AdminCli } from '../fabric/admin-cli';
import { chaincodeErrorOf } from './errors';
import { locateToolchain } from '../toolchain';
import { sharedNetwork, topology } from '../testing/live';
import { peers } from '../topology';
import { retry } from '../util/retry';
import { connectGateway, type GatewayConnection } from './gateway';

const network = sharedNetwork();
const channel = topology.channel.name;
const run = Date.now().toString(36);
const decode = (bytes: Uint8Array): unknown => JSON.parse(Buffer.from(bytes).toString('utf8'));

void describe('transactions through the Fabric Gateway (live network)', { timeout: 180_000 }, () => {
  const connections = new Map<string, GatewayConnection>();
  const contract = (user: string, name: 'packages' | 'participants') => {
    const connection = connections.get(user);
    assert.ok(connection, `no connection for ${user}`);
    return connection.gateway.getNetwork(channel).getContract(topology.chaincode.name, name);
  };

  before(() => {
    for (const [org, user] of [['exchange', 'exchange1'], ['consumer', 'consumer1'], ['retailer', 'retailer1'], ['exchange', 'regulator1']] as const) {
      connections.set(user, connectGateway(topology, network.layout, { org, user }));
    }
  });
  after(() => {
    for (const c of connections.values()) c.close();
  });

  void it('commits a transaction signed by an identity of each org, with the role its CA issued', async () => {
    for (const [user, mspId, role] of [
      ['exchange1', 'ExchangeOrgMSP', 'exchange'],
      ['consumer1', 'ConsumerOrgMSP', 'consumer'],
      ['retailer1', 'RetailerOrgMSP', 'retailer'],
    ] as const) {
      const result = await contract(user, 'participants').submitTransaction('RegisterParticipant');
      const record = decode(result) as { mspId: string; role: string };
      assert.equal(record.mspId, mspId);
      assert.equal(record.role, role);
      const read = decode(await contract(user, 'participants').evaluateTransaction('ReadMyParticipant')) as { mspId: string };
      assert.equal(read.mspId, mspId);
    }
  });

  void it('writes a package template as a retailer and reads it as the regulator', async () => {
    const template = {
      id: `it-${run}`,
      name: 'integration template',
      region: 'Jiangsu',
      marketStage: 'monthly',
      targetUserType: 'commercial',
      priceTerms: { model: 'fixed', price: '400.00' },
      validFrom: '2026-01-01',
      validTo: '2026-02-01',
    };
    const created = decode(await contract('retailer1', 'packages').submitTransaction('CreatePackageTemplate', JSON.stringify(template))) as {
      createdBy: { mspId: string };
    };
    assert.equal(created.createdBy.mspId, 'RetailerOrgMSP');
    const read = decode(await contract('regulator1', 'packages').evaluateTransaction('ReadPackageTemplate', template.id)) as { id: string };
    assert.equal(read.id, template.id);
  });

  void it('refuses a consumer creating a template with the chaincode error code, and commits nothing', async () => {
    const id = `forbidden-${run}`;
    const template = JSON.stringify({
      id,
      name: 'x',
      region: 'Jiangsu',
      marketStage: 'spot',
      targetUserType: 'residential',
      priceTerms: { model: 'fixed', price: '1' },
      validFrom: '2026-01-01',
      validTo: '2026-01-02',
    });
    await assert.rejects(contract('consumer1', 'packages').submitTransaction('CreatePackageTemplate', template), (error: unknown) => {
      assert.ok(error instanceof EndorseError, `expected EndorseError, got ${String(error)}`);
      assert.equal(chaincodeErrorOf(error)?.code, 'FORBIDDEN_ROLE');
      return true;
    });
    await assert.rejects(contract('regulator1', 'packages').evaluateTransaction('ReadPackageTemplate', id), /NOT_FOUND: /);
  });

  void it('brings all 7 peers to the same block height and block hash', async () => {
    const cli = new AdminCli(await locateToolchain(), network.layout, topology);
    const all = peers(topology);
    assert.equal(all.length, 7);
    const infos = await retry(
      async () => {
        const list = await Promise.all(all.map((p) => cli.chainInfo(p, channel)));
        const heights = new Set(list.map((i) => i.height));
        const hashes = new Set(list.map((i) => i.currentBlockHash));
        if (heights.size !== 1 || hashes.size !== 1) throw new Error(`peers disagree: ${JSON.stringify(list)}`);
        return list;
      },
      { attempts: 20, delayMs: 500 },
    );
    // Genesis, 3 approvals and a commit of the chaincode, then this suite's 4 transactions.
    assert.ok((infos[0]?.height ?? 0) >= 9, `height ${infos[0]?.height}`);
  });
});
