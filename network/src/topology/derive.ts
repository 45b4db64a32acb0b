import type { CertificateAuthority, ClientAuth, HealthCheck, Host, OrdererNode, OrdererOrg, PeerNode, PeerOrg, Topology } from './types';

/** The topology contradicts itself (unknown host, duplicate name or port, ...). */
export class TopologyError extends Error {
  override readonly name = 'TopologyError';
}

interface NodeInfoBase {
  /** Fully qualified node name: the process name, log name and certificate CN. */
  readonly id: string;
  readonly host: Host;
  /** How the node is seen to be up: the supervisor's wait, the compose file's healthcheck. */
  readonly health: HealthCheck;
}

/** A peer's CouchDB state database (Table 2's couchdbN.<org>): a container of the compose deployment's CouchDB profile. */
export interface StateDatabaseInfo {
  readonly id: string;
  readonly host: Host;
  readonly endpoint: string;
  readonly health: HealthCheck;
}

export interface PeerInfo extends NodeInfoBase {
  readonly kind: 'peer';
  readonly org: PeerOrg;
  readonly node: PeerNode;
  readonly endpoint: string;
  readonly chaincodeEndpoint: string;
  readonly operationsEndpoint: string;
  /** Go pprof (http://<endpoint>/debug/pprof/). */
  readonly profileEndpoint: string;
  readonly couchdb: StateDatabaseInfo;
}

export interface OrdererInfo extends NodeInfoBase {
  readonly kind: 'orderer';
  readonly org: OrdererOrg;
  readonly node: OrdererNode;
  readonly endpoint: string;
  /** Raft's cluster listener: consenters reach each other here, over mutual TLS. */
  readonly clusterEndpoint: string;
  readonly adminEndpoint: string;
  readonly operationsEndpoint: string;
  /** Go pprof (http://<endpoint>/debug/pprof/). */
  readonly profileEndpoint: string;
}

export interface CaInfo extends NodeInfoBase {
  readonly kind: 'ca';
  readonly org: PeerOrg | OrdererOrg;
  readonly ca: CertificateAuthority;
  readonly endpoint: string;
  readonly url: string;
  readonly operationsEndpoint: string;
}

export interface ChaincodeServerInfo extends NodeInfoBase {
  readonly kind: 'chaincode';
  /** The org whose peers on this host use the server; its CA issues the server's TLS certificate. */
  readonly org: PeerOrg;
  readonly endpoint: string;
}

export type NodeInfo = PeerInfo | OrdererInfo | CaInfo | ChaincodeServerInfo;

export function hostOf(topology: Topology, name: string): Host {
  const host = topology.hosts.find((h) => h.name === name);
  if (!host) throw new TopologyError(`unknown host "${name}" (hosts: ${topology.hosts.map((h) => h.name).join(', ')})`);
  return host;
}

const at = (host: Host, port: number): string => `${host.address}:${port}`;

/** The paths the health checks ask for: Fabric's operations service, the retail service, nginx, Prometheus, the exporters. */
export const HEALTH_PATH = {
  operations: '/healthz',
  service: '/health/ready',
  lb: '/lb/health',
  prometheus: '/-/ready',
  exporter: '/metrics',
  couchdb: '/_up',
  grafana: '/api/health',
} as const;

const http = (endpoint: string, path: string): HealthCheck => ({ kind: 'http', url: `http://${endpoint}${path}` });

export function peers(topology: Topology): PeerInfo[] {
  return topology.peerOrgs.flatMap((org) =>
    org.peers.map((node): PeerInfo => {
      const host = hostOf(topology, node.host);
      return {
        kind: 'peer',
        id: `${node.name}.${org.domain}`,
        host,
        org,
        node,
        endpoint: at(host, node.ports.listen),
        chaincodeEndpoint: at(host, node.ports.chaincode),
        operationsEndpoint: at(host, node.ports.operations),
        profileEndpoint: at(host, node.ports.profile),
        health: http(at(host, node.ports.operations), HEALTH_PATH.operations),
        couchdb: {
          id: `${node.name.replace(/^peer/, 'couchdb')}.${org.domain}`,
          host,
          endpoint: at(host, node.ports.couchdb),
          health: http(at(host, node.ports.couchdb), HEALTH_PATH.couchdb),
        },
      };
    }),
  );
}

export function orderers(topology: Topology): OrdererInfo[] {
  const org = topology.ordererOrg;
  return org.orderers.map((node): OrdererInfo => {
    const host = hostOf(topology, node.host);
    return {
      kind: 'orderer',
      id: `${node.name}.${org.domain}`,
      host,
      org,
      node,
      endpoint: at(host, node.ports.listen),
      clusterEndpoint: at(host, node.ports.cluster),
      adminEndpoint: at(host, node.ports.admin),
      operationsEndpoint: at(host, node.ports.operations),
      profileEndpoint: at(host, node.ports.profile),
      health: http(at(host, node.ports.operations), HEALTH_PATH.operations),
    };
  });
}

