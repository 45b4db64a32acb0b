import { energysale } from './energysale';
import type { Topology } from './types';

/*
 * Sizes of the deployment, for measuring how cost grows with the network (the capacity planner's
 * cost growth). Every size is derived from the one model: the same orgs, hosts, ports, channel,
 * chaincode and application tier, fewer nodes. The orgs stay three because the contract's roles
 * need all of them (the exchange reviews, a consumer declares, a retailer confirms).
 */

export type TopologySize = 'paper' | 'reduced';

export const TOPOLOGY_SIZES: readonly TopologySize[] = ['paper', 'reduced'];

/**
 * The model with one peer per org (its first anchor peer) and a chaincode server only on the
 * hosts that keep a peer. Orderers, CAs, users and the service tier are unchanged.
 */
export function onePeerPerOrg(topology: Topology): Topology {
  const peerOrgs = topology.peerOrgs.map((org) => {
    const keep = org.peers.filter((p) => p.name === org.anchorPeers[0]);
    return { ...org, peers: keep, anchorPeers: keep.map((p) => p.name) };
  });
  const peerHosts = new Set(peerOrgs.flatMap((org) => org.peers.map((p) => p.host)));
  return { ...topology, peerOrgs, chaincode: { ...topology.chaincode, servers: topology.chaincode.servers.filter((s) => peerHosts.has(s.host)) } };
}

/** Each size's topology: `paper` is Table 2's 7 peers; `reduced` has 3 (one per org). */
export const TOPOLOGIES: Readonly<Record<TopologySize, Topology>> = { paper: energysale, reduced: onePeerPerOrg(energysale) };

export function isTopologySize(value: string): value is TopologySize {
  return (TOPOLOGY_SIZES as readonly string[]).includes(value);
}
