import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { Type, type Static, type TArray, type TNumber, type TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

import { GATE_FIGURES, GATE_SCENARIOS, type GateFigure, type GateScenario } from './figures';

/*
 * A measurement of the gate's scenarios, repeated: what `bench baseline` records (committed, e.g.
 * bench/baselines/quick.json) and what `bench gate` measures and compares with it. It says which
 * commit, machine, runtime and configuration produced it, so a comparison across machines or
 * settings is refused rather than trusted.
 */

export const MEASUREMENT_SCHEMA = 'energysale-bench/gate-measurement@1';

const Samples = Type.Object(
  Object.fromEntries(GATE_FIGURES.map((f) => [f, Type.Array(Type.Number({ minimum: 0 }), { minItems: 1 })])) as unknown as Record<GateFigure, TArray<TNumber>>,
  { additionalProperties: false },
);

export const MeasurementSchema = Type.Object(
  {
    schema: Type.Literal(MEASUREMENT_SCHEMA),
    recordedAt: Type.String(),
    commit: Type.Object({ sha: Type.String(), dirty: Type.Boolean() }),
    machine: Type.Object({
      cores: Type.Integer({ minimum: 1 }),
      memoryGiB: Type.Number(),
      cpuModel: Type.String(),
      os: Type.String(),
      kernel: Type.String(),
      node: Type.String(),
      bootId: Type.Optional(Type.String()),
    }),
    runtime: Type.Union([Type.Literal('native'), Type.Literal('docker')]),
    config: Type.Object({
      users: Type.Integer({ minimum: 1 }),
      duration: Type.String(),
      warmup: Type.String(),
      repeats: Type.Integer({ minimum: 1 }),
      /** The channel's batch settings during the tests (describeBatchSettings). */
      batch: Type.String(),
      /** topologyHash of the model the network was made from. */
      topology: Type.String(),
      /** Service settings beyond the defaults (the injected regression, when any). */
      serviceSettings: Type.Record(Type.String(), Type.String()),
      /** The load engine and its version (absent in baselines recorded with vegeta, before the scripts). */
      engine: Type.Optional(Type.String()),
    }),
    /** The channel's height on the first peer when the measurement began and ended (absent in older baselines). */
    ledger: Type.Optional(Type.Object({ heightAtStart: Type.Integer({ minimum: 0 }), heightAtEnd: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })),
    scenarios: Type.Object(Object.fromEntries(GATE_SCENARIOS.map((s) => [s, Samples])) as unknown as Record<GateScenario, TObject<Record<GateFigure, TArray<TNumber>>>>, {
      additionalProperties: false,
    }),
  },
  { additionalProperties: false },
);

export type Measurement = Static<typeof MeasurementSchema>;

/** A baseline file that is missing, unreadable or not a measurement. */
export class BaselineError extends Error {
  override readonly name = 'BaselineError';
}

/** The problems of a value as a measurement (empty when it is one): shape, then that every scenario has `repeats` values of each figure. */
export function measurementProblems(value: unknown): string[] {
  const problems = [...Value.Errors(MeasurementSchema, value)].map((e) => `${e.path || '/'}: ${e.message}`);
  if (problems.length > 0) return problems;
  const m = value as Measurement;
  for (const scenario of GATE_SCENARIOS) {
    for (const figure of GATE_FIGURES) {
      const values = m.scenarios[scenario][figure];
      if (values.length !== m.config.repeats) problems.push(`/scenarios/${scenario}/${figure}: ${values.length} values for ${m.config.repeats} repeats`);
    }
    if (m.scenarios[scenario].throughputTxPerMin.some((v) => v <= 0)) problems.push(`/scenarios/${scenario}/throughputTxPerMin: a repeat with no successful transaction is no baseline`);
  }
  return problems;
}

export async function readMeasurement(path: string): Promise<Measurement> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new BaselineError(`cannot read the baseline ${path}: ${error instanceof Error ? error.message : String(error)} (record one with \`npm run bench -- baseline\`)`, { cause: error });
  }
  const problems = measurementProblems(value);
  if (problems.length > 0) throw new BaselineError(`${path} is not a gate measurement:\n  ${problems.join('\n  ')}`);
  return value as Measurement;
}

export async function writeMeasurement(path: string, measurement: Measurement): Promise<void> {
  const problems = measurementProblems(measurement);
  if (problems.length > 0) throw new BaselineError(`refusing to write an invalid measurement to ${path}:\n  ${problems.join('\n  ')}`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(measurement, null, 2)}\n`);
}

/**
 * Whether the ledger grew since the baseline by more than the baseline's own run added. Said in the
 * summary, not judged: the 30-minute soaks found no figure drifting with the ledger's height or the
 * nodes' age (docs/soak.md), and five gate runs on one network growing from 10,995 to 14,371 blocks
 * raised no alarm (docs/gate.md); a network in the baseline's state is still the like-for-like one.
 */
export function ledgerGrowth(baseline: Measurement, current: Measurement): string | undefined {
  if (!baseline.ledger || !current.ledger) return undefined;
  const ownGrowth = baseline.ledger.heightAtEnd - baseline.ledger.heightAtStart;
  const since = current.ledger.heightAtStart - baseline.ledger.heightAtEnd;
  if (since <= ownGrowth) return undefined;
  return (
    `the ledger is ${current.ledger.heightAtStart} blocks high, the baseline's was ${baseline.ledger.heightAtStart}: it grew by more than a baseline run adds ` +
    `(${ownGrowth} blocks). The soaks measured no figure drifting with the ledger (docs/soak.md), but a network in the baseline's state (e.g. a fresh one) is the like-for-like comparison`
  );
}

/** The engine of a measurement that names none: the gate measured with vegeta before it ran the Table 4 scripts. */
const VEGETA_ERA = 'vegeta';

/**
 * Why the current run cannot be compared with the baseline (empty when it can): another machine
 * (cores, CPU), runtime, model, batch settings, load shape or load engine. Repeats may differ.
 */
export function incomparable(baseline: Measurement, current: Measurement, options: { allowOtherMachine?: boolean } = {}): string[] {
  const reasons: string[] = [];
  const differs = (what: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b)) reasons.push(`${what}: baseline ${JSON.stringify(a)}, now ${JSON.stringify(b)}`);
  };
  if (!options.allowOtherMachine) {
    differs('machine cores', baseline.machine.cores, current.machine.cores);
    differs('machine CPU', baseline.machine.cpuModel, current.machine.cpuModel);
  }
  differs('runtime', baseline.runtime, current.runtime);
  differs('topology', baseline.config.topology, current.config.topology);
  differs('batch settings', baseline.config.batch, current.config.batch);
  differs('users', baseline.config.users, current.config.users);
  differs('duration', baseline.config.duration, current.config.duration);
  differs('warm-up', baseline.config.warmup, current.config.warmup);
  differs('load engine', baseline.config.engine ?? VEGETA_ERA, current.config.engine ?? VEGETA_ERA);
  return reasons;
}
