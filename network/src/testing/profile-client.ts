import { createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway } from '@hyperledger/fabric-gateway';

import type { ConnectionProfile } from '../client/profile';

/** The first file of an MSP folder (signcerts, keystore), as fabric-samples' application-gateway-typescript reads it. */
function firstFile(dir: string): Buffer {
  const [name] = readdirSync(dir);
  if (!name) throw new Error(`${dir} is empty`);
  return readFileSync(join(dir, name));
}

/** A gateway, the channel the profile names, and how to close both. */
export interface ProfileClient {
  readonly gateway: Gateway;
  readonly channel: string;
  close(): void;
}

/**
 * A fabric-gateway client as a user of Fabric's test network writes one (fabric-samples'
 * application-gateway-typescript), configured from a connection profile file alone: the org's first
 * peer (address, TLS root, certificate name), the user's MSP folder, and the TLS client certificate
 * only when the profile names one (client.tlsCerts.client, while the network requires client certificates).
 */
export function connectFromProfile(file: string, user: string): ProfileClient {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as ConnectionProfile;
  const org = profile.organizations[profile.client.organization];
  if (!org) throw new Error(`${file}: no organization ${profile.client.organization}`);
  const peer = profile.peers[org.peers[0] ?? ''];
  if (!peer || !('pem' in peer.tlsCACerts)) throw new Error(`${file}: the org's first peer has no inline TLS root`);
  const root = Buffer.from(peer.tlsCACerts.pem);
  const tlsClient = profile.client.tlsCerts?.client;
  const credentials = tlsClient ? grpc.credentials.createSsl(root, readFileSync(tlsClient.key.path), readFileSync(tlsClient.cert.path)) : grpc.credentials.createSsl(root);
  const client = new grpc.Client(new URL(peer.url).host, credentials, { 'grpc.ssl_target_name_override': peer.grpcOptions['ssl-target-name-override'] });
  const identity = org.users[user];
  if (!identity) throw new Error(`${file}: ${profile.client.organization} has no user ${user}`);
  const [channel] = Object.keys(profile.channels);
  if (!channel) throw new Error(`${file}: no channel`);
  const gateway = connect({
    client,
    identity: { mspId: org.mspid, credentials: firstFile(join(identity.mspDir, 'signcerts')) },
    signer: signers.newPrivateKeySigner(createPrivateKey(firstFile(join(identity.mspDir, 'keystore')))),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 10_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 15_000 }),
    submitOptions: () => ({ deadline: Date.now() + 10_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  return {
    gateway,
    channel,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}