export function certificateAuthorities(topology: Topology): CaInfo[] {
  return [...topology.peerOrgs, topology.ordererOrg].map((org): CaInfo => {
    const host = hostOf(topology, org.ca.host);
    return {
      kind: 'ca',
      id: `ca.${org.domain}`,
      host,
      org,
      ca: org.ca,
      endpoint: at(host, org.ca.ports.listen),
      url: `https://${at(host, org.ca.ports.listen)}`,
      operationsEndpoint: at(host, org.ca.ports.operations),
      health: http(at(host, org.ca.ports.operations), HEALTH_PATH.operations),
    };
  });
}

export function chaincodeServers(topology: Topology): ChaincodeServerInfo[] {
  return topology.chaincode.servers.map((server): ChaincodeServerInfo => {
    const host = hostOf(topology, server.host);
    const orgs = new Set(peers(topology).filter((p) => p.host.name === host.name).map((p) => p.org));
    const [org, ...others] = [...orgs];
    if (!org || others.length > 0) {
      throw new TopologyError(`chaincode server on ${host.name} must serve the peers of exactly one org (found ${orgs.size})`);
    }
    const endpoint = at(host, server.port);
    return { kind: 'chaincode', id: `chaincode.${host.name}.${topology.domain}`, host, org, endpoint, health: { kind: 'tcp', endpoint } };
  });
}

export interface ServiceInfo {
  readonly id: string;
  readonly name: string;
  readonly host: Host;
  readonly endpoint: string;
  readonly health: HealthCheck;
}

/** The retail service instances of the model. */
export function serviceInstances(topology: Topology): ServiceInfo[] {
  return topology.services.web.map((w) => {
    const host = hostOf(topology, w.host);
    const endpoint = at(host, w.port);
    return { id: `${w.name}.${topology.domain}`, name: w.name, host, endpoint, health: http(endpoint, HEALTH_PATH.service) };
  });
}

export function loadBalancer(topology: Topology): ServiceInfo {
  const host = hostOf(topology, topology.services.lb.host);
  const endpoint = at(host, topology.services.lb.port);
  return { id: `lb.${topology.domain}`, name: 'lb', host, endpoint, health: http(endpoint, HEALTH_PATH.lb) };
}

/** The monitoring processes of the model: Prometheus and its two exporters of the machine; and the load generators' metrics endpoints. */
export interface MonitoringInfo {
  readonly prometheus: ServiceInfo;
  readonly nodeExporter: ServiceInfo;
  readonly ownExporter: ServiceInfo;
  /** Grafana with the provisioned dashboards (the compose deployment's; not installable on our machines). */
  readonly grafana: ServiceInfo;
  /** vegeta's `-prometheus-addr`, bound while an attack runs. */
  readonly vegeta: ServiceInfo;
  /** The benchmark harness's progress metrics, bound while a benchmark runs. */
  readonly harness: ServiceInfo;
}

export function monitoring(topology: Topology): MonitoringInfo {
  const { host, ports, loadGenerator } = topology.monitoring;
  const info = (hostName: string, name: string, port: number, healthPath: string): ServiceInfo => {
    const h = hostOf(topology, hostName);
    const endpoint = at(h, port);
    return { id: `${name}.${topology.domain}`, name, host: h, endpoint, health: http(endpoint, healthPath) };
  };
  return {
    prometheus: info(host, 'prometheus', ports.prometheus, HEALTH_PATH.prometheus),
    nodeExporter: info(host, 'node-exporter', ports.nodeExporter, HEALTH_PATH.exporter),
    ownExporter: info(host, 'own-exporter', ports.processExporter, HEALTH_PATH.exporter),
    grafana: info(host, 'grafana', ports.grafana, HEALTH_PATH.grafana),
    vegeta: info(loadGenerator.host, 'vegeta', loadGenerator.ports.vegeta, HEALTH_PATH.exporter),
    harness: info(loadGenerator.host, 'harness', loadGenerator.ports.harness, HEALTH_PATH.exporter),
  };
}

/** Every long-running process of the network, in start order (CAs, orderers, peers, chaincode). */
export function allNodes(topology: Topology): NodeInfo[] {
  return [...certificateAuthorities(topology), ...orderers(topology), ...peers(topology), ...chaincodeServers(topology)];
}

/** The network's client authentication on peers' and orderers' client ports (absent in the model: required). */
export function clientAuthOf(topology: Topology): ClientAuth {
  return topology.clientAuth ?? 'required';
}

