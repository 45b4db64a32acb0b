import type { OrdererNode, PeerNode, Topology } from './types';

/*
 * The paper's deployment (PAPER.md §6, Table 2): domain energysale.com, 7 peers in 3 orgs, 3 Raft
 * orderers, 4 VMs. The paper does not say which node runs on which VM; we spread them so that
 * losing any one VM keeps a Raft majority (the 3 orderers are on 3 different VMs) and every org
 * keeps a peer on another VM, as one would on 4 real machines:
 *
 *   vm1  orderer0, peer0+peer1.exchangeorg, ca.exchangeorg       (trading centre, primary)
 *   vm2  orderer1, peer2.exchangeorg, ca.energysale.com           (trading centre, secondary; ordering CA)
 *   vm3  orderer2, peer0+peer1.consumerorg, ca.consumerorg        (consumers' nodes)
 *   vm4  peer0+peer1.retailerorg, ca.retailerorg                  (retailers' nodes)
 *
 * Each VM runs one chaincode server for its peers (chaincode-as-a-service), as a chaincode
 * container would run beside them. The application tier (Table 2's service nodes) is spread the
 * same way: nginx (lb) on vm1, one retail service instance (web) on vm2 and one on vm3. Ports repeat across hosts exactly as they would across VMs;
 * within a host each node has its own.
 */

/** Ports of the n-th peer on a host (Fabric's sample convention: 7051, 8051, ...; CouchDB 5984, 6984, ...). */
function peerPorts(slotOnHost: number): PeerNode['ports'] {
  return {
    listen: 7051 + 1000 * slotOnHost,
    chaincode: 7052 + 1000 * slotOnHost,
    operations: 9444 + slotOnHost,
    profile: 6060 + slotOnHost,
    couchdb: 5984 + 1000 * slotOnHost,
  };
}

const ordererPorts: OrdererNode['ports'] = { listen: 7050, cluster: 7055, admin: 7053, operations: 9443, profile: 6070 };
const caPorts = { listen: 7054, operations: 9454 } as const;
const chaincodeServerPort = 9999;

export const energysale: Topology = {
  domain: 'energysale.com',
  hosts: [
    { name: 'vm1', role: 'trading centre (primary)', address: '127.10.0.1' },
    { name: 'vm2', role: 'trading centre (secondary), ordering CA', address: '127.10.0.2' },
    { name: 'vm3', role: 'consumer organisation', address: '127.10.0.3' },
    { name: 'vm4', role: 'retailer organisation', address: '127.10.0.4' },
  ],
  ordererOrg: {
    kind: 'orderer',
    key: 'orderer',
    name: 'OrdererOrg',
    mspId: 'OrdererMSP',
    domain: 'energysale.com',
    ca: { name: 'ca-orderer', host: 'vm2', ports: caPorts },
    orderers: [
      { name: 'orderer0', host: 'vm1', ports: ordererPorts },
      { name: 'orderer1', host: 'vm2', ports: ordererPorts },
      { name: 'orderer2', host: 'vm3', ports: ordererPorts },
    ],
  },
  peerOrgs: [
    {
      kind: 'peer',
      key: 'exchange',
      name: 'ExchangeOrg',
      mspId: 'ExchangeOrgMSP',
      domain: 'exchangeorg.energysale.com',
      role: 'exchange',
      ca: { name: 'ca-exchangeorg', host: 'vm1', ports: caPorts },
      peers: [
        { name: 'peer0', host: 'vm1', ports: peerPorts(0) },
        { name: 'peer1', host: 'vm1', ports: peerPorts(1) },
        { name: 'peer2', host: 'vm2', ports: peerPorts(0) },
      ],
      anchorPeers: ['peer0'],
      // The regulator is a read-only participant: a client identity of the trading centre's CA with
      // role `regulator`. It runs no peer and is outside every endorsement policy.
      users: [
        { name: 'exchange1', role: 'exchange' },
        { name: 'regulator1', role: 'regulator' },
      ],
    },
    {
      kind: 'peer',
      key: 'consumer',
      name: 'ConsumerOrg',
      mspId: 'ConsumerOrgMSP',
      domain: 'consumerorg.energysale.com',
      role: 'consumer',
      ca: { name: 'ca-consumerorg', host: 'vm3', ports: caPorts },
      peers: [
        { name: 'peer0', host: 'vm3', ports: peerPorts(0) },
        { name: 'peer1', host: 'vm3', ports: peerPorts(1) },
      ],
      anchorPeers: ['peer0'],
      users: [{ name: 'consumer1', role: 'consumer' }],
    },
    {
      kind: 'peer',
      key: 'retailer',
      name: 'RetailerOrg',
      mspId: 'RetailerOrgMSP',
      domain: 'retailerorg.energysale.com',
      role: 'retailer',
      ca: { name: 'ca-retailerorg', host: 'vm4', ports: caPorts },
      peers: [
        { name: 'peer0', host: 'vm4', ports: peerPorts(0) },
        { name: 'peer1', host: 'vm4', ports: peerPorts(1) },
      ],
      anchorPeers: ['peer0'],
      users: [{ name: 'retailer1', role: 'retailer' }],
    },
  ],
  channel: {
    name: 'retailchannel',
    // Fabric's defaults: the paper does not give its Raft or batch settings.
    raft: { tickInterval: '500ms', electionTick: 10, heartbeatTick: 1, snapshotIntervalSize: '16 MB' },
    batch: { timeout: '2s', maxMessageCount: 10, absoluteMaxBytes: '99 MB', preferredMaxBytes: '512 KB' },
  },
  chaincode: {
    name: 'retail',
    // PAPER.md §4: the exchange endorses the parties' transactions, and the parties' side endorses
    // too. Every write needs the trading centre and at least one market party; the regulator and
    // the ordering org never endorse.
    endorsementPolicy: "AND('ExchangeOrgMSP.peer', OR('ConsumerOrgMSP.peer', 'RetailerOrgMSP.peer'))",
    servers: [
      { host: 'vm1', port: chaincodeServerPort },
      { host: 'vm2', port: chaincodeServerPort },
      { host: 'vm3', port: chaincodeServerPort },
      { host: 'vm4', port: chaincodeServerPort },
    ],
  },
  services: {
    web: [
      { name: 'web0', host: 'vm2', port: 8080 },
      { name: 'web1', host: 'vm3', port: 8080 },
    ],
    lb: { host: 'vm1', port: 8000 },
  },
  monitoring: {
    host: 'vm1',
    ports: { prometheus: 9090, nodeExporter: 9100, processExporter: 9256, grafana: 3030 },
    // The benchmark runs beside the load balancer, as the paper's test machine fronted the services.
    loadGenerator: { host: 'vm1', ports: { vegeta: 8880, harness: 9465 } },
    // The report samples resources every second (issue: Table 4 reproduction).
    scrapeInterval: '1s',
  },
};
