import { PAPER_TABLE_4, type PaperTest } from '@energysale/bench';

import { HARNESS_METRIC, OWN_PROCESS_METRIC, RECORDED, RESOURCE_RECORDS, VEGETA_METRIC } from '../metrics';
import { buildDashboard, type ClassicDashboard, type Variable } from './dashboard';
import { query, quantiles, reference, stat, timeseries, type Query } from './panels';
import { aggregate, perMinute, perSecond, selector } from '../promql/build';

/*
 * Table 4 live: a benchmark round as it runs, beside the paper's figures. Throughput, latency and
 * success come from the recording rules over the harness's progress metrics (the same figures the
 * report computes afterwards); the resource figures are the report's chain/machine shares; vegeta's
 * own endpoint is there to tell the harness's view from the load generator's.
 */

export const TABLE4_UID = 'energysale-table4';

const scenario: Variable = { name: 'scenario', label: 'Scenario', metric: HARNESS_METRIC.reqs, labelName: 'scenario' };
const byScenario = { scenario: '$scenario' };

type PaperFigure = keyof (typeof PAPER_TABLE_4)[PaperTest];

const testName = (test: string): string => test.replace(/_/g, ' ');

/** The paper's value of `figure` for each test as a reference line; tests with equal values share one. */
function paper(figure: PaperFigure): Query[] {
  const testsByValue = new Map<number, string[]>();
  for (const [test, figures] of Object.entries(PAPER_TABLE_4)) {
    testsByValue.set(figures[figure], [...(testsByValue.get(figures[figure]) ?? []), testName(test)]);
  }
  return [...testsByValue].map(([value, tests]) => reference(value, `paper: ${tests.join(', ')}`));
}

/** A recorded per-scenario series, for the selected scenarios. */
const recorded = (name: string, legend = '{{scenario}}'): Query => query(selector(name, byScenario), legend);

const percentOfRatio = (name: string): Query => query(`100 * ${selector(name, byScenario)}`, '{{scenario}}');

/** The parts beside the chain that share the machine, with the recorded series of their figures. */
const PARTS = [
  ['machine', 'machine'],
  ['service', 'service tier'],
  ['loadGenerator', 'load generator'],
] as const;

const byPart = (figure: 'cpu' | 'memory'): Query[] => PARTS.map(([subject, legend]) => query(RESOURCE_RECORDS[subject][figure], legend));

