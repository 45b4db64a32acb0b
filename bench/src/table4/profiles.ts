import type { BatchSettings, Dissemination } from '@energysale/network';

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
   * The network's settings for the two tests (the model's are restored after): the model's (Fabric's
   * defaults), or the tuning ladder's best step (bestStep: among the steps that may be adopted, with
   * every request successful, the last whose every repeat beat every repeat of the best before it).
   */
  readonly settings: 'model' | 'best-of-ladder';
  /** Measured before the two tests: add order under each step's settings, `repeats` times. */
  readonly tuning: TuningLadder | null;
}

/** What a step of the ladder sets, whole: a step is applied as it stands, not on top of the one before. */
export interface WriteSettings {
  /** The channel's orderer batch settings. */
  readonly batch: Partial<BatchSettings>;
  /** The retail chaincode's private data dissemination; absent: the model's (chaincode/collections.json). */
  readonly dissemination?: Dissemination;
  /** Environment every peer runs with on top of its generated one (core.yaml overrides); absent: none. */
  readonly peerEnv?: Readonly<Record<string, string>>;
}

export interface LadderStep {
  /** What it changes from the step it builds on. */
  readonly name: string;
  /** The index of the step it builds on (its settings but the one named); absent: the step before. */
  readonly buildsOn?: number;
  readonly settings: WriteSettings;
  /** Why the step is measured but never adopted, however fast; absent: it may be. */
  readonly notAdopted?: string;
}

export interface TuningLadder {
  /** Each step changes one setting from the step it builds on; the first is the model's (Fabric's defaults). */
  readonly steps: readonly LadderStep[];
  readonly repeats: number;
  readonly duration: string;
  readonly warmup: string;
}

/** Fabric's defaults, as in the model. */
const DEFAULT_BATCH: Partial<BatchSettings> = { timeout: '2s', maxMessageCount: 10 };

const BATCH_30: Partial<BatchSettings> = { timeout: '2s', maxMessageCount: 30 };
const BATCH_30_1S: Partial<BatchSettings> = { timeout: '1s', maxMessageCount: 30 };
const BATCH_30_500MS: Partial<BatchSettings> = { timeout: '500ms', maxMessageCount: 30 };
const ONE_PUSH: Dissemination = { requiredPeerCount: 1, maxPeerCount: 1 };
const QUIET_PEERS = { FABRIC_LOGGING_SPEC: 'warning' } as const;

/**
 * The writes ladder (issue 28): block cutting, then private data dissemination, then the peers'
 * validation parallelism and log level. Each step 3 repeats of 20 s after 5 s of warm-up, in 3 rounds
 * over the steps (forward, backward, forward).
 */
const WRITES_LADDER: TuningLadder = {
  steps: [
    { name: "Fabric's defaults (the model)", settings: { batch: DEFAULT_BATCH } },
    // Measured on the 2-core machine (report 2026-11-25T1715): 30 messages per block gave ~1.3x the
    // defaults' add-order throughput; a shorter timeout cut smaller blocks and gave part of it back.
    { name: 'max message count 10 → 30 (one block can hold every user)', settings: { batch: BATCH_30 } },
    { name: 'batch timeout 2 s → 1 s', settings: { batch: BATCH_30_1S } },
    { name: 'batch timeout 1 s → 500 ms', settings: { batch: BATCH_30_500MS } },
    // The model's collections (chaincode/collections.json): each endorser (the exchange's and the
    // user's org's) pushes the terms to up to 3 member peers before it answers, 1 must acknowledge;
    // the peers it skipped pull them when they commit the block.
    { name: 'private data maxPeerCount 3 → 1 (each endorser pushes to one member peer)', settings: { batch: BATCH_30_500MS, dissemination: ONE_PUSH } },
    {
      name: 'private data requiredPeerCount 1 → 0, maxPeerCount 0 (no push at endorsement)',
      settings: { batch: BATCH_30_500MS, dissemination: { requiredPeerCount: 0, maxPeerCount: 0 } },
      notAdopted:
        'an endorsement would no longer wait for a second member peer to hold the terms: an endorser that dies before its block commits takes them with it, and an acknowledged write could lose its private data',
    },
    // Fabric's default logs every gateway call and every committed block at INFO.
    { name: 'peer log level INFO → WARNING', buildsOn: 4, settings: { batch: BATCH_30_500MS, dissemination: ONE_PUSH, peerEnv: QUIET_PEERS } },
    // Fabric's default is one validation goroutine per core (2 here); the 7 peers validate each block at once.
    { name: 'peer validatorPoolSize 2 (the cores) → 1', settings: { batch: BATCH_30_500MS, dissemination: ONE_PUSH, peerEnv: { ...QUIET_PEERS, CORE_PEER_VALIDATORPOOLSIZE: '1' } } },
    { name: 'peer validatorPoolSize 2 (the cores) → 4', buildsOn: 6, settings: { batch: BATCH_30_500MS, dissemination: ONE_PUSH, peerEnv: { ...QUIET_PEERS, CORE_PEER_VALIDATORPOOLSIZE: '4' } } },
  ],
  repeats: 3,
  duration: '20s',
  warmup: '5s',
};

export const PROFILES: Readonly<Record<Profile['name'], Profile>> = {
  paper: { name: 'paper', users: 30, duration: '10m', warmup: '30s', preloadOrdersPerUser: 2, settings: 'model', tuning: null },
  quick: { name: 'quick', users: 30, duration: '20s', warmup: '5s', preloadOrdersPerUser: 1, settings: 'model', tuning: null },
  tuned: { name: 'tuned', users: 30, duration: '1m', warmup: '10s', preloadOrdersPerUser: 2, settings: 'best-of-ladder', tuning: WRITES_LADDER },
};
