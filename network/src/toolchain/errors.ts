import { CommandError } from '../util/exec.js';

const FIX = 'then run `npm run setup` again';

/** Base of the errors that setting up or locating the toolchain throws. */
export class ToolchainError extends Error {
  override readonly name: string = 'ToolchainError';
}

/** `go` is not on PATH, or is older than a toolchain module's `go` directive. */
export class GoToolchainError extends ToolchainError {
  override readonly name: string = 'GoToolchainError';
}

/** The Go module proxy could not be reached, or refused a pinned module version. */
export class ModuleProxyError extends ToolchainError {
  override readonly name: string = 'ModuleProxyError';
}

/** The disk holding the cache (or the temporary directory) is full. */
export class DiskFullError extends ToolchainError {
  override readonly name: string = 'DiskFullError';
}

/** A cgo build (Fabric CA's SQLite driver) found no C compiler. */
export class CCompilerError extends ToolchainError {
  override readonly name: string = 'CCompilerError';
}

/** A build failed for another reason, or built binaries report the wrong version. */
export class ToolchainBuildError extends ToolchainError {
  override readonly name: string = 'ToolchainBuildError';
}

/** locateToolchain() found parts of the toolchain absent; `missing` names them. */
export class ToolchainMissingError extends ToolchainError {
  override readonly name: string = 'ToolchainMissingError';
  constructor(
    readonly missing: readonly string[],
    cacheDir: string,
  ) {
    super(
      `the Fabric toolchain is not set up in ${cacheDir}: missing ${missing.join(', ')}. ` +
        'Run `npm run setup` to build it (first time ~3 min; ENERGYSALE_CACHE selects another cache directory).',
    );
  }
}

/** Disk space the toolchain needs, for the message of DiskFullError. */
const SPACE_NEEDED = 'about 1.7 GB (binaries 250 MB, module cache 780 MB, build cache 610 MB)';

export function diskFull(where: string, cacheDir: string, detail: string, cause: unknown): DiskFullError {
  return new DiskFullError(
    `no space left on device while ${where} (${detail}). The toolchain needs ${SPACE_NEEDED} under ` +
      `${cacheDir}: free some space or set ENERGYSALE_CACHE to a directory on a larger disk, ${FIX}.`,
    { cause },
  );
}

/** Whether a Node.js filesystem error means the disk (or quota) is full. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

export interface GoFailureContext {
  /** What was being done, e.g. "building Fabric CA 1.5.21". */
  readonly doing: string;
  readonly cacheDir: string;
  /** GOPROXY as go saw it, for the message. */
  readonly goproxy: string;
}

interface Rule {
  /** Matches the line of go's output that shows the cause. */
  readonly pattern: RegExp;
  readonly explain: (line: string, context: GoFailureContext, cause: CommandError) => Error;
}

/** Checked in order: a full disk also breaks downloads, so it comes before the proxy rules. */
const RULES: readonly Rule[] = [
  {
    pattern: /no space left on device|disk quota exceeded/i,
    explain: (line, context, cause) => diskFull(context.doing, context.cacheDir, line, cause),
  },
  {
    pattern: /C compiler "[^"]*" not found|exec: "[^"]*(gcc|cc|clang)": executable file not found/,
    explain: (line, context, cause) =>
      new CCompilerError(
        `${context.doing} needs a C compiler (cgo) and found none: ${line}. ` +
          `Install one (e.g. \`apt-get install gcc\`, or set CC to a compiler's path), ${FIX}.`,
        { cause },
      ),
  },
  {
    pattern: /requires go >= \S+ \(running go|toolchain not available/,
    explain: (line, context, cause) =>
      new GoToolchainError(`the installed Go is too old for ${context.doing}: ${line}. Install a newer Go, ${FIX}.`, {
        cause,
      }),
  },
  {
    pattern: new RegExp(
      [
        'dial tcp',
        'no such host',
        'i/o timeout',
        'connection refused',
        'connection reset',
        'network is unreachable',
        'TLS handshake timeout',
        'proxyconnect',
        'certificate signed by unknown authority',
        'module lookup disabled by GOPROXY=off',
      ].join('|'),
    ),
    explain: (line, context, cause) =>
      new ModuleProxyError(
        `the Go module proxy (GOPROXY=${context.goproxy}) could not be reached while ${context.doing}: ${line}. ` +
          `Check network access to it or set GOPROXY to a reachable mirror, ${FIX}; modules already downloaded ` +
          'are kept and reused.',
        { cause },
      ),
  },
  {
    pattern: /reading https?:\/\/\S+: [45]\d\d \w/,
    explain: (line, context, cause) =>
      new ModuleProxyError(
        `the Go module proxy (GOPROXY=${context.goproxy}) refused a module while ${context.doing}: ${line}. ` +
          'The pins in network/toolchain/*/go.mod must be versions it serves (see network/src/toolchain/versions.ts).',
        { cause },
      ),
  },
];

/**
 * Turns a failed `go` command into the typed error that says what is missing and how to fix it;
 * anything unrecognised becomes a ToolchainBuildError that keeps go's last lines.
 */
export function explainGoFailure(error: unknown, context: GoFailureContext): Error {
  if (!(error instanceof CommandError)) {
    return isDiskFull(error) ? diskFull(context.doing, context.cacheDir, String(error), error) : asError(error);
  }
  if (error.exitCode === null && (error.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    return new GoToolchainError(
      `Go is not installed or not on PATH (\`go\` could not be started while ${context.doing}). ` +
        `Install Go (https://go.dev/dl/ or the system package manager), put its bin directory on PATH, ${FIX}.`,
      { cause: error },
    );
  }
  const lines = `${error.stderr}\n${error.stdout}`.split('\n');
  for (const rule of RULES) {
    const line = lines.find((l) => rule.pattern.test(l));
    if (line !== undefined) return rule.explain(line.trim(), context, error);
  }
  return new ToolchainBuildError(`${context.doing} failed: ${error.message}`, { cause: error });
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
