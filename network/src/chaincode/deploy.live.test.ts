import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { connectGateway } from '../client/gateway';
import { sharedNetwork, topology } from '../testing/live';

const network = sharedNetwork();
const quiet = (): void => undefined;

void describe('chaincode-as-a-service pipeline (live)', { timeout: 300_000 }, () => {
  void it('deploying again with nothing changed commits nothing', async () => {
    assert.ok((await network.readStatus())?.chaincode, 'up recorded no chaincode');
    const before = await network.deploy(quiet);
    const again = await network.deploy(quiet);
    assert.equal(again.committed, false);
    assert.equal(again.sequence, before.sequence);
    assert.equal(again.packageId, before.packageId);
  });

  void it('an upgrade (a new package) bumps the sequence, restarts the servers, and the ledger keeps serving', async () => {
    const before = (await network.readStatus())?.chaincode;
    assert.ok(before);
    const upgraded = await network.deploy(quiet, { revision: `r${Date.now().toString(36)}` });
    assert.equal(upgraded.committed, true);
    assert.equal(upgraded.sequence, before.sequence + 1);
    assert.notEqual(upgraded.packageId, before.packageId);
    for (const record of (await network.supervisor.records()).filter((r) => r.kind === 'chaincode')) {
      assert.ok(record.args.includes(upgraded.packageId), `${record.id} serves the new package`);
    }
    const connection = connectGateway(topology, network.layout, { org: 'consumer', user: 'consumer1' });
    try {
      const contract = connection.gateway.getNetwork(topology.channel.name).getContract(topology.chaincode.name, 'participants');
      const record = JSON.parse(Buffer.from(await contract.submitTransaction('RegisterParticipant')).toString()) as { mspId: string };
      assert.equal(record.mspId, 'ConsumerOrgMSP');
    } finally {
      connection.close();
    }
  });
});
