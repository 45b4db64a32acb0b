import { readFile, writeFile } from 'node:fs/promises';

import { run } from '../../util/exec';
import { iptables, IPTABLES_FAMILIES, readTable, ruleInterfaces, ruleTarget, type IptablesFamily, type IptablesRule, type IptablesTable } from '../../util/iptables';

/*
 * What a Docker engine changes on the machine outside /var/lib/docker, and outlives it: its iptables
 * chains and the rules in the built-in chains that jump to them or name its bridges (the MASQUERADE
 * of docker0's subnet, say), its bridge interfaces, IP forwarding turned on and, with it, the FORWARD
 * policy set to DROP. A dockerd this project starts takes a snapshot of these first (the engine's
 * marker keeps it), so that stopping it removes what it added and nothing that was there before.
 */

/** The tables Docker puts chains and rules in. */
const TABLES = ['filter', 'nat'] as const;

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

/** DOCKER, DOCKER-USER, DOCKER-ISOLATION-STAGE-1/2, DOCKER-INGRESS (and newer engines' DOCKER-FORWARD, ...). */
export const isDockerChain = (chain: string): boolean => chain === 'DOCKER' || chain.startsWith('DOCKER-');

/** docker0, swarm's docker_gwbridge, and the bridge of a user-defined network (`br-` and 12 hex digits). */
export const isDockerBridge = (name: string): boolean => name === 'docker0' || name === 'docker_gwbridge' || /^br-[0-9a-f]{12}$/.test(name);

/** Docker's part of the machine's network, as it is at one moment. */
export interface HostNetworkSnapshot {
  /** Docker chains by `<family> <table>` (e.g. `iptables nat`); a table missing had none. */
  readonly chains: Readonly<Record<string, readonly string[]>>;
  readonly bridges: readonly string[];
  /** net.ipv4.ip_forward ('0' or '1'), when readable. */
  readonly ipForward?: string | undefined;
  /** The filter table's FORWARD policy (IPv4): ACCEPT when there was no such table yet. */
  readonly forwardPolicy?: string | undefined;
}

const tableKey = (family: IptablesFamily, table: string): string => `${family} ${table}`;

/** The interface names in the output of `ip -o link show` (`4: eth0@if5: <...> ...`). */
export function parseLinkNames(output: string): string[] {
  return output.split('\n').flatMap((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1] ?? []);
}

async function linkNames(): Promise<string[]> {
  try {
    return parseLinkNames((await run('ip', ['-o', 'link', 'show'], { timeoutMs: 15_000 })).stdout);
  } catch {
    return [];
  }
}

async function readIpForward(): Promise<string | undefined> {
  return (await readFile(IP_FORWARD, 'utf8').catch(() => undefined))?.trim();
}

async function readTables(): Promise<{ family: IptablesFamily; table: IptablesTable }[]> {
  const all = await Promise.all(IPTABLES_FAMILIES.flatMap((family) => TABLES.map(async (name) => ({ family, table: await readTable(name, family) }))));
  return all.flatMap(({ family, table }) => (table === undefined ? [] : [{ family, table }]));
}

/** Docker's chains, bridges and the forwarding settings, now. */
export async function snapshotHostNetwork(): Promise<HostNetworkSnapshot> {
  const tables = await readTables();
  const filter = tables.find((t) => t.family === 'iptables' && t.table.name === 'filter');
  return {
    chains: Object.fromEntries(tables.map(({ family, table }) => [tableKey(family, table.name), table.chains.filter(isDockerChain)])),
    bridges: (await linkNames()).filter(isDockerBridge),
    ipForward: await readIpForward(),
    forwardPolicy: filter?.table.policies['FORWARD'] ?? 'ACCEPT',
  };
}

/** What to take out of one table: rules (in chains that stay) to delete first, then chains to flush and delete. */
export interface TableResidue {
  readonly family: IptablesFamily;
  readonly table: string;
  readonly rules: readonly IptablesRule[];
  readonly chains: readonly string[];
}

/**
 * A table's Docker residue: the Docker chains not in `keep`, and the rules of the other chains (the
 * built-in ones) that jump to one of them or name one of `bridges` (the MASQUERADE of a bridge's
 * subnet, the FORWARD accepts of its traffic).
 */