export function table4Dashboard(): ClassicDashboard {
  return buildDashboard({
    uid: TABLE4_UID,
    title: 'Table 4 live',
    description: 'A benchmark round as it runs (30 users: add order, order query) beside the figures of the paper\'s Table 4.',
    tags: ['table4', 'benchmark'],
    variables: [scenario],
    sections: [
      {
        title: 'Now',
        panels: [
          stat('Throughput now', [recorded(RECORDED.txPerMinute)], 'reqpm', {
            description: 'Successful (2xx) requests per minute over the last rate window: the paper\'s "throughput".',
            width: 6,
          }),
          stat('Average latency now', [recorded(RECORDED.latencyAvg)], 's', {
            description: 'Mean response time as the load generator measured it: the paper\'s "average response time".',
            width: 6,
          }),
          stat('Success rate now', [percentOfRatio(RECORDED.successRatio)], 'percent', {
            description: 'Share of requests answered 2xx.',
            width: 6,
          }),
          stat('Run', [query(HARNESS_METRIC.run, '{{run}} ({{profile}})')], 'short', {
            description: 'The benchmark run in progress and its profile.',
            width: 3,
            text: 'name',
          }),
          stat('Phase', [query(`${aggregate('max', ['scenario', 'phase'], selector(HARNESS_METRIC.phase, byScenario))} == 1`, '{{scenario}}: {{phase}}')], 'short', {
            description: 'Where each scenario is: waiting, warmup, measured (the figures that count) or done.',
            width: 3,
            text: 'name',
          }),
        ],
      },
      {
        title: 'Table 4: throughput, latency, success',
        panels: [
          timeseries('Throughput vs Table 4', [recorded(RECORDED.txPerMinute), ...paper('throughputTxPerMin')], 'reqpm', {
            description: 'Successful requests per minute by scenario; dashed: the paper\'s figures. Log axis: the two tests are 200 times apart.',
            logScale: true,
          }),
          timeseries('Average latency vs Table 4', [recorded(RECORDED.latencyAvg), ...paper('avgLatencyS')], 's', {
            description: 'Mean response time by scenario; dashed: the paper\'s figures. Log axis.',
            logScale: true,
          }),
          timeseries(
            'Latency quantiles',
            [
              recorded(RECORDED.latencyP50, '{{scenario}} p50'),
              recorded(RECORDED.latencyP95, '{{scenario}} p95'),
              recorded(RECORDED.latencyP99, '{{scenario}} p99'),
            ],
            's',
            { description: 'Response time quantiles by scenario, from the harness\'s latency histogram. Log axis.', logScale: true },
          ),
          timeseries('Success rate vs Table 4', [percentOfRatio(RECORDED.successRatio), ...paper('successRatePct')], 'percent', {
            description: 'Share of requests answered 2xx by scenario; dashed: the paper\'s figures.',
          }),
        ],
      },
      {
        title: 'Load and ledger',
        panels: [
          timeseries('Virtual users', [query(aggregate('sum', ['scenario'], selector(HARNESS_METRIC.vus, byScenario)), '{{scenario}}')], 'short', {
            description: 'Senders of each scenario (the paper: 30 users).',
            width: 8,
          }),
          timeseries('Responses by status', [query(perMinute(HARNESS_METRIC.reqs, byScenario, ['scenario', 'status']), '{{scenario}} {{status}}')], 'reqpm', {
            description: 'Responses per minute by scenario and HTTP status; status 0: no response came.',
            width: 8,
          }),
          timeseries('Checks', [query(perMinute(HARNESS_METRIC.checks, byScenario, ['scenario', 'check', 'result']), '{{scenario}} {{check}}: {{result}}')], 'opm', {
            description: 'Checks on responses per minute, passed and failed.',
            width: 8,
          }),
          timeseries(
            'Answered vs committed',
            [recorded(RECORDED.txPerMinute, 'answered 2xx: {{scenario}}'), query(aggregate('sum', [], RECORDED.ledgerTxPerMinute), 'ledger: valid transactions committed')],
            'reqpm',
            {
              description: 'What the load generator saw answered beside what the ledger committed as valid, per minute: an add order answered 2xx is a committed transaction.',
              width: 24,
            },
          ),
        ],
      },
      {
        title: 'Resources (share of the machine)',
        panels: [
          timeseries('Chain CPU vs Table 4', [query(RECORDED.chainCpuPercent, 'chain: peers, orderers, chaincode'), ...paper('cpuAvgPct')], 'percent', {
            description: 'CPU of every Fabric node and chaincode server as a share of the whole machine (100 = every core busy); dashed: the paper\'s chain server.',
            width: 6,
          }),
          timeseries('Chain memory vs Table 4', [query(RECORDED.chainMemoryPercent, 'chain: peers, orderers, chaincode'), ...paper('memAvgPct')], 'percent', {
            description: 'Resident memory of the chain as a share of the machine\'s; dashed: the paper\'s chain server.',
            width: 6,
          }),
          timeseries('CPU by part', byPart('cpu'), 'percent', {
            description: 'The whole machine\'s CPU and the shares of the service tier (instances and load balancer) and the load generator, which share the machine with the chain.',
            width: 6,
          }),
          timeseries('Memory by part', byPart('memory'), 'percent', {
            description: 'The machine\'s memory in use and the resident memory of the service tier and the load generator.',
            width: 6,
          }),
          timeseries('CPU by process group', [query(`100 * ${perSecond(OWN_PROCESS_METRIC.cpuSeconds, {}, ['group'])}`, '{{group}}')], 'percent', {
            description: 'CPU of each group of our processes (the network\'s recorded processes and the run\'s, by pid, each with its descendants), in % of one core.',
          }),
          timeseries('Resident memory by process group', [query(aggregate('sum', ['group'], OWN_PROCESS_METRIC.residentBytes), '{{group}}')], 'bytes', {
            description: 'Resident memory of each group of our processes.',
          }),
        ],
      },
      {
        title: 'vegeta (its own metrics endpoint)',
        panels: [
          timeseries('vegeta requests', [query(perMinute(`${VEGETA_METRIC.duration}_count`, {}, ['method', 'status']), '{{method}} {{status}}')], 'reqpm', {
            description: 'Requests per minute as vegeta counts them, by method (POST: add order, GET: order query) and status.',
          }),
          timeseries('vegeta latency', quantiles(VEGETA_METRIC.duration, {}, ['method'], (p) => `{{method}} ${p}`), 's', {
            description: 'Response time quantiles as vegeta measures them, by method.',
          }),
        ],
      },
    ],
  });
}
