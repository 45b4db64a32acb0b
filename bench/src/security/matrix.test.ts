import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { allowed, describeState, illegalAttempts, reachableStates, stepRequest } from './matrix';

void describe("the role × transition matrix, derived from the chaincode's flow", () => {
  void it('reaches every state of the default review mode along the shortest path of steps', () => {
    const states = reachableStates();
    const names = states.map((s) => describeState(s.state));
    for (const expected of ['drafting/submitted/retailer', 'review/pending/exchange', 'signing/signed/exchange', 'execution/executing/exchange', 'frozen/disputed/exchange', 'execution/expired/none', 'drafting/deleted/none']) {
      assert.ok(names.includes(expected), `${expected} not reached: ${names.join(', ')}`);
    }
    assert.equal(new Set(names).size, names.length);
    const executing = states.find((s) => describeState(s.state) === 'execution/executing/exchange');
    assert.deepEqual(executing?.path.map((p) => `${p.by}:${p.action}`), ['retailer:confirm', 'user:confirm', 'exchange:approve', 'user:sign', 'retailer:sign', 'exchange:start-execution']);
  });

  void it('knows who may do what: the parties and the exchange by the table, the regulator and outsiders never', () => {
    const submitted = { stage: 'drafting', status: 'submitted', nextOperator: 'retailer' } as const;
    assert.equal(allowed(submitted, 'confirm', 'retailer'), true);
    assert.equal(allowed(submitted, 'confirm', 'user'), false);
    assert.equal(allowed(submitted, 'cancel', 'user'), true);
    assert.equal(allowed(submitted, 'approve', 'exchange'), false, 'review comes after confirmation in the default mode');
    assert.equal(allowed(submitted, 'confirm', 'regulator'), false);
    assert.equal(allowed(submitted, 'confirm', 'outsider'), false);
    const attempts = illegalAttempts();
    assert.ok(attempts.length > 500, `${attempts.length} illegal attempts`);
    assert.ok(!attempts.some((a) => a.actor === 'retailer' && a.action === 'confirm' && describeState(a.state) === 'drafting/submitted/retailer'));
    assert.ok(!attempts.some((a) => a.state.status === 'deleted'), 'a deleted order has no steps to try');
  });

  void it('sends the steps that take a reason with one', () => {
    assert.deepEqual(stepRequest('o-1', 'reject'), { method: 'POST', path: '/orders/o-1/reject', body: { reason: 'role matrix' } });
    assert.deepEqual(stepRequest('o-1', 'sign'), { method: 'POST', path: '/orders/o-1/sign' });
  });
});
