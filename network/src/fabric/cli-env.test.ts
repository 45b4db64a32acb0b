import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';

import { identityOf } from '../crypto/org-crypto';
import { StateLayout } from '../state/layout';
import type { Toolchain } from '../toolchain';
import { energysale, orderers, peers } from '../topology';
import { AdminCli } from './admin-cli';
import { cliEnvironment, shellExports, shellQuote } from './cli-env';

const layout = new StateLayout('/state');
const toolchain = { binDir: '/cache/bin', sampleConfigDir: '/cache/sampleconfig' } as Toolchain;
const env = (options: Parameters<typeof cliEnvironment>[3]): Record<string, string> => cliEnvironment(toolchain, layout, energysale, options, '/usr/bin');
/** A peer of the model by org key and name: the test names no address or node id of its own. */
const peer = (org: string, name: string) => {
  const found = peers(energysale).find((p) => p.org.key === org && p.node.name === name);
  assert.ok(found);
  return found;
};
const orderer = (name: string) => {
  const found = orderers(energysale).find((o) => o.node.name === name);
  assert.ok(found);
  return found;
};

void describe('the environment of Fabric CLIs for an org', () => {
  void it("acts as the org's admin against its first peer, with the admin's TLS client certificate", () => {
    const admin = identityOf(layout, 'consumer', 'orgadmin');
    const orderer0 = orderer('orderer0');
    assert.deepEqual(env({ org: 'consumer' }), {
      PATH: '/cache/bin:/usr/bin',
      FABRIC_CFG_PATH: '/cache/sampleconfig',
      CORE_PEER_LOCALMSPID: 'ConsumerOrgMSP',
      CORE_PEER_MSPCONFIGPATH: admin.mspDir,
      CORE_PEER_TLS_ENABLED: 'true',
      CORE_PEER_TLS_CLIENTAUTHREQUIRED: 'true',
      CORE_PEER_TLS_CLIENTCERT_FILE: admin.tlsCert,
      CORE_PEER_TLS_CLIENTKEY_FILE: admin.tlsKey,
      CORE_PEER_ADDRESS: peer('consumer', 'peer0').endpoint,
      CORE_PEER_TLS_ROOTCERT_FILE: layout.caCert('consumer'),
      ORDERER_ARGS: [
        '-o', orderer0.endpoint, '--ordererTLSHostnameOverride', orderer0.id, '--tls', '--cafile', layout.caCert('orderer'),
        '--clientauth', '--certfile', admin.tlsCert, '--keyfile', admin.tlsKey,
      ].join(' '),
    });
  });

  void it('acts as a user, against a named peer', () => {
    const user = identityOf(layout, 'exchange', 'regulator1');
    const e = env({ org: 'ExchangeOrg', user: 'regulator1', peer: 'peer2' });
    assert.equal(e.CORE_PEER_MSPCONFIGPATH, user.mspDir);
    assert.equal(e.CORE_PEER_TLS_CLIENTCERT_FILE, user.tlsCert);
    assert.equal(e.CORE_PEER_ADDRESS, peer('exchange', 'peer2').endpoint);
    assert.match(e.ORDERER_ARGS ?? '', new RegExp(`--certfile ${user.tlsCert} --keyfile ${user.tlsKey}$`));
  });

  void it("gives the orderer org's admin osnadmin's flags for an orderer, and no peer", () => {
    const admin = identityOf(layout, 'orderer', 'orgadmin');
    const e = env({ org: 'orderer', peer: 'orderer1' });
    assert.equal(e.CORE_PEER_ADDRESS, undefined);
    assert.equal(e.CORE_PEER_LOCALMSPID, 'OrdererMSP');
    const orderer1 = orderer('orderer1');
    assert.equal(e.OSNADMIN_ARGS, `-o ${orderer1.adminEndpoint} --ca-file ${layout.caCert('orderer')} --client-cert ${admin.tlsCert} --client-key ${admin.tlsKey}`);
    assert.ok((e.ORDERER_ARGS ?? '').startsWith(`-o ${orderer1.endpoint} --ordererTLSHostnameOverride ${orderer1.id} `), e.ORDERER_ARGS);
  });

  void it('refuses an unknown org or peer', () => {
    assert.throws(() => env({ org: 'nobody' }), /unknown org "nobody"/);
    assert.throws(() => env({ org: 'consumer', peer: 'peer7' }), /no node "peer7" in org consumer/);
  });

  void it("is what our own admin calls run with (one source for both)", () => {
    const cli = new AdminCli(toolchain, layout, energysale);
    const target = peer('retailer', 'peer1');
    const printed = env({ org: 'retailer', peer: 'peer1' });
    const without = (env: Record<string, string>, keys: readonly string[]) => Object.fromEntries(Object.entries(env).filter(([k]) => !keys.includes(k)));
    // What only one of them sets: our calls keep the caller's PATH and HOME and quiet Fabric's logs; the printed one carries the orderer's flags.
    assert.deepEqual(without(cli.peerEnv(target), ['PATH', 'HOME', 'FABRIC_LOGGING_SPEC']), without(printed, ['PATH', 'ORDERER_ARGS']));
    assert.equal(cli.ordererFlags(target).join(' '), printed.ORDERER_ARGS);
  });
});

void describe('shell exports', () => {
  void it('survive a POSIX shell whatever the value holds', () => {
    const values = { PLAIN: '/a/b', SPACES: '-o x --tls', QUOTES: `it's "so"`, DOLLAR: '$HOME `id` \\n' };
    const script = `${shellExports(values)}printf '%s\\n' "$PLAIN" "$SPACES" "$QUOTES" "$DOLLAR"`;
    const out = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
    assert.equal(out.stdout, `${Object.values(values).join('\n')}\n`);
    assert.equal(shellQuote("a'b"), `'a'\\''b'`);
  });
});
