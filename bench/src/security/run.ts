import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { auditTls, StateLayout, type TlsProbe } from '@energysale/network';
import { TokenIssuer } from '@energysale/service';

import { startOwnServiceTier } from '../interrupt';
import type { Machine } from '../report/schema';
import { runningNetwork } from '../table4/load';
import { prepare } from '../table4/prepare';
import { commit, machine } from '../table4/provenance';
import { generateCases, sendCases, type FuzzOutcome, type Mutation, type OpenApiDocument } from './fuzz';
import { runIdentityChecks, type IdentityResult } from './identities';
import { scanForPrivateKeys, type KeyFinding } from './keys';
import { runPrivacyChecks, type PrivacyCheck } from './privacy';
import { runRoleMatrix, type MatrixResult } from './roles';

/*
 * `bench security`: the API fuzzed from its OpenAPI document on the live network (every request
 * invalid: refused with a 4xx problem, no 5xx, no ledger write: every peer's height unchanged), the
 * role × transition matrix of Table 1 through the API (every illegal step refused, the order
 * unchanged), identities (no user acts as another; revoked and unknown identities refused, by the
 * service and by the peers), private data (no view or peer outside the collection shows the terms;
 * the public hash verifies), TLS on every endpoint, and the key scan (no private key in the
 * repository, the logs or the reports). Writes reports/<time>_security_<sha>/ (security.json, security.md).
 */

export const SECURITY_SCHEMA = 'energysale-bench/security@1';

export interface SecurityReport {
  readonly schema: typeof SECURITY_SCHEMA;
  readonly meta: { readonly startedAt: string; readonly endedAt: string; readonly commit: { readonly sha: string; readonly dirty: boolean }; readonly machine: Machine };
  readonly fuzz: {
    readonly seed: number;
    readonly cases: number;
    readonly operations: number;
    readonly byStatus: Readonly<Record<string, number>>;
    readonly byMutation: Readonly<Record<string, number>>;
    /** Answered 5xx (or not at all): the bar is none. */
    readonly serverErrors: readonly FuzzFinding[];
    /** Accepted (2xx/3xx) although invalid: the bar is none. */
    readonly accepted: readonly FuzzFinding[];
    /** Refused without a problem body. */
    readonly withoutProblem: readonly FuzzFinding[];
    readonly heightsBefore: Readonly<Record<string, number>>;
    readonly heightsAfter: Readonly<Record<string, number>>;
    readonly seconds: number;
  };
  readonly matrix: MatrixResult;
  readonly identities: IdentityResult;
  readonly privacy: readonly PrivacyCheck[];
  readonly tls: readonly TlsProbe[];
  readonly keys: { readonly scanned: number; readonly findings: readonly KeyFinding[] };
  readonly passed: boolean;
}

interface FuzzFinding {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly mutation: Mutation;
}

const finding = (o: FuzzOutcome): FuzzFinding => ({ status: o.status, method: o.case.method, path: o.case.path.slice(0, 200), mutation: o.case.mutation });

function count<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

