import { Context } from 'fabric-contract-api';
import { createHash } from 'node:crypto';

/** One endorser's world state and private collections: what a transaction reads, and every write it makes. */
export class FakeLedger {
  readonly state = new Map<string, string>();
  readonly collections = new Map<string, Map<string, string>>();
  readonly writes: string[] = [];

  collection(name: string): Map<string, string> {
    let c = this.collections.get(name);
    if (!c) {
      c = new Map();
      this.collections.set(name, c);
    }
    return c;
  }
}

export type FakeCaller = {
  readonly mspId: string;
  /** The CA attribute `role`; null for a certificate without it. */
  readonly role: string | null;
  readonly id?: string;
};

export type FakeOptions = {
  /** The proposal's transient map. */
  readonly transient?: Readonly<Record<string, string>>;
  readonly txId?: string;
  /** Whether this peer's org is a member of the private collections (may read their values). */
  readonly collectionMember?: boolean;
};

type KV = { key: string; value: Uint8Array };

/** The shim's composite key format: U+0000, then each part followed by U+0000. */
const compositeKey = (objectType: string, attributes: readonly string[]): string =>
  `\u0000${[objectType, ...attributes].map((part) => `${part}\u0000`).join('')}`;

function iterator(entries: KV[]): { next(): Promise<IteratorResult<KV>>; close(): Promise<void>; [Symbol.asyncIterator](): AsyncIterator<KV> } {
  let i = 0;
  const it = {
    next: (): Promise<IteratorResult<KV>> => {
      const entry = entries[i++];
      return Promise.resolve(entry ? { value: entry, done: false } : { value: undefined, done: true });
    },
    close: (): Promise<void> => Promise.resolve(),
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}

/**
 * A transaction context over `ledger`, with only the stub calls the contracts make. Any other
 * call fails the test with "is not a function", which is the point: a new stub call should be a
 * conscious addition here.
 */
export function fakeContext(ledger: FakeLedger, caller: FakeCaller, txTime: Date, options: FakeOptions = {}): Context {
  const byPrefix = (prefix: string): KV[] =>
    [...ledger.state.keys()]
      .filter((k) => k.startsWith(prefix))
      .sort()
      .map((key) => ({ key, value: Buffer.from(ledger.state.get(key) ?? '', 'utf8') }));
  const stub = {
    createCompositeKey: compositeKey,
    splitCompositeKey: (key: string): { objectType: string; attributes: string[] } => {
      const [objectType = '', ...attributes] = key.slice(1, -1).split('\u0000');
      return { objectType, attributes };
    },
    getState: (key: string): Promise<Uint8Array> => Promise.resolve(Buffer.from(ledger.state.get(key) ?? '', 'utf8')),
    putState: (key: string, value: Uint8Array): Promise<void> => {
      ledger.state.set(key, Buffer.from(value).toString('utf8'));
      ledger.writes.push(key);
      return Promise.resolve();
    },
    deleteState: (key: string): Promise<void> => {
      ledger.state.delete(key);
      ledger.writes.push(key);
      return Promise.resolve();
    },
    getStateByPartialCompositeKey: (objectType: string, attributes: string[]) => {
      const it = iterator(byPrefix(compositeKey(objectType, attributes)));
      return Object.assign(Promise.resolve(it), { [Symbol.asyncIterator]: () => it });
    },
    getStateByPartialCompositeKeyWithPagination: (objectType: string, attributes: string[], pageSize: number, bookmark = '') => {
      const all = byPrefix(compositeKey(objectType, attributes)).filter((kv) => bookmark === '' || kv.key >= bookmark);
      const pageEntries = all.slice(0, pageSize);
      const next = all[pageSize]?.key ?? '';
      return Promise.resolve({ iterator: iterator(pageEntries), metadata: { fetchedRecordsCount: pageEntries.length, bookmark: next } });
    },
    putPrivateData: (collection: string, key: string, value: Uint8Array): Promise<void> => {
      ledger.collection(collection).set(key, Buffer.from(value).toString('utf8'));
      ledger.writes.push(`${collection}/${key}`);
      return Promise.resolve();
    },
    getPrivateData: (collection: string, key: string): Promise<Uint8Array> => {
      if (options.collectionMember === false) return Promise.reject(new Error(`peer is not a member of ${collection}`));
      return Promise.resolve(Buffer.from(ledger.collection(collection).get(key) ?? '', 'utf8'));
    },
    getPrivateDataHash: (collection: string, key: string): Promise<Uint8Array> => {
      const value = ledger.collection(collection).get(key);
      return Promise.resolve(value === undefined ? Buffer.alloc(0) : createHash('sha256').update(value, 'utf8').digest());
    },
    getTransient: (): Map<string, Uint8Array> =>
      new Map(Object.entries(options.transient ?? {}).map(([k, v]) => [k, Buffer.from(v, 'utf8')])),
    getTxID: (): string => options.txId ?? `tx-${txTime.getTime()}`,
    getDateTimestamp: (): Date => new Date(txTime),
  };
  const id = caller.id ?? `x509::/OU=client/CN=user::/CN=ca.${caller.mspId}`;
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
