// Operator CLI: a subcommand's command line through node:util.parseArgs, each mistake a UsageError that names the fix.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { EXIT, UsageError, type CliCommand, type CliIo, type ExitCode } from './command';

/** `--help` and `-h`, which every subcommand takes. */
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * Parses `argv` strictly: an unknown option, an option without its value (or with an empty one) and a
 * value given to a boolean are UsageErrors naming what to write instead; `help` is always an option.
 * `command` names the subcommand in messages (`firebreak breaker`).
 */
export function parseCommandLine<const O extends ParseArgsOptionsConfig>(command: string, argv: readonly string[], options: O) {
  const all = { ...options, ...HELP_OPTION };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: all, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageErrorOf(command, all, error);
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === '') throw new UsageError(`--${name} needs a value: ${example(name, all[name])}`);
  }
  return parsed;
}

const example = (name: string, option: ParseArgsOptionsConfig[string] | undefined) => (option?.type === 'string' ? `--${name} <value> or --${name}=<value>` : `--${name}`);

/** parseArgs' errors (codes ERR_PARSE_ARGS_*), said as what to write instead. */
function usageErrorOf(command: string, options: ParseArgsOptionsConfig, error: unknown): unknown {
  const { code, message } = error as { code?: string; message?: string };
  const option = /'(-{1,2}[^' ]+)/.exec(message ?? '')?.[1];
  const name = option?.replace(/^-+/, '') ?? '';
  const takes = Object.entries(options)
    .map(([n, o]) => (o.type === 'string' ? `--${n} <value>` : `--${n}`))
    .join(', ');
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option ${option}: ${command} takes ${takes} (${command} --help)`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return options[name]?.type === 'boolean'
        ? new UsageError(`--${name} takes no value: write --${name} alone`)
        : new UsageError(`--${name} needs a value: ${example(name, options[name])} (a value starting with a dash only as --${name}=<value>)`);
    default:
      return error;
  }
}

/** What a command line's reader returns when the operator asked for the help. */
export const HELP_ASKED = Symbol('help asked');

/**
 * The one way a subcommand answers its command line: `read` parses it; asked for help (`HELP_ASKED`),
 * the help is printed (exit 0); a UsageError is printed with where the help is (exit 2); otherwise
 * `run` gets what was read and its exit code is the command's.
 */
export async function answerCommandLine<A>(
  command: Pick<CliCommand, 'name' | 'help'>,
  io: CliIo,
  read: () => A | typeof HELP_ASKED,
  run: (args: A) => Promise<ExitCode>,
): Promise<ExitCode> {
  let args: A | typeof HELP_ASKED;
  try {
    args = read();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.error(`${command.name}: ${error.message}`);
    io.error(`see: firebreak ${command.name} --help`);
    return EXIT.usage;
  }
  if (args === HELP_ASKED) {
    io.print(command.help);
    return EXIT.done;
  }
  return run(args);
}
