/**
 * `@energysale/bench/script/http`: k6's http module over undici's pooled client. Every call returns
 * a promise: `const res = await http.get(url)`.
 */
import { performance } from 'node:perf_hooks';

import { Agent, errors as undiciErrors } from 'undici';

import { parseDuration } from '../../scenario/duration';
import { contextTags, currentCall, currentRun, IterationInterrupted, ScriptContextError, throwIfInterrupted, type RunContext } from '../runtime/context';

export type RequestBody = string | Uint8Array | Readonly<Record<string, string | number | boolean>> | null | undefined;

export interface Params {
  readonly headers?: Readonly<Record<string, string>>;
  /** Added to this request's samples; `name` replaces the URL in the `name` tag (group many URLs as one). */
  readonly tags?: Readonly<Record<string, string>>;
  /** A k6 duration or ms (default '60s'). */
  readonly timeout?: string | number;
  /** Decides whether a status counts as expected (http_req_failed); default 200–399. */
  readonly responseCallback?: ExpectedStatuses;
  /** 'text' (default) keeps the body as a string; 'none' discards it (less memory under load). */
  readonly responseType?: 'text' | 'none';
}

export interface Timings {
  /** From sending the request to the last byte of the answer (for an open-model iteration's first request, plus its start lag), ms. */
  readonly duration: number;
  /** From sending to the first byte of the answer (includes waiting for a pooled connection and sending). */
  readonly waiting: number;
  /** From the first to the last byte of the answer. */
  readonly receiving: number;
}

export interface RequestInfo {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface Response {
  /** 0 when no answer came (connection error, timeout). */
  readonly status: number;
  readonly status_text: string;
  /** Names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
  readonly url: string;
  readonly timings: Timings;
  /** '' without error; the transport error, or the status line of a status >= 400. */
  readonly error: string;
  /** 0 without error; 1050 timeout, 1000 other transport errors; the status for a status >= 400. */
  readonly error_code: number;
  readonly request: RequestInfo;
  /** The body as JSON; with a dotted path ('a.b.0'), the value there. Throws when the body is not JSON. */
  json(path?: string): unknown;
}

/** Which statuses are expected, as k6's http.expectedStatuses builds it. */
export interface ExpectedStatuses {
  readonly expected: (status: number) => boolean;
}

export interface BatchRequest {
  readonly method: string;
  readonly url: string;
  readonly body?: RequestBody;
  readonly params?: Params;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const AGENT_KEY = 'http.agent';
let defaultCallback: ExpectedStatuses = expectedStatuses({ min: 200, max: 399 });

/** Statuses, or { min, max } ranges, that count as expected. */
export function expectedStatuses(...statuses: (number | { min: number; max: number })[]): ExpectedStatuses {
  return {
    expected: (status) => statuses.some((s) => (typeof s === 'number' ? s === status : status >= s.min && status <= s.max)),
  };
}

/** The default responseCallback of every later request. */
export function setResponseCallback(callback: ExpectedStatuses): void {
  defaultCallback = callback;
}

function agentOf(run: RunContext): Agent {
  let agent = run.resources.get(AGENT_KEY) as Agent | undefined;
  if (agent === undefined) {
    // One pool per origin, as many connections as requests in flight (each VU has one at a time).
    agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: 10_000 } });
    run.resources.set(AGENT_KEY, agent);
  }
  return agent;
}

function encodeBody(body: RequestBody): { data: string | Uint8Array | undefined; form: boolean } {
  if (body === null || body === undefined) return { data: undefined, form: false };
  if (typeof body === 'string' || body instanceof Uint8Array) return { data: body, form: false };
  // As k6: an object is sent form-encoded.
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) form.append(k, String(v));
  return { data: form.toString(), form: true };
}

function timeoutMs(timeout: string | number | undefined): number {
  if (timeout === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof timeout === 'number') return timeout;
  return parseDuration(timeout, 'http params.timeout');
}

function pick(value: unknown, path: string): unknown {
  let here = value;
  for (const part of path.split('.')) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string, unknown>)[part];
  }
  return here;
}

