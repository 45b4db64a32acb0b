import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { sharedNetwork, topology } from '../../testing/live';
import { auditTls, type TlsProbe } from '../../testing/tls-probe';
import { certificateAuthorities, chaincodeServers, clientAuthOf, orderers, peers } from '../../topology';

const network = sharedNetwork();

void describe('TLS everywhere (live)', () => {
  let probes: TlsProbe[];
  before(async () => {
    probes = await auditTls(topology, network.layout);
  });
  const of = (kinds: readonly TlsProbe['kind'][]): TlsProbe[] => probes.filter((p) => kinds.includes(p.kind));
  const unexpected = (list: readonly TlsProbe[]): string[] => list.filter((p) => p.outcome !== p.expected).map((p) => `${p.node} ${p.client}: ${p.outcome}`);

  void it('probes every TLS endpoint of the model, with clients it must accept and clients it must refuse', () => {
    const nodes = [...peers(topology), ...orderers(topology), ...chaincodeServers(topology), ...certificateAuthorities(topology)];
    for (const node of nodes) {
      const own = probes.filter((p) => p.node === node.id);
      assert.ok(own.some((p) => p.expected === 'accepted') && own.some((p) => p.expected === 'refused'), `${node.id}: ${JSON.stringify(own)}`);
    }
  });

  void it(`peers and orderers accept an org identity, refuse plaintext, and ${clientAuthOf(topology) === 'required' ? 'refuse' : 'accept'} no client certificate and an unknown CA's (client authentication ${clientAuthOf(topology)})`, () => {
    assert.deepEqual(unexpected(of(['peer', 'orderer'])), []);
    const refusedEach = clientAuthOf(topology) === 'required' ? 3 : 1;
    assert.equal(of(['peer', 'orderer']).filter((p) => p.outcome === 'refused').length, refusedEach * (peers(topology).length + orderers(topology).length));
  });

  void it("Raft's cluster ports accept only a consenter, whatever the client authentication", () => {
    assert.deepEqual(unexpected(of(['orderer cluster'])), []);
    assert.equal(of(['orderer cluster']).filter((p) => p.outcome === 'refused').length, 2 * orderers(topology).length);
  });

  void it("a chaincode server accepts only its own org's peers, over TLS", () => {
    assert.deepEqual(unexpected(of(['chaincode'])), []);
  });

  void it("the channel participation API accepts only the ordering org's admins", () => {
    assert.deepEqual(unexpected(of(['orderer admin'])), []);
  });

  void it('CAs serve HTTPS only, with a certificate from the org CA', () => {
    assert.deepEqual(unexpected(of(['ca'])), []);
  });
});
