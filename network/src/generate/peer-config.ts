import type { IdentityFiles } from '../crypto/identity-files';
import type { PeerInfo, Topology } from '../topology';
import { clientAuthOf, peers } from '../topology';
import { deepMerge, type Yaml } from './sampleconfig';

export interface PeerConfigInputs {
  readonly topology: Topology;
  readonly peer: PeerInfo;
  readonly identity: IdentityFiles;
  readonly dataDir: string;
  readonly externalBuilderDir: string;
  /** TLS roots of every org: clients, gossip partners and orderers present certificates from these. */
  readonly clientRootCas: readonly string[];
}

/** The name of the variable through which the ccaas builder learns this peer's chaincode server. */
export const CCAAS_CONFIG_ENV = 'CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG';

/** core.yaml of one peer: Fabric's sampleconfig with the model's addresses, TLS and paths. */
export function peerConfig(sample: Yaml, inputs: PeerConfigInputs): Yaml {
  const { peer, identity } = inputs;
  const orgPeers = peers(inputs.topology).filter((p) => p.org.key === peer.org.key && p.id !== peer.id);
  return deepMerge(sample, {
    peer: {
      id: peer.id,
      networkId: inputs.topology.domain,
      listenAddress: peer.endpoint,
      address: peer.endpoint,
      chaincodeListenAddress: peer.chaincodeEndpoint,
      chaincodeAddress: peer.chaincodeEndpoint,
      localMspId: peer.org.mspId,
      mspConfigPath: identity.mspDir,
      fileSystemPath: inputs.dataDir,
      gossip: {
        bootstrap: orgPeers.length > 0 ? orgPeers.map((p) => p.endpoint).join(' ') : peer.endpoint,
        endpoint: peer.endpoint,
        externalEndpoint: peer.endpoint,
        // Every peer pulls its blocks from the ordering service itself (Fabric's recommendation since
        // 2.2, where gossip's state transfer is off by default): a peer that was down catches up from
        // the orderers. With an elected org leader instead, a restarted follower stays behind for good
        // (the reliability suite's peer kill found it: gossip cannot enqueue blocks past its gap).
        useLeaderElection: false,
        orgLeader: true,
        // A dead peer leaves gossip's membership after 5 s (Fabric's default: 25 s), and a peer back
        // is reconnected within 5 s. While a dead peer is a member, gossip may pick it as the one
        // peer of its org that must acknowledge an endorser's private data (requiredPeerCount 1),
        // and the endorsement fails: the reliability suite's peer kill measures that window.
        aliveTimeInterval: '1s',
        aliveExpirationTimeout: '5s',
        reconnectInterval: '5s',
        // gRPC's blocking dial retries a refused connection until this deadline, and gossip dials one
        // destination at a time: with Fabric's 3 s, every private data push queued for a dead peer
        // waited 3 s more than the one before it, and endorsements hung 10-15 s after a peer kill
        // (found by the reliability suite). Peers share a LAN (here, loopback): 1 s is ample.
        dialTimeout: '1s',
        pvtData: {
          // A block whose private data is missing (its endorser died holding it, before pushing it
          // anywhere) held up every later commit of the peer for Fabric's 60 s while the peer tried to
          // pull it; commit status waits ran out and writes failed long after the fault (the reliability
          // suite's peer kill). Commit without it after 5 s and have the reconciler fetch it every 10 s.
          pullRetryThreshold: '5s',
          reconcileSleepInterval: '10s',
          // A transaction ordered twice (its gateway's first send to an orderer timed out, then that
          // orderer got it after all: a host cut off or frozen, then back) is DUPLICATE_TXID in the
          // later block, and its private data was purged with the first commit. Fabric's default
          // pulled it from other peers anyway and held every later commit 16 s per such block (the
          // reliability suite's host cut: no write acknowledged for 30 s after the host was back).
          // An invalid transaction writes nothing: do not pull for it while committing.
          skipPullingInvalidTransactionsDuringCommit: true,
        },
      },
      gateway: {
        // The gateway sends a transaction to the orderers one at a time, in random order, moving on
        // when one errs or does not answer in this time. With Fabric's 30 s, an orderer that is
        // frozen or cut off held every submit that picked it past the client's 5 s deadline (the
        // reliability suite's host faults: 503s). Orderers accept a transaction in milliseconds.
        broadcastTimeout: '2s',
      },
      tls: {
        enabled: true,
        clientAuthRequired: clientAuthOf(inputs.topology) === 'required',
        cert: { file: identity.tlsCert },
        key: { file: identity.tlsKey },
        rootcert: { file: identity.tlsCa },
        clientRootCAs: { files: [...inputs.clientRootCas] },
        clientCert: { file: identity.tlsCert },
        clientKey: { file: identity.tlsKey },
      },
      BCCSP: { Default: 'SW', SW: { Hash: 'SHA2', Security: 256, FileKeyStore: { KeyStore: `${identity.mspDir}/keystore` } } },
      // Go's pprof, on loopback: idle until a profile is asked for (bench's CPU profiles).
      profile: { enabled: true, listenAddress: peer.profileEndpoint },
    },
    // Every chaincode is external (chaincode-as-a-service): the peer needs no Docker daemon.
    vm: { endpoint: '' },
    chaincode: {
      externalBuilders: [{ name: 'ccaas', path: inputs.externalBuilderDir, propagateEnvironment: [CCAAS_CONFIG_ENV] }],
    },
    // LevelDB; the compose deployment's CouchDB profile switches a peer to its CouchDB by environment.
    ledger: { state: { stateDatabase: 'goleveldb', couchDBConfig: { couchDBAddress: peer.couchdb.endpoint } }, snapshots: { rootDir: `${inputs.dataDir}/snapshots` } },
    operations: { listenAddress: peer.operationsEndpoint },
    metrics: { provider: 'prometheus' },
  });
}
