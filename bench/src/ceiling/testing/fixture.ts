/**
 * Ceiling reports for the tests: measured windows drawn to order, and a report of them as `bench
 * ceiling` writes it (its figures derived from the windows by the live run's functions).
 */
import type { Machine } from '../../report/schema';
import type { InterferenceSummary } from '../../resources/interference';
import { QUICK_CEILING, rawCall, type CeilingRaw, type CeilingTest } from '../figures';
import { CEILING_SCHEMA, deriveCeiling, exitCodeOf, rawFileOf, type CeilingReport } from '../report';

export const quiet = (otherPct = 0.5): InterferenceSummary => ({
  samples: 10,
  otherPct: { avg: otherPct, max: otherPct },
  stealPct: { avg: 0, max: 0 },
  kernelPct: { avg: 1, max: 1 },
  aboveSharePct: 0,
  disturbed: false,
  foreign: [],
});

export const disturbed: InterferenceSummary = { ...quiet(30), aboveSharePct: 80, disturbed: true, foreign: [{ pid: 4242, name: 'stress', cpuPct: 28 }] };

/** The machine of the fixture's ceiling reports. */
export const CEILING_MACHINE: Machine = { cores: 2, memoryGiB: 8, cpuModel: 'Test CPU', os: 'Linux x64', kernel: '6.1', node: 'v20.20.2' };

/** A window of 10 s from t0 with `ok` successful and `failed` failed calls, evenly spread, each taking `latencyMs`. */
export function ceilingWindow(test: CeilingTest, repeat: number, ok: number, failed: number, cpu: Record<string, number>, latencyMs = 20): CeilingRaw {
  const t0 = 1_800_000_000_000 + repeat * 100_000;
  const calls = Array.from({ length: ok + failed }, (_, i) => rawCall(t0 + i * (9_000 / (ok + failed)), latencyMs, i < ok));
  return { test, repeat, window: { startMs: t0, endMs: t0 + 10_000 }, calls, cpuByGroup: Object.entries(cpu).map(([group, cpuPct]) => ({ group, cpuPct })), cores: 2 };
}

/** A ceiling report of `raws`, each window's interference as `interference` says, on `machine`. */
export function ceilingReport(raws: readonly CeilingRaw[], interference: (raw: CeilingRaw) => InterferenceSummary = () => quiet(), machine: Machine = CEILING_MACHINE): CeilingReport {
  const derived = deriveCeiling(raws);
  const runs = raws.map((raw, i) => {
    const figures = derived.runs[i]?.figures;
    if (figures === undefined) throw new Error('not derived');
    return {
      test: raw.test,
      repeat: raw.repeat,
      raw: rawFileOf(raw.test, raw.repeat),
      window: { start: new Date(raw.window.startMs).toISOString(), end: new Date(raw.window.endMs).toISOString() },
      figures,
      thresholdsPassed: raw.calls.every((c) => c[2] === 1),
      interference: interference(raw),
      stages: [],
      blocks: null,
    };
  });
  return {
    schema: CEILING_SCHEMA,
    meta: {
      title: 'The ceiling',
      startedAt: '2026-12-06T19:40:00.000Z',
      endedAt: '2026-12-06T19:45:00.000Z',
      commit: { sha: 'abcdef0123456789', dirty: false },
      machine,
      runtime: 'native',
      topology: { size: 'paper', peers: 7, orgs: 3, orderers: 3, hosts: 4 },
      versions: { fabric: '2.5.12', fabricCa: '1.5.15', fabricGateway: '@hyperledger/fabric-gateway 1.5.0' },
      calibration: { name: 'calibration', version: '1.0.0', sequence: 1, packageId: 'calibration:abc', codeHash: 'c0ffee'.repeat(10), endorsement: 'MAJORITY' },
    },
    config: { ...QUICK_CEILING, script: 'bench/scenarios/ceiling.ts', org: 'consumer', disturbance: { otherPct: 5, sharePct: 10 } },
    runs,
    figures: derived.figures,
    disturbed: runs.some((r) => r.interference.disturbed),
    exitCode: exitCodeOf(runs),
    notes: ['a note'],
  };
}

/** Two repeats of each test: evaluate at 100 and 110 a second, write at 10 and 11. */
export const CEILING_RAWS: readonly CeilingRaw[] = [
  ceilingWindow('evaluate', 1, 1000, 0, { peer: 40, chaincode: 20, harness: 25 }, 5),
  ceilingWindow('write', 1, 100, 0, { peer: 60, orderer: 10, chaincode: 5, harness: 10 }, 300),
  ceilingWindow('evaluate', 2, 1100, 0, { peer: 42, chaincode: 21, harness: 26 }, 5),
  ceilingWindow('write', 2, 110, 0, { peer: 62, orderer: 11, chaincode: 5, harness: 10 }, 290),
];
