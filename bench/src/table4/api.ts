/** One request to the service as a client sends it: the status, and the body (JSON when it is JSON). */
export interface ApiAnswer {
  readonly status: number;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

/**
 * Sends `method path` with `authorization` as the whole header (a bearer token, something malformed,
 * or nothing), a JSON body when given. What the security checks use to see what a client sees.
 */
export async function apiCall(baseUrl: string, authorization: string | undefined, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(authorization === undefined ? {} : { authorization }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  return { status: response.status, text, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export const bearer = (token: string): string => `Bearer ${token}`;
