/** One HTTP request as an engine sends it. */
export interface EngineRequest {
  readonly method: string;
  /** Absolute URL without a fragment. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/**
 * How requests are started during one attack.
 * - closed: `workers` loops, each sending its next request when the previous one is answered.
 * - open: exactly `requests` starts spread evenly over the duration (at duration/requests,
 *   2×duration/requests, ..., duration) by `workers` to `maxWorkers` concurrent senders. A start
 *   that finds every sender busy waits (and later ones catch up at once); those still waiting
 *   when the duration is over are never sent: AttackReport.sent tells how many were.
 */
export type Pacing =
  | { readonly model: 'closed'; readonly workers: number }
  | { readonly model: 'open'; readonly requests: number; readonly workers: number; readonly maxWorkers: number };

export interface Attack<R extends EngineRequest> {
  readonly pacing: Pacing;
  readonly durationMs: number;
  /** Timeout of each request. */
  readonly timeoutMs: number;
  /**
   * The requests, pulled one at a time, only as fast as the engine takes them (plus a bounded
   * read-ahead); when it is done the attack ends early.
   */
  readonly requests: Iterator<R>;
  /** Called for each answered (or failed) request with the request it belongs to. */
  readonly onResult: (result: EngineResult, request: R) => void;
  /** Stops the attack: no new requests, in-flight ones are still reported. */
  readonly signal?: AbortSignal;
}

export interface EngineResult {
  /** Order in which the engine started requests within this attack, from 0. */
  readonly seq: number;
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  /** Transport error, or the status line of a status outside 200–399; undefined otherwise. */
  readonly error: string | undefined;
  /** When the request was started, epoch milliseconds with sub-millisecond fraction. */
  readonly startMs: number;
  readonly latencyMs: number;
  /** Request body bytes. */
  readonly bytesSent: number;
  /** Response body bytes. */
  readonly bytesReceived: number;
  readonly body: Buffer;
  /** Response headers as received (canonical names). */
  readonly headers: Readonly<Record<string, readonly string[]>>;
}

export interface AttackReport {
  /** Requests started and reported. */
  readonly sent: number;
  /** When the engine began pacing, epoch ms: the open model's starts are at fixed offsets from it. */
  readonly startedMs: number;
  /** When the last result arrived (or the engine stopped), epoch ms. */
  readonly endedMs: number;
  readonly aborted: boolean;
}

/** A load generator: vegeta over HTTP, or the Fabric Gateway straight from this process. */
export interface LoadEngine {
  readonly name: string;
  /** URL schemes of the requests it sends, e.g. 'http:' (as URL.protocol has them). */
  readonly schemes: readonly string[];
  version(): Promise<string>;
  attack<R extends EngineRequest>(attack: Attack<R>): Promise<AttackReport>;
}

/** The engine failed (could not start, exited with an error, or was killed at its hard deadline). */
export class EngineError extends Error {
  override readonly name = 'EngineError';
}
