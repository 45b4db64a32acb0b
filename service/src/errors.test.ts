import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { classify, InvalidRequestError, RouteNotFoundError, STATUS_OF_CODE, UnauthorizedError } from './errors';
import { TransactionInvalidError } from './fabric/client';

void describe('classify', () => {
  void it('maps the chaincode codes to 400, 403, 404, 409', () => {
    assert.deepEqual(STATUS_OF_CODE, { INVALID_ARGUMENT: 400, FORBIDDEN_ROLE: 403, NOT_FOUND: 404, CONFLICT: 409, ILLEGAL_TRANSITION: 409 });
  });

  void it('maps request and authentication errors to 4xx', () => {
    assert.equal(classify(new InvalidRequestError('x')).status, 400);
    assert.equal(classify(Object.assign(new Error('body must be object'), { validation: [], statusCode: 400 })).code, 'INVALID_REQUEST');
    assert.equal(classify(new UnauthorizedError('x')).status, 401);
    assert.equal(classify(new RouteNotFoundError('x')).status, 404);
  });

  void it('maps an invalidated transaction to a retryable 503, and anything unknown to a 500 that shows nothing', () => {
    assert.deepEqual(classify(new TransactionInvalidError('tx1', 'MVCC_READ_CONFLICT')).status, 503);
    const unknown = classify(new Error('secret internals at /root/key.pem'));
    assert.deepEqual(unknown, { status: 500, code: 'INTERNAL', detail: 'internal error' });
  });
});
