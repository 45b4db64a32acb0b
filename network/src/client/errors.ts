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
  if (error instanceof ChaincodeError) return error;
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

/**
 * The endorsers disagreed on the result ("ProposalResponsePayloads do not match"): typically a peer
 * a block behind read older state just after a write it has not committed yet. Nothing was ordered,
 * so endorsing again, a moment later, may agree.
 */
export function endorsementMismatch(error: unknown): boolean {
  return error instanceof GatewayError && error.details.some((d) => d.message.includes('ProposalResponsePayloads do not match'));
}

/** Runs an endorsement (or a whole submit, which fails before ordering here) again while the endorsers disagree: at most `attempts` times, `pauseMs` apart. */
export async function endorseUntilAgreed<T>(endorse: () => Promise<T>, attempts = 3, pauseMs = 250): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await endorse();
    } catch (error) {
      if (attempt >= attempts || !endorsementMismatch(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs * attempt));
    }
  }
}