/** The model with this client authentication; `required` leaves the field out (the model as written). */
export function withClientAuth(topology: Topology, clientAuth: ClientAuth): Topology {
  const rest = { ...topology };
  delete (rest as { clientAuth?: ClientAuth }).clientAuth;
  return clientAuth === 'required' ? rest : { ...rest, clientAuth };
}

export function peerOrg(topology: Topology, key: string): PeerOrg {
  const org = topology.peerOrgs.find((o) => o.key === key || o.name === key || o.mspId === key);
  if (!org) throw new TopologyError(`unknown org "${key}" (orgs: ${topology.peerOrgs.map((o) => o.key).join(', ')})`);
  return org;
}

/** Every address:port the network binds, with its owner: the input of the port-conflict checks. */
export function boundEndpoints(topology: Topology): { endpoint: string; owner: string; purpose: string }[] {
  const list: { endpoint: string; owner: string; purpose: string }[] = [];
  for (const n of allNodes(topology)) {
    switch (n.kind) {
      case 'peer':
        list.push(
          { endpoint: n.endpoint, owner: n.id, purpose: 'peer' },
          { endpoint: n.chaincodeEndpoint, owner: n.id, purpose: 'chaincode listener' },
          { endpoint: n.operationsEndpoint, owner: n.id, purpose: 'operations' },
          { endpoint: n.profileEndpoint, owner: n.id, purpose: 'pprof' },
          { endpoint: n.couchdb.endpoint, owner: n.couchdb.id, purpose: 'CouchDB state database' },
        );
        break;
      case 'orderer':
        list.push(
          { endpoint: n.endpoint, owner: n.id, purpose: 'orderer' },
          { endpoint: n.clusterEndpoint, owner: n.id, purpose: 'Raft cluster' },
          { endpoint: n.adminEndpoint, owner: n.id, purpose: 'channel participation admin' },
          { endpoint: n.operationsEndpoint, owner: n.id, purpose: 'operations' },
          { endpoint: n.profileEndpoint, owner: n.id, purpose: 'pprof' },
        );
        break;
      case 'ca':
        list.push(
          { endpoint: n.endpoint, owner: n.id, purpose: 'CA' },
          { endpoint: n.operationsEndpoint, owner: n.id, purpose: 'operations' },
        );
        break;
      case 'chaincode':
        list.push({ endpoint: n.endpoint, owner: n.id, purpose: 'chaincode server' });
        break;
    }
  }
  for (const s of serviceInstances(topology)) list.push({ endpoint: s.endpoint, owner: s.id, purpose: 'retail service' });
  const lb = loadBalancer(topology);
  list.push({ endpoint: lb.endpoint, owner: lb.id, purpose: 'load balancer' });
  const m = monitoring(topology);
  list.push(
    { endpoint: m.prometheus.endpoint, owner: m.prometheus.id, purpose: 'Prometheus' },
    { endpoint: m.nodeExporter.endpoint, owner: m.nodeExporter.id, purpose: 'node-exporter' },
    { endpoint: m.ownExporter.endpoint, owner: m.ownExporter.id, purpose: 'own-process exporter' },
    { endpoint: m.grafana.endpoint, owner: m.grafana.id, purpose: 'Grafana' },
    { endpoint: m.vegeta.endpoint, owner: m.vegeta.id, purpose: 'vegeta metrics' },
    { endpoint: m.harness.endpoint, owner: m.harness.id, purpose: 'benchmark progress metrics' },
  );
  return list;
}

/** Checks what the type system cannot: references resolve, names and endpoints are unique. */
export function validateTopology(topology: Topology): void {
  const seen = new Map<string, string>();
  for (const { endpoint, owner, purpose } of boundEndpoints(topology)) {
    const previous = seen.get(endpoint);
    if (previous) throw new TopologyError(`${endpoint} is used twice: ${previous} and ${owner} (${purpose})`);
    seen.set(endpoint, `${owner} (${purpose})`);
  }
  const ids = allNodes(topology).map((n) => n.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new TopologyError(`node ${duplicate} is declared twice`);
  const addresses = topology.hosts.map((h) => h.address);
  for (const h of topology.hosts) {
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h.address)) {
      throw new TopologyError(`host ${h.name}: ${h.address} is not a loopback (127.0.0.0/8) address`);
    }
    if (addresses.indexOf(h.address) !== addresses.lastIndexOf(h.address)) {
      throw new TopologyError(`host ${h.name}: address ${h.address} is shared with another host`);
    }
  }
  for (const org of topology.peerOrgs) {
    for (const anchor of org.anchorPeers) {
      if (!org.peers.some((p) => p.name === anchor)) throw new TopologyError(`${org.name}: anchor peer ${anchor} is not one of its peers`);
    }
  }
}
