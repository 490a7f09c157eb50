// Operator CLI: `firebreak <command> ...` (and `npm run <command> -- ...`), one table of subcommands, each loaded when it runs.
import { errorMessage } from '../errors';
import { EXIT, UsageError, type CliCommand, type CliIo, type ExitCode } from './command';

/**
 * Every subcommand, by name: one line each (a new one is a line here and its module exporting a
 * CliCommand). Each is loaded only when it runs, or for `--help`, so one command's dependencies (the
 * AWS SDK's clients, the benchmarks' bundler) cost nothing to the others.
 */
export const COMMANDS: Readonly<Record<string, () => Promise<CliCommand>>> = {
  policy: async () => (await import('./policy')).policyCommand,
  breaker: async () => (await import('./breaker')).breakerCommand,
  bench: async () => (await import('../../bench/run')).benchCommand,
  replay: async () => (await import('./replay')).replayCommand,
  sandbox: async () => (await import('./sandbox')).sandboxCommand,
  silence: async () => (await import('./silence')).silenceCommand,
  slack: async () => (await import('./slack')).slackCommand,
};

const USAGE = 'Usage: firebreak <command> [options]   (or: npm run <command> -- [options])';

/** `firebreak --help`: every command with its summary, from the commands themselves. */
export async function firebreakHelp(commands: typeof COMMANDS = COMMANDS): Promise<string> {
  const loaded = await Promise.all(Object.values(commands).map((load) => load()));
  const width = Math.max(...loaded.map((c) => c.name.length)) + 2;
  return [
    USAGE,
    '',
    "Firebreak's operator commands. `firebreak <command> --help` prints a command's flags and examples.",
    '',
    'Commands:',
    ...loaded.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Where a command works on a stage: --stage S (default $STAGE, else local; a stage is a file in',
    "shared/policy/stages), --region R (default the stage's region in serverless.yml's params), --dry-run",
    '(plan and print, change nothing; the default in stage local).',
    '',
    'Exit codes: 0 done; 1 failed (AWS or the input said no; the message says what); 2 bad usage (the',
    'message says what to write instead).',
  ].join('\n');
}

/** Runs `firebreak <argv>`; resolves to the exit code, printing any failure as one message (never a stack trace). */
export async function runFirebreak(argv: readonly string[], io: CliIo, commands: typeof COMMANDS = COMMANDS): Promise<ExitCode> {
  const [name, ...rest] = argv;
  const names = Object.keys(commands).join(', ');
  if (name === '--help' || name === '-h') {
    io.print(await firebreakHelp(commands));
    return EXIT.done;
  }
  if (name === undefined) {
    io.error(`a command is needed: give one of ${names}\n\n${await firebreakHelp(commands)}`);
    return EXIT.usage;
  }
  if (name === 'help') return runFirebreak(rest.length > 0 ? [rest[0]!, '--help'] : ['--help'], io, commands);
  if (name.startsWith('-')) {
    io.error(`${name} goes after the command: firebreak <command> ${name} (commands: ${names}; firebreak --help)`);
    return EXIT.usage;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    io.error(`unknown command "${name}": give one of ${names} (firebreak --help)`);
    return EXIT.usage;
  }
  const command = await load();
  try {
    return await command.run(rest, io);
  } catch (error) {
    // Commands answer their own usage errors; these are a last resort, so nothing reaches the operator as a stack trace.
    io.error(`firebreak ${name}: ${errorMessage(error)}`);
    return error instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}

/** The process's own streams and environment, for the bin and the npm scripts. */
export const processIo: CliIo = {
  print: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/** Runs the command line of this process and sets its exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  process.exitCode = await runFirebreak(argv, processIo);
}

if (require.main === module) void main();
