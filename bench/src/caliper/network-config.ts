import { APP_TLS_CLIENT, clientAuthOf, identityOf, peers, type ClientAuth, type StateLayout, type Topology } from '@energysale/network';

/** An identity Caliper signs with: an enrolled user of a peer org (files as `enrollUsers` wrote them). */
export interface CaliperIdentity {
  readonly orgKey: string;
  readonly user: string;
}

/** The org's TLS client identity, which our connector presents to the org's peers (mutual TLS). */
export interface ClientTls {
  readonly certPath: string;
  readonly keyPath: string;
}

/**
 * Caliper 0.6's network configuration (version 2.0), peers inline; with our connector, `clientTls`
 * per org. Caliper's stock connector (`blockchain: fabric`, the peer-gateway one with
 * @hyperledger/fabric-gateway installed) reads the same file and ignores `clientTls`.
 */
export interface CaliperNetworkConfig {
  readonly name: string;
  readonly version: '2.0.0';
  readonly caliper: { readonly blockchain: string; readonly sutOptions: { readonly mutualTls: false } };
  readonly channels: readonly { readonly channelName: string; readonly contracts: readonly { readonly id: string }[] }[];
  readonly organizations: readonly CaliperOrganization[];
}

export interface CaliperOrganization {
  readonly mspid: string;
  readonly identities: {
    readonly certificates: readonly { readonly name: string; readonly clientPrivateKey: { readonly path: string }; readonly clientSignedCert: { readonly path: string } }[];
  };
  readonly peers: readonly { readonly endpoint: string; readonly tlsCACerts: { readonly path: string }; readonly grpcOptions: Readonly<Record<string, string>> }[];
  /** Our connector's only: absent for Caliper's stock connector. */
  readonly clientTls?: ClientTls;
}

/** The compiled connector factory Caliper loads instead of its built-in `fabric` one (see connector.ts). */
export const CONNECTOR_MODULE = require.resolve('./connector');

/** Caliper's connector module for its network config: Caliper's own peer-gateway one, or ours with the org's client certificate. */
export const STOCK_CONNECTOR = 'fabric';

export interface NetworkConfigOptions {
  /** Identities beyond each org's model users, e.g. the virtual users of a fixture. */
  readonly identities?: readonly CaliperIdentity[];
  /** The chaincodes (contract ids) workloads may call; the model's own when absent. */
  readonly contracts?: readonly string[];
  /**
   * Whether the peers require a client certificate (default: the model's setting): then our
   * connector, which presents the org's TLS client identity; when `optional`, Caliper's stock
   * connector, unchanged.
   */
  readonly clientAuth?: ClientAuth;
}

/**
 * Caliper's view of the network, derived from the model: the channel and its chaincodes, every peer
 * org with its peers (address, TLS root, the certificate name to verify), the identities that sign
 * (each org's model users plus `identities`) and, for our connector, the org's TLS client identity.
 * Mutual TLS is left off for Caliper (its peer-gateway connector refuses it): our connector adds the
 * client certificate itself.
 */
export function caliperNetworkConfig(topology: Topology, layout: StateLayout, options: NetworkConfigOptions = {}): CaliperNetworkConfig {
  const all = peers(topology);
  const ours = (options.clientAuth ?? clientAuthOf(topology)) === 'required';
  const extra = options.identities ?? [];
  return {
    name: topology.domain,
    version: '2.0.0',
    caliper: { blockchain: ours ? CONNECTOR_MODULE : STOCK_CONNECTOR, sutOptions: { mutualTls: false } },
    channels: [{ channelName: topology.channel.name, contracts: (options.contracts ?? [topology.chaincode.name]).map((id) => ({ id })) }],
    organizations: topology.peerOrgs.map((org): CaliperOrganization => {
      const names = [...org.users.map((u) => u.name), ...extra.filter((i) => i.orgKey === org.key).map((i) => i.user)];
      const tls = identityOf(layout, org.key, APP_TLS_CLIENT);
      return {
        mspid: org.mspId,
        identities: {
          certificates: [...new Set(names)].map((name) => {
            const files = identityOf(layout, org.key, name);
            return { name, clientPrivateKey: { path: files.signKey }, clientSignedCert: { path: files.signCert } };
          }),
        },
        peers: all
          .filter((p) => p.org.key === org.key)
          .map((p) => ({ endpoint: p.endpoint, tlsCACerts: { path: layout.caCert(org.key) }, grpcOptions: { 'ssl-target-name-override': p.id } })),
        ...(ours ? { clientTls: { certPath: tls.tlsCert, keyPath: tls.tlsKey } } : {}),
      };
    }),
  };
}
