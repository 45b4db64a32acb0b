/**
 * The deployment, described once. Every generated artefact (crypto, channel config, node configs,
 * compose file, Prometheus targets, connection profiles) is derived from a value of `Topology`.
 */

/** A machine of the deployment. Natively, each host is its own loopback address. */
export interface Host {
  readonly name: string;
  /** What this machine stands for in the paper's 4-VM deployment. */
  readonly role: string;
  /** 127.x address the host's nodes bind to in the native runtime. */
  readonly address: string;
}

/** How a process of the deployment is seen to be up: an HTTP endpoint answering 2xx, or a TCP port accepting. */
export type HealthCheck = { readonly kind: 'http'; readonly url: string } | { readonly kind: 'tcp'; readonly endpoint: string };

/** Business roles carried by the CA attribute `role` and checked by the chaincode. */
export type ParticipantRole = 'exchange' | 'retailer' | 'consumer' | 'regulator';

export interface PeerNode {
  /** Short name within the org, e.g. `peer0`. */
  readonly name: string;
  readonly host: string;
  readonly ports: {
    readonly listen: number;
    readonly chaincode: number;
    readonly operations: number;
    /** Go's pprof HTTP endpoint (peer.profile): CPU profiles of where the peer's time goes. */
    readonly profile: number;
    /** The peer's CouchDB state database (the compose deployment's CouchDB profile; LevelDB otherwise). */
    readonly couchdb: number;
  };
}

export interface OrdererNode {
  readonly name: string;
  readonly host: string;
  readonly ports: {
    readonly listen: number;
    /**
     * Raft's cluster listener (General.Cluster), apart from the client port: it always requires a
     * client certificate from a consenter, whatever the network's client authentication.
     */
    readonly cluster: number;
    /** Channel participation API (osnadmin), mutual TLS. */
    readonly admin: number;
    readonly operations: number;
    /** Go's pprof HTTP endpoint (General.Profile). */
    readonly profile: number;
  };
}

export interface CertificateAuthority {
  readonly name: string;
  readonly host: string;
  readonly ports: {
    readonly listen: number;
    readonly operations: number;
  };
}

/** An identity registered with the org's CA at network creation (beside node and admin identities). */
export interface UserSpec {
  readonly name: string;
  readonly role: ParticipantRole;
}

interface OrgBase {
  /** Stable key used in code and file names, e.g. `exchange`. */
  readonly key: string;
  /** Organisation name as in the paper, e.g. `ExchangeOrg`. */
  readonly name: string;
  readonly mspId: string;
  /** DNS domain of the org, e.g. `exchangeorg.energysale.com`. */
  readonly domain: string;
  readonly ca: CertificateAuthority;
}

export interface PeerOrg extends OrgBase {
  readonly kind: 'peer';
  /** Role attribute given to the org's admin and default user. */
  readonly role: ParticipantRole;
  readonly peers: readonly PeerNode[];
  /** Peers announced as anchor peers in the channel config (names from `peers`). */
  readonly anchorPeers: readonly string[];
  readonly users: readonly UserSpec[];
}

export interface OrdererOrg extends OrgBase {
  readonly kind: 'orderer';
  readonly orderers: readonly OrdererNode[];
}

export interface ChaincodeSpec {
  readonly name: string;
  /** Signature policy over the peer orgs' MSP ids (Fabric policy language). */
  readonly endorsementPolicy: string;
  /** One chaincode server per host that runs peers; the host's peers connect to it. */
  readonly servers: readonly { readonly host: string; readonly port: number }[];
}

export interface ChannelSpec {
  readonly name: string;
  readonly raft: {
    readonly tickInterval: string;
    readonly electionTick: number;
    readonly heartbeatTick: number;
    readonly snapshotIntervalSize: string;
  };
  readonly batch: {
    readonly timeout: string;
    readonly maxMessageCount: number;
    readonly absoluteMaxBytes: string;
    readonly preferredMaxBytes: string;
  };
}

/** The application tier of the paper (Table 2's service nodes): the retail service behind nginx. */
export interface ServicesSpec {
  /** Instances of the retail service (the paper's web/application servers). */
  readonly web: readonly { readonly name: string; readonly host: string; readonly port: number }[];
  /** The load balancer in front of them (the paper's lb node). */
  readonly lb: { readonly host: string; readonly port: number };
}

/**
 * What watches the deployment (not in the paper's Table 2): one Prometheus scraping every node's
 * operations endpoint, the service instances, node-exporter (machine CPU and memory) and our own
 * process exporter (CPU and memory of exactly the processes this network and a benchmark run
 * started, per node and group: peers, orderers, chaincode servers, service, load generators). One
 * machine hosts every "host" here, so one exporter of each kind serves them all.
 */
export interface MonitoringSpec {
  readonly host: string;
  readonly ports: {
    readonly prometheus: number;
    readonly nodeExporter: number;
    /**
     * Our own process exporter's port (MonitoringInfo.ownExporter). Named after the exporter it
     * replaced: the model is hashed into every state, and a new name would refuse every state made before.
     */
    readonly processExporter: number;
    readonly grafana: number;
  };
  /**
   * Where the load generators serve their metrics while a benchmark runs, on the host that runs the
   * benchmark: vegeta's `-prometheus-addr` and the harness's own progress metrics.
   */
  readonly loadGenerator: { readonly host: string; readonly ports: { readonly vegeta: number; readonly harness: number } };
  /** How often Prometheus scrapes every target: the resolution of the report's resource series. */
  readonly scrapeInterval: string;
}

/**
 * Whether clients must present a TLS certificate on the peers' and orderers' client ports.
 * `required` (the default) is what a production Fabric network runs; `optional` lets clients written
 * for Fabric's test network (server TLS only) connect. Chaincode servers, Raft's cluster ports and the
 * orderers' admin endpoints require one in both.
 */
export type ClientAuth = 'required' | 'optional';

export const CLIENT_AUTH_MODES: readonly ClientAuth[] = ['required', 'optional'];

export interface Topology {
  readonly domain: string;
  /** Absent: `required`. A setting of a state (`network up --client-auth`), not part of its identity hash. */
  readonly clientAuth?: ClientAuth;
  readonly hosts: readonly Host[];
  readonly ordererOrg: OrdererOrg;
  readonly peerOrgs: readonly PeerOrg[];
  readonly channel: ChannelSpec;
  readonly chaincode: ChaincodeSpec;
  readonly services: ServicesSpec;
  readonly monitoring: MonitoringSpec;
}