export function tableResidue(family: IptablesFamily, table: IptablesTable, keep: readonly string[], bridges: readonly string[]): TableResidue {
  const chains = table.chains.filter((c) => isDockerChain(c) && !keep.includes(c));
  const rules = table.rules.filter((rule) => {
    if (chains.includes(rule.chain)) return false;
    const target = ruleTarget(rule);
    return (target !== undefined && chains.includes(target)) || ruleInterfaces(rule).some((i) => bridges.includes(i));
  });
  return { family, table: table.name, rules, chains };
}

/** Everything Docker added since `before` (with an empty snapshot: every trace of Docker there is). */
export interface EngineResidue {
  readonly tables: readonly TableResidue[];
  readonly bridges: readonly string[];
  /** IP forwarding to turn off again, and the FORWARD policy to restore. */
  readonly ipForward?: string | undefined;
  readonly forwardPolicy?: string | undefined;
}

/** No snapshot: every Docker chain and bridge counts, the forwarding settings are nobody's. */
export const NOTHING_BEFORE: HostNetworkSnapshot = { chains: {}, bridges: [] };

/** Docker's traces now that were not there at `before`. */
export async function findResidue(before: HostNetworkSnapshot): Promise<EngineResidue> {
  const bridges = (await linkNames()).filter((b) => isDockerBridge(b) && !before.bridges.includes(b));
  const tables = (await readTables())
    .map(({ family, table }) => tableResidue(family, table, before.chains[tableKey(family, table.name)] ?? [], bridges))
    .filter((t) => t.rules.length > 0 || t.chains.length > 0);
  const ipForward = await readIpForward();
  const policy = (await readTable('filter'))?.policies['FORWARD'];
  return {
    tables,
    bridges,
    ...(before.ipForward !== undefined && ipForward !== before.ipForward ? { ipForward: before.ipForward } : {}),
    ...(before.forwardPolicy !== undefined && policy !== undefined && policy !== before.forwardPolicy ? { forwardPolicy: before.forwardPolicy } : {}),
  };
}

/** One line per trace of a residue (what `engine stop` removes, what `leftovers` reports). */
export function describeResidue(residue: EngineResidue): string[] {
  return [
    ...residue.tables.flatMap((t) => [
      ...t.rules.map((r) => `${t.family} -t ${t.table} rule -A ${r.chain} ${r.args.join(' ')}`),
      ...t.chains.map((c) => `${t.family} -t ${t.table} chain ${c}`),
    ]),
    ...residue.bridges.map((b) => `bridge ${b}`),
    ...(residue.ipForward === undefined ? [] : [`net.ipv4.ip_forward back to ${residue.ipForward}`]),
    ...(residue.forwardPolicy === undefined ? [] : [`FORWARD policy back to ${residue.forwardPolicy}`]),
  ];
}

/**
 * Removes a residue: the rules first (a chain still jumped to cannot be deleted), then every chain
 * flushed before any is deleted (Docker's chains jump to each other), then the bridges and the
 * forwarding settings. Goes on past a step that fails; returns what was done and what failed.
 */
export async function removeResidue(residue: EngineResidue): Promise<{ removed: string[]; failed: Error[] }> {
  const removed: string[] = [];
  const failed: Error[] = [];
  const step = async (what: string | undefined, action: () => Promise<unknown>): Promise<void> => {
    try {
      await action();
      if (what !== undefined) removed.push(what);
    } catch (error) {
      failed.push(error instanceof Error ? error : new Error(String(error)));
    }
  };
  for (const t of residue.tables) {
    for (const r of t.rules) await step(`${t.family} -t ${t.table} rule -A ${r.chain} ${r.args.join(' ')}`, () => iptables(['-t', t.table, '-D', r.chain, ...r.args], t.family));
    for (const c of t.chains) await step(undefined, () => iptables(['-t', t.table, '-F', c], t.family));
    for (const c of t.chains) await step(`${t.family} -t ${t.table} chain ${c}`, () => iptables(['-t', t.table, '-X', c], t.family));
  }
  for (const b of residue.bridges) await step(`bridge ${b}`, () => run('ip', ['link', 'delete', b], { timeoutMs: 15_000 }));
  const { ipForward, forwardPolicy } = residue;
  if (forwardPolicy !== undefined) await step(`FORWARD policy back to ${forwardPolicy}`, () => iptables(['-P', 'FORWARD', forwardPolicy]));
  if (ipForward !== undefined) await step(`net.ipv4.ip_forward back to ${ipForward}`, () => writeFile(IP_FORWARD, `${ipForward}\n`));
  return { removed, failed };
}
