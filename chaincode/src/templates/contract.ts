import { Context, Contract, Returns, Transaction } from 'fabric-contract-api';
import { ContractError } from '../errors';
import { authorize, ROLES, type Role } from '../identity';
import { stableStringify } from '../json';
import { readState } from '../state';
import { parsePackageTemplate, parseTemplateId, type PackageTemplateRecord } from './model';

/**
 * Templates are authored by the trading centre (market-wide standard packages) and by retailers
 * (the packages they offer their users). Users pick a package and fill in price and quantity
 * (PAPER.md §5.1) rather than define one, and the regulator only watches: neither may create.
 */
const CREATORS: readonly Role[] = ['exchange', 'retailer'];

/**
 * Retail package (套餐) templates: PAPER.md §5.1. Functions take and return JSON text, and what
 * they return is the ledger's bytes themselves, so a client sees exactly what endorsers wrote.
 */
export class PackageTemplateContract extends Contract {
  constructor() {
    super('packages');
  }

  /**
   * Stores a new template and returns the stored record as JSON. Creating an id again with the
   * same template returns the stored record unchanged, so a client may retry a create whose
   * outcome it did not learn; any other content under an existing id is a CONFLICT.
   */
  @Transaction()
  @Returns('string')
  async CreatePackageTemplate(ctx: Context, templateJson: string): Promise<string> {
    const caller = authorize(ctx.clientIdentity, CREATORS, 'create package templates');
    const template = parsePackageTemplate(templateJson);
    const key = templateKey(ctx, template.id);

    const stored = await readState(ctx, key);
    if (stored !== undefined) {
      // A retry is a new transaction with its own timestamp, so it is recognised by its template
      // alone: laying the template over the stored record changes nothing.
      const storedRecord = JSON.parse(stored) as PackageTemplateRecord;
      if (stableStringify({ ...storedRecord, ...template }) === stored) {
        return stored;
      }
      throw new ContractError('CONFLICT', `package template '${template.id}' exists with other content`);
    }

    const record: PackageTemplateRecord = {
      ...template,
      version: 1,
      createdBy: caller,
      // The proposal's timestamp, which every endorser sees alike; the endorser's clock is not.
      createdAt: ctx.stub.getDateTimestamp().toISOString(),
    };
    const json = stableStringify(record);
    await ctx.stub.putState(key, Buffer.from(json, 'utf8'));
    return json;
  }

  /** The stored record of a template, as JSON. */
  @Transaction(false)
  @Returns('string')
  async ReadPackageTemplate(ctx: Context, id: string): Promise<string> {
    authorize(ctx.clientIdentity, ROLES, 'read package templates');
    const stored = await readState(ctx, templateKey(ctx, parseTemplateId(id)));
    if (stored === undefined) {
      throw new ContractError('NOT_FOUND', `package template '${id}' does not exist`);
    }
    return stored;
  }
}

function templateKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey('template', [id]);
}
