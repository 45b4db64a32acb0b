import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { parse } from 'yaml';

import { energysale, monitoring, orderers, peers, serviceInstances } from '../topology';
import { dashboardsDir, monitoringFiles, prometheusConfig, PROMETHEUS_JOB } from './config';
import { cpuPercentQuery, memoryPercentQuery, RESOURCE_SUBJECTS } from './figures';

interface ScrapeConfig {
  job_name: string;
  static_configs: { targets: string[]; labels: Record<string, string> }[];
}

const targetsOf = (yaml: string): Map<string, string[]> => {
  const config = parse(yaml) as { scrape_configs: ScrapeConfig[] };
  return new Map(config.scrape_configs.map((c) => [c.job_name, c.static_configs.flatMap((s) => s.targets)]));
};

void describe('monitoring config', () => {
  void it('scrapes every peer and orderer operations endpoint, each service instance, node-exporter and our own process exporter', () => {
    const targets = targetsOf(prometheusConfig(energysale));
    assert.deepEqual(targets.get('peer'), peers(energysale).map((p) => p.operationsEndpoint));
    assert.deepEqual(targets.get('orderer'), orderers(energysale).map((o) => o.operationsEndpoint));
    assert.deepEqual(targets.get('service'), serviceInstances(energysale).map((s) => s.endpoint));
    assert.deepEqual(targets.get('node'), [monitoring(energysale).nodeExporter.endpoint]);
    assert.deepEqual(targets.get('process'), [monitoring(energysale).ownExporter.endpoint]);
  });

  void it('has a job for each name queries select on, and no other', () => {
    assert.deepEqual([...targetsOf(prometheusConfig(energysale)).keys()].sort(), Object.values(PROMETHEUS_JOB).sort());
  });

  void it('labels each target with its node and host, so panels and figures can group by them', () => {
    const config = parse(prometheusConfig(energysale)) as { scrape_configs: ScrapeConfig[] };
    for (const c of config.scrape_configs) for (const s of c.static_configs) assert.ok(s.labels.node && s.labels.host, `${c.job_name}: ${JSON.stringify(s.labels)}`);
  });

  void it('is a config Prometheus accepts (promtool check config)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'prom-'));
    const file = join(dir, 'prometheus.yml');
    await writeFile(file, prometheusConfig(energysale));
    const { stdout } = await promisify(execFile)('promtool', ['check', 'config', file]);
    assert.match(stdout, /SUCCESS/);
  });

  void it('the files committed under dashboards/ are the generated ones (regenerate: npm run network -- monitoring config)', async () => {
    for (const [name, text] of monitoringFiles(energysale)) assert.equal(await readFile(join(dashboardsDir, name), 'utf8'), text, `dashboards/${name} is out of date`);
  });

  void it('reads every group from our own process exporter, by group label, and says no data when it is not scraped', () => {
    assert.match(cpuPercentQuery('chain'), /irate\(energysale_process_cpu_seconds_total\{group=~"peer\|orderer\|chaincode"\}\[5s\]\)/);
    assert.match(memoryPercentQuery('chain'), /energysale_process_resident_memory_bytes\{group=~"peer\|orderer\|chaincode"\}/);
    assert.match(cpuPercentQuery('loadGenerator'), /group=~"vegeta\|caliper\|harness"/);
    for (const subject of RESOURCE_SUBJECTS) {
      assert.doesNotMatch(cpuPercentQuery(subject), /namedprocess|vector\(0\)/);
      assert.ok(cpuPercentQuery(subject).startsWith('100 *'));
      assert.ok(memoryPercentQuery(subject).startsWith('100 *'));
    }
  });

  void it('writes no process-exporter config any more', () => {
    assert.deepEqual(monitoringFiles(energysale).map(([name]) => name), ['prometheus.yml']);
  });
});
