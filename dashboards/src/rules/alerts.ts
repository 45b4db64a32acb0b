import { PROMETHEUS_JOB as JOB, type Topology } from '@energysale/network';

import { FABRIC_METRIC, RECORDED, SERVICE_METRIC } from '../metrics';
import { eventsIn, promDuration, rateWindow, RECENT, scrapeInterval, seconds } from './windows';
import type { AlertRule, RuleGroup } from './rule-file';

/*
 * The alerts a benchmark run is read against: the network could not order or commit (critical), or
 * something happened that disturbs the figures of the round it happened in (warning). The dashboards
 * show them as annotations, so a latency spike comes with its reason.
 */

/** A peer this many blocks behind, for PEER_BEHIND_FOR: a few blocks in flight are normal under load, this many are not. */
const MAX_LAG_BLOCKS = 10;
const PEER_BEHIND_FOR = '30s';

/** Raft elects a new leader within one election timeout (tick interval × election ticks) of losing one. */
function electionTimeout(topology: Topology): number {
  const { tickInterval, electionTick } = topology.channel.raft;
  return seconds(tickInterval, 'channel.raft.tickInterval') * electionTick;
}

function fabricNodeDown(topology: Topology): AlertRule {
  const held = rateWindow(topology);
  return {
    alert: 'FabricNodeDown',
    expr: `up{job=~"${JOB.peer}|${JOB.orderer}"} == 0`,
    for: held,
    labels: { severity: 'critical' },
    annotations: {
      summary: '{{ $labels.job }} {{ $labels.node }} is down',
      description: `Prometheus could not scrape the operations endpoint of {{ $labels.node }} ({{ $labels.instance }}, host {{ $labels.host }}) for ${held}: the process is gone or does not answer.`,
    },
  };
}

/**
 * Per channel, no orderer says it leads: those up follow nobody (no quorum, or an election that
 * does not end). With no orderer up there is no series to say so, hence the `absent` term, which
 * also covers a channel not yet created.
 */
function raftLeaderLost(topology: Topology): AlertRule {
  const held = promDuration(2 * electionTimeout(topology));
  const isLeader = FABRIC_METRIC.isLeader;
  return {
    alert: 'RaftLeaderLost',
    expr: `max by (channel) (${isLeader}) == 0 or on () absent(${isLeader} == 1)`,
    for: held,
    labels: { severity: 'critical' },
    annotations: {
      summary: 'No Raft leader{{ with $labels.channel }} on channel {{ . }}{{ end }}',
      description: `No orderer has reported ${isLeader} = 1 for ${held} (two election timeouts): the orderers are down or cannot form a quorum, and no transaction is ordered.`,
    },
  };
}

/** Each orderer counts the leader changes it sees; the first election at a channel's start is not a change, so plain `increase` is right here. */
function raftLeaderChanged(): AlertRule {
  return {
    alert: 'RaftLeaderChanged',
    expr: `max by (channel) (increase(${FABRIC_METRIC.leaderChanges}[${RECENT}])) > 0`,
    labels: { severity: 'warning' },
    annotations: {
      summary: 'The Raft leader of channel {{ $labels.channel }} changed',
      description: `{{ $value | printf "%.0f" }} leader change(s) in the last ${RECENT}: transactions submitted during the election waited for it or were lost, so a round measured across it is disturbed.`,
    },
  };
}

/** Orderers keep the channel's blocks too, so the highest height includes the blocks already cut but not yet delivered. */
function peerBehind(): AlertRule {
  const height = FABRIC_METRIC.blockchainHeight;
  return {
    alert: 'PeerBehind',
    expr: `max by (channel) (${height}) - on (channel) group_right ${height}{job="${JOB.peer}"} > ${MAX_LAG_BLOCKS}`,
    for: PEER_BEHIND_FOR,
    labels: { severity: 'warning' },
    annotations: {
      summary: '{{ $labels.node }} is {{ $value }} blocks behind on channel {{ $labels.channel }}',
      description: `The peer's ledger has been more than ${MAX_LAG_BLOCKS} blocks below the channel's highest for ${PEER_BEHIND_FOR}: it does not receive or cannot commit blocks as fast as they are cut, and clients reading from it see old state.`,
    },
  };
}

/**
 * Proposals a peer received and did not endorse, in the last RECENT: Fabric's own definition of a
 * failed proposal (core/endorser: "total failed proposals = ProposalsReceived - SuccessfulProposals").
 * endorser_endorsement_failures is no substitute: it counts chaincode answers of status 400–499
 * only, and fabric-contract-api answers every refusal with 500. A peer that has endorsed nothing
 * yet has no successful_proposals series: then all it received failed.
 */
function endorsementFailures(): AlertRule {
  const received = `sum by (node) (increase(${FABRIC_METRIC.proposalsReceived}{job="${JOB.peer}"}[${RECENT}]))`;
  const endorsed = `sum by (node) (increase(${FABRIC_METRIC.successfulProposals}{job="${JOB.peer}"}[${RECENT}]))`;
  return {
    alert: 'EndorsementFailures',
    expr: `${received} - (${endorsed} or 0 * ${received}) >= 1`,
    labels: { severity: 'warning' },
    annotations: {
      summary: '{{ $labels.node }} did not endorse {{ $value | printf "%.0f" }} proposal(s)',
      description: `Proposals received in the last ${RECENT} that the peer did not endorse: the chaincode refused them (a bad request, a refused transition, a missing record) or the peer could not run or sign them. Each is a request that failed.`,
    },
  };
}

/** The recorded ratio exists only while a scenario sends requests: one that has stopped drops out instead of alerting. */
function loadSuccessRateBelow100(topology: Topology): AlertRule {
  return {
    alert: 'LoadSuccessRateBelow100',
    expr: `${RECORDED.successRatio} < 1`,
    labels: { severity: 'warning' },
    annotations: {
      summary: 'Scenario {{ $labels.scenario }}: {{ $value | humanizePercentage }} of requests succeed',
      description: `Over the last ${rateWindow(topology)}, not every request of the scenario was answered 2xx (status "0": no answer at all). The paper's figures are of transactions that all succeed.`,
    },
  };
}

function gatewayFailover(): AlertRule {
  return {
    alert: 'GatewayFailover',
    expr: `sum by (node, peer) (${eventsIn(SERVICE_METRIC.failovers, RECENT)}) > 0`,
    labels: { severity: 'warning' },
    annotations: {
      summary: '{{ $labels.node }} could not reach peer {{ $labels.peer }}',
      description: `The service moved {{ $value | printf "%.0f" }} call(s) in the last ${RECENT} to another peer of the org because {{ $labels.peer }} was unreachable or too slow: those calls took a timeout longer.`,
    },
  };
}

export function alertGroups(topology: Topology): RuleGroup<AlertRule>[] {
  const interval = scrapeInterval(topology);
  return [
    { name: 'energysale.fabric.alerts', interval, rules: [fabricNodeDown(topology), raftLeaderLost(topology), raftLeaderChanged(), peerBehind(), endorsementFailures()] },
    { name: 'energysale.load.alerts', interval, rules: [loadSuccessRateBelow100(topology), gatewayFailover()] },
  ];
}
