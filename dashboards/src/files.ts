import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { dashboardsDir, monitoringFiles, type Topology } from '@energysale/network';

import { grafanaFiles } from './grafana';
import { ruleFiles } from './rules';

/** A generated file: its path under dashboards/ and its text. */
export type GeneratedFile = readonly [path: string, text: string];

/** Everything generated under dashboards/: the Prometheus config, rules, Grafana dashboards and provisioning. */
export function generatedFiles(topology: Topology): GeneratedFile[] {
  return [...monitoringFiles(topology), ...ruleFiles(topology), ...grafanaFiles(topology)];
}

/** Writes every generated file; returns the paths written. */
export async function writeGenerated(topology: Topology, root: string = dashboardsDir): Promise<string[]> {
  const written: string[] = [];
  for (const [path, text] of generatedFiles(topology)) {
    const file = join(root, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
    written.push(file);
  }
  return written;
}

/** The generated files whose committed copy differs (or is missing). */
export async function staleFiles(topology: Topology, root: string = dashboardsDir): Promise<string[]> {
  const stale: string[] = [];
  for (const [path, text] of generatedFiles(topology)) {
    const committed = await readFile(join(root, path), 'utf8').catch(() => undefined);
    if (committed !== text) stale.push(path);
  }
  return stale;
}
