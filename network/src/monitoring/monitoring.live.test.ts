import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { StateLayout } from '../state/layout';
import { topology } from '../testing/live';
import { monitoring } from '../topology';
import { cpuPercentQuery, memoryPercentQuery, RESOURCE_SUBJECTS } from './figures';
import { PrometheusClient } from './query';
import { startMonitoring } from './stack';

/*
 * Against the shared network: Prometheus and the exporters start from the generated config, every
 * Fabric node is scraped, and each resource figure the report uses has a value in range.
 */
void describe('monitoring (live)', () => {
  const prometheus = new PrometheusClient(monitoring(topology).prometheus.endpoint);

  before(async () => {
    await startMonitoring(new StateLayout(), topology);
  });

  void it('scrapes every peer, orderer and exporter of the model', async () => {
    const targets = await prometheus.waitForTargets(['peer', 'orderer', 'node', 'process', 'prometheus']);
    const up = new Set(targets.filter((t) => t.health === 'up').map((t) => t.node));
    const m = monitoring(topology);
    for (const id of [m.nodeExporter.id, m.processExporter.id, m.prometheus.id]) assert.ok(up.has(id), `${id} is not scraped`);
    assert.equal(targets.filter((t) => t.job === 'peer' && t.health === 'up').length, 7);
    assert.equal(targets.filter((t) => t.job === 'orderer' && t.health === 'up').length, 3);
  });

  void it('Fabric exports its own process metrics, and process-exporter sees every chain process', async () => {
    const fabric = await prometheus.query('process_resident_memory_bytes{job=~"peer|orderer"}');
    assert.equal(fabric.length, 10);
    const procs = new Map((await prometheus.query('namedprocess_namegroup_num_procs')).map((s) => [s.metric.groupname, s.value]));
    // At least the 7 peers: a `peer` CLI command (channel or chaincode administration) has the same name while it runs.
    assert.ok((procs.get('peer') ?? 0) >= 7, `peer processes: ${String(procs.get('peer'))}`);
    assert.equal(procs.get('orderer'), 3);
    assert.equal(procs.get('chaincode'), topology.chaincode.servers.length);
  });

  void it('every resource figure of the report has a value in 0–100 %, and the chain is busy but not over the machine', async () => {
    // irate needs two scrapes of every series.
    await new Promise((r) => setTimeout(r, 3000));
    for (const subject of RESOURCE_SUBJECTS) {
      for (const query of [cpuPercentQuery(subject), memoryPercentQuery(subject)]) {
        const [sample, ...more] = await prometheus.query(query);
        assert.ok(sample, `no value for ${query}`);
        assert.equal(more.length, 0, `${query} has more than one series`);
        assert.ok(sample.value >= 0 && sample.value <= 100, `${query} = ${sample.value}`);
      }
    }
    const [chainMem] = await prometheus.query(memoryPercentQuery('chain'));
    assert.ok((chainMem?.value ?? 0) > 0, 'the chain uses no memory?');
  });
});
