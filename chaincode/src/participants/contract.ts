import { Context, Contract, Returns, Transaction } from 'fabric-contract-api';
import { ContractError } from '../errors';
import { authorize, handleOf, ROLES, type Caller } from '../identity';
import { stableStringify } from '../json';
import { readState } from '../state';
import { invalid } from '../validation';

/** A participant's identity as recorded on the ledger (PAPER.md §4). */
export type ParticipantRecord = Caller & {
  /** `<MSP id>/<common name>`: how orders and queries name the participant. */
  readonly handle: string;
  /** 1 at first login; +1 each time the CA-issued role of the identity changed. */
  readonly version: number;
  /** Earlier roles, oldest first, each with the time it was replaced. */
  readonly previousRoles: readonly { readonly role: string; readonly until: string }[];
  readonly registeredAt: string;
  readonly updatedAt: string;
};

const HANDLE = /^[A-Za-z0-9.-]{1,64}\/[^/\p{Cc}]{1,128}$/u;

export function participantKey(ctx: Context, handle: string): string {
  return ctx.stub.createCompositeKey('participant', [handle]);
}

/** The registered participant behind `handle`, or undefined. */
export async function findParticipant(ctx: Context, handle: string): Promise<ParticipantRecord | undefined> {
  const stored = await readState(ctx, participantKey(ctx, handle));
  return stored === undefined ? undefined : (JSON.parse(stored) as ParticipantRecord);
}

export function parseHandle(handle: string, name = 'handle'): string {
  if (!HANDLE.test(handle)) throw invalid(name, 'must be a participant handle <MSP id>/<name>, e.g. RetailerOrgMSP/retailer1');
  return handle;
}

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
    const handle = handleOf(caller);
    const key = participantKey(ctx, handle);
    const stored = await readState(ctx, key);
    const now = ctx.stub.getDateTimestamp().toISOString();
    if (stored === undefined) {
      return write(ctx, key, { ...caller, handle, version: 1, previousRoles: [], registeredAt: now, updatedAt: now });
    }
    const previous = JSON.parse(stored) as ParticipantRecord;
    if (previous.role === caller.role && previous.id === caller.id) return stored;
    return write(ctx, key, {
      ...previous,
      ...caller,
      version: previous.version + 1,
      previousRoles: [...previous.previousRoles, { role: previous.role, until: now }],
      updatedAt: now,
    });
  }

  /** The caller's own participant record. */
  @Transaction(false)
  @Returns('string')
  async ReadMyParticipant(ctx: Context): Promise<string> {
    const caller = authorize(ctx.clientIdentity, ROLES, 'read participants');
    return this.read(ctx, handleOf(caller));
  }

  /** Any participant's record, by handle: parties must find each other to trade. */
  @Transaction(false)
  @Returns('string')
  async ReadParticipant(ctx: Context, handle: string): Promise<string> {
    authorize(ctx.clientIdentity, ROLES, 'read participants');
    return this.read(ctx, parseHandle(handle));
  }

  private async read(ctx: Context, handle: string): Promise<string> {
    const stored = await readState(ctx, participantKey(ctx, handle));
    if (stored === undefined) throw new ContractError('NOT_FOUND', `participant ${handle} has not registered`);
    return stored;
  }
}

async function write(ctx: Context, key: string, record: ParticipantRecord): Promise<string> {
  const json = stableStringify(record);
  await ctx.stub.putState(key, Buffer.from(json, 'utf8'));
  return json;
}
