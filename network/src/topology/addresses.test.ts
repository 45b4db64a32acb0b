import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { newStateTopology, StaleStateError, stateTopology, topologyHash } from '../runtime/native/network';
import { StateLayout } from '../state/layout';
import { addressesFromEnv, hostAddresses, HOSTS_VARIABLE, parseHostAddresses, sameAddresses, withHostAddresses } from './addresses';
import { TopologyError } from './derive';
import { energysale } from './energysale';
import { TOPOLOGIES } from './sizes';

/** A state directory whose network.json records this topology (and, unless told not to, its hosts). */
function stateOf(topology: typeof energysale, options: { recordHosts: boolean } = { recordHosts: true }): StateLayout {
  const layout = new StateLayout(mkdtempSync(join(tmpdir(), 'energysale-hosts-')));
  const status = { topologyHash: topologyHash(topology), ...(options.recordHosts ? { hosts: hostAddresses(topology) } : {}) };
  writeFileSync(layout.statusFile, JSON.stringify(status));
  return layout;
}

void describe('the hosts addresses setting', () => {
  void it('reads a three-octet prefix as the n-th host at .n, and name=address pairs as given', () => {
    assert.deepEqual(parseHostAddresses('127.20.0', energysale), { vm1: '127.20.0.1', vm2: '127.20.0.2', vm3: '127.20.0.3', vm4: '127.20.0.4' });
    assert.deepEqual(parseHostAddresses('vm2=127.30.0.9, vm4=127.30.0.7', energysale), { vm2: '127.30.0.9', vm4: '127.30.0.7' });
    for (const bad of ['', '127.20', 'vm1', 'vm1=', '=127.0.0.1', 'vm1=127.0.0.1,,']) {
      assert.throws(() => parseHostAddresses(bad, energysale), TopologyError, bad);
    }
  });

  void it('moves only the hosts named, keeps every other field, and refuses an unknown host or a non-loopback address', () => {
    const moved = withHostAddresses(energysale, { vm2: '127.30.0.9' });
    assert.deepEqual(
      moved.hosts.map((h) => h.address),
      energysale.hosts.map((h) => (h.name === 'vm2' ? '127.30.0.9' : h.address)),
    );
    assert.deepEqual({ ...moved, hosts: energysale.hosts }, energysale);
    assert.throws(() => withHostAddresses(energysale, { vm9: '127.30.0.9' }), /no host vm9/);
    assert.throws(() => withHostAddresses(energysale, { vm1: '10.0.0.1' }), /not a loopback/);
    assert.throws(() => withHostAddresses(energysale, { vm1: energysale.hosts[1]?.address ?? '' }), /used twice|shared with another host/);
  });

  void it('comes from ENERGYSALE_HOSTS for a new state, the model when unset', () => {
    assert.equal(addressesFromEnv(energysale, {}), undefined);
    assert.equal(addressesFromEnv(energysale, { [HOSTS_VARIABLE]: '' }), undefined);
    assert.equal(newStateTopology('paper', {}), energysale);
    const reduced = newStateTopology('reduced', { [HOSTS_VARIABLE]: '127.20.0' });
    assert.deepEqual(hostAddresses(reduced), parseHostAddresses('127.20.0', energysale));
    assert.equal(reduced.peerOrgs.flatMap((o) => o.peers).length, 3);
    assert.ok(sameAddresses({ a: '1', b: '2' }, { b: '2', a: '1' }));
    assert.ok(!sameAddresses({ a: '1' }, { a: '1', b: '2' }));
  });
});

void describe("a state's model", () => {
  void it('is the size and the addresses it was made with, whatever the environment says when it agrees or is silent', () => {
    const moved = withHostAddresses(TOPOLOGIES.reduced, parseHostAddresses('127.20.0', energysale));
    const layout = stateOf(moved);
    assert.deepEqual(stateTopology(layout, {}), { size: 'reduced', topology: moved });
    assert.deepEqual(stateTopology(layout, { [HOSTS_VARIABLE]: '127.20.0' }).topology, moved);
  });

  void it('is the model itself for a state made before addresses were recorded, and for no state at all', () => {
    assert.deepEqual(stateTopology(stateOf(energysale, { recordHosts: false }), {}), { size: 'paper', topology: energysale });
    const none = new StateLayout(join(tmpdir(), 'energysale-no-state-here'));
    assert.deepEqual(stateTopology(none, { [HOSTS_VARIABLE]: '127.20.0' }).topology.hosts[0]?.address, '127.20.0.1');
  });

  void it('is refused when ENERGYSALE_HOSTS puts the hosts elsewhere, or when no size of the model matches', () => {
    assert.throws(() => stateTopology(stateOf(energysale), { [HOSTS_VARIABLE]: '127.20.0' }), StaleStateError);
    const layout = new StateLayout(mkdtempSync(join(tmpdir(), 'energysale-hosts-')));
    writeFileSync(layout.statusFile, JSON.stringify({ topologyHash: 'not-a-model', hosts: hostAddresses(energysale) }));
    assert.throws(() => stateTopology(layout, {}), StaleStateError);
  });
});
