import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { parse, stringify } from 'yaml';

export type Yaml = { [key: string]: YamlValue };
export type YamlValue = string | number | boolean | null | YamlValue[] | Yaml;

function isMap(value: YamlValue | undefined): value is Yaml {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Overrides win; maps merge key by key; lists and scalars are replaced whole. */
export function deepMerge(base: Yaml, overrides: Yaml): Yaml {
  const out: Yaml = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    out[key] = isMap(current) && isMap(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/**
 * Reads one of Fabric's sampleconfig files from the Go module cache: nothing of Fabric's is kept
 * in this repository, only our overrides of it.
 */
export async function readSampleConfig(sampleConfigDir: string, file: 'core.yaml' | 'orderer.yaml'): Promise<Yaml> {
  const parsed: unknown = parse(await readFile(join(sampleConfigDir, file), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${file} in ${sampleConfigDir} is not a YAML map`);
  }
  return parsed as Yaml;
}

export function toYaml(value: Yaml): string {
  return stringify(value, { lineWidth: 0 });
}
