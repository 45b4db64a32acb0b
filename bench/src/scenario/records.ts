import type { Phase, RequestLog, RequestRecord } from './log';
import type { ScenarioOutcome, Summary } from './summary';

/** One request as the engine answered it, without its body: what a run keeps of each request. */
export type KeptRequest = Omit<RequestRecord, 'scenario'> & { readonly phase: Phase };

/** A scenario's requests and the windows they were measured in: everything its figures are derived from. */
export interface ScenarioRecords {
  readonly scenario: string;
  /** Epoch ms; null for a phase that did not run. */
  readonly windows: Readonly<Record<Phase, { readonly startMs: number; readonly endMs: number } | null>>;
  /** Open model: starts due in the phase that never happened (0 for the closed model). */
  readonly droppedIterations: Readonly<Record<Phase, number>>;
  readonly requests: readonly KeptRequest[];
}

/** Each scenario's records, once the log's requests are classified into phases. */
export function scenarioRecords(log: RequestLog, outcomes: readonly ScenarioOutcome[], summary: Summary): ScenarioRecords[] {
  const requests = outcomes.map((): KeptRequest[] => []);
  for (let i = 0; i < log.length; i++) {
    const { scenario, ...kept } = log.request(i);
    requests[scenario]?.push(kept);
  }
  return outcomes.map((outcome, i) => {
    const figures = summary.scenarios[outcome.name];
    if (figures === undefined) throw new Error(`the summary has no scenario ${outcome.name}`);
    return {
      scenario: outcome.name,
      windows: outcome.windows,
      // A phase that did not run dropped nothing.
      droppedIterations: { warmup: figures.warmup === null ? 0 : figures.warmup.droppedIterations, measured: figures.measured.droppedIterations },
      requests: requests[i] ?? [],
    };
  });
}
