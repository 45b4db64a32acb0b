import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { NodeStartError, Supervisor, type ProcessRecord, type ProcessSpec } from '../runtime/native/supervisor';
import type { StateLayout } from '../state/layout';
import { findExecutable } from '../util/executables';
import { boundEndpoints, monitoring, type ServiceInfo, type Topology } from '../topology';
import { dashboardsDir, prometheusConfig, RULE_FILES } from './config';

/*
 * The monitoring processes (Debian's prometheus and prometheus-node-exporter, and our own process
 * exporter) run by the network's Supervisor like its nodes: recorded in processes.json, so
 * `network down` stops them too, and restarted only when their config changes.
 */

export class MonitoringToolMissingError extends NodeStartError {}

const DEBIAN_PACKAGES = 'prometheus prometheus-node-exporter';

/** The own-process exporter's entry point: network/{src,dist}/monitoring -> ../cli/own-exporter.js. */
const OWN_EXPORTER_BIN = resolve(__dirname, '..', 'cli', 'own-exporter.js');

/**
 * The build of the exporter's code (its entry point and this folder's compiled modules), part of its
 * fingerprint through its environment: a kept network's exporter is restarted by the next
 * `monitoring up` after the code changed, as a Debian tool is after its config did.
 */
function ownExporterBuild(): string {
  const hash = createHash('sha256');
  for (const file of [OWN_EXPORTER_BIN, ...readdirSync(__dirname).filter((n) => n.endsWith('.js')).sort().map((n) => join(__dirname, n))]) {
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update(`missing ${file}`);
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** A Debian binary of the monitoring packages. */
function locate(name: string): string {
  const found = findExecutable(name);
  if (found === undefined) throw new MonitoringToolMissingError(`${name} not found: install it (Debian: apt-get install ${DEBIAN_PACKAGES})`);
  return found;
}

export function monitoringDir(layout: StateLayout): string {
  return join(layout.root, 'monitoring');
}

/** Where the running Prometheus reads its generated config. */
export function prometheusConfigPath(layout: StateLayout): string {
  return join(monitoringDir(layout), 'prometheus.yml');
}

/**
 * The recording and alert rules, generated into dashboards/rules/ (`npm run dashboards -- generate`),
 * copied beside the running config: a change of the rules restarts Prometheus like a change of its config.
 */
function ruleFiles(dir: string): Record<string, string> {
  const source = join(dashboardsDir, 'rules');
  const files: Record<string, string> = {};
  let names: string[] = [];
  try {
    names = readdirSync(source).filter((n) => n.endsWith('.yml'));
  } catch {
    // no rules generated yet
  }
  for (const name of names) files[join(dir, 'rules', name)] = readFileSync(join(source, name), 'utf8');
  return files;
}

/** What the Supervisor runs for monitoring: node-exporter, the own-process exporter, Prometheus. */
export function monitoringSpecs(layout: StateLayout, topology: Topology): ProcessSpec[] {
  const m = monitoring(topology);
  const dir = monitoringDir(layout);
  const binds = (info: ServiceInfo): ProcessSpec['binds'] => boundEndpoints(topology).filter((b) => b.owner === info.id);
  const listen = (info: ServiceInfo): string => info.endpoint;
  const promConfig = prometheusConfigPath(layout);
  return [
    {
      id: m.nodeExporter.id,
      kind: 'monitor',
      command: locate('prometheus-node-exporter'),
      // The machine's CPU, memory, load, network and disks; nothing that walks the file systems.
      args: [
        `--web.listen-address=${listen(m.nodeExporter)}`,
        '--collector.disable-defaults',
        ...['cpu', 'meminfo', 'loadavg', 'stat', 'netdev', 'diskstats', 'pressure', 'vmstat'].map((c) => `--collector.${c}`),
      ],
      env: {},
      cwd: dir,
      health: m.nodeExporter.health,
      binds: binds(m.nodeExporter),
    },
    {
      id: m.ownExporter.id,
      kind: 'monitor',
      command: process.execPath,
      // The state's records and this host's /proc are what it reads: native in the docker runtime too.
      args: [OWN_EXPORTER_BIN, '--state', layout.root, '--listen', listen(m.ownExporter)],
      env: { ENERGYSALE_OWN_EXPORTER_BUILD: ownExporterBuild() },
      cwd: dir,
      health: m.ownExporter.health,
      binds: binds(m.ownExporter),
      native: true,
    },
    {
      id: m.prometheus.id,
      kind: 'monitor',
      command: locate('prometheus'),
      args: [
        `--config.file=${promConfig}`,
        `--storage.tsdb.path=${join(dir, 'prometheus-data')}`,
        '--storage.tsdb.retention.time=7d',
        `--web.listen-address=${listen(m.prometheus)}`,
      ],
      env: {},
      cwd: dir,
      health: m.prometheus.health,
      binds: binds(m.prometheus),
      configFiles: { [promConfig]: prometheusConfig(topology, RULE_FILES), ...ruleFiles(dir) },
    },
  ];
}

/** Starts node-exporter, the own-process exporter and Prometheus (kept when already running with the same config). */
export async function startMonitoring(layout: StateLayout, topology: Topology): Promise<ProcessRecord[]> {
  await mkdir(monitoringDir(layout), { recursive: true });
  // Rules are written afresh: none of an earlier generation stays loaded.
  await rm(join(monitoringDir(layout), 'rules'), { recursive: true, force: true });
  const supervisor = new Supervisor(layout);
  const wanted = monitoringSpecs(layout, topology);
  // A monitor an earlier version started and this one no longer runs (Debian's process-exporter) would hold its port.
  const retired = (await supervisor.records()).filter((r) => r.kind === 'monitor' && !wanted.some((s) => s.id === r.id));
  if (retired.length > 0) await supervisor.stop(retired.map((r) => r.id));
  const records: ProcessRecord[] = [];
  for (const spec of wanted) {
    for (const [path, text] of Object.entries(spec.configFiles ?? {})) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    }
    records.push(await supervisor.start(spec));
  }
  return records;
}

export async function stopMonitoring(layout: StateLayout, topology: Topology): Promise<ProcessRecord[]> {
  const m = monitoring(topology);
  return new Supervisor(layout).stop([m.prometheus.id, m.ownExporter.id, m.nodeExporter.id]);
}
