import { cpuPercentByGroupQuery, peers, type PrometheusClient, type Topology } from '@energysale/network';
import { SERVICE_METRIC } from '@energysale/service';

import type { Breakdown, BreakdownStage } from '../report/schema';

/*
 * Where the time goes (issue: Table 4 reproduction, "what limits us"): the stages a request passes
 * through, each timed by the process that runs it, and the CPU of each process group, all over one
 * measured window, from Prometheus. Histogram averages are increase(sum) / increase(count) over
 * the window, so they cover exactly the window's work.
 */

interface StageSpec {
  readonly component: string;
  readonly stage: string;
  /** A Prometheus histogram or summary (its _sum and _count), with a label selector. */
  readonly histogram: string;
  readonly selector?: string;
  readonly per: string;
}

/** In path order: HTTP in, endorsement, ordering, validation and commit on the peers, commit status. */
const STAGES: readonly StageSpec[] = [
  { component: 'service', stage: 'HTTP request (whole)', histogram: SERVICE_METRIC.duration, selector: 'route!~"/metrics|/health.*"', per: 'request' },
  { component: 'service', stage: 'write: endorse (gateway → endorsing peers)', histogram: 'retail_fabric_write_phase_seconds', selector: 'phase="endorse"', per: 'write' },
  { component: 'peer', stage: 'proposal: simulate and endorse', histogram: 'endorser_proposal_duration', per: 'proposal' },
  { component: 'chaincode', stage: 'shim request (GetState, PutState, ...) seen by the peer', histogram: 'chaincode_shim_request_duration', per: 'shim request' },
  { component: 'service', stage: 'write: submit (to the ordering service)', histogram: 'retail_fabric_write_phase_seconds', selector: 'phase="submit"', per: 'write' },
  { component: 'orderer', stage: 'broadcast: validate a transaction', histogram: 'broadcast_validate_duration', per: 'transaction' },
  { component: 'orderer', stage: 'broadcast: enqueue a transaction', histogram: 'broadcast_enqueue_duration', per: 'transaction' },
  { component: 'orderer', stage: 'Raft: persist a block (WAL)', histogram: 'consensus_etcdraft_data_persist_duration', per: 'write' },
  { component: 'peer', stage: 'validate a block (VSCC, MVCC)', histogram: 'gossip_privdata_validation_duration', per: 'block' },
  { component: 'peer', stage: 'commit a block and its private data', histogram: 'gossip_privdata_commit_block_duration', per: 'block' },
  { component: 'service', stage: 'write: commit status wait (ordering + validation + commit)', histogram: 'retail_fabric_write_phase_seconds', selector: 'phase="commit"', per: 'write' },
];

const range = (seconds: number): string => `${Math.max(1, Math.round(seconds))}s`;

async function scalar(prometheus: PrometheusClient, expr: string, atMs: number): Promise<number> {
  const [sample] = await prometheus.query(expr, atMs);
  return sample && Number.isFinite(sample.value) ? sample.value : 0;
}

/** Each process group's share of the machine over the window [fromMs, toMs] (our own-process exporter), %, the busiest first; query it once the window's last scrape is in. */
export async function cpuByGroupOver(prometheus: PrometheusClient, fromMs: number, toMs: number): Promise<{ group: string; cpuPct: number }[]> {
  const seconds = Math.max(1, Math.round((toMs - fromMs) / 1000));
  const groups = await prometheus.query(cpuPercentByGroupQuery(seconds), toMs);
  return groups
    .map((g) => ({ group: g.metric.group ?? 'unknown', cpuPct: Math.min(100, Math.max(0, g.value)) }))
    .filter((g) => Number.isFinite(g.cpuPct))
    .sort((a, b) => b.cpuPct - a.cpuPct);
}

/** The breakdown of the window [fromMs, toMs]; query it once the window's last scrape is in. */
export async function breakdown(prometheus: PrometheusClient, topology: Topology, fromMs: number, toMs: number): Promise<Breakdown> {
  const window = range((toMs - fromMs) / 1000);
  const stages: BreakdownStage[] = [];
  for (const spec of STAGES) {
    const sel = spec.selector ? `{${spec.selector}}` : '';
    const count = await scalar(prometheus, `sum(increase(${spec.histogram}_count${sel}[${window}]))`, toMs);
    const sum = await scalar(prometheus, `sum(increase(${spec.histogram}_sum${sel}[${window}]))`, toMs);
    // increase() extrapolates: a count under one means the stage did not run in the window.
    if (count < 1) continue;
    stages.push({
      stage: spec.stage,
      component: spec.component,
      avgS: sum / count,
      count: Math.round(count),
      per: spec.per,
      metric: `${spec.histogram}${sel}`,
    });
  }
  const cpuByGroup = await cpuByGroupOver(prometheus, fromMs, toMs);
  const [first] = peers(topology);
  const node = first ? `{node="${first.id}"}` : '';
  const committed = await scalar(prometheus, `sum(increase(ledger_blockchain_height${node}[${window}]))`, toMs);
  const transactions = await scalar(prometheus, `sum(increase(ledger_transaction_count${node}[${window}]))`, toMs);
  return { stages, cpuByGroup, blocks: committed >= 1 ? { committed: Math.round(committed), txPerBlock: transactions / committed } : null, profiles: [] };
}
