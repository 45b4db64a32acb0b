import type { AdminCli } from '../fabric/admin-cli';
import { peers, TopologyError, type PeerInfo, type Topology } from '../topology';

/** A chaincode definition committed on the channel, as the peer's lifecycle reports it. */
export interface CommittedChaincode {
  readonly name: string;
  readonly version: string;
  readonly sequence: number;
  readonly initRequired: boolean;
}

/** `peer lifecycle chaincode querycommitted --output json` without a name: every definition of the channel. */
interface QueryCommittedJson {
  readonly chaincode_definitions?: readonly { readonly name: string; readonly version: string; readonly sequence: number; readonly init_required?: boolean }[];
}

/** The committed definitions on the first peer's view of the channel (`peer`: another's), in the order the peer lists them. */
export async function committedChaincodes(cli: AdminCli, topology: Topology, peer: PeerInfo | undefined = peers(topology)[0]): Promise<CommittedChaincode[]> {
  if (!peer) throw new TopologyError('the topology has no peer');
  const out = await cli.peer(peer, ['lifecycle', 'chaincode', 'querycommitted', '--channelID', topology.channel.name, '--output', 'json']);
  const parsed = JSON.parse(out) as QueryCommittedJson;
  return (parsed.chaincode_definitions ?? []).map((d) => ({ name: d.name, version: d.version, sequence: d.sequence, initRequired: d.init_required ?? false }));
}
