/*
 * A Fabric common connection profile of one org (the format fabric-samples' test network writes as
 * connection-org1.json), derived from the model: what a client application written for Fabric needs
 * to reach this network.
 */
import { readFileSync } from 'node:fs';

import { identityOf, APP_TLS_CLIENT, ORG_ADMIN } from '../crypto/org-crypto';
import { toYaml, type Yaml } from '../generate/sampleconfig';
import type { StateLayout } from '../state/layout';
import { certificateAuthorities, clientAuthOf, orderers, peerOrg, peers, type ClientAuth, type OrdererInfo, type PeerInfo, type Topology } from '../topology';

/** A TLS root: inline PEM (portable, as fabric-samples writes it) or the path of the file. */
export type TlsCaCerts = { readonly pem: string } | { readonly path: string };

export type ProfileNode = {
  readonly url: string;
  readonly tlsCACerts: TlsCaCerts;
  /** Both names SDKs read for the name the server's certificate must carry (the node id, not the address). */
  readonly grpcOptions: { readonly 'ssl-target-name-override': string; readonly hostnameOverride: string };
};

/** An enrolled user of the org: its MSP directory, and the certificate and key in it (fabric-sdk-go's `users` entry). */
export type ProfileUser = {
  readonly mspDir: string;
  readonly cert: { readonly path: string };
  readonly key: { readonly path: string };
};

export type ConnectionProfile = {
  readonly name: string;
  readonly version: '1.0.0';
  readonly client: {
    readonly organization: string;
    /**
     * Present when peers and orderers require a client certificate: the org's TLS client identity
     * (fabric-sdk-go's `client.tlsCerts.client`). A client for Fabric's test network presents none.
     */
    readonly tlsCerts?: { readonly client: { readonly cert: { readonly path: string }; readonly key: { readonly path: string } } };
  };
  readonly organizations: Readonly<
    Record<string, { readonly mspid: string; readonly peers: readonly string[]; readonly certificateAuthorities: readonly string[]; readonly users: Readonly<Record<string, ProfileUser>> }>
  >;
  readonly orderers: Readonly<Record<string, ProfileNode>>;
  readonly peers: Readonly<Record<string, ProfileNode>>;
  readonly certificateAuthorities: Readonly<
    Record<string, { readonly url: string; readonly caName: string; readonly tlsCACerts: { readonly pem: readonly string[] } | { readonly path: string }; readonly httpOptions: { readonly verify: false } }>
  >;
  readonly channels: Readonly<
    Record<string, { readonly orderers: readonly string[]; readonly peers: Readonly<Record<string, { readonly endorsingPeer: true; readonly chaincodeQuery: true; readonly ledgerQuery: true; readonly eventSource: true }>> }>
  >;
};

export interface ProfileOptions {
  /** Inline PEM (default) or file paths for the TLS roots. */
  readonly certificates?: 'pem' | 'path';
  /** Whether peers and orderers require a client certificate (default: the model's setting): if so, names the org's TLS client identity. */
  readonly clientAuth?: ClientAuth;
}

/**
 * The connection profile of `orgKey` (key, name or MSP id). It names every peer org of the channel
 * with its peers and CA, since any of them may be needed to endorse a chaincode whose policy is not
 * known here (the Fabric Gateway finds them by discovery; SDKs without it read them here); the
 * orderers; and, per org, the MSP directories of its admin and its model users.
 */
export function connectionProfile(topology: Topology, layout: StateLayout, orgKey: string, options: ProfileOptions = {}): ConnectionProfile {
  const org = peerOrg(topology, orgKey);
  const tlsRoot = (key: string): TlsCaCerts => (options.certificates === 'path' ? { path: layout.caCert(key) } : { pem: readFileSync(layout.caCert(key), 'utf8') });
  const node = (n: PeerInfo | OrdererInfo): ProfileNode => ({
    url: `grpcs://${n.endpoint}`,
    tlsCACerts: tlsRoot(n.org.key),
    grpcOptions: { 'ssl-target-name-override': n.id, hostnameOverride: n.id },
  });
  const allPeers = peers(topology);
  const cas = certificateAuthorities(topology);
  const user = (orgKeyOf: string, name: string): ProfileUser => {
    const files = identityOf(layout, orgKeyOf, name);
    return { mspDir: files.mspDir, cert: { path: files.signCert }, key: { path: files.signKey } };
  };
  const tlsClient = identityOf(layout, org.key, APP_TLS_CLIENT);
  return {
    name: `${topology.domain}-${org.key}`,
    version: '1.0.0',
    client: {
      organization: org.name,
      ...((options.clientAuth ?? clientAuthOf(topology)) === 'required' ? { tlsCerts: { client: { cert: { path: tlsClient.tlsCert }, key: { path: tlsClient.tlsKey } } } } : {}),
    },
    organizations: Object.fromEntries(
      topology.peerOrgs.map((o) => [
        o.name,
        {
          mspid: o.mspId,
          peers: allPeers.filter((p) => p.org.key === o.key).map((p) => p.id),
          certificateAuthorities: cas.filter((c) => c.org.key === o.key).map((c) => c.id),
          users: Object.fromEntries([ORG_ADMIN, ...o.users.map((u) => u.name)].map((name) => [name, user(o.key, name)])),
        },
      ]),
    ),
    orderers: Object.fromEntries(orderers(topology).map((o) => [o.id, node(o)])),
    peers: Object.fromEntries(allPeers.map((p) => [p.id, node(p)])),
    certificateAuthorities: Object.fromEntries(
      cas
        .filter((c) => c.org.kind === 'peer')
        .map((c) => {
          const root = tlsRoot(c.org.key);
          return [c.id, { url: c.url, caName: c.ca.name, tlsCACerts: 'pem' in root ? { pem: [root.pem] } : root, httpOptions: { verify: false } }];
        }),
    ),
    channels: {
      [topology.channel.name]: {
        orderers: orderers(topology).map((o) => o.id),
        peers: Object.fromEntries(allPeers.map((p) => [p.id, { endorsingPeer: true, chaincodeQuery: true, ledgerQuery: true, eventSource: true }])),
      },
    },
  };
}

/** The profile as a file's text: JSON (as fabric-samples writes it) or YAML. */
export function profileText(profile: ConnectionProfile, format: 'json' | 'yaml' = 'json'): string {
  // A profile is plain JSON data: every value a string, boolean, list or map.
  return format === 'yaml' ? toYaml(profile as unknown as Yaml) : `${JSON.stringify(profile, null, 2)}\n`;
}
