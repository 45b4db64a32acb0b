import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway } from '@hyperledger/fabric-gateway';

import { identityOf } from '../crypto/org-crypto';
import type { StateLayout } from '../state/layout';
import { peerOrg, peers, type PeerInfo, type Topology } from '../topology';

export interface GatewayConnection {
  readonly gateway: Gateway;
  readonly peer: PeerInfo;
  close(): void;
}

/** A long-lived gRPC connection to one peer, over mutual TLS with the org's TLS client identity. */
export function peerClient(layout: StateLayout, peer: PeerInfo, tlsIdentity: { tlsCert: string; tlsKey: string }): grpc.Client {
  const credentials = grpc.credentials.createSsl(
    readFileSync(layout.caCert(peer.org.key)),
    readFileSync(tlsIdentity.tlsKey),
    readFileSync(tlsIdentity.tlsCert),
  );
  // Certificates name the node; the endpoint is an address, so verify the name rather than the IP.
  return new grpc.Client(peer.endpoint, credentials, { 'grpc.ssl_target_name_override': peer.id });
}

/** What a client presents as its identity and signs with, when not the user's own enrollment. */
export interface SigningIdentity {
  readonly certificate: Buffer;
  readonly key: Buffer;
}

/**
 * Connects a user enrolled with its org's CA to the Fabric Gateway of one of the org's peers (the
 * first, unless named; or any peer of the channel, by id). Transactions are signed with the user's own key, or with `signing` (the TLS
 * connection stays the user's): how the security suite presents a certificate with another's key,
 * a certificate from an unknown CA, or a revoked one.
 */
export function connectGateway(
  topology: Topology,
  layout: StateLayout,
  options: { org: string; user: string; peer?: string; signing?: SigningIdentity },
): GatewayConnection {
  // By name within the org, or any peer of the channel by id (a party asking a peer of another org).
  const peer = peers(topology).find((p) => (p.org.key === options.org && (options.peer === undefined || p.node.name === options.peer)) || p.id === options.peer);
  if (!peer) throw new Error(`no peer ${options.peer ?? ''} in org ${options.org}`);
  const org = peerOrg(topology, options.org);
  const user = identityOf(layout, org.key, options.user);
  const client = peerClient(layout, peer, user);
  const gateway = connect({
    client,
    identity: { mspId: org.mspId, credentials: options.signing?.certificate ?? readFileSync(user.signCert) },
    signer: signers.newPrivateKeySigner(createPrivateKey(options.signing?.key ?? readFileSync(user.signKey))),
    hash: hash.sha256,
    // The peers require client TLS, so their deliver service checks that a block request is bound to
    // the connection's client certificate (its SHA-256, in the request's header).
    tlsClientCertificateHash: createHash('sha256').update(new X509Certificate(readFileSync(user.tlsCert)).raw).digest(),
    evaluateOptions: () => ({ deadline: Date.now() + 5_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 15_000 }),
    submitOptions: () => ({ deadline: Date.now() + 5_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  return {
    gateway,
    peer,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}
