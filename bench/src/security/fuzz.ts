import fc from 'fast-check';

import { pool } from '../table4/prepare';

/*
 * Fuzzing the retail service's HTTP API from its own OpenAPI document: every generated request is
 * invalid by construction (one input of one operation broken against its schema, or no valid
 * credentials), so each must be refused with a 4xx problem body and must write nothing. The
 * generation is seeded (fast-check), so a failing case can be replayed.
 */

/** The parts of an OpenAPI 3 document the fuzzer reads. */
export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, JsonSchema>> };
}

interface OpenApiOperation {
  readonly parameters?: readonly { readonly in: 'path' | 'query' | 'header'; readonly name: string; readonly required?: boolean; readonly schema?: JsonSchema }[];
  readonly requestBody?: { readonly content: Readonly<Record<string, { readonly schema: JsonSchema }>> };
  readonly security?: readonly unknown[];
}

export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly pattern?: string;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly JsonSchema[];
  readonly items?: JsonSchema;
}

/** How a case breaks its operation's input. */
export type Mutation =
  | 'path-pattern'
  | 'query-type'
  | 'body-missing'
  | 'body-type'
  | 'body-extra'
  | 'body-length'
  | 'body-pattern'
  | 'body-not-object'
  | 'body-malformed'
  | 'no-credentials'
  | 'forged-credentials';

export interface FuzzCase {
  readonly operation: string;
  readonly mutation: Mutation;
  readonly method: string;
  /** Path and query, to be appended to the service's base URL. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Who the valid-credential cases act as: a token per role of the platform. */
export type Credentials = readonly string[];

const OPERATION_METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;

function resolve(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = doc.components?.schemas?.[name];
  if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
  return resolve(doc, target);
}

/** A value no schema-valid string can be, even after Ajv's type coercion (an object is never coerced to a string). */
const notAString = fc.oneof(fc.constant({ fuzz: 1 }), fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.integer(), { minKeys: 1, maxKeys: 3 }));

/** A value that breaks `schema` whatever coercion Ajv applies (coerceTypes: 'array'). */
function wrongType(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.enum !== undefined || schema.const !== undefined || schema.anyOf !== undefined) return fc.constantFrom('fuzz-not-an-allowed-value', '§', { fuzz: true });
  switch (schema.type) {
    case 'string':
      return notAString;
    case 'integer':
    case 'number':
      return fc.oneof(fc.constantFrom('not-a-number', '1e', 'NaN', '½'), notAString);
    case 'boolean':
      return fc.oneof(fc.constantFrom('maybe', 'yes please'), notAString);
    case 'object':
      return fc.oneof(fc.string({ minLength: 1, maxLength: 20 }).map((s) => `x${s}`), fc.integer(), fc.constant(true));
    case 'array':
      return schema.items?.type === 'object' ? fc.integer() : notAString;
    default:
      return notAString;
  }
}

/** A string that does not match `pattern` (or is longer than `maxLength`). */
function badString(schema: JsonSchema): fc.Arbitrary<string> {
  const regex = schema.pattern === undefined ? undefined : new RegExp(schema.pattern, 'u');
  const junk = fc.oneof(fc.string({ maxLength: 40, unit: 'grapheme' }), fc.constantFrom('../../etc/passwd', ' ', '%00', 'a b', '<script>', "'; DROP TABLE", '\u0000', '☃'.repeat(70)));
  const failing = regex ? junk.filter((s) => s.length > 0 && !regex.test(s)) : fc.constant('');
  const tooLong = schema.maxLength === undefined ? failing : fc.integer({ min: 1, max: 200 }).map((n) => 'x'.repeat((schema.maxLength ?? 0) + n));
  return regex ? fc.oneof(failing, tooLong) : tooLong;
}

/** A path value that satisfies the parameter's schema where it can (the case breaks something else). */
function validPathValue(schema: JsonSchema | undefined): string {
  if (schema?.type === 'integer') return '1';
  return schema?.pattern?.includes('/') ? 'ExchangeOrgMSP' : 'fuzz1';
}

interface Target {
  readonly name: string;
  readonly method: string;
  readonly template: string;
  readonly operation: OpenApiOperation;
  readonly body: JsonSchema | undefined;
  readonly mutations: readonly Mutation[];
}

