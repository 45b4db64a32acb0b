/**
 * The per-request records of a test run by the scenario runner (vegeta's results: status, start,
 * latency, bytes, error; bodies and headers dropped), kept in raw/ as gzipped JSON lines: a first line
 * with the scenario, its windows and its dropped iterations, then one line per request. The live
 * run and `render` derive the test's figures from them with the same function (derive.ts).
 */
import { gunzipSync, gzipSync } from 'node:zlib';

import { isFailure } from '../scenario/log';
import type { KeptRequest, ScenarioRecords } from '../scenario/records';
import { deriveTest, type DerivedTest, type Outcome } from './derive';

/** A records file that cannot be read back: names the file and the line. */
export class RequestRecordsError extends Error {
  override readonly name = 'RequestRecordsError';
}

type Header = Omit<ScenarioRecords, 'requests'>;

export function encodeRequestRecords(records: ScenarioRecords): Buffer {
  const { requests, ...header } = records;
  const lines = [JSON.stringify(header), ...requests.map((r) => JSON.stringify(r))];
  return gzipSync(`${lines.join('\n')}\n`);
}

const REQUEST_FIELDS = ['attack', 'seq', 'status', 'startMs', 'latencyMs', 'bytesSent', 'bytesReceived'] as const;

function isSpan(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  const span = value as Record<string, unknown>;
  return typeof span['startMs'] === 'number' && typeof span['endMs'] === 'number';
}

export function decodeRequestRecords(content: Buffer, file: string): ScenarioRecords {
  let text: string;
  try {
    text = gunzipSync(content).toString('utf8');
  } catch (error) {
    throw new RequestRecordsError(`${file}: not gzip`, { cause: error });
  }
  const lines = text.split('\n').filter((line) => line !== '');
  const parse = (line: string, n: number): Record<string, unknown> => {
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch (error) {
      throw new RequestRecordsError(`${file}:${n}: not JSON`, { cause: error });
    }
    throw new RequestRecordsError(`${file}:${n}: not a JSON object`);
  };
  const [first, ...rest] = lines;
  if (first === undefined) throw new RequestRecordsError(`${file}: empty`);
  const header = parse(first, 1);
  const windows = header['windows'] as Record<string, unknown> | undefined;
  const dropped = header['droppedIterations'] as Record<string, unknown> | undefined;
  if (
    typeof header['scenario'] !== 'string' ||
    windows === undefined ||
    !isSpan(windows['warmup']) ||
    !isSpan(windows['measured']) ||
    typeof dropped?.['warmup'] !== 'number' ||
    typeof dropped['measured'] !== 'number'
  ) {
    throw new RequestRecordsError(`${file}:1: not a header (scenario, windows, droppedIterations)`);
  }
  const requests = rest.map((line, i): KeptRequest => {
    const r = parse(line, i + 2);
    const bad = REQUEST_FIELDS.find((f) => typeof r[f] !== 'number');
    if (bad !== undefined || typeof r['method'] !== 'string' || (r['phase'] !== 'warmup' && r['phase'] !== 'measured') || (r['error'] !== undefined && typeof r['error'] !== 'string')) {
      throw new RequestRecordsError(`${file}:${i + 2}: not a request record (${bad ?? 'method, phase or error'})`);
    }
    return r as unknown as KeptRequest;
  });
  return { ...(header as unknown as Header), requests };
}

function outcomes(requests: readonly KeptRequest[], phase: KeptRequest['phase']): Outcome[] {
  return requests.filter((r) => r.phase === phase).map((r) => ({ startMs: r.startMs, endMs: r.startMs + r.latencyMs, ok: !isFailure(r.status) }));
}

/** The figures of a scenario run by the scenario runner, from its records (derive.ts). */
export function deriveScenario(records: ScenarioRecords): DerivedTest {
  const { measured, warmup } = records.windows;
  if (measured === null) throw new RequestRecordsError(`scenario ${records.scenario}: no measured window (its attack never began)`);
  return deriveTest(
    { records: outcomes(records.requests, 'measured'), window: measured, droppedIterations: records.droppedIterations.measured },
    warmup === null ? null : { records: outcomes(records.requests, 'warmup'), window: warmup, droppedIterations: records.droppedIterations.warmup },
  );
}
