import { SERVICE_METRIC } from '../metrics';
import { buildDashboard, type ClassicDashboard, type Variable } from './dashboard';
import { SERVICE_PROCESS_METRIC } from '../metrics';
import { query, quantiles, stat, timeseries } from './panels';
import { aggregate, orZero, perMinute, perSecond, selector } from '../promql/build';

/*
 * The retail service between the load and the ledger: what each route answers and how fast, where a
 * ledger write waits (endorse, submit to the orderer, commit status), and whether the Node.js
 * process itself (CPU, memory, event loop) is what holds requests up.
 */

export const SERVICE_UID = 'energysale-service';

const variables: Variable[] = [
  { name: 'instance', label: 'Instance', metric: SERVICE_METRIC.requests, labelName: 'node' },
  { name: 'route', label: 'Route', metric: SERVICE_METRIC.requests, matchers: { node: '$instance' }, labelName: 'route' },
];

const byInstance = { node: '$instance' };
const byRoute = { ...byInstance, route: '$route' };

export function serviceDashboard(): ClassicDashboard {
  return buildDashboard({
    uid: SERVICE_UID,
    title: 'Service',
    description: 'The retail service instances: requests by route, the phases of a ledger write, errors, failovers and the Node.js process.',
    tags: ['service'],
    variables,
    sections: [
      {
        title: 'Requests',
        panels: [
          timeseries('Requests by route and status', [query(perMinute(SERVICE_METRIC.requests, byRoute, ['route', 'status']), '{{route}} {{status}}')], 'reqpm', {
            description: 'Requests per minute the selected instances answered, by route and HTTP status.',
          }),
          timeseries('Latency by route', quantiles(SERVICE_METRIC.duration, byRoute, ['route'], (p) => `{{route}} ${p}`), 's', {
            description: 'Time from request received to response sent, inside the service (the load generator\'s latency adds the network and the load balancer).',
          }),
          timeseries('Requests per instance', [query(perMinute(SERVICE_METRIC.requests, byRoute, ['node']), '{{node}}')], 'reqpm', {
            description: 'How the load balancer spreads requests over the instances.',
          }),
          timeseries('Errors by code', [query(orZero(perMinute(SERVICE_METRIC.errors, byInstance, ['code']), { code: 'none' }), '{{code}}')], 'reqpm', {
            description: 'Error responses per minute by problem code (e.g. ILLEGAL_TRANSITION, MVCC conflicts); "none" while there have been none.',
          }),
        ],
      },
      {
        title: 'Ledger writes',
        panels: [
          timeseries('Write phases', quantiles(SERVICE_METRIC.phases, byInstance, ['phase'], (p) => `{{phase}} ${p}`), 's', {
            description: 'Where a ledger write waits: endorse (proposals to the peers), submit (to the orderer), commit (until the peer reports the transaction committed).',
            width: 8,
          }),
          timeseries('Submissions in flight', [query(aggregate('sum', ['node'], selector(SERVICE_METRIC.inFlight, byInstance)), '{{node}}')], 'short', {
            description: 'Ledger writes between endorsement and commit on each instance: with a closed load, about users × commit share of the latency.',
            width: 6,
          }),
          stat('Failovers', [query(orZero(aggregate('sum', ['peer'], selector(SERVICE_METRIC.failovers, byInstance)), { peer: 'none' }), '{{peer}}')], 'short', {
            description: 'Calls the selected instances moved to another peer of the org since they started, by the peer that could not be reached; "none" while there have been none.',
            width: 5,
            height: 8,
          }),
          stat('Resends', [query(aggregate('sum', ['outcome'], selector(SERVICE_METRIC.resends, byInstance)), '{{outcome}}')], 'short', {
            description:
              'Transactions the selected instances sent to the orderers again since they started, because a commit status attempt ran its 10 s (an orderer may have lost them): the same signed bytes, at most one valid copy. "failed": the send itself failed.',
            width: 5,
            height: 8,
          }),
        ],
      },
      {
        title: 'Process',
        panels: [
          timeseries('CPU per instance', [query(`100 * ${perSecond(SERVICE_PROCESS_METRIC.cpuSeconds, byInstance, ['node'])}`, '{{node}}')], 'percent', {
            description: 'CPU of each instance\'s Node.js process, in % of one core: near 100 the single event loop is the bottleneck.',
            width: 8,
          }),
          timeseries(
            'Memory per instance',
            [
              query(aggregate('max', ['node'], selector(SERVICE_PROCESS_METRIC.residentBytes, byInstance)), '{{node}} resident'),
              query(aggregate('max', ['node'], selector(SERVICE_PROCESS_METRIC.heapUsedBytes, byInstance)), '{{node}} heap used'),
            ],
            'bytes',
            { description: 'Resident memory and V8 heap in use of each instance.', width: 8 },
          ),
          timeseries(
            'Event loop lag',
            [
              query(aggregate('max', ['node'], selector(SERVICE_PROCESS_METRIC.eventLoopLagP50, byInstance)), '{{node}} p50'),
              query(aggregate('max', ['node'], selector(SERVICE_PROCESS_METRIC.eventLoopLagP99, byInstance)), '{{node}} p99'),
              query(aggregate('max', ['node'], selector(SERVICE_PROCESS_METRIC.eventLoopLagMax, byInstance)), '{{node}} max'),
            ],
            's',
            { description: 'How late the event loop runs its callbacks: every request on the instance waits this long on top of its own work.', width: 8 },
          ),
        ],
      },
    ],
  });
}
