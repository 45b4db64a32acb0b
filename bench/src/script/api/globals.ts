/** The globals a script sees, as in k6. The runner defines them; this module only declares them. */
export {};

declare global {
  /** The environment: the process's, `--env K=V` and the scenario's `env`. */
  const __ENV: Readonly<Record<string, string>>;
  /** The VU's id in the run, from 1 (0 outside iterations). */
  const __VU: number;
  /** The VU's iteration, from 0 (-1 outside iterations). */
  const __ITER: number;
}
