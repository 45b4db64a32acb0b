import { Fields, ID, ID_RULE, invalid, jsonFields, parseId } from '../validation';
import type { Caller } from '../identity';

/** Market stages a retail package is traded in: yearly and monthly bilateral trade, and spot. */
export const MARKET_STAGES = ['annual', 'monthly', 'spot'] as const;
export type MarketStage = (typeof MARKET_STAGES)[number];

/** The retail user types of the paper (PAPER.md §1): commercial, industrial, ordinary and large users. */
export const TARGET_USER_TYPES = ['commercial', 'industrial', 'residential', 'large'] as const;
export type TargetUserType = (typeof TARGET_USER_TYPES)[number];

const PRICING_MODELS = ['fixed', 'indexed', 'time-of-use'] as const;

/**
 * How a package prices energy. Prices are CNY/MWh as decimal strings ("412.50"), never JSON
 * numbers: money must not pass through binary floating point.
 */
export type PriceTerms =
  | { readonly model: 'fixed'; readonly price: string }
  /** The named reference price (e.g. a market clearing price) plus `spread`, which may be negative. */
  | { readonly model: 'indexed'; readonly reference: string; readonly spread: string }
  | { readonly model: 'time-of-use'; readonly peak: string; readonly flat: string; readonly valley: string };

/** A retail package template (套餐) as its author submits it. */
export type PackageTemplate = {
  readonly id: string;
  readonly name: string;
  readonly region: string;
  readonly marketStage: MarketStage;
  readonly targetUserType: TargetUserType;
  readonly priceTerms: PriceTerms;
  /** Calendar dates (YYYY-MM-DD); the template applies from validFrom up to, not including, validTo. */
  readonly validFrom: string;
  readonly validTo: string;
};

/** One version of a template as stored on the ledger. */
export type PackageTemplateRecord = PackageTemplate & {
  /** 1 when created, +1 with each update that changed the content. */
  readonly version: number;
  readonly createdBy: Caller;
  /** ISO 8601 time of the creating transaction, as its client stamped it. */
  readonly createdAt: string;
  /** Who wrote this version, and when; absent on version 1, which createdBy and createdAt describe. */
  readonly updatedBy?: Caller;
  readonly updatedAt?: string;
};

/** Versions are zero-padded to this many digits in ledger keys, so that key order is version order. */
export const VERSION_DIGITS = 6;
export const MAX_VERSION = 10 ** VERSION_DIGITS - 1;

/** The template attributes a query may filter on, in the order index keys list them. */
export const FILTER_ATTRIBUTES = ['region', 'marketStage', 'targetUserType'] as const;
export type FilterAttribute = (typeof FILTER_ATTRIBUTES)[number];
export type TemplateFilter = { readonly attribute: FilterAttribute; readonly value: string };

/** What QueryPackageTemplates was asked for. */
export type TemplateQuery = {
  /** The attributes to match, in FILTER_ATTRIBUTES order; empty to list every template. */
  readonly filters: readonly TemplateFilter[];
  readonly pageSize: number;
  /** The ledger key the page starts at; empty for the first page. */
  readonly bookmark: string;
};

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

const VERSION = new RegExp(`^[1-9]\\d{0,${VERSION_DIGITS - 1}}$`);
// Base64url of a ledger key; a few hundred characters for the longest index key.
const BOOKMARK = /^[A-Za-z0-9_-]{0,1024}$/;

/** How each filterable attribute is read, in a template and in a query alike. */
const READ_ATTRIBUTE: { readonly [A in FilterAttribute]: (fields: Fields, name: string) => PackageTemplate[A] } = {
  // A region is part of index keys.
  region: (fields, name) => fields.keyableText(name, 64),
  marketStage: (fields, name) => fields.oneOf(name, MARKET_STAGES),
  targetUserType: (fields, name) => fields.oneOf(name, TARGET_USER_TYPES),
};

/** The template in `json`, or INVALID_ARGUMENT naming the first field that is wrong. */
export function parsePackageTemplate(json: string): PackageTemplate {
  const fields = jsonFields(json, 'templateJson');
  const template: PackageTemplate = {
    id: fields.matching('id', ID, ID_RULE),
    name: fields.text('name', 200),
    region: READ_ATTRIBUTE.region(fields, 'region'),
    marketStage: READ_ATTRIBUTE.marketStage(fields, 'marketStage'),
    targetUserType: READ_ATTRIBUTE.targetUserType(fields, 'targetUserType'),
    priceTerms: readPriceTerms(fields.object('priceTerms')),
    validFrom: fields.date('validFrom'),
    validTo: fields.date('validTo'),
  };
  fields.end();
  // Same-length YYYY-MM-DD strings order like the dates they name.
  if (template.validFrom >= template.validTo) {
    throw invalid('validTo', `must be after validFrom (${template.validFrom})`);
  }
  return template;
}

/** The template id in a transaction argument, or INVALID_ARGUMENT. */
export function parseTemplateId(id: string): string {
  return parseId(id);
}

/** The version number in a transaction argument ("3"), or INVALID_ARGUMENT. */
export function parseVersion(version: string): number {
  if (!VERSION.test(version)) {
    throw invalid('version', `must be a whole number from 1 to ${MAX_VERSION} in decimal digits`);
  }
  return Number(version);
}

/**
 * The query in `json`, or INVALID_ARGUMENT naming the first field that is wrong. The bookmark a
 * client holds is the base64url form of the ledger key the peer returned, so that it survives a
 * URL; it comes back here decoded.
 */
export function parseTemplateQuery(json: string): TemplateQuery {
  const fields = jsonFields(json, 'queryJson');
  const filters = FILTER_ATTRIBUTES.flatMap((attribute): TemplateFilter[] =>
    fields.has(attribute) ? [{ attribute, value: READ_ATTRIBUTE[attribute](fields, attribute) }] : [],
  );
  const pageSize = fields.has('pageSize') ? fields.integer('pageSize', 1, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  const bookmark = fields.has('bookmark')
    ? fields.matching('bookmark', BOOKMARK, 'must be a bookmark returned by a previous query')
    : '';
  fields.end();
  const key = Buffer.from(bookmark, 'base64url').toString('utf8');
  // Node decodes base64 leniently; only the encoding this contract hands out is accepted.
  if (encodeBookmark(key) !== bookmark) {
    throw invalid('bookmark', 'must be a bookmark returned by a previous query');
  }
  return { filters, pageSize, bookmark: key };
}

/** The bookmark a client receives for the ledger key the next page starts at. */
export function encodeBookmark(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function readPriceTerms(terms: Fields): PriceTerms {
  const model = terms.oneOf('model', PRICING_MODELS);
  let priceTerms: PriceTerms;
  switch (model) {
    case 'fixed':
      priceTerms = { model, price: terms.price('price') };
      break;
    case 'indexed':
      priceTerms = { model, reference: terms.text('reference', 64), spread: terms.spread('spread') };
      break;
    case 'time-of-use':
      priceTerms = { model, peak: terms.price('peak'), flat: terms.price('flat'), valley: terms.price('valley') };
      break;
  }
  terms.end();
  return priceTerms;
}
