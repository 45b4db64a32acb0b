import type { BatchSettings } from '@energysale/network';

/**
 * The runs of the Table 4 reproduction. `paper` is the paper's shape (PAPER.md §7: 30 virtual users,
 * 10 minutes per test, Raft, Fabric's default batch settings); `quick` is the same shape, short, for
 * CI and the tests; `tuned` is the same shape with our best settings, and measures on the way what
 * each setting changes (the tuning ladder).
 */
export interface Profile {
  readonly name: 'paper' | 'quick' | 'tuned';
  /** Closed-loop virtual users per test. */
  readonly users: number;
  /** Measured window of each test. */
  readonly duration: string;
  /** Before the measured window, excluded from the figures and reported on its own. */
  readonly warmup: string;
  /** Orders written before the query test, read back by it. */
  readonly preloadOrdersPerUser: number;
  /**
   * Orderer batch settings applied to the live channel for the two tests (the model's are restored
   * after): the model's (Fabric's defaults), or the tuning ladder's best step (the highest median
   * add-order throughput with every request successful).
   */
  readonly batch: 'model' | 'best-of-ladder';
  /** Measured before the two tests: add order under each step's settings, `repeats` times. */
  readonly tuning: TuningLadder | null;
}

export interface TuningLadder {
  /** Each step changes one setting from the step before; the first is the model's (Fabric's defaults). */
  readonly steps: readonly { readonly name: string; readonly batch: Partial<BatchSettings> }[];
  readonly repeats: number;
  readonly duration: string;
  readonly warmup: string;
}

/** Fabric's defaults, as in the model. */
const DEFAULT_BATCH: Partial<BatchSettings> = { timeout: '2s', maxMessageCount: 10 };

export const PROFILES: Readonly<Record<Profile['name'], Profile>> = {
  paper: { name: 'paper', users: 30, duration: '10m', warmup: '30s', preloadOrdersPerUser: 2, batch: 'model', tuning: null },
  quick: { name: 'quick', users: 30, duration: '20s', warmup: '5s', preloadOrdersPerUser: 1, batch: 'model', tuning: null },
  tuned: {
    name: 'tuned',
    users: 30,
    duration: '1m',
    warmup: '10s',
    preloadOrdersPerUser: 2,
    batch: 'best-of-ladder',
    tuning: {
      // Measured on the 2-core machine (report 2026-11-25T1715): 30 messages per block gave ~1.3x the
      // defaults' add-order throughput; a shorter timeout cut smaller blocks and gave part of it back.
      steps: [
        { name: "Fabric's defaults (the model)", batch: DEFAULT_BATCH },
        { name: 'max message count 10 → 30 (one block can hold every user)', batch: { ...DEFAULT_BATCH, maxMessageCount: 30 } },
        { name: 'batch timeout 2 s → 1 s', batch: { timeout: '1s', maxMessageCount: 30 } },
        { name: 'batch timeout 1 s → 500 ms', batch: { timeout: '500ms', maxMessageCount: 30 } },
      ],
      repeats: 3,
      duration: '20s',
      warmup: '5s',
    },
  },
};
