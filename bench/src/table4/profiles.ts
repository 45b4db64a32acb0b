/**
 * The runs of the Table 4 reproduction. `paper` is the paper's shape (PAPER.md §7: 30 virtual users,
 * 10 minutes per test, Raft); `quick` is the same shape, short, for CI and the tests.
 */
export interface Profile {
  readonly name: 'paper' | 'quick';
  /** Closed-loop virtual users per test. */
  readonly users: number;
  /** Measured window of each test. */
  readonly duration: string;
  /** Before the measured window, excluded from the figures and reported on its own. */
  readonly warmup: string;
  /** Orders written before the query test, read back by it. */
  readonly preloadOrdersPerUser: number;
}

export const PROFILES: Readonly<Record<Profile['name'], Profile>> = {
  paper: { name: 'paper', users: 30, duration: '10m', warmup: '30s', preloadOrdersPerUser: 2 },
  quick: { name: 'quick', users: 30, duration: '20s', warmup: '5s', preloadOrdersPerUser: 1 },
};
