import type { Context } from 'fabric-contract-api';
import {
  FILTER_ATTRIBUTES,
  VERSION_DIGITS,
  type FilterAttribute,
  type PackageTemplate,
  type TemplateFilter,
} from './model';

/*
 * Where templates live in world state. Everything is a composite key, so that every read the
 * contract makes is a point read or a range over a key prefix, which LevelDB answers as well as
 * CouchDB; there is no rich query.
 *
 *   ('template', [id])                               the latest version's record
 *   ('templateVersion', [id, '000001'])              every version's record, immutable once written
 *   ('template~region', [region, id])                -> id
 *   ('template~region~marketStage', [region, stage, id])
 *   ... one index per non-empty combination of FILTER_ATTRIBUTES, 7 in all  -> id
 *
 * The latest record is a full copy rather than a pointer to its version, so the frequent reads
 * (ReadPackageTemplate, every query hit) are one point read, and the 'template' range is the
 * unfiltered listing with no second read. Its key is the one the first release wrote version 1
 * under, with the same record format. A ledger from that release would need, per 'template'
 * record, its copy under ('templateVersion', [id, '000001']) and its index entries; a one-off
 * paginated migration transaction could write them. Today the network is recreated instead.
 *
 * Why one index per combination, not one per attribute: an index keyed by exactly the filtered
 * attributes and then the id answers every filter with one range whose entries all match, in id
 * order. Per-attribute indexes would scan the most specific attribute and drop the rest in code, so
 * a page could hold anything from 0 to pageSize matches and a rare combination would scan far. A
 * single index (region, stage, type, id), or three rotated ones, answer prefixes only and order by
 * the remaining attributes before the id. The price is 2^3 - 1 = 7 small entries per template,
 * rewritten only when an update changes a filtered attribute; templates are few and rarely change.
 * Each entry's value is the template id, so a query reads the latest record without parsing keys.
 */

const LATEST = 'template';
const VERSIONS = 'templateVersion';

export function latestKey(ctx: Context, id: string): string {
  return ctx.stub.createCompositeKey(LATEST, [id]);
}

export function versionKey(ctx: Context, id: string, version: number): string {
  return ctx.stub.createCompositeKey(VERSIONS, [id, String(version).padStart(VERSION_DIGITS, '0')]);
}

/** The range ListPackageTemplateVersions reads: every version of `id`, oldest first. */
export function versionsRange(id: string): KeyRange {
  return { objectType: VERSIONS, attributes: [id] };
}

/** A partial composite key: the range of keys that start with it. */
export type KeyRange = { readonly objectType: string; readonly attributes: readonly string[] };

/** Every non-empty combination of the filter attributes, each in FILTER_ATTRIBUTES order. */
const COMBINATIONS: readonly (readonly FilterAttribute[])[] = FILTER_ATTRIBUTES.reduce<FilterAttribute[][]>(
  (combinations, attribute) => [...combinations, ...combinations.map((combination) => [...combination, attribute])],
  [[]],
).filter((combination) => combination.length > 0);

function indexType(attributes: readonly FilterAttribute[]): string {
  return [LATEST, ...attributes].join('~');
}

/** The index entries of `template`: one key per combination, each valued with the template id. */
export function indexKeys(ctx: Context, template: PackageTemplate): string[] {
  return COMBINATIONS.map((combination) =>
    ctx.stub.createCompositeKey(indexType(combination), [...combination.map((attribute) => template[attribute]), template.id]),
  );
}

/**
 * The range that holds exactly the templates matching `filters` (given in FILTER_ATTRIBUTES order,
 * as parseTemplateQuery returns them), in id order. Without filters that is the latest records
 * themselves; `holdsRecords` says so, and otherwise the values are template ids.
 */
export function queryRange(filters: readonly TemplateFilter[]): KeyRange & { readonly holdsRecords: boolean } {
  if (filters.length === 0) {
    return { objectType: LATEST, attributes: [], holdsRecords: true };
  }
  return {
    objectType: indexType(filters.map((filter) => filter.attribute)),
    attributes: filters.map((filter) => filter.value),
    holdsRecords: false,
  };
}
