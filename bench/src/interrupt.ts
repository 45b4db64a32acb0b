/*
 * What a benchmark started and must stop when it is interrupted (Ctrl-C, a SIGTERM from CI or a
 * supervisor): Node exits on these signals without running any `finally`, which left the service
 * tier (nginx and the service instances) running beside whatever came next. A benchmark registers
 * a cleanup while it owns something; the CLI's handler runs them, bounded, and exits 130 or 143 as
 * a shell reports a command ended by SIGINT or SIGTERM. A second signal exits at once.
 *
 * A command that stops by itself (`bench run`, as k6 does: running iterations interrupted, teardown,
 * summary, report, exit 105) takes the first signal instead (`onInterruptStop`); a second one then
 * runs the cleanups and exits with the command's code.
 */

import type { StateLayout } from '@energysale/network';
import { startServiceTier, stopServiceTier, type ServiceTierOptions, type StartedServiceTier } from '@energysale/service';

const cleanups = new Set<() => Promise<unknown>>();

/** How long the cleanups get before the process exits regardless. */
const CLEANUP_LIMIT_MS = 30_000;

/** Registers `cleanup` to run if the process is interrupted; returns its unregistration (call it once the thing is stopped). */
export function onInterrupt(cleanup: () => Promise<unknown>): () => void {
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}

let graceful: { readonly stop: (signal: NodeJS.Signals) => void; readonly hardExitCode: number } | undefined;
let hardExitCode: number | undefined;

/**
 * While registered, the first SIGINT or SIGTERM calls `stop` (the command winds down and exits as it
 * chooses) instead of the cleanups; a second one runs the cleanups and exits `hardExitCode`.
 * Returns the unregistration.
 */
export function onInterruptStop(stop: (signal: NodeJS.Signals) => void, exitCode: number): () => void {
  const entry = { stop, hardExitCode: exitCode };
  graceful = entry;
  return () => {
    if (graceful === entry) graceful = undefined;
  };
}

/** Installs the SIGINT and SIGTERM handlers of a CLI. */
export function exitCleanlyOnInterrupt(log: (line: string) => void): void {
  let stopping = false;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      const command = graceful;
      if (command !== undefined) {
        graceful = undefined;
        hardExitCode = command.hardExitCode;
        log(`${signal}: stopping the run (the same signal again stops at once)`);
        command.stop(signal);
        return;
      }
      const exitCode = hardExitCode ?? code;
      if (stopping) process.exit(exitCode);
      stopping = true;
      log(`${signal}: stopping what this run started (${String(cleanups.size)} cleanup(s), at most ${String(CLEANUP_LIMIT_MS / 1000)} s)`);
      setTimeout(() => process.exit(exitCode), CLEANUP_LIMIT_MS).unref();
      void Promise.allSettled([...cleanups].map((c) => c())).then((results) => {
        for (const r of results) if (r.status === 'rejected') log(`cleanup failed: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
        process.exit(exitCode);
      });
    });
  }
}

/** The service tier of a benchmark: `stop()` in its `finally` stops it, and so does an interrupt before that. */
export interface OwnServiceTier extends StartedServiceTier {
  stop(): Promise<void>;
}

export async function startOwnServiceTier(layout: StateLayout, options: ServiceTierOptions): Promise<OwnServiceTier> {
  const tier = await startServiceTier(layout, options);
  const unregister = onInterrupt(() => stopServiceTier(layout));
  return {
    ...tier,
    stop: async () => {
      await stopServiceTier(layout);
      unregister();
    },
  };
}
