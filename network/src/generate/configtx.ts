import type { IdentityFiles } from '../crypto/identity-files';
import { orderers, peers, type OrdererInfo, type Topology } from '../topology';
import type { Yaml } from './sampleconfig';

/** The name of the configtxgen profile of the application channel. */
export const CHANNEL_PROFILE = 'RetailChannel';

export interface ConfigtxInputs {
  readonly topology: Topology;
  /** Org MSP directory (cacerts, tlscacerts, config.yaml) by org key. */
  readonly orgMspDir: (orgKey: string) => string;
  readonly ordererIdentity: (orderer: OrdererInfo) => IdentityFiles;
}

const signature = (rule: string): Yaml => ({ Type: 'Signature', Rule: rule });
const implicit = (rule: string): Yaml => ({ Type: 'ImplicitMeta', Rule: rule });

function orgPolicies(mspId: string, endorsers: 'peer' | 'orderer'): Yaml {
  const member = (role: string): string => `'${mspId}.${role}'`;
  return {
    Readers: signature(`OR(${member('admin')}, ${member(endorsers)}, ${member('client')})`),
    Writers: signature(`OR(${member('admin')}, ${member('client')}${endorsers === 'orderer' ? `, ${member('orderer')}` : ''})`),
    Admins: signature(`OR(${member('admin')})`),
    Endorsement: signature(`OR(${member(endorsers)})`),
  };
}

const standardPolicies: Yaml = {
  Readers: implicit('ANY Readers'),
  Writers: implicit('ANY Writers'),
  Admins: implicit('MAJORITY Admins'),
};

/**
 * configtx.yaml for the application channel: Raft consenters, the three orgs with anchor peers, and
 * the channel's policies. Created without a system channel (genesis block + channel participation).
 */
export function configtx(inputs: ConfigtxInputs): Yaml {
  const { topology } = inputs;
  const ordererOrg = topology.ordererOrg;
  const ordererNodes = orderers(topology);
  const ordererOrgDef: Yaml = {
    Name: ordererOrg.mspId,
    ID: ordererOrg.mspId,
    MSPDir: inputs.orgMspDir(ordererOrg.key),
    Policies: orgPolicies(ordererOrg.mspId, 'orderer'),
    OrdererEndpoints: ordererNodes.map((o) => o.endpoint),
  };
  const peerOrgDefs: Yaml[] = topology.peerOrgs.map((org) => ({
    Name: org.mspId,
    ID: org.mspId,
    MSPDir: inputs.orgMspDir(org.key),
    Policies: orgPolicies(org.mspId, 'peer'),
    AnchorPeers: peers(topology)
      .filter((p) => p.org.key === org.key && org.anchorPeers.includes(p.node.name))
      .map((p) => ({ Host: p.host.address, Port: p.node.ports.listen })),
  }));
  const { raft, batch } = topology.channel;
  return {
    Organizations: [ordererOrgDef, ...peerOrgDefs],
    Profiles: {
      [CHANNEL_PROFILE]: {
        Policies: standardPolicies,
        Capabilities: { V2_0: true },
        Orderer: {
          OrdererType: 'etcdraft',
          BatchTimeout: batch.timeout,
          BatchSize: {
            MaxMessageCount: batch.maxMessageCount,
            AbsoluteMaxBytes: batch.absoluteMaxBytes,
            PreferredMaxBytes: batch.preferredMaxBytes,
          },
          EtcdRaft: {
            Consenters: ordererNodes.map((o) => {
              const tls = inputs.ordererIdentity(o);
              return { Host: o.host.address, Port: o.node.ports.cluster, ClientTLSCert: tls.tlsCert, ServerTLSCert: tls.tlsCert };
            }),
            Options: {
              TickInterval: raft.tickInterval,
              ElectionTick: raft.electionTick,
              HeartbeatTick: raft.heartbeatTick,
              MaxInflightBlocks: 5,
              SnapshotIntervalSize: raft.snapshotIntervalSize,
            },
          },
          Organizations: [ordererOrgDef],
          Policies: { ...standardPolicies, BlockValidation: implicit('ANY Writers') },
          Capabilities: { V2_0: true },
        },
        Application: {
          Organizations: peerOrgDefs,
          Policies: {
            ...standardPolicies,
            LifecycleEndorsement: implicit('MAJORITY Endorsement'),
            Endorsement: implicit('MAJORITY Endorsement'),
          },
          Capabilities: { V2_5: true },
        },
      },
    },
  };
}