function targets(doc: OpenApiDocument): Target[] {
  const found: Target[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const method of OPERATION_METHODS) {
      const operation = methods[method];
      if (!operation) continue;
      const params = operation.parameters ?? [];
      const body = operation.requestBody?.content['application/json']?.schema;
      const schema = body && resolve(doc, body);
      const props = Object.values(schema?.properties ?? {}).map((p) => resolve(doc, p));
      const mutations: Mutation[] = [];
      if (params.some((p) => p.in === 'path' && p.schema?.type !== 'integer' && (p.schema?.pattern !== undefined || p.schema?.maxLength !== undefined))) mutations.push('path-pattern');
      if (params.some((p) => p.in === 'query' && p.schema !== undefined && p.schema.type === 'integer')) mutations.push('query-type');
      if (schema) {
        if ((schema.required ?? []).length > 0) mutations.push('body-missing');
        if (props.length > 0) mutations.push('body-type');
        if (schema.additionalProperties === false) mutations.push('body-extra');
        if (props.some((p) => p.type === 'string' && p.maxLength !== undefined)) mutations.push('body-length');
        if (props.some((p) => p.type === 'string' && p.pattern !== undefined)) mutations.push('body-pattern');
        if (schema.type === 'object') mutations.push('body-not-object');
      }
      if (method !== 'get') mutations.push('body-malformed');
      if (operation.security !== undefined) mutations.push('no-credentials', 'forged-credentials');
      if (mutations.length > 0) found.push({ name: `${method.toUpperCase()} ${template}`, method: method.toUpperCase(), template, operation, body: schema, mutations });
    }
  }
  return found;
}

/** A valid body of the schema's shape where cheap (required properties with placeholder values): the base a body mutation breaks. */
function baseBody(doc: OpenApiDocument, schema: JsonSchema): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key of schema.required ?? []) {
    const prop = resolve(doc, schema.properties?.[key] ?? {});
    body[key] = prop.type === 'object' ? baseBody(doc, prop) : prop.type === 'integer' || prop.type === 'number' ? (prop.minimum ?? 1) : prop.enum?.[0] ?? prop.const ?? 'fuzz1';
  }
  return body;
}

