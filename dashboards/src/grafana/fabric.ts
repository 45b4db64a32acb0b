import { MappingType } from '@grafana/grafana-foundation-sdk/dashboard';

import { orderers, type Topology } from '@energysale/network';

import { FABRIC_METRIC } from '../metrics';
import { buildDashboard, type ClassicDashboard, type Variable } from './dashboard';
import { PROMETHEUS_JOB } from '@energysale/network';

import { PROCESS_METRIC } from '../metrics';
import { query, quantiles, reference, stat, timeseries } from './panels';
import { aggregate, perMinute, perSecond, selector, type Matchers } from '../promql/build';

/*
 * The Fabric network from its nodes' operations endpoints: where a ledger write spends its time
 * (endorsement on the peers, ordering and Raft on the orderers, validation and commit back on the
 * peers), whether the Raft cluster is whole and stable, and what each node costs in CPU and memory.
 */

export const FABRIC_UID = 'energysale-fabric';

const peerJob = { job: PROMETHEUS_JOB.peer };

const variables: Variable[] = [
  { name: 'org', label: 'Org', metric: FABRIC_METRIC.blockchainHeight, matchers: peerJob, labelName: 'org' },
  { name: 'peer', label: 'Peer', metric: FABRIC_METRIC.blockchainHeight, matchers: { ...peerJob, org: '$org' }, labelName: 'node' },
  { name: 'orderer', label: 'Orderer', metric: FABRIC_METRIC.clusterSize, labelName: 'node' },
];

/** The selected peers; with `channel` for the metrics Fabric labels by channel. */
const peerNode: Matchers = { ...peerJob, org: '$org', node: '$peer' };
const peerChannel: Matchers = { ...peerNode, channel: '$channel' };
const ordererNode: Matchers = { job: PROMETHEUS_JOB.orderer, node: '$orderer' };
const ordererChannel: Matchers = { ...ordererNode, channel: '$channel' };

const leaderMappings = [{ type: MappingType.ValueToText as const, options: { '0': { text: 'follower' }, '1': { text: 'leader' } } }];

/** The latest value of a gauge per node. */
const perNode = (metric: string, matchers: Matchers): string => aggregate('max', ['node'], selector(metric, matchers));

