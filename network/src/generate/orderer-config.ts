import type { IdentityFiles } from '../crypto/identity-files';
import type { ClientAuth, OrdererInfo } from '../topology';
import { deepMerge, type Yaml } from './sampleconfig';

export interface OrdererConfigInputs {
  readonly orderer: OrdererInfo;
  /** Whether clients of the orderer's client port must present a certificate (the cluster and admin ports always must). */
  readonly clientAuth: ClientAuth;
  readonly identity: IdentityFiles;
  readonly dataDir: string;
  readonly clientRootCas: readonly string[];
  /** TLS root of the orderer org's admins, the only clients of the channel participation API. */
  readonly adminRootCa: string;
}

/**
 * orderer.yaml of one orderer: no system channel; clients on the general TLS listener (a client
 * certificate required or optional, as the network says); Raft on a listener of its own, where only
 * consenters connect (a client certificate always required); osnadmin on mutual TLS.
 */
export function ordererConfig(sample: Yaml, inputs: OrdererConfigInputs): Yaml {
  const { orderer, identity } = inputs;
  return deepMerge(sample, {
    General: {
      ListenAddress: orderer.host.address,
      ListenPort: orderer.node.ports.listen,
      TLS: {
        Enabled: true,
        PrivateKey: identity.tlsKey,
        Certificate: identity.tlsCert,
        RootCAs: [identity.tlsCa],
        ClientAuthRequired: inputs.clientAuth === 'required',
        ClientRootCAs: [...inputs.clientRootCas],
      },
      // Raft on its own listener: a cluster listener always requires the client certificate of a
      // consenter (the channel's consenter set names them), so the client port's setting never opens it.
      Cluster: {
        ListenAddress: orderer.host.address,
        ListenPort: orderer.node.ports.cluster,
        ServerCertificate: identity.tlsCert,
        ServerPrivateKey: identity.tlsKey,
        ClientCertificate: identity.tlsCert,
        ClientPrivateKey: identity.tlsKey,
        RootCAs: [identity.tlsCa],
      },
      BootstrapMethod: 'none',
      BootstrapFile: '',
      LocalMSPDir: identity.mspDir,
      LocalMSPID: orderer.org.mspId,
      BCCSP: { Default: 'SW', SW: { Hash: 'SHA2', Security: 256, FileKeyStore: { KeyStore: `${identity.mspDir}/keystore` } } },
      // Go's pprof, on loopback: idle until a profile is asked for (bench's CPU profiles).
      Profile: { Enabled: true, Address: orderer.profileEndpoint },
    },
    FileLedger: { Location: `${inputs.dataDir}/ledger` },
    Operations: { ListenAddress: orderer.operationsEndpoint },
    Metrics: { Provider: 'prometheus' },
    Admin: {
      ListenAddress: orderer.adminEndpoint,
      TLS: {
        Enabled: true,
        Certificate: identity.tlsCert,
        PrivateKey: identity.tlsKey,
        ClientAuthRequired: true,
        ClientRootCAs: [inputs.adminRootCa],
      },
    },
    ChannelParticipation: { Enabled: true },
    Consensus: { WALDir: `${inputs.dataDir}/etcdraft/wal`, SnapDir: `${inputs.dataDir}/etcdraft/snapshot` },
  });
}
