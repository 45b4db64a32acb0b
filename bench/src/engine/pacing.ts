import { performance } from 'node:perf_hooks';
import { setTimeout as wait } from 'node:timers/promises';

import type { Attack, AttackReport, EngineRequest, EngineResult } from './engine';

/** What sending one request gave: everything of a result but its sequence number and timing. */
export type Sent = Omit<EngineResult, 'seq' | 'startMs' | 'latencyMs'>;

/** Sends one request; it should give up when `signal` aborts (the request's timeout). */
export type Send<R extends EngineRequest> = (request: R, signal: AbortSignal) => Promise<Sent>;

const nowMs = (): number => performance.timeOrigin + performance.now();

/** Waits `ms`, or less when `signal` aborts (as the scenario runner waits). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return wait(ms, undefined, signal ? { signal } : {}).catch(() => undefined);
}

/** A failure as the engine reports it when no answer came (timeout or transport error): status 0. */
function noAnswer(error: unknown): Sent {
  return { status: 0, error: error instanceof Error ? error.message : String(error), bytesSent: 0, bytesReceived: 0, body: Buffer.alloc(0), headers: {} };
}

/**
 * Paces an attack in this process, with the same contract as vegeta's pacing (see `Pacing`):
 * closed, `workers` loops each sending its next request when the last is answered; open, exactly
 * `requests` starts due evenly over the duration, at most `maxWorkers` in flight, a start that finds
 * them all busy waiting for one (later ones then catch up at once), and starts still waiting when
 * the duration is over never sent. Every request is bounded by the attack's timeout, so the attack
 * ends by itself at most one timeout after its duration.
 */
export async function pace<R extends EngineRequest>(attack: Attack<R>, send: Send<R>): Promise<AttackReport> {
  const startedMs = nowMs();
  const endMs = startedMs + attack.durationMs;
  let seq = 0;
  let exhausted = false;
  const inFlight = new Set<Promise<void>>();
  const stopped = (): boolean => exhausted || (attack.signal?.aborted ?? false);

  const next = (): R | undefined => {
    if (exhausted) return undefined;
    const item = attack.requests.next();
    if (item.done === true) {
      exhausted = true;
      return undefined;
    }
    return item.value;
  };

  const fire = async (request: R): Promise<void> => {
    const mine = seq++;
    const startMs = nowMs();
    let sent: Sent;
    try {
      sent = await send(request, AbortSignal.timeout(attack.timeoutMs));
    } catch (error) {
      sent = noAnswer(error);
    }
    attack.onResult({ ...sent, seq: mine, startMs, latencyMs: nowMs() - startMs }, request);
  };

  const track = (request: R): Promise<void> => {
    const p = fire(request).finally(() => inFlight.delete(p));
    inFlight.add(p);
    return p;
  };

  if (attack.pacing.model === 'closed') {
    const worker = async (): Promise<void> => {
      while (!stopped() && nowMs() < endMs) {
        const request = next();
        if (request === undefined) return;
        await track(request);
      }
    };
    await Promise.all(Array.from({ length: attack.pacing.workers }, worker));
  } else {
    const { requests, maxWorkers } = attack.pacing;
    for (let i = 1; i <= requests && !stopped(); i++) {
      await sleep(startedMs + (i * attack.durationMs) / requests - nowMs(), attack.signal);
      while (inFlight.size >= maxWorkers && nowMs() < endMs && !stopped()) {
        await Promise.race([...inFlight, sleep(endMs - nowMs(), attack.signal)]);
      }
      if (stopped() || inFlight.size >= maxWorkers) break;
      const request = next();
      if (request === undefined) break;
      void track(request);
    }
  }
  await Promise.all([...inFlight]);
  return { sent: seq, startedMs, endedMs: nowMs(), aborted: attack.signal?.aborted ?? false };
}
