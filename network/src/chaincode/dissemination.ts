import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { chaincodeCollections } from '../util/paths';

/**
 * How the endorsers of a private write spread its private data before answering (Fabric's
 * collection settings): to at least `requiredPeerCount` and at most `maxPeerCount` other peers of
 * the collection's member orgs. The peers it did not reach pull it when they commit the block.
 */
export interface Dissemination {
  readonly requiredPeerCount: number;
  readonly maxPeerCount: number;
}

export class DisseminationError extends Error {
  override readonly name = 'DisseminationError';
}

/** One collection of chaincode/collections.json, as Fabric's `--collections-config` reads it. */
interface CollectionJson {
  readonly name: string;
  readonly requiredPeerCount?: number;
  readonly maxPeerCount?: number;
  readonly [key: string]: unknown;
}

/** `peer lifecycle chaincode querycommitted --name N --output json`: its collections (a zero count is left out). */
export interface CommittedCollectionsJson {
  readonly collections?: {
    readonly config?: readonly { readonly Payload?: { readonly StaticCollectionConfig?: { readonly name?: string; readonly required_peer_count?: number; readonly maximum_peer_count?: number } } }[];
  };
}

export const describeDissemination = (d: Dissemination): string => `requiredPeerCount ${d.requiredPeerCount}, maxPeerCount ${d.maxPeerCount}`;

function check(d: Dissemination): void {
  const whole = (n: number): boolean => Number.isInteger(n) && n >= 0;
  if (!whole(d.requiredPeerCount) || !whole(d.maxPeerCount)) throw new DisseminationError(`${describeDissemination(d)}: the counts are whole numbers ≥ 0`);
  if (d.requiredPeerCount > d.maxPeerCount) throw new DisseminationError(`${describeDissemination(d)}: requiredPeerCount cannot exceed maxPeerCount`);
}

async function modelCollections(): Promise<CollectionJson[]> {
  return JSON.parse(await readFile(chaincodeCollections, 'utf8')) as CollectionJson[];
}

/** The dissemination of collections as chaincode/collections.json holds them; they must agree on one. */
function disseminationOf(collections: readonly CollectionJson[]): Dissemination {
  const all = collections.map((c) => ({ requiredPeerCount: c.requiredPeerCount ?? 0, maxPeerCount: c.maxPeerCount ?? 0 }));
  const [first] = all;
  if (!first) throw new DisseminationError(`${chaincodeCollections} has no collection`);
  if (all.some((d) => describeDissemination(d) !== describeDissemination(first))) throw new DisseminationError(`the collections of ${chaincodeCollections} disseminate differently: no one setting to report`);
  return first;
}

/** The model's dissemination (chaincode/collections.json). */
export async function modelDissemination(): Promise<Dissemination> {
  return disseminationOf(await modelCollections());
}

/** What the committed definition's collections hold: one dissemination for all, or null when they differ or there are none. */
export function committedDissemination(committed: CommittedCollectionsJson): Dissemination | null {
  const all = (committed.collections?.config ?? []).map((c) => c.Payload?.StaticCollectionConfig).map((s) => ({ requiredPeerCount: s?.required_peer_count ?? 0, maxPeerCount: s?.maximum_peer_count ?? 0 }));
  const [first] = all;
  return first && all.every((d) => describeDissemination(d) === describeDissemination(first)) ? first : null;
}

/**
 * The collections config to deploy with: the model's file itself for the model's dissemination, or
 * a copy in `dir` with every collection's counts replaced (the model's file is never changed).
 */
export async function collectionsFileFor(dir: string, d: Dissemination): Promise<string> {
  check(d);
  const model = await modelCollections();
  if (describeDissemination(disseminationOf(model)) === describeDissemination(d)) return chaincodeCollections;
  const file = join(dir, `collections-required${d.requiredPeerCount}-max${d.maxPeerCount}.json`);
  await mkdir(dir, { recursive: true });
  const collections = model.map((c) => ({ ...c, requiredPeerCount: d.requiredPeerCount, maxPeerCount: d.maxPeerCount }));
  await writeFile(file, `${JSON.stringify(collections, null, 2)}\n`);
  return file;
}
