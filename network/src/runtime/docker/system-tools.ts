import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { repoRoot } from '../../util/paths';

/** Tools of the container runtime that scripts/system-packages.mjs installs from Debian. */
export type SystemTool = 'docker' | 'debootstrap';

/** A Debian package could not be installed: not root and no passwordless sudo, or apt failed. */
export class SystemToolError extends Error {
  override readonly name = 'SystemToolError';
}

interface SystemPackages {
  readonly ensureSystemPackages: (names: readonly string[], log?: (line: string) => void) => string[];
}

/**
 * Installs the named tools where they are missing. It goes through the scripts' table of Debian
 * packages rather than a second one here, so what a tool needs (and the system service each package
 * starts and we stop) is written once.
 */
export async function ensureSystemTools(names: readonly SystemTool[], log: (line: string) => void): Promise<void> {
  const script = path.join(repoRoot, 'scripts', 'system-packages.mjs');
  const { ensureSystemPackages } = (await import(pathToFileURL(script).href)) as SystemPackages;
  const failed = ensureSystemPackages(names, log);
  if (failed.length > 0) {
    throw new SystemToolError(
      `could not install ${failed.join(', ')} from Debian (apt-get as root or with passwordless sudo); ` +
        'install them by hand and run again',
    );
  }
}
