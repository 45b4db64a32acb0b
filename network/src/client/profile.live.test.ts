import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers } from '@hyperledger/fabric-gateway';

import { sharedNetwork, topology } from '../testing/live';
import { connectionProfile, profileText, type ConnectionProfile } from './profile';

const network = sharedNetwork();

/** The first file of an MSP folder (signcerts, keystore), as fabric-samples' application-gateway-typescript reads it. */
const firstFile = (dir: string): Buffer => {
  const [name] = readdirSync(dir);
  assert.ok(name, `${dir} is empty`);
  return readFileSync(join(dir, name));
};

void describe('a fabric-gateway client configured from the connection profile alone (live network)', { timeout: 120_000 }, () => {
  void it("evaluates a transaction as the org's user", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'profile-')), 'connection-consumer.json');
    writeFileSync(file, profileText(connectionProfile(topology, network.layout, 'consumer')));

    // From here on, only what the file says (and which user, channel and chaincode to call).
    const profile = JSON.parse(readFileSync(file, 'utf8')) as ConnectionProfile;
    const org = profile.organizations[profile.client.organization];
    assert.ok(org);
    const peer = profile.peers[org.peers[0] ?? ''];
    assert.ok(peer && 'pem' in peer.tlsCACerts);
    const root = Buffer.from(peer.tlsCACerts.pem);
    // The network requires client certificates: the profile names the org's TLS client identity in
    // client.tlsCerts.client (absent when client authentication is optional; a test-network client presents none).
    const tlsClient = profile.client.tlsCerts?.client;
    const credentials = tlsClient ? grpc.credentials.createSsl(root, readFileSync(tlsClient.key.path), readFileSync(tlsClient.cert.path)) : grpc.credentials.createSsl(root);
    const client = new grpc.Client(new URL(peer.url).host, credentials, { 'grpc.ssl_target_name_override': peer.grpcOptions['ssl-target-name-override'] });
    const user = org.users.consumer1;
    assert.ok(user);
    const gateway = connect({
      client,
      identity: { mspId: org.mspid, credentials: firstFile(join(user.mspDir, 'signcerts')) },
      signer: signers.newPrivateKeySigner(createPrivateKey(firstFile(join(user.mspDir, 'keystore')))),
      hash: hash.sha256,
      evaluateOptions: () => ({ deadline: Date.now() + 10_000 }),
    });
    try {
      const [channel] = Object.keys(profile.channels);
      assert.ok(channel);
      const mode = Buffer.from(await gateway.getNetwork(channel).getContract(topology.chaincode.name, 'orders').evaluateTransaction('GetReviewMode')).toString('utf8');
      assert.match(mode, /^[a-z-]+$/);
    } finally {
      gateway.close();
      client.close();
    }
  });
});
