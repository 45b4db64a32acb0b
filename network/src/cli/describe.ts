import { allNodes, type Topology } from '../topology';

/** The topology as a table: host, node, endpoint; what `up` prints when the network is ready. */
export function describeTopology(topology: Topology): string {
  const lines = [`${topology.domain}: channel ${topology.channel.name}, chaincode ${topology.chaincode.name}`];
  for (const host of topology.hosts) {
    lines.push(`${host.name} ${host.address}  ${host.role}`);
    for (const node of allNodes(topology).filter((n) => n.host.name === host.name)) {
      lines.push(`    ${node.kind.padEnd(9)} ${node.id.padEnd(40)} ${node.endpoint}`);
    }
  }
  return lines.join('\n');
}