export function securityMarkdown(report: SecurityReport): string {
  const { fuzz, keys, meta } = report;
  const heightsSame = JSON.stringify(fuzz.heightsBefore) === JSON.stringify(fuzz.heightsAfter);
  return [
    '# Security: API fuzzing, role matrix, identities, private data, TLS and key scan',
    '',
    `Commit ${meta.commit.sha.slice(0, 12)}${meta.commit.dirty ? ' (uncommitted changes)' : ''}; ${meta.startedAt} to ${meta.endedAt}; ${meta.machine.cores} cores, ${meta.machine.cpuModel}.`,
    '',
    `## Fuzzing (seed ${fuzz.seed})`,
    '',
    `${fuzz.cases} invalid requests over ${fuzz.operations} operations of the OpenAPI document, through nginx, in ${fuzz.seconds.toFixed(1)} s.`,
    '',
    '| status | requests |',
    '| --- | --- |',
    ...Object.entries(fuzz.byStatus).map(([status, n]) => `| ${status} | ${n} |`),
    '',
    '| mutation | requests |',
    '| --- | --- |',
    ...Object.entries(fuzz.byMutation).map(([m, n]) => `| ${m} | ${n} |`),
    '',
    `- 5xx or no answer: **${fuzz.serverErrors.length}**; accepted although invalid: **${fuzz.accepted.length}**; refused without a problem body: **${fuzz.withoutProblem.length}**.`,
    `- Ledger heights ${heightsSame ? 'unchanged on every peer' : 'CHANGED'}: ${Object.entries(fuzz.heightsAfter).map(([peer, h]) => `${peer.split('.').slice(0, 2).join('.')} ${h}`).join(', ')}.`,
    ...[...fuzz.serverErrors, ...fuzz.accepted, ...fuzz.withoutProblem].slice(0, 20).map((f) => `  - ${f.status} ${f.method} ${f.path} (${f.mutation})`),
    '',
    '## Role × transition matrix (Table 1)',
    '',
    `${report.matrix.attempts} illegal steps (every action by every actor the flow does not allow, from each of ${report.matrix.states} states a real order was brought to): ` +
      `${report.matrix.refused} refused (${Object.entries(report.matrix.byStatus).map(([status, n]) => `${n}× ${status}`).join(', ')}); violations: **${report.matrix.violations.length}**.`,
    ...report.matrix.violations.slice(0, 20).map((v) => `  - ${v.state} ${v.action} by ${v.actor}: ${v.status} (${v.why})`),
    '',
    '## Identities',
    '',
    `${report.identities.revocation.handle} revoked on the chain: certificate ${report.identities.revocation.serial} on its CA's CRL, in config block ${report.identities.revocation.configBlock ?? '(held already)'}, held by every orderer and peer ${(report.identities.revocation.elapsedMs / 1000).toFixed(1)} s after the CA revoked it.`,
    '',
    '| check | through | expected | outcome | detail |',
    '| --- | --- | --- | --- | --- |',
    ...report.identities.checks.map((c) => `| ${c.check} | ${c.via} | ${c.expected} | ${c.outcome === c.expected ? c.outcome : `**${c.outcome}**`} | ${c.detail.replace(/\|/g, '/')} |`),
    '',
    '## Private data',
    '',
    '| check | holds | detail |',
    '| --- | --- | --- |',
    ...report.privacy.map((c) => `| ${c.check} | ${c.passed ? 'yes' : '**NO**'} | ${c.detail.replace(/\|/g, '/')} |`),
    '',
    '## TLS',
    '',
    `${report.tls.length} connections to ${new Set(report.tls.map((p) => p.node)).size} endpoints; ${report.tls.filter((p) => p.outcome !== p.expected).length} not as expected.`,
    '',
    '| endpoint kind | client | expected | outcome (endpoints) |',
    '| --- | --- | --- | --- |',
    ...tlsRows(report.tls),
    '',
    '## Private keys',
    '',
    `${keys.scanned} files scanned (tracked files, the network's logs, the reports): ${keys.findings.length === 0 ? 'no private key' : keys.findings.map((f) => `${f.where}: ${f.file}`).join('; ')}.`,
    '',
    `**${report.passed ? 'Passed' : 'FAILED'}**`,
    '',
  ].join('\n');
}

/** The TLS probes grouped by endpoint kind and client: how many endpoints answered each way. */
function tlsRows(probes: readonly TlsProbe[]): string[] {
  const groups = new Map<string, TlsProbe[]>();
  for (const p of probes) groups.set(`${p.kind}|${p.client}|${p.expected}`, [...(groups.get(`${p.kind}|${p.client}|${p.expected}`) ?? []), p]);
  return [...groups.entries()].map(([key, list]) => {
    const [kind, client, expected] = key.split('|');
    const outcomes = Object.entries(count(list, (p) => p.outcome)).map(([o, n]) => (o === expected ? `${o} (${n})` : `**${o} (${n})**`));
    return `| ${kind ?? ''} | ${client ?? ''} | ${expected ?? ''} | ${outcomes.join(', ')} |`;
  });
}

