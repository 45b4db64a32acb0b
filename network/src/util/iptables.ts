import { run } from './exec';

/*
 * iptables as this project reads and changes it: our own chain (the host cuts) and what a Docker
 * engine we started left behind. Reading goes through `iptables-save`, whose rules are written as
 * the arguments `iptables -A` took, so a rule read can be deleted with exactly those arguments.
 */

/** IPv4 or IPv6 rules (the commands `iptables`/`iptables-save` or `ip6tables`/`ip6tables-save`). */
export type IptablesFamily = 'iptables' | 'ip6tables';

export const IPTABLES_FAMILIES: readonly IptablesFamily[] = ['iptables', 'ip6tables'];

/** One rule: its chain and its match and target arguments, as `iptables -A <chain>` takes them. */
export interface IptablesRule {
  readonly chain: string;
  readonly args: readonly string[];
}

/** One table of `iptables-save`: its chains (built-in ones with their policy) and its rules in order. */
export interface IptablesTable {
  readonly name: string;
  /** Every chain, built-in or user-defined. */
  readonly chains: readonly string[];
  /** Built-in chains (INPUT, FORWARD, ...) by name: their policy. */
  readonly policies: Readonly<Record<string, string>>;
  readonly rules: readonly IptablesRule[];
}

/** Runs iptables (or ip6tables), waiting for the xtables lock rather than failing on it; stdout. */
export async function iptables(args: readonly string[], family: IptablesFamily = 'iptables'): Promise<string> {
  return (await run(family, ['-w', ...args], { timeoutMs: 30_000 })).stdout;
}

/**
 * Splits a line of iptables-save into arguments: words separated by spaces, a double-quoted word
 * (a comment, say) kept whole with its backslash escapes undone.
 */
export function splitArguments(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (quoted && c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line.charAt(++i);
    } else if (c === '"') {
      quoted = !quoted;
      word ??= '';
    } else if (c === ' ' && !quoted) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** The tables in the output of `iptables-save` (one or more `*table ... COMMIT` blocks). */
export function parseIptablesSave(text: string): IptablesTable[] {
  const tables: { name: string; chains: string[]; policies: Record<string, string>; rules: IptablesRule[] }[] = [];
  for (const line of text.split('\n')) {
    const current = tables.at(-1);
    if (line.startsWith('*')) {
      tables.push({ name: line.slice(1).trim(), chains: [], policies: {}, rules: [] });
    } else if (line.startsWith(':') && current) {
      const [chain = '', policy = '-'] = line.slice(1).split(' ');
      current.chains.push(chain);
      if (policy !== '-') current.policies[chain] = policy;
    } else if (line.startsWith('-A ') && current) {
      const [, chain = '', ...args] = splitArguments(line);
      current.rules.push({ chain, args });
    }
  }
  return tables;
}

/** The chain a rule jumps (`-j`) or goes (`-g`) to, or its target (ACCEPT, MASQUERADE, ...). */
export function ruleTarget(rule: IptablesRule): string | undefined {
  const at = rule.args.findIndex((a) => a === '-j' || a === '-g' || a === '--jump' || a === '--goto');
  return at < 0 ? undefined : rule.args[at + 1];
}

/** The interfaces a rule names (`-i`/`-o`, negated or not). */
export function ruleInterfaces(rule: IptablesRule): string[] {
  return rule.args.flatMap((a, i) => (['-i', '-o', '--in-interface', '--out-interface'].includes(a) ? (rule.args[i + 1] ?? []) : []));
}

/**
 * A table as iptables-save shows it now; undefined when there is no such command (iptables comes
 * with docker.io on a fresh machine) or no such table (nothing ever used it).
 */
export async function readTable(table: string, family: IptablesFamily = 'iptables'): Promise<IptablesTable | undefined> {
  try {
    const { stdout } = await run(`${family}-save`, ['-t', table], { timeoutMs: 30_000 });
    return parseIptablesSave(stdout).find((t) => t.name === table);
  } catch {
    return undefined;
  }
}
