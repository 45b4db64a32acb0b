const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Calls `fn` until it resolves, at most `attempts` times; rethrows the last error. */
export async function retry<T>(fn: () => Promise<T>, options: { attempts: number; delayMs: number }): Promise<T> {
  let last: unknown;
  for (let i = 0; i < options.attempts; i++) {
    try {
      return await fn();
    } catch (error) {
      last = error;
      if (i < options.attempts - 1) await sleep(options.delayMs);
    }
  }
  throw last;
}

export { sleep };
