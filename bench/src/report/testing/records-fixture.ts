/**
 * The fixture report with raw/ as a run leaves it: each scenario's per-request records (the HTTP
 * engine's gzipped file, Caliper's worker files) and the blocks' transactions, drawn from a seeded
 * generator, and its load figures and chain counts derived from them as the live run derives them.
 * What `render` must derive again, figure for figure.
 */
import { deriveRounds, recordFile, type TxRecord } from '../../caliper/records';
import { roundLabel, type CaliperScenario } from '../../caliper/bench-config';
import type { KeptRequest, ScenarioRecords } from '../../scenario/records';
import { completeReport } from '../analyse';
import { chainCounts, type DerivedTest } from '../derive';
import { encodeBlockRecords, type RecordedTx } from '../block-records';
import { blocksFile, CALIPER_RECORDS_DIR, requestsFile } from '../raw-files';
import { deriveScenario, encodeRequestRecords } from '../request-records';
import type { ReportData, ScenarioResult } from '../schema';
import { FIXTURE_RAW, fixtureInput } from './fixture';

/** Park–Miller, as the fixture's. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

const WARM_UP_MS = 3_000;
const MEASURED_MS = 12_000;
/** Requests started per second by the generated load. */
const RATE = 20;

interface Drawn {
  readonly startMs: number;
  readonly latencyMs: number;
  readonly ok: boolean;
  readonly phase: 'warmup' | 'measured';
}

/** A closed loop's requests from `originMs`: RATE a second, latencies around `latencyMs`, one in `failEvery` failing. */
function draw(originMs: number, latencyMs: number, failEvery: number, seed: number): Drawn[] {
  const next = random(seed);
  const drawn: Drawn[] = [];
  for (let i = 0; i < ((WARM_UP_MS + MEASURED_MS) / 1000) * RATE; i++) {
    const startMs = originMs + (i * 1000) / RATE + next() * 10;
    drawn.push({ startMs, latencyMs: latencyMs * (0.5 + next()), ok: failEvery === 0 || i % failEvery !== failEvery - 1, phase: startMs < originMs + WARM_UP_MS ? 'warmup' : 'measured' });
  }
  return drawn;
}

function httpRecords(s: ScenarioResult, drawn: readonly Drawn[], originMs: number): ScenarioRecords {
  const requests = drawn.map((d, seq): KeptRequest => ({ attack: 0, seq, method: 'POST', status: d.ok ? 201 : 503, startMs: d.startMs, latencyMs: d.latencyMs, bytesSent: 120, bytesReceived: 300, phase: d.phase }));
  return {
    scenario: s.scenario,
    windows: { warmup: { startMs: originMs, endMs: originMs + WARM_UP_MS }, measured: { startMs: originMs + WARM_UP_MS, endMs: originMs + WARM_UP_MS + MEASURED_MS } },
    droppedIterations: { warmup: 0, measured: 0 },
    requests,
  };
}

const jsonl = (records: readonly TxRecord[]): string => records.map((r) => `${JSON.stringify(r)}\n`).join('');

/** The fixture's report and raw/, every load figure and chain count derived from the raw records. */
export function recordsFixture(): { data: ReportData; raw: Record<string, string | Buffer> } {
  const input = fixtureInput();
  const raw: Record<string, string | Buffer> = { ...FIXTURE_RAW };
  const scenarios = input.scenarios.map((s, i): ScenarioResult => {
    const originMs = Date.parse(s.window.start) - WARM_UP_MS;
    const drawn = draw(originMs, (s.measured.latencyS?.avg ?? 1) * 1000, s.measured.failures > 0 ? 25 : 0, 101 + i);
    let derived: DerivedTest | null;
    if (s.engine === 'http') {
      const records = httpRecords(s, drawn, originMs);
      raw[requestsFile(s.scenario, 'http')] = encodeRequestRecords(records);
      derived = deriveScenario(records);
    } else {
      const tx = (phase: Drawn['phase']): TxRecord[] =>
        drawn.filter((d) => d.phase === phase).map((d, k) => ({ start: Math.round(d.startMs), end: Math.round(d.startMs + d.latencyMs), ok: d.ok, user: `vu${k % 30}`, id: `o${i}-${k}` }));
      for (const phase of ['warmup', 'measured'] as const) {
        const records = tx(phase);
        // Two workers' files, as Caliper's two local workers write them.
        for (const worker of [0, 1]) raw[recordFile(CALIPER_RECORDS_DIR, roundLabel(s.scenario as CaliperScenario, phase), worker)] = jsonl(records.filter((_, k) => k % 2 === worker));
      }
      derived = deriveRounds(tx('measured'), tx('warmup'));
    }
    if (derived === null) throw new Error(`the fixture drew no record for ${s.scenario}`);
    let chain = s.chain;
    if (chain !== null) {
      // Every success committed VALID, and two conflicts.
      const committed = (k: number, validation: string): RecordedTx => ({ block: 10 + Math.floor(k / 10), index: k % 10, type: 'ENDORSER_TRANSACTION', validation, fn: 'orders:DeclareOrder', timestampMs: originMs + k });
      const transactions = [...Array.from({ length: derived.measured.successes }, (_, k) => committed(k, 'VALID')), committed(-1, 'MVCC_READ_CONFLICT'), committed(-2, 'MVCC_READ_CONFLICT')];
      raw[blocksFile(s.scenario, s.engine)] = encodeBlockRecords({ source: chain.source, transactions });
      chain = { ...chainCounts(transactions), source: chain.source };
    }
    return { ...s, ...derived, chain };
  });
  return { data: completeReport({ ...input, scenarios }), raw };
}
