/**
 * A script run's requests as the scenario runner's records (report/request-records.ts), so that a
 * script's figures are derived by the one derivation every benchmark report uses (report/derive.ts):
 * a scenario's requests are its measured phase, a warm-up scenario's (k6's way: a scenario before
 * it) its warm-up.
 */
import type { KeptRequest, ScenarioRecords } from '../scenario/records';
import type { ScriptRunResult } from './runtime/run';

/** Which requests are a test's: the service's, or the Fabric calls of a script that goes straight to the gateway. */
export type RequestMetrics = 'http' | 'fabric';

function requestsOf(result: ScriptRunResult, scenario: string, phase: KeptRequest['phase'], metrics: RequestMetrics): KeptRequest[] {
  const out: KeptRequest[] = [];
  const filter = { scenario };
  // A request's duration, data_sent and data_received samples carry the same tags, in the same order (a Fabric call has no bytes).
  const sentBy = new Map(result.store.select('data_sent', filter).map((s) => [JSON.stringify(s.tags), s.values]));
  const receivedBy = new Map(result.store.select('data_received', filter).map((s) => [JSON.stringify(s.tags), s.values]));
  for (const series of result.store.select(`${metrics}_req_duration`, filter)) {
    const key = JSON.stringify(series.tags);
    const status = Number(series.tags.status ?? 0);
    const failed = metrics === 'http' ? series.tags.error_code !== undefined : status !== 200;
    series.values.forEach((latencyMs, i) => {
      out.push({
        attack: 0,
        seq: out.length,
        method: series.tags.method ?? series.tags.mode ?? '',
        status,
        startMs: series.times[i] ?? 0,
        latencyMs,
        bytesSent: metrics === 'http' ? (sentBy.get(key)?.[i] ?? 0) : 0,
        bytesReceived: metrics === 'http' ? (receivedBy.get(key)?.[i] ?? 0) : 0,
        ...(failed ? { error: status === 0 ? `transport error ${series.tags.error_code ?? ''}`.trim() : `${status}` } : {}),
        phase,
      });
    });
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

/** The records of `scenario` (measured) and of `warmup`, a scenario that ran before it (its warm-up), if any. */
export function scriptScenarioRecords(result: ScriptRunResult, scenario: string, warmup?: string, metrics: RequestMetrics = 'http'): ScenarioRecords {
  const measured = result.windows[scenario];
  if (measured === undefined) throw new Error(`the script ran no scenario ${scenario}`);
  const warm = warmup === undefined ? undefined : result.windows[warmup];
  const dropped = (name: string): number => result.store.select('dropped_iterations', { scenario: name }).reduce((n, s) => n + s.values.length, 0);
  return {
    scenario,
    windows: { measured, warmup: warm ?? null },
    droppedIterations: { measured: dropped(scenario), warmup: warmup === undefined ? 0 : dropped(warmup) },
    requests: [...(warmup === undefined ? [] : requestsOf(result, warmup, 'warmup', metrics)), ...requestsOf(result, scenario, 'measured', metrics)],
  };
}
