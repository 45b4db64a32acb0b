/** One sample of a Prometheus text exposition. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the Prometheus text format (what Fabric's operations endpoint serves at /metrics). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] ?? ''] = pair[2] ?? '';
    }
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

export async function scrape(operationsEndpoint: string): Promise<Sample[]> {
  const response = await fetch(`http://${operationsEndpoint}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${operationsEndpoint}/metrics answered ${response.status}`);
  return parseMetrics(await response.text());
}

/** The value of a metric with the given labels, or undefined when no such sample exists. */
export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

/** A node's height of a channel, from its operations endpoint (`ledger_blockchain_height`); undefined when it reports none. */
export async function ledgerHeight(node: { readonly operationsEndpoint: string }, channel: string): Promise<number | undefined> {
  return valueOf(await scrape(node.operationsEndpoint), 'ledger_blockchain_height', { channel });
}
