#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { enrollUsers, locateToolchain, NativeNetwork, peerOrg, revokeIdentity, StateLayout, stateTopology, virtualUserNames, type ParticipantRole } from '@energysale/network';

import { TokenIssuer } from './auth/tokens';
import { loadIdentity } from './fabric/identities';
import { startServiceTier, stopServiceTier } from './runtime';

const usage = `usage: service <command>

  token --org O --user U        print the API token of an enrolled identity
  users --org O --count N [--prefix P] [--role R] [--out FILE]
                                enroll N users with the org's CA and write their tokens (JSON) for load tests
  revoke --org O --user U       revoke the identity: its token refused by the service from now on, and its
                                certificate revoked by the org's CA, the CRL put into the org's MSP in the
                                channel config (every peer and orderer refuses what it signs)
  up                            start the service tier beside the network (nginx and the service instances of
                                the model, in the network's runtime: processes, or containers with --runtime docker)
  down                          stop it`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { org: { type: 'string' }, user: { type: 'string' }, count: { type: 'string' }, prefix: { type: 'string' }, role: { type: 'string' }, out: { type: 'string' } },
  });
  const layout = new StateLayout();
  const tokens = new TokenIssuer(layout);
  const [command] = positionals;
  switch (command) {
    case 'token':
    case 'revoke': {
      if (!values.org || !values.user) throw new Error(`${command} needs --org and --user`);
      const identity = loadIdentity(stateTopology(layout).topology, layout, values.org, values.user);
      if (command === 'revoke') {
        tokens.revoke({ org: identity.org.key, user: identity.user });
        process.stdout.write(`${identity.handle}: token refused from now on\n`);
        const network = await NativeNetwork.ofState(layout);
        const revocation = await revokeIdentity(await network.context(), identity.org.key, identity.user, (line) => process.stdout.write(`${line}\n`));
        process.stdout.write(`revoked ${identity.handle} on the chain in ${(revocation.elapsedMs / 1000).toFixed(1)} s\n`);
      } else {
        process.stdout.write(`${tokens.issue({ org: identity.org.key, user: identity.user })}\n`);
      }
      return 0;
    }
    case 'users': {
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
      process.stdout.write(`enrolled ${count} ${role} users of ${org.name}; tokens in ${out}\n`);
      return 0;
    }
    case 'up': {
      const tier = await startServiceTier(layout, { withLb: true });
      process.stdout.write(`service tier up: ${tier.url} (${tier.records.map((r) => r.id).join(', ')})\n`);
      return 0;
    }
    case 'down': {
      const stopped = await stopServiceTier(layout);
      process.stdout.write(`stopped ${stopped.map((r) => r.id).join(', ') || 'nothing (the service tier was not running)'}\n`);
      return 0;
    }
    default:
      process.stdout.write(`${usage}\n`);
      return command ? 2 : 0;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`service: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
