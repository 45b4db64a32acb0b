import { ledgerHeight, peers, scanBlocks, type BlockTransaction, type StateLayout, type Topology } from '@energysale/network';

import { chainCounts } from '../report/derive';
import type { ChainCount } from '../report/schema';

/*
 * What the ledger committed in a measured window, from the blocks themselves: every transaction of
 * the blocks written since the tests began, those of the measured function made (client time) in the
 * window counted by validation code. VALID ones are what the load generator's successes are compared
 * with; every other code is an invalid transaction.
 */

/** The add-order transaction as a block names it (`<contract>:<function>`): what the service and Caliper submit. */
export const DECLARE_ORDER = 'orders:DeclareOrder';

/** Who reads the blocks: the trading centre's own user, at the first peer of the model. */
const READER = { org: 'exchange', user: 'exchange1' } as const;

/** The blocks of a scan and what it counted. */
export interface ChainScan {
  readonly count: ChainCount;
  /** The measured function's transactions of the window, as the blocks hold them (raw data of the report). */
  readonly transactions: readonly BlockTransaction[];
}

/** Where a run's block scans start: the ledger's height (its next block's number) now. */
export async function scanStart(topology: Topology): Promise<number> {
  const [peer] = peers(topology);
  const height = peer === undefined ? undefined : await ledgerHeight(peer, topology.channel.name);
  if (height === undefined) throw new Error(`no ledger height from ${peer?.id ?? 'any peer'}: cannot scan the blocks`);
  return height;
}

/** Every transaction made (client time) in [fromMs, toMs], from blocks fromHeight..(the ledger's last), and where they were read. */
export async function scanWindow(topology: Topology, layout: StateLayout, fromHeight: number, fromMs: number, toMs: number): Promise<{ transactions: BlockTransaction[]; source: string }> {
  const [peer] = peers(topology);
  const last = (await scanStart(topology)) - 1;
  const all = last < fromHeight ? [] : await scanBlocks(topology, layout, { ...READER, ...(peer ? { peer: peer.id } : {}) }, fromHeight, last);
  return {
    transactions: all.filter((t) => t.timestampMs >= fromMs && t.timestampMs <= toMs),
    source: `block scan of channel ${topology.channel.name}, blocks ${String(fromHeight)}–${String(last)} (${peer?.id ?? ''})`,
  };
}

/** The `fn` transactions made in [fromMs, toMs], counted from blocks fromHeight..(the ledger's last). */
export async function chainCountIn(topology: Topology, layout: StateLayout, fromHeight: number, fn: string, fromMs: number, toMs: number): Promise<ChainScan> {
  const window = await scanWindow(topology, layout, fromHeight, fromMs, toMs);
  const transactions = window.transactions.filter((t) => t.fn === fn);
  return {
    count: { ...chainCounts(transactions), source: `${window.source}: ${fn} transactions made in the measured window` },
    transactions,
  };
}
