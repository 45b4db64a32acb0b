import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import { deriveTest, spanOf, type DerivedTest, type Outcome } from '../report/derive';

/** One transaction a Caliper worker sent: ms since the epoch before it went to the connector and when it was answered. */
export interface TxRecord {
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
  readonly user: string;
  /** Order id written (add order) or read (order query). */
  readonly id: string;
}

/** `<round>.w<worker>.jsonl`: one file per worker and round, so workers never share a file. */
export function recordFile(dir: string, round: string, workerIndex: number): string {
  return join(dir, `${round}.w${workerIndex}.jsonl`);
}

/** Every record of a round, from all its workers' files (as written, or gzipped: `.jsonl.gz`), in order of completion. */
export async function readRecords(dir: string, round: string): Promise<TxRecord[]> {
  const files = (await readdir(dir)).filter((f) => f.startsWith(`${round}.w`) && (f.endsWith('.jsonl') || f.endsWith('.jsonl.gz')));
  const records: TxRecord[] = [];
  for (const file of files) {
    const content = await readFile(join(dir, file));
    const text = (file.endsWith('.gz') ? gunzipSync(content) : content).toString('utf8');
    for (const line of text.split('\n')) {
      if (line.trim() !== '') records.push(JSON.parse(line) as TxRecord);
    }
  }
  return records.sort((a, b) => a.end - b.end);
}

const outcomeOf = (r: TxRecord): Outcome => ({ startMs: r.start, endMs: r.end, ok: r.ok });

/**
 * A Caliper test's figures from its rounds' records (derive.ts, as for every engine): each round's
 * window is its first send to last completion; Caliper's fixed-load rounds drop nothing.
 */
export function deriveRounds(measured: readonly TxRecord[], warmup: readonly TxRecord[]): DerivedTest | null {
  const window = spanOf(measured.map(outcomeOf));
  if (window === null) return null;
  const warmupOutcomes = warmup.map(outcomeOf);
  return deriveTest(
    { records: measured.map(outcomeOf), window, droppedIterations: 0 },
    warmup.length === 0 ? null : { records: warmupOutcomes, window: spanOf(warmupOutcomes), droppedIterations: 0 },
  );
}
