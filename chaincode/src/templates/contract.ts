import { Context, Contract, Returns, Transaction } from 'fabric-contract-api';
import { ContractError } from '../errors';
import { authorize, ROLES, type Caller, type Role } from '../identity';
import { stableStringify, type Json } from '../json';
import { readState } from '../state';
import { indexKeys, latestKey, queryRange, versionKey, versionsRange } from './keys';
import {
  encodeBookmark,
  MAX_VERSION,
  parsePackageTemplate,
  parseTemplateId,
  parseTemplateQuery,
  parseVersion,
  type PackageTemplate,
  type PackageTemplateRecord,
} from './model';

/**
 * Templates are authored by the trading centre (market-wide standard packages) and by retailers
 * (the packages they offer their users). Users pick a package and fill in price and quantity
 * (PAPER.md §5.1) rather than define one, and the regulator only watches: neither may author.
 */
const AUTHORS: readonly Role[] = ['exchange', 'retailer'];

/**
 * Retail package (套餐) templates: PAPER.md §5.1. Functions take and return JSON text, and what
 * they return is the ledger's bytes themselves (or, for lists, those records in one JSON
 * document), so a client sees exactly what endorsers wrote. Key layout: ./keys.ts.
 */
export class PackageTemplateContract extends Contract {
  constructor() {
    super('packages');
  }

  /**
   * Stores a new template as version 1 and returns the stored record as JSON. Creating an id
   * again with the content of its latest version returns that record unchanged, so a client may
   * retry a create whose outcome it did not learn; any other content under an existing id is a
   * CONFLICT (UpdatePackageTemplate changes a template).
   */
  @Transaction()
  @Returns('string')
  async CreatePackageTemplate(ctx: Context, templateJson: string): Promise<string> {
    const caller = authorize(ctx.clientIdentity, AUTHORS, 'create package templates');
    const template = parsePackageTemplate(templateJson);

    const stored = await readState(ctx, latestKey(ctx, template.id));
    if (stored !== undefined) {
      if (hasContent(stored, template)) return stored;
      throw new ContractError('CONFLICT', `package template '${template.id}' exists with other content`);
    }

    const record: PackageTemplateRecord = {
      ...template,
      version: 1,
      createdBy: caller,
      // The proposal's timestamp, which every endorser sees alike; the endorser's clock is not.
      createdAt: ctx.stub.getDateTimestamp().toISOString(),
    };
    const json = await writeVersion(ctx, record);
    await putIndexEntries(ctx, indexKeys(ctx, record), record.id);
    return json;
  }

  /**
   * Stores `templateJson` as the next version of the template its id names and returns the new
   * record; earlier versions stay readable. Content equal to the latest version's returns that
   * record and writes nothing, so a retry after a lost answer does not add a version.
   *
   * A template belongs to the organisation that created it, in the role it created it in: any
   * identity with the creator's role and MSP may update it, because a retail package is the
   * retail company's offer (and the standard packages the exchange's), not one employee's, and
   * must outlive the enrollment that created it. Comparing the MSP as well as the role keeps one
   * retail org off another's templates should retailers ever run separate MSPs.
   */
  @Transaction()
  @Returns('string')
  async UpdatePackageTemplate(ctx: Context, templateJson: string): Promise<string> {
    const caller = authorize(ctx.clientIdentity, AUTHORS, 'update package templates');
    const template = parsePackageTemplate(templateJson);

    const stored = await readLatest(ctx, template.id);
    const latest = JSON.parse(stored) as PackageTemplateRecord;
    if (!ownedBy(latest, caller)) {
      throw new ContractError(
        'FORBIDDEN_ROLE',
        `package template '${template.id}' belongs to role '${latest.createdBy.role}' of ${latest.createdBy.mspId}; ` +
          `role '${caller.role}' of ${caller.mspId} may not update it`,
      );
    }
    if (hasContent(stored, template)) return stored;
    if (latest.version >= MAX_VERSION) {
      throw new ContractError('CONFLICT', `package template '${template.id}' has reached its last version, ${MAX_VERSION}`);
    }

    const record: PackageTemplateRecord = {
      ...template,
      version: latest.version + 1,
      createdBy: latest.createdBy,
      createdAt: latest.createdAt,
      updatedBy: caller,
      updatedAt: ctx.stub.getDateTimestamp().toISOString(),
    };
    const json = await writeVersion(ctx, record);
    // Only entries of changed attributes move; the others already point at this id.
    const before = indexKeys(ctx, latest);
    const after = indexKeys(ctx, record);
    for (const key of before.filter((key) => !after.includes(key))) {
      await ctx.stub.deleteState(key);
    }
    await putIndexEntries(ctx, after.filter((key) => !before.includes(key)), record.id);
    return json;
  }

  /** The latest version's record of a template, as JSON. */
  @Transaction(false)
  @Returns('string')
  async ReadPackageTemplate(ctx: Context, id: string): Promise<string> {
    authorize(ctx.clientIdentity, ROLES, 'read package templates');
    return readLatest(ctx, parseTemplateId(id));
  }

