import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { committedChaincodes } from '../chaincode/committed';
import { sharedNetwork, topology } from '../testing/live';
import { locateToolchain } from '../toolchain';
import { peers } from '../topology';
import { AdminCli } from './admin-cli';
import type { CliEnvironmentOptions } from './cli-env';

const network = sharedNetwork();
const channel = topology.channel.name;
const chaincode = topology.chaincode.name;

/**
 * Runs `script` in bash after `eval "$(node -e <print the exports>)"`, as a user pastes it: a shell
 * with no Fabric setting of its own, PATH without the toolchain, the network's state named as for every CLI.
 */
function inShell(options: CliEnvironmentOptions, script: string): { code: number | null; out: string } {
  const printer = `const n = require(${JSON.stringify(join(__dirname, '..', 'index.js'))});
n.locateToolchain().then((t) => process.stdout.write(n.shellExports(n.cliEnvironment(t, new n.StateLayout(), n.stateTopology().topology, ${JSON.stringify(options)}))));`;
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    ENERGYSALE_STATE: network.layout.root,
    ...(process.env.ENERGYSALE_HOSTS === undefined ? {} : { ENERGYSALE_HOSTS: process.env.ENERGYSALE_HOSTS }),
    ...(process.env.ENERGYSALE_CACHE === undefined ? {} : { ENERGYSALE_CACHE: process.env.ENERGYSALE_CACHE }),
  };
  const result = spawnSync('bash', ['-c', `set -e\neval "$(${JSON.stringify(process.execPath)} -e "$PRINTER")"\n${script}`], {
    env: { ...env, PRINTER: printer },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

void describe("Fabric's own CLIs with the printed environment (live network)", { timeout: 300_000 }, () => {
  void it('lists the channel and reads through the chaincode as a user of the org', () => {
    const list = inShell({ org: 'consumer', user: 'consumer1' }, 'peer channel list');
    assert.equal(list.code, 0, list.out);
    assert.match(list.out, new RegExp(`^${channel}$`, 'm'));
    const query = inShell({ org: 'consumer', user: 'consumer1', peer: 'peer1' }, `peer chaincode query -C ${channel} -n ${chaincode} -c '{"Args":["orders:GetReviewMode"]}'`);
    assert.equal(query.code, 0, query.out);
    assert.match(query.out, /^[a-z-]+$/m);
  });

  void it('lists the committed chaincodes as the admin, as committedChaincodes reads them', async () => {
    const shell = inShell({ org: 'exchange' }, `peer lifecycle chaincode querycommitted --channelID ${channel}`);
    assert.equal(shell.code, 0, shell.out);
    const committed = await committedChaincodes(new AdminCli(await locateToolchain(), network.layout, topology), topology);
    const ours = committed.find((c) => c.name === chaincode);
    assert.ok(ours && ours.sequence >= 1, JSON.stringify(committed));
    assert.match(shell.out, new RegExp(`Name: ${chaincode}, Version: ${ours.version}, Sequence: ${ours.sequence}`));
  });

  void it('invokes through the orderer with $ORDERER_ARGS, endorsed by peers of two orgs', () => {
    const endorser = (org: string): string => {
      const p = peers(topology).find((x) => x.org.key === org);
      assert.ok(p);
      return `--peerAddresses ${p.endpoint} --tlsRootCertFiles ${network.layout.caCert(p.org.key)}`;
    };
    const invoke = inShell(
      { org: 'consumer', user: 'consumer1' },
      `peer chaincode invoke $ORDERER_ARGS -C ${channel} -n ${chaincode} ${endorser('exchange')} ${endorser('consumer')} ` +
        `-c '{"Args":["participants:RegisterParticipant"]}' --waitForEvent`,
    );
    assert.equal(invoke.code, 0, invoke.out);
    assert.match(invoke.out, /status:200/);
  });

  void it("lists the orderer's channels with osnadmin as the orderer org's admin", () => {
    const list = inShell({ org: 'orderer', peer: 'orderer2' }, 'osnadmin channel list $OSNADMIN_ARGS');
    assert.equal(list.code, 0, list.out);
    assert.match(list.out, new RegExp(`"name": ?"${channel}"`));
  });
});
