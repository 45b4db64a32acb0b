import { CommitError, CommitStatusError, EndorseError, GatewayError } from '@hyperledger/fabric-gateway';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

import { chaincodeErrorOf, type ChaincodeErrorCode } from '@energysale/network';

import { TransactionInvalidError } from './fabric/client';
import { UnknownIdentityError } from './fabric/identities';

/** The request has no valid credentials. */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

/** The request is well-formed JSON but inconsistent in a way the schema cannot say. */
export class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
}

export class RouteNotFoundError extends Error {
  override readonly name = 'RouteNotFoundError';
}

/** RFC 9457 problem details: what every error response carries. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance: string;
  transactionId?: string;
}

/** The chaincode's codes as HTTP statuses: its refusals are the client's doing. */
export const STATUS_OF_CODE: Readonly<Record<ChaincodeErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  FORBIDDEN_ROLE: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ILLEGAL_TRANSITION: 409,
};

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The fields of a problem body every refusal shares, whoever answers it: the service, or nginx (lb/nginx.ts). */
export function problemOf(status: number, code: string, detail: string): Pick<Problem, 'type' | 'title' | 'status' | 'detail' | 'code'> {
  return { type: `urn:energysale:problem:${code.toLowerCase()}`, title: TITLES[status] ?? 'Error', status, detail, code };
}

function transactionIdOf(error: unknown): string | undefined {
  if (error instanceof GatewayError || error instanceof CommitError || error instanceof TransactionInvalidError) {
    return 'transactionId' in error && typeof error.transactionId === 'string' ? error.transactionId : undefined;
  }
  return undefined;
}

/** Maps an error to a status, a stable code and a detail safe to show the client. */
export function classify(error: unknown): { status: number; code: string; detail: string } {
  const coded = chaincodeErrorOf(error);
  if (coded) return { status: STATUS_OF_CODE[coded.code], code: coded.code, detail: coded.detail };
  const validation = error as Partial<FastifyError>;
  if (validation.validation !== undefined || validation.code === 'FST_ERR_VALIDATION') {
    return { status: 400, code: 'INVALID_REQUEST', detail: validation.message ?? 'invalid request' };
  }
  if (error instanceof RouteNotFoundError) return { status: 404, code: 'NOT_FOUND', detail: error.message };
  if (error instanceof InvalidRequestError) return { status: 400, code: 'INVALID_REQUEST', detail: error.message };
  if (validation.statusCode === 400 || validation.statusCode === 413 || validation.statusCode === 415) {
    return { status: 400, code: 'INVALID_REQUEST', detail: validation.message ?? 'invalid request' };
  }
  // The router's own refusals (a path parameter longer than it takes, a URL it cannot decode).
  if (validation.code === 'FST_ERR_MAX_PARAM_LENGTH') return { status: 414, code: 'URI_TOO_LONG', detail: 'a path parameter is too long' };
  if (validation.code === 'FST_ERR_BAD_URL') return { status: 400, code: 'INVALID_REQUEST', detail: 'the URL is not valid' };
  if (error instanceof UnauthorizedError || error instanceof UnknownIdentityError) {
    return { status: 401, code: 'UNAUTHORIZED', detail: 'a valid bearer token of an enrolled identity is required' };
  }
  if (error instanceof TransactionInvalidError || error instanceof CommitError) {
    // Ordered but invalidated (e.g. an MVCC conflict with a concurrent write): retrying may succeed.
    return { status: 503, code: 'TRANSACTION_INVALIDATED', detail: 'the transaction was ordered but not committed as valid; retry' };
  }
  if (error instanceof EndorseError) return { status: 502, code: 'ENDORSEMENT_FAILED', detail: 'the peers did not endorse the transaction' };
  // fabric-gateway exports SubmitError as a type only.
  if (error instanceof GatewayError && error.name === 'SubmitError') return { status: 503, code: 'ORDERING_UNAVAILABLE', detail: 'the ordering service did not accept the transaction' };
  if (error instanceof CommitStatusError) return { status: 503, code: 'COMMIT_STATUS_UNKNOWN', detail: 'the commit status could not be obtained' };
  if (error instanceof GatewayError) return { status: 503, code: 'FABRIC_UNAVAILABLE', detail: 'no peer of the organisation answered' };
  return { status: 500, code: 'INTERNAL', detail: 'internal error' };
}

/** The one error handler: problem+json bodies; a 5xx never shows internals, only the transaction id. */
export function problemHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, code, detail } = classify(error);
  const transactionId = transactionIdOf(error) ?? chaincodeErrorOf(error)?.transactionId;
  if (status >= 500) request.log.error({ err: error, transactionId }, 'request failed');
  else request.log.info({ code, transactionId }, detail);
  const problem: Problem = {
    ...problemOf(status, code, detail),
    instance: request.url,
    ...(transactionId ? { transactionId } : {}),
  };
  return reply.status(status).type('application/problem+json').send(problem);
}
