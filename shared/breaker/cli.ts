// Breaker operator commands (status, open, close): argument parsing and output, independent of where flags are stored.
import { breakerStatus, closeBreaker, openBreaker, type BreakerChange } from './breaker';
import { DEFAULT_OPERATOR_TTL_MINUTES, type BreakerFlag } from './flag';
import { FLAG_NAME_PATTERN, type FlagStore } from './store';

export const BREAKER_USAGE = `Usage: npm run breaker -- <command> [name] [options]
  status [name]                 print one flag, or every flag under the prefix
  open <name> [--reason text] [--ttl minutes]
                                open a flag (idempotent; default ttl 30 minutes)
  close <name> [--reason text]  close a flag
Flags live under BREAKER_PREFIX (default /firebreak/<STAGE>/breakers); AWS credentials and region as usual.
DRY_RUN=true (the default in stage local) prints the change without writing it.`;

export { DEFAULT_OPERATOR_TTL_MINUTES };

export interface BreakerCliDeps {
  readonly store: FlagStore;
  readonly prefix: string;
  readonly dryRun: boolean;
  readonly now: () => Date;
  readonly print: (line: string) => void;
  readonly operator: string;
}

/** Thrown for a command line that cannot be run; its message is shown with the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface Parsed {
  readonly command: 'status' | 'open' | 'close';
  readonly name?: string;
  readonly reason?: string;
  readonly ttlMinutes: number;
}

/** Parses `status|open|close <name> [--reason ...] [--ttl n]`; throws UsageError naming what is wrong. */
export function parseBreakerArgs(argv: readonly string[]): Parsed {
  const positional: string[] = [];
  let reason: string | undefined;
  let ttlMinutes = DEFAULT_OPERATOR_TTL_MINUTES;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') ? (arg.split(/=(.*)/s, 2) as [string, string | undefined]) : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--reason') reason = value();
    else if (flag === '--ttl') {
      ttlMinutes = Number(value());
      if (!Number.isInteger(ttlMinutes) || ttlMinutes < 1 || ttlMinutes > 1440) throw new UsageError('--ttl must be whole minutes between 1 and 1440');
    } else if (flag.startsWith('--')) throw new UsageError(`unknown option ${flag}`);
    else positional.push(arg);
  }
  const [command, name, ...rest] = positional;
  if (command !== 'status' && command !== 'open' && command !== 'close') throw new UsageError(command ? `unknown command ${command}` : 'a command is needed');
  if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(' ')}`);
  if (command !== 'status' && !name) throw new UsageError(`${command} needs a flag name`);
  if (name !== undefined && !FLAG_NAME_PATTERN.test(name)) throw new UsageError(`flag name ${name} may hold only letters, digits, dot, dash and underscore`);
  return { command, name, reason, ttlMinutes };
}

const describeFlag = (name: string, flag: BreakerFlag | undefined): string =>
  flag === undefined ? `${name}: no flag (applications read it as closed)` : `${name}: ${flag.state.toUpperCase()} ${JSON.stringify(flag)}`;

const describeChange = (c: BreakerChange, dryRun: boolean): string => {
  const what = c.kind === 'unchanged' ? 'unchanged' : c.kind;
  const note = c.changed && !c.written ? (dryRun ? ' (DRY_RUN: not written)' : ' (not written)') : '';
  return `${c.name}: ${what}${note}\n${describeFlag(c.name, c.flag)}`;
};

/** Runs one command and prints the state; returns the process exit code. */
export async function runBreakerCli(argv: readonly string[], deps: BreakerCliDeps): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseBreakerArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    deps.print(`${error.message}\n\n${BREAKER_USAGE}`);
    return 2;
  }
  const { command, name } = parsed;
  if (command === 'status') {
    if (name) deps.print(describeFlag(name, await breakerStatus(deps.store, name)));
    else {
      const flags = await deps.store.list();
      if (flags.length === 0) deps.print(`no flags under ${deps.prefix}`);
      for (const f of flags) deps.print('flag' in f ? describeFlag(f.name, f.flag) : `${f.name}: UNREADABLE ${f.error.message}`);
      // A flag applications cannot read is worth a failing exit code, whatever the others say.
      if (flags.some((f) => 'error' in f)) return 1;
    }
    return 0;
  }
  if (!name) throw new UsageError(`${command} needs a flag name`);
  const options = { now: deps.now(), dryRun: deps.dryRun };
  const change =
    command === 'open'
      ? await openBreaker(deps.store, name, { reason: parsed.reason ?? `opened by operator ${deps.operator}`, alarm: null, ttlMinutes: parsed.ttlMinutes }, options)
      : await closeBreaker(deps.store, name, parsed.reason ?? `closed by operator ${deps.operator}`, options);
  deps.print(describeChange(change, deps.dryRun));
  return 0;
}
