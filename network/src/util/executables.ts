import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * A Debian binary by name: the first executable on PATH, then in the system directories (/usr/sbin
 * and /sbin are not on every user's PATH); undefined when there is none.
 */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin', '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs.filter((d) => d !== '')) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
