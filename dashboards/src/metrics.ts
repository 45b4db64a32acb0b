import { HARNESS_METRIC, VEGETA_METRIC } from '@energysale/bench';
import { SERVICE_METRIC, SERVICE_PROCESS_PREFIX } from '@energysale/service';
import { OWN_PROCESS_METRIC, type ResourceSubject } from '@energysale/network';

/*
 * Every metric the recording rules, alert rules and dashboards query, by who exports it. The names
 * of our own parts come from the code that registers them (the service, the harness); Fabric's and
 * vegeta's are those of their pinned sources (Fabric 2.5.9's metrics.go files, vegeta v12's
 * lib/prom). The live test of the dashboards checks that each name is exported by some target.
 */

/** Hyperledger Fabric 2.5's operations metrics (peers and orderers, Prometheus jobs "peer" and "orderer"). */
export const FABRIC_METRIC = {
  /** peer, {channel}: the ledger's height in blocks. */
  blockchainHeight: 'ledger_blockchain_height',
  /** peer, {channel, transaction_type, chaincode, validation_code}: transactions committed. */
  transactionCount: 'ledger_transaction_count',
  /** peer histogram, {channel}: validating and committing a block. */
  blockProcessingTime: 'ledger_block_processing_time',
  /** peer histogram, {channel}: writing a block to the block store. */
  blockstorageCommitTime: 'ledger_blockstorage_commit_time',
  /** peer histogram, {channel}: committing a block's writes to the state database. */
  statedbCommitTime: 'ledger_statedb_commit_time',
  /** peer histogram, {channel, chaincode, success}: a proposal, received to answered. */
  proposalDuration: 'endorser_proposal_duration',
  /** peer counters. */
  proposalsReceived: 'endorser_proposals_received',
  successfulProposals: 'endorser_successful_proposals',
  // Not endorser_endorsement_failures: it counts chaincode answers of status 400-499 only, and
  // fabric-contract-api answers every refusal with 500; failed = received - successful (core/endorser).
  /** peer and orderer: deliver streams and blocks sent, {channel, filtered, data_type}. */
  deliverBlocksSent: 'deliver_blocks_sent',
  deliverStreamsOpened: 'deliver_streams_opened',
  /** orderer, {channel}: 1 on the Raft leader. */
  isLeader: 'consensus_etcdraft_is_leader',
  /** orderer counter, {channel}. */
  leaderChanges: 'consensus_etcdraft_leader_changes',
  clusterSize: 'consensus_etcdraft_cluster_size',
  activeNodes: 'consensus_etcdraft_active_nodes',
  committedBlockNumber: 'consensus_etcdraft_committed_block_number',
  /** orderer histogram, {channel}: persisting Raft data. */
  dataPersistDuration: 'consensus_etcdraft_data_persist_duration',
  /** orderer counter, {channel, type, status}: transactions broadcast to the orderer. */
  broadcastProcessed: 'broadcast_processed_count',
  broadcastValidateDuration: 'broadcast_validate_duration',
  broadcastEnqueueDuration: 'broadcast_enqueue_duration',
} as const;

export { HARNESS_METRIC, OWN_PROCESS_METRIC, SERVICE_METRIC, VEGETA_METRIC };

/** The Prometheus client libraries' process metrics: Fabric's peers and orderers export them unprefixed. */
export const PROCESS_METRIC = {
  cpuSeconds: 'process_cpu_seconds_total',
  residentBytes: 'process_resident_memory_bytes',
} as const;

/** prom-client 15's default metrics as the service registers them (prefix `retail_`). */
export const SERVICE_PROCESS_METRIC = {
  cpuSeconds: `${SERVICE_PROCESS_PREFIX}${PROCESS_METRIC.cpuSeconds}`,
  residentBytes: `${SERVICE_PROCESS_PREFIX}${PROCESS_METRIC.residentBytes}`,
  heapUsedBytes: `${SERVICE_PROCESS_PREFIX}nodejs_heap_size_used_bytes`,
  eventLoopLagP50: `${SERVICE_PROCESS_PREFIX}nodejs_eventloop_lag_p50_seconds`,
  eventLoopLagP99: `${SERVICE_PROCESS_PREFIX}nodejs_eventloop_lag_p99_seconds`,
  eventLoopLagMax: `${SERVICE_PROCESS_PREFIX}nodejs_eventloop_lag_max_seconds`,
} as const;

/**
 * The recording rules' series (dashboards/rules/recording.yml), named level:metric:operations.
 * By scenario: from the harness's progress metrics. The resource figures are exactly the report's
 * (network/src/monitoring/figures.ts).
 */
export const RECORDED = {
  /** {scenario}: successful requests (2xx) per minute. */
  txPerMinute: 'scenario:bench_http_reqs:tx_per_minute',
  /** {scenario}: share of requests answered 2xx, 0–1. */
  successRatio: 'scenario:bench_http_reqs:success_ratio',
  /** {scenario}: latency quantiles in seconds. */
  latencyP50: 'scenario:bench_http_req_duration_seconds:p50',
  latencyP95: 'scenario:bench_http_req_duration_seconds:p95',
  latencyP99: 'scenario:bench_http_req_duration_seconds:p99',
  /** {scenario}: mean latency in seconds (the paper's "average response time"). */
  latencyAvg: 'scenario:bench_http_req_duration_seconds:avg',
  /** Valid transactions committed per minute, as the fullest peer's ledger counts them. */
  ledgerTxPerMinute: 'channel:ledger_transaction_count:valid_per_minute',
  /** Resource figures, % of the machine: chain, service, loadGenerator, machine. */
  chainCpuPercent: 'energysale:chain_cpu:percent',
  chainMemoryPercent: 'energysale:chain_memory:percent',
  serviceCpuPercent: 'energysale:service_cpu:percent',
  serviceMemoryPercent: 'energysale:service_memory:percent',
  loadGeneratorCpuPercent: 'energysale:load_generator_cpu:percent',
  loadGeneratorMemoryPercent: 'energysale:load_generator_memory:percent',
  machineCpuPercent: 'energysale:machine_cpu:percent',
  machineMemoryPercent: 'energysale:machine_memory:percent',
} as const;

/** The recorded names of each subject's resource figures. */
export const RESOURCE_RECORDS: Readonly<Record<ResourceSubject, { readonly cpu: string; readonly memory: string }>> = {
  chain: { cpu: RECORDED.chainCpuPercent, memory: RECORDED.chainMemoryPercent },
  service: { cpu: RECORDED.serviceCpuPercent, memory: RECORDED.serviceMemoryPercent },
  loadGenerator: { cpu: RECORDED.loadGeneratorCpuPercent, memory: RECORDED.loadGeneratorMemoryPercent },
  machine: { cpu: RECORDED.machineCpuPercent, memory: RECORDED.machineMemoryPercent },
};
