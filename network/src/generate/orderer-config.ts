import type { IdentityFiles } from '../crypto/identity-files';
import type { OrdererInfo } from '../topology';
import { deepMerge, type Yaml } from './sampleconfig';

export interface OrdererConfigInputs {
  readonly orderer: OrdererInfo;
  readonly identity: IdentityFiles;
  readonly dataDir: string;
  readonly clientRootCas: readonly string[];
  /** TLS root of the orderer org's admins, the only clients of the channel participation API. */
  readonly adminRootCa: string;
}

/** orderer.yaml of one orderer: no system channel, Raft over the general TLS listener, osnadmin on mutual TLS. */
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
        ClientAuthRequired: true,
        ClientRootCAs: [...inputs.clientRootCas],
      },
      // Raft traffic shares the general listener and its TLS certificate.
      Cluster: { ClientCertificate: identity.tlsCert, ClientPrivateKey: identity.tlsKey },
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
