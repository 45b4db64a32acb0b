import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeLedger, fakeContext, type FakeCaller } from '../testing/fake-context';
import { contractError } from '../testing/fixtures';
import { ParticipantContract } from './contract';

const consumer: FakeCaller = { mspId: 'ConsumerOrgMSP', role: 'consumer', id: 'x509::CN=consumer1::CN=ca.consumerorg' };
const t1 = new Date('2025-03-01T00:00:00.000Z');
const t2 = new Date('2025-03-02T00:00:00.000Z');
const contract = new ParticipantContract();

void describe('ParticipantContract', () => {
  void it('records the caller at first login and returns it', async () => {
    const ledger = new FakeLedger();
    const record = JSON.parse(await contract.RegisterParticipant(fakeContext(ledger, consumer, t1))) as Record<string, unknown>;
    assert.deepEqual(record, {
      mspId: 'ConsumerOrgMSP',
      role: 'consumer',
      id: consumer.id,
      handle: 'ConsumerOrgMSP/consumer1',
      previousRoles: [],
      version: 1,
      registeredAt: t1.toISOString(),
      updatedAt: t1.toISOString(),
    });
    assert.equal(await contract.ReadMyParticipant(fakeContext(ledger, consumer, t2)), JSON.stringify(record));
  });

  void it('writes nothing when the same identity logs in again with the same role', async () => {
    const ledger = new FakeLedger();
    const first = await contract.RegisterParticipant(fakeContext(ledger, consumer, t1));
    const again = await contract.RegisterParticipant(fakeContext(ledger, consumer, t2));
    assert.equal(again, first);
    assert.equal(ledger.writes.length, 1);
  });

  void it('records a role change as a new version', async () => {
    const ledger = new FakeLedger();
    const regulator: FakeCaller = { mspId: 'ExchangeOrgMSP', role: 'regulator', id: 'x509::CN=u1::CN=ca' };
    await contract.RegisterParticipant(fakeContext(ledger, regulator, t1));
    const changed = JSON.parse(
      await contract.RegisterParticipant(fakeContext(ledger, { ...regulator, role: 'exchange' }, t2)),
    ) as Record<string, unknown>;
    assert.equal(changed.role, 'exchange');
    assert.equal(changed.version, 2);
    assert.equal(changed.registeredAt, t1.toISOString());
    assert.equal(changed.updatedAt, t2.toISOString());
    assert.deepEqual(changed.previousRoles, [{ role: 'regulator', until: t2.toISOString() }]);
  });

  void it('refuses a caller without a genuine role and writes nothing', async () => {
    const ledger = new FakeLedger();
    await assert.rejects(
      contract.RegisterParticipant(fakeContext(ledger, { mspId: 'ConsumerOrgMSP', role: 'retailer' }, t1)),
      contractError('FORBIDDEN_ROLE'),
    );
    assert.equal(ledger.writes.length, 0);
  });

  void it('answers NOT_FOUND for an identity that never registered', async () => {
    await assert.rejects(contract.ReadMyParticipant(fakeContext(new FakeLedger(), consumer, t1)), contractError('NOT_FOUND'));
  });
});
