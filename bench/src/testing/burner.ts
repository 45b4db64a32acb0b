import { execFileSync } from 'node:child_process';

/**
 * A CPU burner that is not ours, for the interference tests: started through a shell that exits at
 * once, so it is nobody's child here (reparented), as a neighbour's process would be. It burns one
 * core for `seconds` and stops by itself; `stop()` ends it sooner.
 */
export function startBurner(seconds: number): { readonly pid: number; stop(): void } {
  const script = `const end = Date.now() + ${String(seconds * 1000)}; while (Date.now() < end) {}`;
  const out = execFileSync('sh', ['-c', '"$0" -e "$1" >/dev/null 2>&1 & echo $!', process.execPath, script], { encoding: 'utf8' });
  const pid = Number(out.trim());
  return {
    pid,
    stop: () => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // it stopped by itself
      }
    },
  };
}
