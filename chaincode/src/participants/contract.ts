import { Context, Contract, Returns, Transaction } from 'fabric-contract-api';
import { ContractError } from '../errors';
import { authorize, ROLES, type Caller } from '../identity';
import { stableStringify } from '../json';
import { readState } from '../state';

/** A participant's identity as recorded on the ledger (PAPER.md §4). */
export type ParticipantRecord = Caller & {
  /** 1 at first login; +1 each time the CA-issued role of the identity changed. */
  readonly version: number;
  readonly registeredAt: string;
  readonly updatedAt: string;
};

/**
 * Identities on chain: PAPER.md §4 writes the authorised identity to the ledger at first login and
 * syncs later changes, so every operation maps to a person with an on-chain trace.
 */
export class ParticipantContract extends Contract {
  constructor() {
    super('participants');
  }

  /**
   * Records the caller's identity and role. Logging in again with the same role changes nothing
   * and returns the stored record; a changed role is recorded as a new version.
   */
  @Transaction()
  @Returns('string')
  async RegisterParticipant(ctx: Context): Promise<string> {
    const caller = authorize(ctx.clientIdentity, ROLES, 'register');
    const key = participantKey(ctx, caller.id);
    const stored = await readState(ctx, key);
    const now = ctx.stub.getDateTimestamp().toISOString();
    if (stored === undefined) {
      return write(ctx, key, { ...caller, version: 1, registeredAt: now, updatedAt: now });
    }
    const previous = JSON.parse(stored) as ParticipantRecord;
    if (previous.role === caller.role && previous.mspId === caller.mspId) return stored;
    return write(ctx, key, { ...previous, ...caller, version: previous.version + 1, updatedAt: now });
  }

  /** The caller's own participant record. */
  @Transaction(false)
  @Returns('string')
  async ReadMyParticipant(ctx: Context): Promise<string> {
    const caller = authorize(ctx.clientIdentity, ROLES, 'read participants');
    const stored = await readState(ctx, participantKey(ctx, caller.id));
    if (stored === undefined) throw new ContractError('NOT_FOUND', 'the caller has not registered');
    return stored;
  }
}

function participantKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey('participant', [id]);
}

async function write(ctx: Context, key: string, record: ParticipantRecord): Promise<string> {
  const json = stableStringify(record);
  await ctx.stub.putState(key, Buffer.from(json, 'utf8'));
  return json;
}
