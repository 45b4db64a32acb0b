import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { sharedNetwork, topology } from '../testing/live';
import { connectFromProfile } from '../testing/profile-client';
import { connectionProfile, profileText } from './profile';

const network = sharedNetwork();

void describe('a fabric-gateway client configured from the connection profile alone (live network)', { timeout: 120_000 }, () => {
  void it("evaluates a transaction as the org's user", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'profile-')), 'connection-consumer.json');
    writeFileSync(file, profileText(connectionProfile(topology, network.layout, 'consumer')));
    // From here on, only what the file says (and which user and chaincode to call). The network
    // requires client certificates: the profile names the org's TLS client identity in
    // client.tlsCerts.client (absent when client authentication is optional).
    const client = connectFromProfile(file, 'consumer1');
    try {
      const mode = Buffer.from(await client.gateway.getNetwork(client.channel).getContract(topology.chaincode.name, 'orders').evaluateTransaction('GetReviewMode')).toString('utf8');
      assert.match(mode, /^[a-z-]+$/);
    } finally {
      client.close();
    }
  });
});
