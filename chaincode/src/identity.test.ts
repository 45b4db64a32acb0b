import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorize, ROLES, type Role } from './identity';
import { contractError } from './testing/fixtures';

function identity(mspId: string, role: string | null) {
  return { getMSPID: () => mspId, getAttributeValue: () => role, getID: () => `x509::CN=${role ?? 'none'}::CN=ca` };
}

const genuine: readonly (readonly [Role, string])[] = [
  ['exchange', 'ExchangeOrgMSP'],
  ['regulator', 'ExchangeOrgMSP'],
  ['retailer', 'RetailerOrgMSP'],
  ['consumer', 'ConsumerOrgMSP'],
];

void describe('authorize', () => {
  for (const [role, mspId] of genuine) {
    void it(`accepts ${role} from ${mspId}`, () => {
      assert.deepEqual(authorize(identity(mspId, role), ROLES, 'read'), { mspId, role, id: `x509::CN=${role}::CN=ca` });
    });
  }

  void it('refuses a role claimed from another organisation', () => {
    assert.throws(
      () => authorize(identity('ConsumerOrgMSP', 'retailer'), ROLES, 'read'),
      contractError('FORBIDDEN_ROLE', /role 'retailer' is not issued by ConsumerOrgMSP/),
    );
    assert.throws(() => authorize(identity('RetailerOrgMSP', 'exchange'), ROLES, 'read'), contractError('FORBIDDEN_ROLE'));
    assert.throws(() => authorize(identity('OrdererMSP', 'regulator'), ROLES, 'read'), contractError('FORBIDDEN_ROLE'));
  });

  void it('refuses a certificate without a role, or with an unknown one', () => {
    assert.throws(() => authorize(identity('ExchangeOrgMSP', null), ROLES, 'read'), contractError('FORBIDDEN_ROLE', /.*no 'role'/));
    assert.throws(() => authorize(identity('ExchangeOrgMSP', 'admin'), ROLES, 'read'), contractError('FORBIDDEN_ROLE', /unknown role 'admin'/));
  });

  void it('refuses a genuine role that is not allowed', () => {
    assert.throws(
      () => authorize(identity('ConsumerOrgMSP', 'consumer'), ['exchange', 'retailer'], 'create package templates'),
      contractError('FORBIDDEN_ROLE', /role 'consumer' may not create package templates/),
    );
  });
});
