import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { connectGateway } from '../client/gateway';
import { sharedNetwork, topology } from '../testing/live';
import { locateToolchain } from '../toolchain';
import { enrollUsers, virtualUserNames } from './org-crypto';

const network = sharedNetwork();

void describe('bulk enrollment of virtual users (live CA)', { timeout: 300_000 }, () => {
  void it('enrolls 30 consumers, each with its own key and the role attribute, who can transact', async () => {
    const names = virtualUserNames('it-vu', 30);
    const files = await enrollUsers(await locateToolchain(), network.layout, topology, 'consumer', names, 'consumer');
    assert.equal(files.length, 30);
    const keys = new Set(files.map((f) => readFileSync(f.signKey, 'utf8')));
    assert.equal(keys.size, 30, 'every user has its own key');
    for (const f of files) {
      const cert = new X509Certificate(readFileSync(f.signCert));
      assert.ok(cert.checkIssued(new X509Certificate(readFileSync(network.layout.caCert('consumer')))));
      // fabric-ca writes attributes into the certificate as JSON under its own extension.
      assert.match(cert.raw.toString('latin1'), /"role":"consumer"/);
    }
    const again = await enrollUsers(await locateToolchain(), network.layout, topology, 'consumer', names.slice(0, 2), 'consumer');
    assert.equal(readFileSync(again[0]?.signCert ?? '', 'utf8'), readFileSync(files[0]?.signCert ?? '', 'utf8'), 're-enrolling keeps the identity');

    const last = names[names.length - 1] ?? '';
    const connection = connectGateway(topology, network.layout, { org: 'consumer', user: last });
    try {
      const contract = connection.gateway.getNetwork(topology.channel.name).getContract(topology.chaincode.name, 'participants');
      const record = JSON.parse(Buffer.from(await contract.submitTransaction('RegisterParticipant')).toString()) as { role: string; id: string };
      assert.equal(record.role, 'consumer');
      assert.match(record.id, new RegExp(`CN=${last}`));
    } finally {
      connection.close();
    }
  });
});
