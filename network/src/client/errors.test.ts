import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ServiceError } from '@grpc/grpc-js';
import { GatewayError } from '@hyperledger/fabric-gateway';

import { callTimedOut, chaincodeErrorOf, endorsementMismatch, endorsementTransient, endorsementUnanswered, endorseUntilAgreed } from './errors';

const gatewayError = (...messages: string[]): GatewayError =>
  new GatewayError({
    code: 10,
    details: messages.map((message) => ({ address: 'peer:1', mspId: 'OrgMSP', message })),
    cause: Object.assign(new Error('10 ABORTED: failed to collect enough transaction endorsements'), { code: 10, details: '', metadata: undefined }) as unknown as ServiceError,
  });

void describe('gateway errors', () => {
  void it("finds the chaincode's coded refusal in an endorser's message", () => {
    const coded = chaincodeErrorOf(gatewayError('chaincode response 500, CONFLICT: order o1 exists'));
    assert.equal(coded?.code, 'CONFLICT');
    assert.equal(coded.detail, 'order o1 exists');
    assert.equal(chaincodeErrorOf(new Error('CONFLICT: not a gateway error')), undefined);
  });

  void it('endorses again while the endorsers disagree, and only then', async () => {
    const mismatch = gatewayError('ProposalResponsePayloads do not match');
    assert.equal(endorsementMismatch(mismatch), true);
    assert.equal(endorsementMismatch(gatewayError('CONFLICT: x')), false);
    let calls = 0;
    assert.equal(await endorseUntilAgreed(() => (++calls < 3 ? Promise.reject(mismatch) : Promise.resolve('agreed')), { attempts: 3, pauseMs: 1 }), 'agreed');
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(endorseUntilAgreed(() => (++calls, Promise.reject(mismatch)), { attempts: 3, pauseMs: 1 }), (e) => e === mismatch);
    assert.equal(calls, 3, 'gave up after 3 attempts');
    calls = 0;
    const refusal = gatewayError('FORBIDDEN_ROLE: no');
    await assert.rejects(endorseUntilAgreed(() => (++calls, Promise.reject(refusal)), { attempts: 3, pauseMs: 1 }), (e) => e === refusal);
    assert.equal(calls, 1, 'a refusal is not asked again');
  });

  void it('endorses again when an endorser could not serve (down, or a dead peer still in gossip), never after a refusal among them', async () => {
    const down = 'rpc error: code = Unavailable desc = connection error: dial tcp 127.0.0.9:1: connect: connection refused';
    const gossip = 'error in simulation: failed to distribute private collection, txID t, channel c: Failed disseminating 1 out of 3 private dissemination plans';
    assert.equal(endorsementTransient(gatewayError(down, gossip)), true);
    assert.equal(endorsementTransient(gatewayError(down, 'chaincode response 500, FORBIDDEN_ROLE: no')), false);
    assert.equal(endorsementTransient(new Error(down)), false);
    let calls = 0;
    assert.equal(await endorseUntilAgreed(() => (++calls < 4 ? Promise.reject(gatewayError(gossip)) : Promise.resolve('endorsed')), { attempts: 5, pauseMs: 1 }), 'endorsed');
    assert.equal(calls, 4);
  });

  void it("endorses again when the call got no endorser's answer (its deadline, or its peer unreachable), within the budget", async () => {
    const unanswered = (code: number): GatewayError =>
      new GatewayError({ code, details: [], cause: Object.assign(new Error(`${code} deadline`), { code, details: '', metadata: undefined }) as unknown as ServiceError });
    assert.equal(endorsementUnanswered(unanswered(4)), true, 'DEADLINE_EXCEEDED');
    assert.equal(endorsementUnanswered(unanswered(14)), true, 'UNAVAILABLE');
    assert.equal(endorsementUnanswered(unanswered(10)), false, 'ABORTED with no answer is not a timeout');
    assert.equal(endorsementUnanswered(gatewayError('FORBIDDEN_ROLE: no')), false, 'an answer');
    let calls = 0;
    assert.equal(await endorseUntilAgreed(() => (++calls < 2 ? Promise.reject(unanswered(4)) : Promise.resolve('endorsed')), { pauseMs: 1 }), 'endorsed');
    assert.equal(calls, 2);
    // No attempt starts past the budget: the first failure, with the budget spent, is the answer.
    calls = 0;
    await assert.rejects(endorseUntilAgreed(() => (++calls, Promise.reject(unanswered(4))), { pauseMs: 50, until: Date.now() + 10 }));
    assert.equal(calls, 1);
  });

  void it('tells a call whose deadline ran out (the transaction may yet be ordered: resent) from one whose peer could not be reached', () => {
    const failed = (code: number): GatewayError =>
      new GatewayError({ code, details: [], cause: Object.assign(new Error(`${code} failed`), { code, details: '', metadata: undefined }) as unknown as ServiceError });
    assert.equal(callTimedOut(failed(4)), true, 'DEADLINE_EXCEEDED');
    assert.equal(callTimedOut(failed(14)), false, 'UNAVAILABLE');
    assert.equal(callTimedOut(new Error('4 DEADLINE_EXCEEDED')), false, 'not a gateway error');
  });
});
