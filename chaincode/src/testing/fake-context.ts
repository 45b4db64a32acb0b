import { Context } from 'fabric-contract-api';

/** One endorser's world state: what a transaction reads, and every write it makes. */
export class FakeLedger {
  readonly state = new Map<string, string>();
  readonly writes: string[] = [];
}

export type FakeCaller = {
  readonly mspId: string;
  /** The CA attribute `role`; null for a certificate without it. */
  readonly role: string | null;
  readonly id?: string;
};

/**
 * A transaction context over `ledger`, with only the stub calls the contracts make. Any other
 * call fails the test with "is not a function", which is the point: a new stub call should be a
 * conscious addition here.
 */
export function fakeContext(ledger: FakeLedger, caller: FakeCaller, txTime: Date): Context {
  const stub = {
    createCompositeKey: (objectType: string, attributes: string[]): string =>
      // The shim's format: U+0000, then each part followed by U+0000.
      `\u0000${[objectType, ...attributes].map((part) => `${part}\u0000`).join('')}`,
    getState: (key: string): Promise<Uint8Array> =>
      Promise.resolve(Buffer.from(ledger.state.get(key) ?? '', 'utf8')),
    putState: (key: string, value: Uint8Array): Promise<void> => {
      ledger.state.set(key, Buffer.from(value).toString('utf8'));
      ledger.writes.push(key);
      return Promise.resolve();
    },
    getDateTimestamp: (): Date => new Date(txTime),
  };
  const id = caller.id ?? `x509::CN=user,O=${caller.mspId}::CN=ca,O=${caller.mspId}`;
  const clientIdentity: Context['clientIdentity'] = {
    getMSPID: () => caller.mspId,
    getAttributeValue: (name) => (name === 'role' ? caller.role : null),
    assertAttributeValue: (name, value) => name === 'role' && caller.role === value,
    getID: () => id,
    getIDBytes: () => Buffer.from(id, 'utf8'),
  };

  const ctx = new Context();
  ctx.stub = stub as unknown as Context['stub'];
  ctx.clientIdentity = clientIdentity;
  return ctx;
}