function caseArbitrary(doc: OpenApiDocument, target: Target, credentials: Credentials): fc.Arbitrary<FuzzCase> {
  const params = target.operation.parameters ?? [];
  return fc.record({ mutation: fc.constantFrom(...target.mutations), token: fc.constantFrom(...credentials), seed: fc.integer({ min: 0, max: 1e9 }) }).chain(({ mutation, token, seed }) => {
    const pathParams = params.filter((p) => p.in === 'path');
    const breakablePath = pathParams.filter((p) => p.schema?.type !== 'integer' && (p.schema?.pattern !== undefined || p.schema?.maxLength !== undefined));
    const queryInts = params.filter((p) => p.in === 'query' && p.schema?.type === 'integer');
    const props = Object.entries(target.body?.properties ?? {}).map(([k, v]) => [k, resolve(doc, v)] as const);
    const strings = (has: (s: JsonSchema) => boolean) => props.filter(([, p]) => p.type === 'string' && has(p));
    const pick = <T>(list: readonly T[]): T => list[seed % list.length] as T;
    const body = target.body ? baseBody(doc, target.body) : undefined;
    const brokenPath = fc.constant<string | undefined>(undefined);
    const build = (pathValue: string | undefined, query: string, payload: string | undefined, headers: Record<string, string>): FuzzCase => {
      let path = target.template;
      const broken = pathValue === undefined ? undefined : pick(breakablePath);
      for (const p of pathParams) path = path.replace(`{${p.name}}`, encodeURIComponent(p === broken && pathValue !== undefined ? pathValue : validPathValue(p.schema)));
      return { operation: target.name, mutation, method: target.method, path: `${path}${query}`, headers, ...(payload === undefined ? {} : { body: payload }) };
    };
    const auth = { authorization: `Bearer ${token}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const withBody = (payload: unknown): string | undefined => (target.body === undefined ? undefined : JSON.stringify(payload));
    switch (mutation) {
      case 'path-pattern':
        return badString(pick(breakablePath).schema ?? {}).map((v) => build(v, '', withBody(body), target.body ? json : auth));
      case 'query-type':
        return wrongType({ type: 'integer' }).map((v) => build(undefined, `?${pick(queryInts).name}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`, withBody(body), target.body ? json : auth));
      case 'body-missing': {
        const key = pick(target.body?.required ?? []);
        return brokenPath.map(() => build(undefined, '', JSON.stringify({ ...body, [key]: undefined }), json));
      }
      case 'body-type': {
        const [key, schema] = pick(props);
        return wrongType(schema).map((v) => build(undefined, '', JSON.stringify({ ...body, [key]: v }), json));
      }
      case 'body-extra':
        return fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in (target.body?.properties ?? {})) && k !== '__proto__').map((k) => build(undefined, '', JSON.stringify({ ...body, [k]: 1 }), json));
      case 'body-length': {
        const [key, schema] = pick(strings((s) => s.maxLength !== undefined));
        return fc.integer({ min: 1, max: 500 }).map((n) => build(undefined, '', JSON.stringify({ ...body, [key]: 'x'.repeat((schema.maxLength ?? 0) + n) }), json));
      }
      case 'body-pattern': {
        const [key, schema] = pick(strings((s) => s.pattern !== undefined));
        return badString(schema.pattern === undefined ? {} : { pattern: schema.pattern }).map((v) => build(undefined, '', JSON.stringify({ ...body, [key]: v }), json));
      }
      case 'body-not-object':
        return fc.oneof(fc.constant('[]'), fc.constant('null'), fc.integer().map(String), fc.string({ maxLength: 10 }).map((s) => JSON.stringify(s))).map((text) => build(undefined, '', text, json));
      case 'body-malformed':
        return fc.constantFrom('{', '{"a":', '[1,', 'not json', '{"id": "x",}', '\u0000').map((text) => build(undefined, '', text, json));
      case 'no-credentials':
        return brokenPath.map(() => build(undefined, '', withBody(body), target.body ? { 'content-type': 'application/json' } : {}));
      case 'forged-credentials':
        return fc.oneof(fc.string({ minLength: 1, maxLength: 60 }).filter((s) => !/\s/.test(s)), fc.constant(`${token.slice(0, -2)}xx`)).map((forged) =>
          build(undefined, '', withBody(body), { authorization: `Bearer ${forged}`, ...(target.body ? { 'content-type': 'application/json' } : {}) }),
        );
    }
  });
}

/** `count` invalid requests over every operation of the document, the same ones for the same seed. */
export function generateCases(doc: OpenApiDocument, credentials: Credentials, count: number, seed: number): FuzzCase[] {
  const all = targets(doc);
  if (all.length === 0) throw new Error('the OpenAPI document has no operation to fuzz');
  if (credentials.length === 0) throw new Error('no credentials to act with');
  const arbitrary = fc.constantFrom(...all).chain((t) => caseArbitrary(doc, t, credentials));
  return fc.sample(arbitrary, { numRuns: count, seed });
}

export interface FuzzOutcome {
  readonly case: FuzzCase;
  readonly status: number;
  readonly problem: boolean;
}

/** Sends every case to `baseUrl`, `concurrency` at a time; each request bounded to 10 s. */
export async function sendCases(baseUrl: string, cases: readonly FuzzCase[], concurrency = 8): Promise<FuzzOutcome[]> {
  const outcomes: FuzzOutcome[] = new Array<FuzzOutcome>(cases.length);
  await pool(cases, concurrency, async (c, i) => {
    try {
      const response = await fetch(`${baseUrl}${c.path}`, { method: c.method, headers: c.headers, ...(c.body === undefined ? {} : { body: c.body }), signal: AbortSignal.timeout(10_000) });
      const text = await response.text();
      let problem = false;
      if ((response.headers.get('content-type') ?? '').startsWith('application/problem+json')) {
        try {
          problem = (JSON.parse(text) as { status?: number }).status === response.status;
        } catch {
          problem = false;
        }
      }
      outcomes[i] = { case: c, status: response.status, problem };
    } catch {
      outcomes[i] = { case: c, status: 0, problem: false };
    }
  });
  return outcomes;
}
