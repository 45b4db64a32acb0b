import { locateToolchain } from '../../toolchain';
import type { Topology } from '../../topology';
import { RUNTIME_KINDS, type RuntimeChoice } from '../choice';
import { ensureDockerEngine } from './engine';
import { buildImages, LOCAL_IMAGE_PREFIX } from './images';

/** An unknown runtime name on the command line. */
export class RuntimeChoiceError extends Error {
  override readonly name = 'RuntimeChoiceError';
}

/**
 * The runtime `up --runtime <kind>` asks for, made ready: for docker, a running engine and, with the
 * local image prefix (the default), the offline images (built once, then reused).
 */
export async function prepareRuntime(kind: string, imagePrefix: string | undefined, topology: Topology, log: (line: string) => void): Promise<RuntimeChoice> {
  if (kind === 'native') return { kind: 'native' };
  if (kind !== 'docker') throw new RuntimeChoiceError(`unknown runtime "${kind}" (${RUNTIME_KINDS.join(', ')})`);
  const prefix = imagePrefix ?? LOCAL_IMAGE_PREFIX;
  await ensureDockerEngine(log);
  if (prefix === LOCAL_IMAGE_PREFIX) await buildImages(await locateToolchain(), log, { prefix });
  return { kind: 'docker', imagePrefix: prefix, hosts: Object.fromEntries(topology.hosts.map((h) => [h.address, h.name])) };
}