export async function runSecurity(options: { cases: number; seed: number; repo: string; reportsDir: string; log: (line: string) => void }): Promise<{ dir: string; report: SecurityReport }> {
  const layout = new StateLayout();
  const network = await runningNetwork(layout);
  const startedAt = new Date().toISOString();
  const tier = await startOwnServiceTier(layout, { withLb: true, logLevel: 'warn' });
  try {
    const doc = (await (await fetch(`${tier.url}/openapi.json`)).json()) as OpenApiDocument;
    const tokens = new TokenIssuer(layout);
    // A valid token of each role: the cases then get past authentication to the validation they break.
    const credentials = network.topology.peerOrgs.flatMap((org) => org.users.map((u) => tokens.issue({ org: org.key, user: u.name })));
    const cases = generateCases(doc, credentials, options.cases, options.seed);
    const heights = async (): Promise<Record<string, number>> => Object.fromEntries((await network.ledgers()).map((l) => [l.id, l.height]));
    const heightsBefore = await heights();
    options.log(`fuzzing: ${cases.length} invalid requests over ${new Set(cases.map((c) => c.operation)).size} operations (seed ${options.seed})`);
    const started = Date.now();
    const outcomes = await sendCases(tier.url, cases);
    const seconds = (Date.now() - started) / 1000;
    // A write would have been ordered by now: a block is cut within the batch timeout (2 s).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const heightsAfter = await heights();
    const fixture = await prepare(network.topology, layout, tokens, tier.url, { users: 2, preloadOrdersPerUser: 0, log: options.log });
    options.log('role × transition matrix');
    const matrix = await runRoleMatrix(fixture, tokens, tier.url, options.log);
    options.log('identities');
    const identities = await runIdentityChecks(network, fixture, tokens, tier.url, options.log);
    options.log('private data');
    const privacy = await runPrivacyChecks(network, fixture, tokens, tier.url, options.log);
    options.log('TLS on every endpoint');
    const tls = await auditTls(network.topology, layout);
    const keys = scanForPrivateKeys(options.repo, layout.logDir, options.reportsDir);
    const fuzz = {
      seed: options.seed,
      cases: cases.length,
      operations: new Set(cases.map((c) => c.operation)).size,
      byStatus: count(outcomes, (o) => String(o.status)),
      byMutation: count(outcomes, (o) => o.case.mutation),
      serverErrors: outcomes.filter((o) => o.status === 0 || o.status >= 500).map(finding),
      accepted: outcomes.filter((o) => o.status > 0 && o.status < 400).map(finding),
      withoutProblem: outcomes.filter((o) => o.status >= 400 && o.status < 500 && !o.problem).map(finding),
      heightsBefore,
      heightsAfter,
      seconds,
    };
    const passed =
      fuzz.serverErrors.length === 0 && fuzz.accepted.length === 0 && fuzz.withoutProblem.length === 0 && JSON.stringify(heightsBefore) === JSON.stringify(heightsAfter) &&
      matrix.violations.length === 0 &&
      identities.violations.length === 0 &&
      privacy.every((c) => c.passed) &&
      tls.every((p) => p.outcome === p.expected) &&
      keys.findings.length === 0;
    const sha = commit();
    const report: SecurityReport = { schema: SECURITY_SCHEMA, meta: { startedAt, endedAt: new Date().toISOString(), commit: sha, machine: machine() }, fuzz, matrix, identities, privacy, tls, keys, passed };
    const dir = join(options.reportsDir, `${startedAt.slice(0, 13)}${startedAt.slice(14, 16)}_security_${sha.sha.slice(0, 7)}${sha.dirty ? '-dirty' : ''}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'security.json'), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(join(dir, 'security.md'), securityMarkdown(report));
    return { dir, report };
  } finally {
    await tier.stop();
  }
}
