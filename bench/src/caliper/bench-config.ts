import type { Profile } from '../table4/profiles';
import { parseDuration } from '../scenario';
import type { RoundArguments } from './workload';

export type CaliperScenario = 'add_order' | 'order_query';
export const CALIPER_SCENARIOS: readonly CaliperScenario[] = ['add_order', 'order_query'];
export type Phase = 'warmup' | 'measured';

/** The compiled workload module of each scenario, as Caliper loads it (by path). */
export const WORKLOAD_MODULES: Readonly<Record<CaliperScenario, string>> = {
  add_order: require.resolve('./add-order'),
  order_query: require.resolve('./order-query'),
};

export const roundLabel = (scenario: CaliperScenario, phase: Phase): string => `${scenario}.${phase}`;

/** Caliper's txDuration is whole seconds. */
export const durationSeconds = (text: string, what: string): number => Math.max(1, Math.ceil(parseDuration(text, what) / 1000));

export interface BenchConfigInput {
  readonly profile: Profile;
  readonly workers: number;
  /** Everything of RoundArguments but the round. */
  readonly round: Omit<RoundArguments, 'round'>;
  /** Peer and orderer executables for Caliper's `process` monitor; none: no monitor. */
  readonly monitorCommands: readonly string[];
}

/**
 * Caliper's benchmark config of a run: for each scenario a warm-up round then a measured round,
 * each a closed loop of the profile's users (`fixed-load`: that many transactions in flight over
 * all workers), for the profile's durations.
 */
export function caliperBenchConfig(input: BenchConfigInput): object {
  const { profile } = input;
  const rounds = CALIPER_SCENARIOS.flatMap((scenario) =>
    (['warmup', 'measured'] as const).map((phase) => ({
      label: roundLabel(scenario, phase),
      description: `${scenario} ${phase === 'warmup' ? 'warm-up (excluded from the figures)' : 'measured'}: ${profile.users} users, closed loop`,
      txDuration: durationSeconds(phase === 'warmup' ? profile.warmup : profile.duration, `${profile.name} ${phase}`),
      rateControl: { type: 'fixed-load', opts: { transactionLoad: profile.users, startTps: profile.users } },
      workload: { module: WORKLOAD_MODULES[scenario], arguments: { ...input.round, round: roundLabel(scenario, phase) } },
    })),
  );
  return {
    test: {
      name: `table4-${profile.name}`,
      description: 'Table 4 (PAPER.md §7) straight to Fabric: add order, order query',
      workers: { number: input.workers },
      rounds,
    },
    ...(input.monitorCommands.length === 0
      ? {}
      : {
          monitors: {
            resource: [{ module: 'process', options: { interval: 1, processes: input.monitorCommands.map((command) => ({ command, multiOutput: 'sum' })) } }],
          },
        }),
  };
}

/** The longest the rounds can take (their durations), for bounding the Caliper process. */
export function roundsSeconds(profile: Profile): number {
  return CALIPER_SCENARIOS.length * (durationSeconds(profile.warmup, 'warm-up') + durationSeconds(profile.duration, 'duration'));
}
