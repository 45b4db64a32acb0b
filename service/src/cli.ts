#!/usr/bin/env node
import { command, enrollUsers, locateToolchain, NativeNetwork, peerOrg, revokeIdentity, runCli, StateLayout, stateTopology, virtualUserNames, type Cli, type ParticipantRole } from '@energysale/network';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { TokenIssuer } from './auth/tokens';
import { loadIdentity } from './fabric/identities';
import { startServiceTier, stopServiceTier } from './runtime';

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** The state's identity of --org and --user (token, revoke). */
function namedIdentity(values: { org?: string | undefined; user?: string | undefined }, command: string, layout: StateLayout): ReturnType<typeof loadIdentity> {
  if (!values.org || !values.user) throw new Error(`${command} needs --org and --user`);
  return loadIdentity(stateTopology(layout).topology, layout, values.org, values.user);
}

export const serviceCli: Cli = {
  name: 'service',
  summary: "The retail service: its users' API tokens and identities, and the service tier beside the network.",
  bareExitCode: 0,
  commands: [
    command({
      name: 'token',
      summary: 'print the API token of an enrolled identity',
      usage: 'token --org O --user U',
      help: `Prints the API token of an enrolled identity.
  --org O    the identity's org (its key in the model)
  --user U   the identity's user name`,
      options: { org: { type: 'string' }, user: { type: 'string' } },
      run: ({ values }) => {
        const layout = new StateLayout();
        const identity = namedIdentity(values, 'token', layout);
        print(new TokenIssuer(layout).issue({ org: identity.org.key, user: identity.user }));
        return 0;
      },
    }),
    command({
      name: 'users',
      summary: 'enroll N users with the org\'s CA and write their tokens (JSON) for load tests',
      usage: 'users --org O --count N [--prefix P] [--role R] [--out FILE]',
      help: `Enrolls N users with the org's CA and writes their tokens (JSON) for load tests.
  --org O      the org (its key in the model)
  --count N    how many, 1 to 10000
  --prefix P   their names' prefix (default <org>-vu)
  --role R     their role (default: the org's)
  --out FILE   where the tokens go (default <state>/service/users-<org>.json)`,
      options: { org: { type: 'string' }, count: { type: 'string' }, prefix: { type: 'string' }, role: { type: 'string' }, out: { type: 'string' } },
      run: async ({ values }) => {
        const layout = new StateLayout();
        const tokens = new TokenIssuer(layout);
        if (!values.org || !values.count) throw new Error('users needs --org and --count');
        const org = peerOrg(stateTopology(layout).topology, values.org);
        const count = Number(values.count);
        if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new Error(`--count must be 1..10000, got ${values.count}`);
        const role = (values.role ?? org.role) as ParticipantRole;
        const names = virtualUserNames(values.prefix ?? `${org.key}-vu`, count);
        await enrollUsers(await locateToolchain(), layout, stateTopology(layout).topology, org.key, names, role);
        const users = names.map((user) => ({ org: org.key, user, handle: `${org.mspId}/${user}`, role, token: tokens.issue({ org: org.key, user }) }));
        const out = values.out ?? join(layout.root, 'service', `users-${org.key}.json`);
        writeFileSync(out, JSON.stringify({ users }, null, 2), { mode: 0o600 });
        print(`enrolled ${count} ${role} users of ${org.name}; tokens in ${out}`);
        return 0;
      },
    }),
    command({
      name: 'revoke',
      summary: 'revoke an identity: its token refused by the service, its certificate revoked on the chain',
      usage: 'revoke --org O --user U',
      help: `Revokes the identity: its token refused by the service from now on, and its certificate revoked by the
org's CA, the CRL put into the org's MSP in the channel config (every peer and orderer refuses what it signs).
  --org O    the identity's org (its key in the model)
  --user U   the identity's user name`,
      options: { org: { type: 'string' }, user: { type: 'string' } },
      run: async ({ values }) => {
        const layout = new StateLayout();
        const identity = namedIdentity(values, 'revoke', layout);
        new TokenIssuer(layout).revoke({ org: identity.org.key, user: identity.user });
        print(`${identity.handle}: token refused from now on`);
        const network = await NativeNetwork.ofState(layout);
        const revocation = await revokeIdentity(await network.context(), identity.org.key, identity.user, print);
        print(`revoked ${identity.handle} on the chain in ${(revocation.elapsedMs / 1000).toFixed(1)} s`);
        return 0;
      },
    }),
    command({
      name: 'up',
      summary: 'start the service tier beside the network (nginx and the service instances of the model)',
      usage: 'up',
      help: `Starts the service tier beside the network: nginx and the service instances of the model, in the
network's runtime (processes, or containers when the network was brought up with --runtime docker).`,
      options: {},
      run: async () => {
        const tier = await startServiceTier(new StateLayout(), { withLb: true });
        print(`service tier up: ${tier.url} (${tier.records.map((r) => r.id).join(', ')})`);
        return 0;
      },
    }),
    command({
      name: 'down',
      summary: 'stop the service tier',
      usage: 'down',
      help: 'Stops the service tier that `up` started.',
      options: {},
      run: async () => {
        const stopped = await stopServiceTier(new StateLayout());
        print(`stopped ${stopped.map((r) => r.id).join(', ') || 'nothing (the service tier was not running)'}`);
        return 0;
      },
    }),
  ],
};

// Run as the service CLI; imported (by its test), the table alone.
if (require.main === module) runCli(serviceCli);
