import { ContractError } from '../errors';
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

/** A template as stored on the ledger. */
export type PackageTemplateRecord = PackageTemplate & {
  readonly version: number;
  readonly createdBy: Caller;
  /** ISO 8601 time of the creating transaction, as its client stamped it. */
  readonly createdAt: string;
};

// Restricted so that an id is safe in a composite key, a URL path and a log line alike.
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// Up to 999999.99 CNY/MWh, to the fen, without leading zeros.
const PRICE = /^(0|[1-9]\d{0,5})(\.\d{1,2})?$/;
const SPREAD = /^-?(0|[1-9]\d{0,5})(\.\d{1,2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The template in `json`, or INVALID_ARGUMENT naming the first field that is wrong. */
export function parsePackageTemplate(json: string): PackageTemplate {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw invalid('templateJson', 'must be JSON');
  }
  const fields = Fields.of(value, 'templateJson', '');
  const template: PackageTemplate = {
    id: fields.matching('id', ID, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'),
    name: fields.text('name', 200),
    region: fields.text('region', 64),
    marketStage: fields.oneOf('marketStage', MARKET_STAGES),
    targetUserType: fields.oneOf('targetUserType', TARGET_USER_TYPES),
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
  if (!ID.test(id)) {
    throw invalid('id', 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  return id;
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

function invalid(field: string, problem: string): ContractError {
  return new ContractError('INVALID_ARGUMENT', `${field} ${problem}`);
}

/**
 * Reads the fields of one JSON object, naming each field by its path in errors. Fields nobody read
 * are refused by end(): a misspelt optional field must not vanish silently.
 */
class Fields {
  private readonly seen = new Set<string>();

  private constructor(
    private readonly value: Readonly<Record<string, unknown>>,
    /** Path of this object in the input, e.g. `priceTerms.`; empty at the top. */
    private readonly prefix: string,
  ) {}

  static of(value: unknown, name: string, prefix: string): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw invalid(name, 'must be a JSON object');
    }
    return new Fields(value as Readonly<Record<string, unknown>>, prefix);
  }

  object(name: string): Fields {
    return Fields.of(this.take(name), this.nameOf(name), `${this.nameOf(name)}.`);
  }

  text(name: string, maxLength: number): string {
    const value = this.take(name);
    if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength) {
      throw invalid(this.nameOf(name), `must be a non-blank string of at most ${maxLength} characters`);
    }
    return value;
  }

  matching(name: string, pattern: RegExp, rule: string): string {
    const value = this.take(name);
    if (typeof value !== 'string' || !pattern.test(value)) {
      throw invalid(this.nameOf(name), rule);
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.take(name);
    const match = allowed.find((candidate) => candidate === value);
    if (match === undefined) {
      throw invalid(this.nameOf(name), `must be one of ${allowed.join(', ')}`);
    }
    return match;
  }

  price(name: string): string {
    const value = this.matching(name, PRICE, 'must be a price in CNY/MWh as a decimal string, e.g. "412.50"');
    if (Number(value) === 0) {
      throw invalid(this.nameOf(name), 'must be greater than zero');
    }
    return value;
  }

  spread(name: string): string {
    return this.matching(name, SPREAD, 'must be a CNY/MWh amount as a decimal string, e.g. "-12.50"');
  }

  date(name: string): string {
    const value = this.matching(name, DATE, 'must be a date as YYYY-MM-DD');
    // V8 reads 2025-02-30 as 2 March instead of refusing it; the round trip catches that.
    const parsed = new Date(`${value}T00:00:00Z`);
    if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
      throw invalid(this.nameOf(name), `is not a calendar date: ${value}`);
    }
    return value;
  }

  end(): void {
    const unknown = Object.keys(this.value).find((name) => !this.seen.has(name));
    if (unknown !== undefined) {
      throw invalid(this.nameOf(unknown), 'is not a known field');
    }
  }

  private take(name: string): unknown {
    this.seen.add(name);
    return Object.hasOwn(this.value, name) ? this.value[name] : undefined;
  }

  private nameOf(name: string): string {
    return this.prefix + name;
  }
}