export function fabricDashboard(topology: Topology): ClassicDashboard {
  return buildDashboard({
    uid: FABRIC_UID,
    title: 'Fabric network',
    description: 'Peers and orderers from their operations endpoints: ledger, endorsement, ordering (Raft), delivery and the cost of each node.',
    tags: ['fabric'],
    variables: [...variables, { name: 'channel', label: 'Channel', metric: FABRIC_METRIC.blockchainHeight, labelName: 'channel', current: topology.channel.name }],
    sections: [
      {
        title: 'Ledger',
        panels: [
          timeseries(
            'Block height per node',
            [query(perNode(FABRIC_METRIC.blockchainHeight, peerChannel), '{{node}}'), query(perNode(FABRIC_METRIC.blockchainHeight, ordererChannel), '{{node}}')],
            'short',
            { description: 'Blocks in each peer\'s and orderer\'s ledger: a node that falls behind the others is not keeping up with commits or delivery.' },
          ),
          timeseries(
            'Transactions committed by validation code',
            [query(aggregate('max', ['validation_code'], perMinute(FABRIC_METRIC.transactionCount, peerChannel, ['node', 'validation_code'])), '{{validation_code}}')],
            'opm',
            { description: 'Transactions per minute as the fullest selected peer commits them, VALID or the reason they were invalidated (MVCC_READ_CONFLICT, ENDORSEMENT_POLICY_FAILURE, ...).' },
          ),
        ],
      },
      {
        title: 'Commit (peers)',
        panels: [
          timeseries('Block validation and commit', quantiles(FABRIC_METRIC.blockProcessingTime, peerChannel, [], (p) => `block processing ${p}`), 's', {
            description: 'Time a peer takes to validate a block and commit it (ledger_block_processing_time), over the selected peers.',
          }),
          timeseries(
            'Block store and state DB commit',
            [
              ...quantiles(FABRIC_METRIC.blockstorageCommitTime, peerChannel, [], (p) => `block store ${p}`),
              ...quantiles(FABRIC_METRIC.statedbCommitTime, peerChannel, [], (p) => `state DB ${p}`),
            ],
            's',
            { description: 'The two writes of a commit: appending the block to the block store, and applying its write sets to the state database.' },
          ),
        ],
      },
      {
        title: 'Endorsement (peers)',
        panels: [
          timeseries('Endorsement latency', quantiles(FABRIC_METRIC.proposalDuration, peerChannel, ['chaincode'], (p) => `{{chaincode}} ${p}`), 's', {
            description: 'Proposal received to response sent, by chaincode: simulation plus signing (endorser_proposal_duration). Queries are proposals too.',
            width: 8,
          }),
          timeseries('Proposals per peer', [query(perMinute(FABRIC_METRIC.proposalsReceived, peerNode, ['node']), '{{node}}')], 'opm', {
            description: 'Proposals received per minute by each selected peer: how the gateways spread endorsements and queries.',
            width: 8,
          }),
          timeseries(
            'Endorsement failures',
            [
              query(
                `${perMinute(FABRIC_METRIC.proposalsReceived, peerNode, ['node'])} - ${perMinute(FABRIC_METRIC.successfulProposals, peerNode, ['node'])}`,
                '{{node}}: unsuccessful proposals',
              ),
            ],
            'opm',
            {
              description:
                "Proposals per minute a peer received and did not endorse (Fabric's own definition: received - successful): refused by the chaincode (bad input, a refused transition, a missing record) or not runnable. endorser_endorsement_failures is not shown: it counts chaincode statuses 400-499 only, and the contract answers refusals with 500.",
              width: 8,
            },
          ),
        ],
      },
      {
        title: 'Ordering (Raft)',
        panels: [
          stat('Raft leader', [query(perNode(FABRIC_METRIC.isLeader, ordererChannel), '{{node}}')], 'short', {
            description: 'Which orderer leads the Raft cluster of the channel.',
            width: 8,
            mappings: leaderMappings,
          }),
          stat(
            'Raft cluster',
            [
              query(aggregate('max', [], selector(FABRIC_METRIC.clusterSize, ordererChannel)), 'cluster size'),
              query(aggregate('max', [], selector(FABRIC_METRIC.activeNodes, ordererChannel)), 'active nodes'),
              reference(orderers(topology).length, 'orderers in the model'),
            ],
            'short',
            { description: 'Consenters in the channel\'s configuration and those the leader sees active, beside the orderers of the topology.', width: 8 },
          ),
          stat('Leader changes', [query(perNode(FABRIC_METRIC.leaderChanges, ordererChannel), '{{node}}')], 'short', {
            description: 'Leader changes each orderer has seen since it started (the first election counts one): more during a run means elections under load.',
            width: 8,
          }),
          timeseries('Transactions broadcast', [query(perMinute(FABRIC_METRIC.broadcastProcessed, ordererChannel, ['node', 'status']), '{{node}} {{status}}')], 'opm', {
            description: 'Envelopes per minute each orderer took in by Broadcast, by status (SUCCESS or the reason it refused them).',
            width: 8,
          }),
          timeseries(
            'Broadcast validate and enqueue',
            [
              ...quantiles(FABRIC_METRIC.broadcastValidateDuration, ordererChannel, [], (p) => `validate ${p}`),
              ...quantiles(FABRIC_METRIC.broadcastEnqueueDuration, ordererChannel, [], (p) => `enqueue ${p}`),
            ],
            's',
            { description: 'Checking an incoming envelope against the channel\'s policies, and handing it to consensus (which waits while the cluster is busy).', width: 8 },
          ),
          timeseries('Raft persist', quantiles(FABRIC_METRIC.dataPersistDuration, ordererChannel, [], (p) => `WAL and snapshot ${p}`), 's', {
            description: 'Writing Raft entries to the orderer\'s write-ahead log before they are acknowledged: bounded by the disk\'s fsync.',
            width: 8,
          }),
        ],
      },
      {
        title: 'Delivery',
        panels: [
          timeseries('Blocks delivered', [query(perMinute(FABRIC_METRIC.deliverBlocksSent, { channel: '$channel' }, ['node', 'filtered']), '{{node}} (filtered: {{filtered}})')], 'opm', {
            description: 'Blocks per minute sent on Deliver streams by every node of the channel: orderers to peers, peers to the gateways\' commit-status and event listeners (only the peers that serve them appear).',
          }),
          timeseries('Raft committed block', [query(perNode(FABRIC_METRIC.committedBlockNumber, ordererChannel), '{{node}}')], 'short', {
            description: 'The last block each orderer has committed through Raft.',
          }),
        ],
      },
      {
        title: 'Resources (per node)',
        panels: [
          timeseries(
            'CPU per node',
            [query(`100 * ${perSecond(PROCESS_METRIC.cpuSeconds, peerNode, ['node'])}`, '{{node}}'), query(`100 * ${perSecond(PROCESS_METRIC.cpuSeconds, ordererNode, ['node'])}`, '{{node}}')],
            'percent',
            { description: 'CPU of each peer and orderer process, in % of one core.' },
          ),
          timeseries(
            'Resident memory per node',
            [query(perNode(PROCESS_METRIC.residentBytes, peerNode), '{{node}}'), query(perNode(PROCESS_METRIC.residentBytes, ordererNode), '{{node}}')],
            'bytes',
            { description: 'Resident memory of each peer and orderer process.' },
          ),
        ],
      },
    ],
  });
}

