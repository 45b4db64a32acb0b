import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

import { MSP_OF_ROLE } from '@energysale/chaincode';

import { chaincodeCollections, repoRoot } from '../util/paths';
import { allNodes, boundEndpoints, chaincodeServers, orderers, peers, TopologyError, validateTopology } from './derive';
import { energysale } from './energysale';
import { isTopologySize, TOPOLOGIES } from './sizes';
import type { Topology } from './types';

void describe('the energysale topology model', () => {
  void it("is the paper's deployment: 3 orderers, ExchangeOrg 3 peers, ConsumerOrg 2, RetailerOrg 2, 4 hosts", () => {
    validateTopology(energysale);
    assert.equal(energysale.domain, 'energysale.com');
    assert.equal(orderers(energysale).length, 3);
    assert.deepEqual(
      energysale.peerOrgs.map((o) => [o.name, o.peers.length]),
      [['ExchangeOrg', 3], ['ConsumerOrg', 2], ['RetailerOrg', 2]],
    );
    assert.equal(energysale.hosts.length, 4);
    assert.deepEqual(peers(energysale).map((p) => p.id).sort(), [
      'peer0.consumerorg.energysale.com',
      'peer0.exchangeorg.energysale.com',
      'peer0.retailerorg.energysale.com',
      'peer1.consumerorg.energysale.com',
      'peer1.exchangeorg.energysale.com',
      'peer1.retailerorg.energysale.com',
      'peer2.exchangeorg.energysale.com',
    ]);
  });

  void it('keeps a Raft majority when any one host is lost', () => {
    for (const host of energysale.hosts) {
      const left = orderers(energysale).filter((o) => o.host.name !== host.name).length;
      assert.ok(left >= 2, `losing ${host.name} leaves ${left} orderers`);
    }
  });

  void it('has a chaincode server on every host that runs peers', () => {
    const hostsWithPeers = new Set(peers(energysale).map((p) => p.host.name));
    assert.deepEqual(new Set(chaincodeServers(energysale).map((s) => s.host.name)), hostsWithPeers);
  });

  void it('agrees with the roles the chaincode believes each MSP issues', () => {
    for (const org of energysale.peerOrgs) {
      for (const role of [org.role, ...org.users.map((u) => u.role)]) assert.equal(MSP_OF_ROLE[role], org.mspId, role);
    }
  });

  void it("keeps the chaincode's private terms among the two trading parties' orgs, which the model has", () => {
    const collections = JSON.parse(readFileSync(chaincodeCollections, 'utf8')) as { name: string; policy: string; memberOnlyRead: boolean }[];
    const terms = collections.find((c) => c.name === 'tradeTerms');
    assert.ok(terms);
    const members = [...terms.policy.matchAll(/'([A-Za-z0-9]+)\.member'/g)].map((m) => m[1]).sort();
    const parties = energysale.peerOrgs.filter((o) => o.role === 'consumer' || o.role === 'retailer').map((o) => o.mspId).sort();
    assert.deepEqual(members, parties);
    assert.equal(terms.memberOnlyRead, true);
  });

  void it('refuses a port used twice on one host, a shared address and a non-loopback address', () => {
    const clash: Topology = {
      ...energysale,
      peerOrgs: energysale.peerOrgs.map((org, i) =>
        i === 0 ? { ...org, peers: [...org.peers, { name: 'peer9', host: 'vm1', ports: { listen: 7051, chaincode: 1, operations: 2, profile: 3, couchdb: 4 } }] } : org,
      ),
    };
    assert.throws(() => { validateTopology(clash); }, (e: unknown) => e instanceof TopologyError && /127\.10\.0\.1:7051 is used twice/.test(e.message));
    const external: Topology = { ...energysale, hosts: energysale.hosts.map((h, i) => (i === 0 ? { ...h, address: '10.0.0.1' } : h)) };
    assert.throws(() => { validateTopology(external); }, /not a loopback/);
    const shared: Topology = { ...energysale, hosts: energysale.hosts.map((h, i) => (i === 1 ? { ...h, address: '127.10.0.1' } : h)) };
    assert.throws(() => { validateTopology(shared); }, TopologyError);
    assert.throws(() => { validateTopology({ ...energysale, ordererOrg: { ...energysale.ordererOrg, orderers: [{ name: 'o', host: 'vm9', ports: { listen: 1, cluster: 5, admin: 2, operations: 3, profile: 4 } }] } }); }, /unknown host "vm9"/);
  });

  void it('is the only place that writes a port, a host address or a node name', () => {
    const ports = new Set(boundEndpoints(energysale).map((b) => b.endpoint.split(':')[1]));
    const addresses = energysale.hosts.map((h) => h.address);
    const names = allNodes(energysale).map((n) => n.id);
    // The model, and its own tests that check it against the paper's Table 2.
    const allowed = new Set(['energysale.ts', 'topology.test.ts'].map((f) => join(repoRoot, 'network', 'src', 'topology', f)));
    const offenders: string[] = [];
    for (const workspace of ['network', 'chaincode', 'service', 'bench', 'scripts']) {
      for (const file of sourceFiles(join(repoRoot, workspace))) {
        if (allowed.has(file)) continue;
        const text = readFileSync(file, 'utf8');
        const hits = [
          ...[...ports].filter((p) => new RegExp(`(?<![\\w.])${p}(?![\\w.])`).test(text)).map((p) => `port ${p}`),
          ...addresses.filter((a) => text.includes(a)),
          ...names.filter((n) => text.includes(n)),
        ];
        if (hits.length > 0) offenders.push(`${relative(repoRoot, file)}: ${hits.join(', ')}`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});

function sourceFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs|js|json|yaml|yml)$/.test(name) ? [path] : [];
  });
}

void describe('the sizes of the model', () => {
  void it('reduced keeps one peer per org, its anchor, with the same ports, and a chaincode server only where a peer is', () => {
    const reduced = TOPOLOGIES.reduced;
    validateTopology(reduced);
    assert.equal(TOPOLOGIES.paper, energysale);
    assert.deepEqual(peers(reduced).map((p) => p.id).sort(), ['peer0.consumerorg.energysale.com', 'peer0.exchangeorg.energysale.com', 'peer0.retailerorg.energysale.com']);
    const same = (p: ReturnType<typeof peers>[number]) => ({ node: p.node, host: p.host, endpoint: p.endpoint, operations: p.operationsEndpoint, msp: p.org.mspId });
    for (const peer of peers(reduced)) assert.deepEqual(same(peer), same(peers(energysale).find((p) => p.id === peer.id) ?? assert.fail(peer.id)));
    assert.deepEqual(chaincodeServers(reduced).map((c) => c.host.name), ['vm1', 'vm3', 'vm4']);
    assert.deepEqual(orderers(reduced), orderers(energysale));
    assert.deepEqual({ ...reduced, peerOrgs: [], chaincode: null }, { ...energysale, peerOrgs: [], chaincode: null });
    assert.equal(reduced.chaincode.endorsementPolicy, energysale.chaincode.endorsementPolicy);
  });

  void it('knows its size names', () => {
    assert.ok(isTopologySize('paper') && isTopologySize('reduced'));
    assert.ok(!isTopologySize('huge'));
  });
});
