import { GatewayError } from '@hyperledger/fabric-gateway';

/** The stable codes the chaincode puts at the start of its error messages (`CODE: detail`). */
export const CHAINCODE_ERROR_CODES = ['INVALID_ARGUMENT', 'FORBIDDEN_ROLE', 'NOT_FOUND', 'CONFLICT', 'ILLEGAL_TRANSITION'] as const;
export type ChaincodeErrorCode = (typeof CHAINCODE_ERROR_CODES)[number];

/** A transaction the chaincode refused, with the code it gave; the gateway's error is its cause. */
export class ChaincodeError extends Error {
  override readonly name = 'ChaincodeError';
  constructor(
    readonly code: ChaincodeErrorCode,
    readonly detail: string,
    readonly transactionId: string | undefined,
    options: ErrorOptions,
  ) {
    super(`${code}: ${detail}`, options);
  }
}

const CODED = new RegExp(`\\b(${CHAINCODE_ERROR_CODES.join('|')}): (.*)$`, 's');

/**
 * The chaincode's coded refusal inside a gateway error (each endorsing peer's message is in its
 * details), or undefined when the failure is not the chaincode's (network, endorsement policy, ...).
 */
export function chaincodeErrorOf(error: unknown): ChaincodeError | undefined {
  if (!(error instanceof GatewayError)) return undefined;
  for (const detail of error.details) {
    const match = CODED.exec(detail.message);
    if (match?.[1] !== undefined) {
      const transactionId = 'transactionId' in error && typeof error.transactionId === 'string' ? error.transactionId : undefined;
      return new ChaincodeError(match[1] as ChaincodeErrorCode, match[2] ?? '', transactionId, { cause: error });
    }
  }
  return undefined;
}