  /** The record of one version of a template, as JSON; `version` is a decimal string ("2"). */
  @Transaction(false)
  @Returns('string')
  async ReadPackageTemplateVersion(ctx: Context, id: string, version: string): Promise<string> {
    authorize(ctx.clientIdentity, ROLES, 'read package templates');
    const templateId = parseTemplateId(id);
    const number = parseVersion(version);
    const stored = await readState(ctx, versionKey(ctx, templateId, number));
    if (stored === undefined) {
      throw new ContractError('NOT_FOUND', `package template '${templateId}' has no version ${number}`);
    }
    return stored;
  }

  /** Every version's record of a template, oldest first, as a JSON array. */
  @Transaction(false)
  @Returns('string')
  async ListPackageTemplateVersions(ctx: Context, id: string): Promise<string> {
    authorize(ctx.clientIdentity, ROLES, 'read package templates');
    const templateId = parseTemplateId(id);
    const range = versionsRange(templateId);
    const records = await texts(await ctx.stub.getStateByPartialCompositeKey(range.objectType, [...range.attributes]));
    if (records.length === 0) {
      throw new ContractError('NOT_FOUND', `package template '${templateId}' does not exist`);
    }
    return stableStringify(records.map(parseJson));
  }

  /**
   * One page of the latest versions of the templates matching `queryJson`
   * (`{"region"?, "marketStage"?, "targetUserType"?, "pageSize"? 1..100 = 20, "bookmark"?}`), in
   * id order, as `{"records": [...], "bookmark": "...", "fetched": n}`. An empty bookmark means
   * there is no further page; otherwise pass it back with the same filters for the next one.
   * `fetched` is the peer's count of keys read; every key of the range matches (./keys.ts), so it
   * equals the number of records.
   * Paginated range queries are refused in transactions that write, so evaluate this.
   */
  @Transaction(false)
  @Returns('string')
  async QueryPackageTemplates(ctx: Context, queryJson: string): Promise<string> {
    authorize(ctx.clientIdentity, ROLES, 'query package templates');
    const query = parseTemplateQuery(queryJson);
    const range = queryRange(query.filters);
    // The peer starts the page at the bookmark whatever it is; a key outside this query's range
    // would read other keys (other filters' entries, or records) as if they matched.
    if (query.bookmark !== '' && !query.bookmark.startsWith(ctx.stub.createCompositeKey(range.objectType, [...range.attributes]))) {
      throw new ContractError('INVALID_ARGUMENT', 'bookmark was not returned by a query with these filters');
    }

    const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(
      range.objectType,
      [...range.attributes],
      query.pageSize,
      query.bookmark,
    );
    const values = await texts(iterator);

    const records: Json[] = [];
    for (const value of values) {
      records.push(parseJson(range.holdsRecords ? value : await readLatest(ctx, value)));
    }
    return stableStringify({ records, bookmark: encodeBookmark(metadata.bookmark), fetched: metadata.fetchedRecordsCount });
  }
}

/** The latest record of template `id`; NOT_FOUND if there is none. */
async function readLatest(ctx: Context, id: string): Promise<string> {
  const stored = await readState(ctx, latestKey(ctx, id));
  if (stored === undefined) {
    throw new ContractError('NOT_FOUND', `package template '${id}' does not exist`);
  }
  return stored;
}

/**
 * Whether the stored record already says what `template` says. A retry is a new transaction with
 * its own timestamp, so it is recognised by its content alone: laying the template over the
 * stored record changes nothing.
 */
function hasContent(stored: string, template: PackageTemplate): boolean {
  const record = JSON.parse(stored) as PackageTemplateRecord;
  return stableStringify({ ...record, ...template }) === stored;
}

function ownedBy(record: PackageTemplateRecord, caller: Caller): boolean {
  return record.createdBy.role === caller.role && record.createdBy.mspId === caller.mspId;
}

/** Writes `record` as its version and as the latest, and returns the bytes written. */
async function writeVersion(ctx: Context, record: PackageTemplateRecord): Promise<string> {
  const json = stableStringify(record);
  const bytes = Buffer.from(json, 'utf8');
  await ctx.stub.putState(latestKey(ctx, record.id), bytes);
  await ctx.stub.putState(versionKey(ctx, record.id, record.version), bytes);
  return json;
}

/**
 * Index entries hold the template id: Fabric records a write of no bytes as a delete, so an entry
 * needs some value, and the id spares the query splitting keys.
 */
async function putIndexEntries(ctx: Context, keys: readonly string[], id: string): Promise<void> {
  for (const key of keys) {
    await ctx.stub.putState(key, Buffer.from(id, 'utf8'));
  }
}

type StateQueryIterator = Awaited<ReturnType<Context['stub']['getStateByPartialCompositeKey']>>;

/** The values of a range query's results, as text, in key order; closes the iterator, as the peer asks. */
async function texts(iterator: StateQueryIterator): Promise<string[]> {
  const values: string[] = [];
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      values.push(Buffer.from(next.value.value).toString('utf8'));
    }
  } finally {
    await iterator.close();
  }
  return values;
}

function parseJson(text: string): Json {
  return JSON.parse(text) as Json;
}
