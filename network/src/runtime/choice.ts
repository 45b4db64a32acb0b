import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';

import type { StateLayout } from '../state/layout';

/** Where the network's processes run. */
export type RuntimeKind = 'native' | 'docker';

export const RUNTIME_KINDS: readonly RuntimeKind[] = ['native', 'docker'];

export type RuntimeChoice =
  | { readonly kind: 'native' }
  | {
      readonly kind: 'docker';
      /** Image names start with this: 'energysale/' for the images `network images` builds here, 'hyperledger/' for the official ones. */
      readonly imagePrefix: string;
      /** The model's hosts by address: each container is labelled with the host (VM) it stands for. */
      readonly hosts: Readonly<Record<string, string>>;
    };

/** A network runs in one runtime from its first `up` to its `clean`; asking for the other is refused. */
export class RuntimeMismatchError extends Error {
  override readonly name = 'RuntimeMismatchError';
}

const NATIVE: RuntimeChoice = { kind: 'native' };

/** The runtime recorded in the state; native when none is (a state from before containers, or none yet). */
export async function readRuntime(layout: StateLayout): Promise<RuntimeChoice> {
  if (!existsSync(layout.runtimeFile)) return NATIVE;
  return JSON.parse(await readFile(layout.runtimeFile, 'utf8')) as RuntimeChoice;
}

/**
 * Records the runtime of a network about to come up. A state made with the other runtime is refused
 * while it has processes recorded: `down` (and `clean`) it first.
 */
export async function chooseRuntime(layout: StateLayout, choice: RuntimeChoice, hasProcesses: boolean): Promise<void> {
  const current = await readRuntime(layout);
  if (current.kind !== choice.kind && hasProcesses) {
    throw new RuntimeMismatchError(`the network in ${layout.root} runs in the ${current.kind} runtime: \`network down\` it before bringing it up with --runtime ${choice.kind}`);
  }
  await mkdir(layout.root, { recursive: true });
  await writeFile(layout.runtimeFile, `${JSON.stringify(choice, null, 2)}\n`);
}
