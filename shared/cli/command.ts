// Operator CLI contract: what every `firebreak <subcommand>` is, and the exit codes they all use.

/** Exit codes of every subcommand: done, failed (the world said no), bad usage (the command line is wrong). */
export const EXIT = { done: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Where a subcommand writes: results to `print` (stdout), problems and their fixes to `error` (stderr). */
export interface CliIo {
  readonly print: (line: string) => void;
  readonly error: (line: string) => void;
  /** The process environment, for the defaults a flag may fall back on; never read process.env directly. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** One subcommand of the `firebreak` CLI (`firebreak <name> ...`, and `npm run <name> -- ...`). */
export interface CliCommand {
  readonly name: string;
  /** One line for `firebreak --help`. */
  readonly summary: string;
  /** The whole `--help` text of the subcommand: usage, every flag, an example. */
  readonly help: string;
  /** Runs with the arguments after the subcommand's name; resolves to its exit code, never throws for a usage error. */
  run(argv: readonly string[], io: CliIo): Promise<ExitCode>;
}

/** Thrown while parsing a command line that cannot be run; its message says what to write instead. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
