import { status as GrpcStatus } from '@grpc/grpc-js';
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

/**
 * The endorsement failed only for reasons that pass: an endorser that could not be reached (a peer
 * down, not yet dropped from discovery), or one that could not hand the private data to the peer
 * gossip picked for it (a dead peer still in gossip's membership: Fabric picks one peer per org at
 * random and needs its acknowledgement, requiredPeerCount). Never a refusal of the chaincode.
 */
export function endorsementTransient(error: unknown): boolean {
  if (!(error instanceof GatewayError) || error.details.length === 0) return false;
  const transient = /code = Unavailable|code = DeadlineExceeded|code = Canceled desc = grpc: the client connection is closing|failed to distribute private collection/;
  return error.details.every((d) => transient.test(d.message));
}

/** gRPC's codes for a call that got no answer: its peer could not be reached, or its deadline ran out. */
const NO_ANSWER: readonly number[] = [GrpcStatus.UNAVAILABLE, GrpcStatus.DEADLINE_EXCEEDED];

/** A gateway call that got no answer from its peer (unreachable, or not in the call's time): another peer may serve. */
export function peerUnanswered(error: unknown): error is GatewayError {
  return error instanceof GatewayError && NO_ANSWER.includes(error.code);
}

/** A gateway call whose deadline ran out: its peer may still be working on it (a transaction sent may yet be ordered). */
export function callTimedOut(error: unknown): boolean {
  return error instanceof GatewayError && [GrpcStatus.DEADLINE_EXCEEDED as number].includes(error.code);
}

/**
 * The endorse call got no endorser's answer at all: its own deadline ran out, or its gateway peer
 * could not be reached (no details). Under a peer kill the gateway peer is still waiting on a dead
 * one (a private data push, an endorser not yet dropped from discovery); a moment later, gossip has
 * dropped it. Nothing was ordered.
 */
export function endorsementUnanswered(error: unknown): boolean {
  return peerUnanswered(error) && error.details.length === 0;
}

export interface EndorseRetry {
  /** At most this many attempts (default 6: with the default pause they span gossip's 5 s alive expiration). */
  readonly attempts?: number;
  /** The pause before attempt n+1 is n times this (default 250 ms). */
  readonly pauseMs?: number;
  /** Epoch milliseconds: no attempt starts after this (the caller's budget for the whole endorsement). */
  readonly until?: number;
}

/**
 * Runs an endorsement (or a whole submit, which fails before ordering here) again while the
 * endorsers disagree, some could not serve (see endorsementTransient) or none answered (see
 * endorsementUnanswered): within the attempts and the budget, a growing pause apart. Nothing was
 * ordered, so endorsing the same proposal again is safe. A refusal is never asked again.
 */
export async function endorseUntilAgreed<T>(endorse: () => Promise<T>, retry: EndorseRetry = {}): Promise<T> {
  const { attempts = 6, pauseMs = 250, until } = retry;
  for (let attempt = 1; ; attempt++) {
    try {
      return await endorse();
    } catch (error) {
      const pause = pauseMs * attempt;
      const passing = endorsementMismatch(error) || endorsementTransient(error) || endorsementUnanswered(error);
      if (!passing || attempt >= attempts || (until !== undefined && Date.now() + pause >= until)) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
