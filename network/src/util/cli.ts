/*
 * The shape every CLI of the project shares (network, bench, service, dashboards): a table of
 * commands, each with its name, a one-line summary, its usage and help text, and its handler.
 * From the table alone: `<cli> --help`, `-h` and `<cli> help` list the commands; `<cli> help <command>`
 * and `<cli> <command> --help` print that command's help without running it; an unknown command or
 * option is a usage error (exit 2) that names it; any other error prints `<cli>: Name: message` and
 * its causes (exit 1); and output closed early (piped into `head`) ends the process quietly.
 *
 * Adding a command is one entry in a CLI's table:
 *
 *   command({
 *     name: 'status',
 *     summary: 'every node of the model: process and health',
 *     usage: 'status [--size S]',
 *     help: 'Lists ...',
 *     options: { size: { type: 'string' } },
 *     run: async ({ values, positionals }) => 0,
 *   })
 */
import { inspect, parseArgs, type ParseArgsConfig } from 'node:util';

/** parseArgs' table of options (node:util does not export its name). */
export type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/*
 * Third-party start-up logs off unless asked for: fabric-contract-api's annotations (the retail
 * contract, loaded with the service's schemas) log every transaction they declare at info level on
 * stdout when their module loads, before a command has printed anything. Set here, at the load of
 * this module, which @energysale/network's index exports first: a CLI that imports the network
 * package before anything else has its loggers at warning (CORE_CHAINCODE_LOGGING_LEVEL=info brings
 * them back).
 */
process.env.CORE_CHAINCODE_LOGGING_LEVEL ??= 'warning';

/** A mistake in how the CLI was called: exit 2, no stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** One command of a CLI, as its table holds it. */
export interface Command {
  readonly name: string;
  /** One line, shown in the CLI's overview. */
  readonly summary: string;
  /** The synopsis after `usage: <cli> ` (one or more lines, e.g. `up [--no-deploy] [--size S]`). */
  readonly usage: string;
  /** What the command does and what each option means (shown by `help <command>`). */
  readonly help: string;
  /** `passThrough`: the arguments go to the handler as they are (only a first `--help`/`-h` is the CLI's). */
  readonly passThrough: boolean;
  run(args: readonly string[], cli: string): Promise<number>;
}

/** What parseArgs gives for these options, positionals allowed. */
export type ParsedArgs<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly help: string;
  /** The command's options, as node:util parseArgs takes them (`--help`/`-h` is added by the CLI). */
  readonly options: O;
  /** Whether the command takes positional arguments (default: none; an extra one is a usage error). */
  readonly positionals?: boolean;
  run(parsed: ParsedArgs<O>): Promise<number> | number;
}

/** A command whose options are parsed (an unknown one is a usage error naming it) before `run`. */
export function command<O extends ParseArgsOptionsConfig>(spec: CommandSpec<O>): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: spec.usage,
    help: spec.help,
    passThrough: false,
    run: async (args, cli) => {
      let parsed: ParsedArgs<O>;
      try {
        parsed = parseArgs({ args: [...args], options: spec.options, allowPositionals: true, strict: true });
      } catch (error) {
        throw parseError(error, `${cli} ${spec.name}`);
      }
      if (spec.positionals !== true && parsed.positionals.length > 0) {
        throw new UsageError(`${cli} ${spec.name} takes no argument ${parsed.positionals[0] ?? ''}; see \`${cli} ${spec.name} --help\``);
      }
      return spec.run(parsed);
    },
  };
}

/** A command's options declared apart from its table entry, typed as parseArgs would type them inline. */
export function defineOptions<O extends ParseArgsOptionsConfig>(options: O): O {
  return options;
}

/** A command given its arguments as they are (e.g. passed on to another program). */
export function passThroughCommand(spec: Omit<CommandSpec<ParseArgsOptionsConfig>, 'options' | 'positionals' | 'run'> & { run(args: readonly string[]): Promise<number> | number }): Command {
  return { name: spec.name, summary: spec.summary, usage: spec.usage, help: spec.help, passThrough: true, run: async (args) => spec.run(args) };
}

/** parseArgs' own errors (an unknown option, a missing value) as usage errors pointing at the command's help. */
function parseError(error: unknown, invocation: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (!(error instanceof Error) || typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return error;
  const unknown = /^Unknown option '([^']+)'/.exec(error.message);
  const what = unknown ? `unknown option ${unknown[1] ?? ''}` : (error.message.split('. ')[0] ?? error.message);
  return new UsageError(`${invocation}: ${what}; see \`${invocation} --help\``);
}

