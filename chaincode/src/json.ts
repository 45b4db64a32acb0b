/** A value that survives a JSON round trip unchanged. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/**
 * JSON with object keys sorted at every depth. Every endorser must write the same bytes for a
 * transaction to validate, and JSON.stringify follows property insertion order, which depends on
 * the code path that built the object.
 */
export function stableStringify(value: Json): string {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    // JSON.stringify would quietly write null.
    throw new TypeError(`${value} has no JSON representation`);
  }
  if (value === null || typeof value !== 'object') {
    return JSON.stringify(value);
  }
  if (isArray(value)) {
    return `[${value.map(stableStringify).join(',')}]`;
  }
  const fields = Object.entries(value)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, field]) => `${JSON.stringify(key)}:${stableStringify(field)}`);
  return `{${fields.join(',')}}`;
}

// Array.isArray does not narrow readonly arrays out of a union.
function isArray(value: object): value is readonly Json[] {
  return Array.isArray(value);
}
