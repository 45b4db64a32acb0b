import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { ActivityShare, NodeProfile } from '../report/schema';

/*
 * CPU profiles of Fabric nodes (Go's pprof, enabled on loopback by the generated peer and orderer
 * configs) during a measured window: where inside a peer or an orderer the time goes. Summarised
 * with `go tool pprof -top` (Go is a prerequisite of the toolchain build).
 */

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
}

/** What a Fabric node spends CPU on, by entry point: the cumulative share of the first function matching. */
export const ACTIVITIES: readonly { readonly activity: string; readonly match: RegExp }[] = [
  { activity: 'gateway (Evaluate, Endorse, Submit, CommitStatus)', match: /internal\/pkg\/gateway\.\(\*Server\)\.(Evaluate|Endorse|Submit|CommitStatus)(\.func\d+)?$/ },
  { activity: 'endorsement: ProcessProposal (checks, simulation with the chaincode, signing)', match: /core\/endorser\.\(\*Endorser\)\.ProcessProposal$/ },
  { activity: 'proposal ACL check (creator signature and policy)', match: /core\/aclmgmt\.\(\*aclMgmtImpl\)\.CheckACL$/ },
  { activity: 'chaincode round trips (GetState, PutState... on the peer)', match: /core\/chaincode\.\(\*Handler\)\.HandleTransaction$/ },
  { activity: 'private data read permission (collection policy)', match: /core\/chaincode\.errorIfCreatorHasNoReadPermission$/ },
  { activity: 'block validation (txvalidator)', match: /core\/committer\/txvalidator\/v20\.\(\*TxValidator\)\.Validate$/ },
  { activity: 'ledger commit (kvledger)', match: /core\/ledger\/kvledger\.\(\*kvLedger\)\.(commit|CommitLegacy)$/ },
  { activity: 'private data (gossip/privdata)', match: /gossip\/privdata\.\(\*coordinator\)\.StoreBlock$/ },
  { activity: 'ordering: broadcast handler', match: /orderer\/common\/broadcast\.\(\*Handler\)\.Handle$/ },
  { activity: 'ordering: Raft chain', match: /orderer\/consensus\/etcdraft\.\(\*Chain\)\.(run|serveRequest)$/ },
  { activity: 'signature verification (ECDSA verify, all callers)', match: /^crypto\/ecdsa\.VerifyASN1$/ },
  { activity: 'signing (ECDSA sign)', match: /^crypto\/ecdsa\.(Sign|SignASN1)$/ },
  { activity: 'TLS', match: /^crypto\/tls\.\(\*Conn\)\.(Read|Write)$/ },
  { activity: 'gossip', match: /gossip\/comm\.\(\*commImpl\)\.|gossip\/gossip\.\(\*Node\)\.handleMessage$/ },
  { activity: 'garbage collection', match: /^runtime\.gcBgMarkWorker$/ },
];

interface TopRow {
  readonly fn: string;
  readonly flatPct: number;
  readonly cumPct: number;
}

/** Parses `go tool pprof -top` output: its header's duration and samples, and each row. */
export function parsePprofTop(text: string): { durationS: number; sampledS: number; rows: TopRow[] } {
  const header = /Duration: ([\d.]+)(ms|s|m)?, Total samples = ([\d.]+)(ms|s|m)?/.exec(text);
  const toS = (value: string, unit: string | undefined): number => Number(value) * (unit === 'ms' ? 0.001 : unit === 'm' ? 60 : 1);
  const rows: TopRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*[\d.]+\w*\s+([\d.]+)%\s+[\d.]+%\s+[\d.]+\w*\s+([\d.]+)%\s+(.+)$/.exec(line);
    if (m) rows.push({ flatPct: Number(m[1]), cumPct: Number(m[2]), fn: (m[3] ?? '').trim() });
  }
  if (!header) throw new ProfileError(`not a pprof -top listing: ${text.slice(0, 200)}`);
  return { durationS: toS(header[1] ?? '0', header[2]), sampledS: toS(header[3] ?? '0', header[4]), rows };
}

export function summariseProfile(node: string, file: string, top: ReturnType<typeof parsePprofTop>): NodeProfile {
  const activities: ActivityShare[] = [];
  for (const { activity, match } of ACTIVITIES) {
    const share = Math.max(0, ...top.rows.filter((r) => match.test(r.fn)).map((r) => r.cumPct));
    if (share > 0) activities.push({ activity, cumPct: share });
  }
  return {
    node,
    seconds: top.durationS,
    cpuCores: top.durationS > 0 ? top.sampledS / top.durationS : 0,
    activities: activities.sort((a, b) => b.cumPct - a.cumPct),
    topFunctions: [...top.rows].sort((a, b) => b.flatPct - a.flatPct).slice(0, 12).map((r) => ({ fn: r.fn, flatPct: r.flatPct, cumPct: r.cumPct })),
    file,
  };
}

/**
 * Takes a `seconds`-long CPU profile of each node at once, writes each to
 * `<root>/pprof/<label>/<node>.pb.gz`, and summarises it (`file`: that path relative to `root`).
 */
export async function captureProfiles(nodes: readonly { id: string; endpoint: string }[], seconds: number, root: string, label: string): Promise<NodeProfile[]> {
  const dir = join(root, 'pprof', label);
  await mkdir(dir, { recursive: true });
  return Promise.all(
    nodes.map(async (node) => {
      const url = `http://${node.endpoint}/debug/pprof/profile?seconds=${Math.max(1, Math.round(seconds))}`;
      let body: Buffer;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout((seconds + 30) * 1000) });
        if (!response.ok) throw new ProfileError(`${url}: ${response.status} ${await response.text()}`);
        body = Buffer.from(await response.arrayBuffer());
      } catch (error) {
        throw error instanceof ProfileError ? error : new ProfileError(`no CPU profile from ${node.id} (${url})`, { cause: error });
      }
      const name = `${node.id}.pb.gz`;
      const path = join(dir, name);
      await writeFile(path, body);
      let stdout: string;
      try {
        ({ stdout } = await promisify(execFile)('go', ['tool', 'pprof', '-top', '-nodecount=400', path], { maxBuffer: 16 * 2 ** 20 }));
      } catch (error) {
        throw new ProfileError(`go tool pprof could not read the profile of ${node.id}`, { cause: error });
      }
      return summariseProfile(node.id, `pprof/${label}/${name}`, parsePprofTop(stdout));
    }),
  );
}
