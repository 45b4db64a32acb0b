/**
 * Stable error codes. The service maps them to HTTP statuses and clients branch on them, so a code
 * never changes meaning; add a new one instead.
 */
export type ErrorCode = 'INVALID_ARGUMENT' | 'FORBIDDEN_ROLE' | 'NOT_FOUND' | 'CONFLICT' | 'ILLEGAL_TRANSITION';

/**
 * A refusal by the contract. The shim passes only an error's message back to the peer (and from
 * there to the gateway client), so the code travels at the start of the message: `CODE: detail`.
 */
export class ContractError extends Error {
  override readonly name = 'ContractError';

  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}
