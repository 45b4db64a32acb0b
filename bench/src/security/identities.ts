import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { Actor, enrollUsers, identityOf, locateToolchain, peerOrg, revokeIdentity, rogueClientIdentity, type NativeNetwork, type Revocation, type SigningIdentity } from '@energysale/network';
import { declareOrderCall, type TokenIssuer } from '@energysale/service';

import type { Fixture } from '../table4/prepare';
import { orderTerms } from '../table4/prepare';
import { apiCall, bearer } from '../table4/api';

/*
 * A user cannot act as another, and a revoked or unknown identity is refused: through the service
 * (bearer tokens bound to one identity) and straight at the peers' gateways (certificates and the
 * keys that sign). The revocation is the chain's own: the org's CA revokes the certificate and the
 * CRL goes into the org's MSP in the channel config, so a client holding the key is refused too.
 */

export interface IdentityCheck {
  readonly check: string;
  readonly via: 'service' | 'gateway';
  readonly expected: 'accepted' | 'refused';
  readonly outcome: 'accepted' | 'refused';
  /** The status, or the refusal's message. */
  readonly detail: string;
}

export interface IdentityResult {
  readonly checks: readonly IdentityCheck[];
  readonly revocation: Revocation;
  /** Checks whose outcome differs from what they expect: the bar is none. */
  readonly violations: readonly IdentityCheck[];
}

/** The first line of a refusal, without the gateway's per-peer details. */
function reason(error: unknown): string {
  const text = error instanceof Error ? `${error.message}${'details' in error && Array.isArray(error.details) ? ` ${JSON.stringify(error.details)}` : ''}` : String(error);
  return text.replace(/\s+/g, ' ').slice(0, 240);
}

export async function runIdentityChecks(
  network: NativeNetwork,
  fixture: Fixture,
  tokens: TokenIssuer,
  baseUrl: string,
  log: (line: string) => void,
): Promise<IdentityResult> {
  const { topology, layout } = network;
  const org = peerOrg(topology, fixture.org);
  const [user] = fixture.users;
  if (!user) throw new Error('the fixture has no user');
  // Fresh identities each run: one to revoke, one beside it in the same org that stays valid.
  const run = Date.now().toString(36);
  const [victim, neighbour] = [`revoked-${run}`, `kept-${run}`];
  log(`identities: enrolling ${victim} and ${neighbour} with ${org.name}'s CA`);
  await enrollUsers(await locateToolchain(), layout, topology, org.key, [victim, neighbour], 'consumer');
  for (const name of [victim, neighbour]) {
    const registered = await apiCall(baseUrl, bearer(tokens.issue({ org: org.key, user: name })), 'POST', '/participants/me');
    if (registered.status !== 200) throw new Error(`registering ${name}: ${registered.status} ${registered.text}`);
  }
  const checks: IdentityCheck[] = [];

  const viaService = async (check: string, authorization: string | undefined, expected: IdentityCheck['expected']): Promise<void> => {
    const { status } = await apiCall(baseUrl, authorization, 'GET', '/participants/me');
    checks.push({ check, via: 'service', expected, outcome: status === 200 ? 'accepted' : 'refused', detail: String(status) });
  };
  const signingOf = (name: string): SigningIdentity => {
    const files = identityOf(layout, org.key, name);
    return { certificate: readFileSync(files.signCert), key: readFileSync(files.signKey) };
  };
  /** A read and a write at the gateway of the org's peer, signed as `signing`; the write's order must not exist after a refusal. */
  const viaGateway = async (check: string, tlsUser: string, signing: SigningIdentity, expected: IdentityCheck['expected']): Promise<void> => {
    const actor = Actor.connect(topology, layout, org.key, tlsUser, { signing });
    try {
      const attempt = async (call: () => Promise<unknown>): Promise<Pick<IdentityCheck, 'outcome' | 'detail'>> => {
        try {
          await call();
          return { outcome: 'accepted', detail: 'answered' };
        } catch (error) {
          return { outcome: 'refused', detail: reason(error) };
        }
      };
      checks.push({ check: `${check}: read`, via: 'gateway', expected, ...(await attempt(() => actor.evaluate('participants', 'ReadMyParticipant'))) });
      const id = `${fixture.runId}-id-${checks.length}`;
      // The service's own declaration (endorsed by the exchange and the user's org, as the collection requires).
      const call = declareOrderCall(topology, org.key, { id, packageId: fixture.packageId, content: 'identity check', seller: fixture.seller }, { ...orderTerms(), salt: randomBytes(12).toString('hex') });
      const write = await attempt(() => actor.submit(call.contract, call.fn, call.args, { ...(call.transient ? { transient: call.transient } : {}), ...(call.endorsingOrgs ? { orgs: call.endorsingOrgs } : {}) }));
      // A refusal must have written nothing: the order is not on the ledger (the fixture's user, no party, would get 403).
      const read = write.outcome === 'refused' ? await apiCall(baseUrl, bearer(user.token), 'GET', `/orders/${id}`) : undefined;
      const written = read !== undefined && read.status !== 404;
      checks.push({ check: `${check}: write`, via: 'gateway', expected, ...(written ? { outcome: 'accepted', detail: `refused, yet GET ${id} answered ${read.status}: ${write.detail}` } : write) });
    } finally {
      actor.close();
    }
  };

  const ownName = `${org.key}/${user.user}`;
  const [, userSignature] = user.token.split('.');
  await viaService('own token (control)', bearer(user.token), 'accepted');
  await viaService('no token', undefined, 'refused');
  await viaService('malformed token', 'Bearer not-a-token', 'refused');
  await viaService(
    'token signed with another secret',
    bearer(`${Buffer.from(ownName).toString('base64url')}.${createHmac('sha256', randomBytes(32)).update(ownName).digest('base64url')}`),
    'refused',
  );
  await viaService("another user's name on this user's signature", bearer(`${Buffer.from(`${org.key}/${neighbour}`).toString('base64url')}.${userSignature ?? ''}`), 'refused');
  await viaService('a well-signed token of an identity never enrolled', bearer(tokens.issue({ org: org.key, user: `ghost-${run}` })), 'refused');

  await viaGateway('own certificate and key (control)', victim, signingOf(victim), 'accepted');
  await viaGateway("own certificate, another user's key", victim, { certificate: signingOf(victim).certificate, key: signingOf(neighbour).key }, 'refused');
  const rogue = await rogueClientIdentity();
  await viaGateway(`a certificate from a CA ${org.mspId} does not know`, victim, { certificate: rogue.cert, key: rogue.key }, 'refused');

  log(`identities: revoking ${org.mspId}/${victim} (the service's token, the CA's certificate, the channel's CRL)`);
  tokens.revoke({ org: org.key, user: victim });
  const revocation = await revokeIdentity(await network.context(), org.key, victim, log);
  await viaService('revoked identity', bearer(tokens.issue({ org: org.key, user: victim })), 'refused');
  await viaService('another identity of the same org, after the revocation (control)', bearer(tokens.issue({ org: org.key, user: neighbour })), 'accepted');
  await viaGateway('revoked certificate with its own key', neighbour, signingOf(victim), 'refused');
  await viaGateway('another identity of the same org, after the revocation (control)', neighbour, signingOf(neighbour), 'accepted');
  return { checks, revocation, violations: checks.filter((c) => c.outcome !== c.expected) };
}