const ORIGIN = /^(https?:\/\/[^/?#]+)([^#]*)/i;

/** Origin and path of an absolute http(s) URL, without the cost of a URL object per request (the load generator's CPU is the system's). */
function splitUrl(url: string): { origin: string; path: string } {
  const match = ORIGIN.exec(url);
  if (match === null) throw new TypeError(`http: ${url} is not an absolute http(s) URL`);
  const [, origin = '', rest = ''] = match;
  return { origin, path: rest === '' ? '/' : rest.startsWith('/') ? rest : `/${rest}` };
}

/** Sends one request as the calling iteration, records k6's http metrics, and returns the response. */
export async function request(method: string, url: string, body?: RequestBody, params: Params = {}): Promise<Response> {
  const run = currentRun('http.request');
  const call = currentCall();
  if (call === undefined) throw new ScriptContextError('http requests are made in setup(), an iteration or teardown(), not at the top of the script');
  throwIfInterrupted(call);
  const target = splitUrl(url);
  const { data, form } = encodeBody(body);
  let headers: Readonly<Record<string, string>> = params.headers ?? {};
  if (form && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers = { ...headers, 'content-type': 'application/x-www-form-urlencoded' };
  const limitMs = timeoutMs(params.timeout);
  const verb = method.toUpperCase();
  const lag = call.startLagMs;
  call.startLagMs = 0;

  // The timeout is undici's (headers and body); the signal only interrupts the iteration.
  const { signal } = call;
  const sentBytes = data === undefined ? 0 : typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  const started = performance.now();
  const startMs = Date.now();
  let status = 0;
  let statusText = '';
  let responseHeaders: Record<string, string> = {};
  let text: string | null = null;
  let receivedBytes = 0;
  let error = '';
  let errorCode = 0;
  let firstByte = started;
  try {
    const answer = await agentOf(run).request({
      origin: target.origin,
      path: target.path,
      method: verb,
      headers,
      body: data ?? null,
      signal,
      headersTimeout: limitMs,
      bodyTimeout: limitMs,
    });
    firstByte = performance.now();
    status = answer.statusCode;
    const raw = Buffer.from(await answer.body.arrayBuffer());
    receivedBytes = raw.byteLength;
    if (params.responseType !== 'none') text = raw.toString('utf8');
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined) responseHeaders[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    statusText = String(status);
    if (status >= 400) {
      error = `${status} ${statusText}`;
      errorCode = status;
    }
  } catch (cause) {
    if (call.signal.aborted) throw new IterationInterrupted('the iteration was interrupted during a request', { cause });
    const timedOut = cause instanceof undiciErrors.HeadersTimeoutError || cause instanceof undiciErrors.BodyTimeoutError || cause instanceof undiciErrors.ConnectTimeoutError;
    error = timedOut ? `request timeout after ${limitMs} ms` : cause instanceof Error ? cause.message : String(cause);
    errorCode = timedOut ? 1050 : 1000;
    responseHeaders = {};
  }
  const ended = performance.now();
  if (firstByte === started) firstByte = ended;
  const duration = ended - started + lag;
  const timings = { duration, waiting: firstByte - started + lag, receiving: ended - firstByte };

  const expected = (params.responseCallback ?? defaultCallback).expected(status);
  const tags: Record<string, string> = {
    ...contextTags(run, call),
    method: verb,
    // k6 also tags the URL; here `name` carries it (or params.tags.name), so one label per endpoint can replace it.
    name: url,
    status: String(status),
    expected_response: String(expected),
    ...params.tags,
  };
  if (errorCode !== 0) tags.error_code = String(errorCode);
  run.store.addAll(
    [
      ['http_reqs', 1],
      ['http_req_duration', duration],
      ['http_req_waiting', timings.waiting],
      ['http_req_receiving', timings.receiving],
      ['http_req_failed', expected ? 0 : 1],
      ['data_sent', sentBytes],
      ['data_received', receivedBytes],
    ],
    tags,
    startMs,
  );

  const requestInfo = { method: verb, url, headers, body: typeof data === 'string' ? data : data === undefined ? '' : Buffer.from(data).toString('utf8') };
  return {
    status,
    status_text: statusText,
    headers: responseHeaders,
    body: text,
    url,
    timings,
    error,
    error_code: errorCode,
    request: requestInfo,
    json(path?: string): unknown {
      if (text === null) throw new TypeError(`the response of ${verb} ${url} has no body to parse`);
      const value = JSON.parse(text) as unknown;
      return path === undefined ? value : pick(value, path);
    },
  };
}

export const get = (url: string, params?: Params): Promise<Response> => request('GET', url, undefined, params);
export const head = (url: string, params?: Params): Promise<Response> => request('HEAD', url, undefined, params);
export const options = (url: string, body?: RequestBody, params?: Params): Promise<Response> => request('OPTIONS', url, body, params);
export const post = (url: string, body?: RequestBody, params?: Params): Promise<Response> => request('POST', url, body, params);
export const put = (url: string, body?: RequestBody, params?: Params): Promise<Response> => request('PUT', url, body, params);
export const patch = (url: string, body?: RequestBody, params?: Params): Promise<Response> => request('PATCH', url, body, params);
export const del = (url: string, body?: RequestBody, params?: Params): Promise<Response> => request('DELETE', url, body, params);

/** Sends the requests side by side and returns their responses in the same order (or under the same keys). */
export function batch(requests: readonly BatchRequest[]): Promise<Response[]>;
export function batch(requests: Readonly<Record<string, BatchRequest>>): Promise<Record<string, Response>>;
export async function batch(
  requests: readonly BatchRequest[] | Readonly<Record<string, BatchRequest>>,
): Promise<Response[] | Record<string, Response>> {
  const send = (r: BatchRequest): Promise<Response> => request(r.method, r.url, r.body, r.params);
  if (Array.isArray(requests)) return Promise.all((requests as readonly BatchRequest[]).map(send));
  const entries = Object.entries(requests as Readonly<Record<string, BatchRequest>>);
  const answers = await Promise.all(entries.map(([, r]) => send(r)));
  return Object.fromEntries(entries.map(([key], i) => [key, answers[i] as Response]));
}

const http = { request, get, head, options, post, put, patch, del, batch, expectedStatuses, setResponseCallback };
export default http;
