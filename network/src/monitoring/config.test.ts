import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

import { parse } from 'yaml';

import { energysale, monitoring, orderers, peers, serviceInstances } from '../topology';
import { dashboardsDir, monitoringFiles, processExporterConfig, prometheusConfig, PROCESS_GROUPS, PROMETHEUS_JOB } from './config';
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
  void it('scrapes every peer and orderer operations endpoint, each service instance and both exporters', () => {
    const targets = targetsOf(prometheusConfig(energysale));
    assert.deepEqual(targets.get('peer'), peers(energysale).map((p) => p.operationsEndpoint));
    assert.deepEqual(targets.get('orderer'), orderers(energysale).map((o) => o.operationsEndpoint));
    assert.deepEqual(targets.get('service'), serviceInstances(energysale).map((s) => s.endpoint));
    assert.deepEqual(targets.get('node'), [monitoring(energysale).nodeExporter.endpoint]);
    assert.deepEqual(targets.get('process'), [monitoring(energysale).processExporter.endpoint]);
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

  void it('groups processes by role for process-exporter, chain groups first', () => {
    const config = parse(processExporterConfig()) as { process_names: { name: string }[] };
    assert.deepEqual(config.process_names.map((p) => p.name), Object.keys(PROCESS_GROUPS));
    assert.deepEqual(config.process_names.slice(0, 3).map((p) => p.name), ['peer', 'orderer', 'chaincode']);
  });

  void it('the files committed under dashboards/ are the generated ones (regenerate: npm run network -- monitoring config)', async () => {
    for (const [name, text] of monitoringFiles(energysale)) assert.equal(await readFile(join(dashboardsDir, name), 'utf8'), text, `dashboards/${name} is out of date`);
  });

  void it('reads chain figures from Fabric\'s own process metrics and the chaincode servers from process-exporter', () => {
    const cpu = cpuPercentQuery('chain');
    assert.match(cpu, /process_cpu_seconds_total\{job=~"peer\|orderer"\}/);
    assert.match(cpu, /groupname=~"chaincode"/);
    assert.match(memoryPercentQuery('chain'), /process_resident_memory_bytes\{job=~"peer\|orderer"\}/);
    for (const subject of RESOURCE_SUBJECTS) {
      assert.ok(cpuPercentQuery(subject).startsWith('100 *'));
      assert.ok(memoryPercentQuery(subject).startsWith('100 *'));
    }
  });
});
