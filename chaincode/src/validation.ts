import { ContractError } from './errors';

// Restricted so that an id is safe in a composite key, a URL path and a log line alike.
export const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const ID_RULE = 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';
// Up to 999999.99 CNY/MWh, to the fen, without leading zeros.
const PRICE = /^(0|[1-9]\d{0,5})(\.\d{1,2})?$/;
const SPREAD = /^-?(0|[1-9]\d{0,5})(\.\d{1,2})?$/;
// Energy in MWh, up to 9,999,999.999, to the kWh.
const QUANTITY = /^(0|[1-9]\d{0,6})(\.\d{1,3})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Composite key parts are separated by U+0000 and bounded by U+10FFFF; control characters, lone
// surrogates (not UTF-8) and noncharacters have no place there.
const UNKEYABLE = /[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]/u;

/**
 * The JSON object in a transaction argument or transient field, read field by field; `prefix`
 * names its fields in errors (e.g. `terms.` for a transient field).
 */
export function jsonFields(json: string, name: string, prefix = ''): Fields {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw invalid(name, 'must be JSON');
  }
  return Fields.of(value, name, prefix);
}

/** An id argument (order, template, ...), or INVALID_ARGUMENT. */
export function parseId(id: string, name = 'id'): string {
  if (!ID.test(id)) throw invalid(name, ID_RULE);
  return id;
}

export function invalid(field: string, problem: string): ContractError {
  return new ContractError('INVALID_ARGUMENT', `${field} ${problem}`);
}

/**
 * Reads the fields of one JSON object, naming each field by its path in errors. Fields nobody read
 * are refused by end(): a misspelt optional field must not vanish silently.
 */
export class Fields {
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

  quantity(name: string): string {
    const value = this.matching(name, QUANTITY, 'must be an energy in MWh as a decimal string, e.g. "1200.5"');
    if (Number(value) === 0) {
      throw invalid(this.nameOf(name), 'must be greater than zero');
    }
    return value;
  }

  /** Whether the object has the field at all; an optional field that is present must be valid. */
  has(name: string): boolean {
    return Object.hasOwn(this.value, name);
  }

  /** Text that is also part of ledger keys (composite key parts). */
  keyableText(name: string, maxLength: number): string {
    const value = this.text(name, maxLength);
    if (value.trim() !== value || UNKEYABLE.test(value)) {
      throw invalid(this.nameOf(name), 'must not start or end with white space nor contain control characters');
    }
    return value;
  }

  integer(name: string, min: number, max: number): number {
    const value = this.take(name);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw invalid(this.nameOf(name), `must be a whole number from ${min} to ${max}`);
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