/** A CLI: its name (as the user types it) and its commands. */
export interface Cli {
  readonly name: string;
  /** One line on what the CLI is for, atop its overview. */
  readonly summary: string;
  readonly commands: readonly Command[];
  /** The exit code of the CLI run with no command at all (its overview printed; default 2). */
  readonly bareExitCode?: number;
  /** Errors besides UsageError that are the caller's mistake (exit 2). */
  readonly usageErrors?: readonly (abstract new (...args: never[]) => Error)[];
}

/** `<cli> --help`: every command with its summary. */
export function overview(cli: Cli): string {
  const width = Math.max(...cli.commands.map((c) => c.name.length)) + 2;
  return [
    `usage: ${cli.name} <command> [options]`,
    '',
    cli.summary,
    '',
    'commands:',
    ...cli.commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    `\`${cli.name} help <command>\` or \`${cli.name} <command> --help\`: what a command does and its options.`,
  ].join('\n');
}

/** `<cli> help <command>`: its usage, summary and help. */
export function commandHelp(cli: Cli, entry: Command): string {
  // A line starting with the command's name is another form of it; any other continues the line before.
  const synopsis = entry.usage.split('\n').map((line, i) => {
    const form = i === 0 || line === entry.name || line.startsWith(`${entry.name} `);
    return form ? `${i === 0 ? 'usage:' : '      '} ${cli.name} ${line}` : `${' '.repeat(`usage: ${cli.name} ${entry.name} `.length)}${line.trimStart()}`;
  });
  return [...synopsis, '', entry.summary, '', entry.help].join('\n').trimEnd();
}

const HELP_FLAGS: readonly string[] = ['--help', '-h'];

/** Whether the arguments ask for help (before any `--`); a pass-through command's only as its first. */
function asksHelp(entry: Command, args: readonly string[]): boolean {
  if (entry.passThrough) return args[0] !== undefined && HELP_FLAGS.includes(args[0]);
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => HELP_FLAGS.includes(a));
}

function find(cli: Cli, name: string): Command {
  const entry = cli.commands.find((c) => c.name === name);
  if (entry) return entry;
  throw new UsageError(
    name.startsWith('-')
      ? `${name} before a command: options go after it (\`${cli.name} <command> ${name}\`); see \`${cli.name} --help\``
      : `unknown command ${name}; the commands are ${cli.commands.map((c) => c.name).join(', ')}; see \`${cli.name} --help\``,
  );
}

const print = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

/** Runs the command the arguments name (or prints help) and resolves to its exit code. */
export async function dispatch(cli: Cli, argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    const code = cli.bareExitCode ?? 2;
    (code === 0 ? process.stdout : process.stderr).write(`${overview(cli)}\n`);
    return code;
  }
  if (first === 'help' || HELP_FLAGS.includes(first)) {
    const [about] = first === 'help' ? rest : [];
    print(about === undefined ? overview(cli) : commandHelp(cli, find(cli, about)));
    return 0;
  }
  const entry = find(cli, first);
  if (asksHelp(entry, rest)) {
    print(commandHelp(cli, entry));
    return 0;
  }
  return entry.run(rest, cli.name);
}

/** `name: Error: message` and each cause on a line of its own: no stack. */
export function describeError(cli: string, error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth += 1) {
    const text = current instanceof Error ? `${current.name}: ${current.message}` : typeof current === 'string' ? current : inspect(current);
    lines.push(depth === 0 ? `${cli}: ${text}` : `  caused by ${text}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n');
}

/** The exit code of an error that reached the CLI: 2 for a usage error, 1 otherwise. */
export function exitCodeOf(cli: Cli, error: unknown): number {
  return error instanceof UsageError || (cli.usageErrors ?? []).some((kind) => error instanceof kind) ? 2 : 1;
}

/**
 * Output closed early (`| head`): stdout's EPIPE ends the process with 0, quietly, as a shell
 * command that was asked for no more; stderr's is ignored (there is nowhere left to say anything).
 */
export function exitQuietlyOnClosedOutput(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

/** The CLI's main: dispatches process.argv, sets the exit code, prints an error as `describeError` does. */
export function runCli(cli: Cli, argv: readonly string[] = process.argv.slice(2)): void {
  exitQuietlyOnClosedOutput();
  dispatch(cli, argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${describeError(cli.name, error)}\n`);
      process.exitCode = exitCodeOf(cli, error);
    },
  );
}
