// Breaker operator commands (status, open, close): the command line, and what each prints, independent of where flags are stored.
import { answerCommandLine, HELP_ASKED, parseCommandLine } from '../cli/args';
import { EXIT, UsageError, type CliIo, type ExitCode } from '../cli/command';
import { resolveStageContext, STAGE_OPTIONS, STAGE_OPTIONS_HELP } from '../cli/stage-options';
import { InvalidInputError } from '../errors';
import { whyUnreadable } from '../read-failure';
import { breakerStatus, closeBreaker, openBreaker, type BreakerChange } from './breaker';
import { DEFAULT_OPERATOR_TTL_MINUTES, planClose, planOpen, type BreakerFlag } from './flag';
import { FLAG_NAME_PATTERN, type FlagStore } from './store';

export { DEFAULT_OPERATOR_TTL_MINUTES, UsageError };

export const BREAKER_USAGE = `Usage: npm run breaker -- <command> [name] [options]
   or: firebreak breaker <command> [name] [options]

Reads, opens and closes circuit-breaker flags: one SSM String parameter per flag under the stage's
prefix (BREAKER_PREFIX, default /firebreak/<stage>/breakers), which applications read.

  status [name]                 print one flag, or every flag under the prefix
  open <name> [--reason text] [--ttl minutes]
                                open a flag (idempotent: an open flag not yet due is left as it is)
  close <name> [--reason text]  close a flag

${STAGE_OPTIONS_HELP}
  --reason text  why, stored in the flag (default: opened|closed by operator <your user name>)
  --ttl minutes  when an open flag is due for re-evaluation, 1 to 1440 (default ${DEFAULT_OPERATOR_TTL_MINUTES})
  -h, --help     this text

Credentials: the usual AWS ones (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws sso
login), allowed ssm:GetParameter, ssm:GetParametersByPath and ssm:PutParameter under the prefix;
AWS_ENDPOINT_URL points them at an emulator. Without them a dry run still prints the change it would
make, saying what it could not read.

Exit codes: 0 done (a dry run's plan included); 1 a flag could not be read or written, or status found
a parameter that is not a valid flag; 2 bad usage.

Examples:
  firebreak breaker status --stage prod
  firebreak breaker open retail-prediction-api --stage prod --reason "bad model rollout" --ttl 60
  firebreak breaker close retail-prediction-api --stage prod --reason "rolled back to v2.3.0"`;

export interface BreakerCliDeps {
  readonly io: CliIo;
  /** The store of the flags under `prefix` in `region`: SSM in the real CLI. */
  readonly store: (prefix: string, region: string) => FlagStore;
  readonly now: () => Date;
  readonly operator: string;
  /** The stage's region when --region is not given; by default from serverless.yml. */
  readonly stageRegion?: (stage: string) => string;
}

interface Parsed {
  readonly command: 'status' | 'open' | 'close';
  readonly name?: string;
  readonly reason?: string;
  readonly ttlMinutes: number;
  readonly help: boolean;
  readonly stage?: string;
  readonly region?: string;
  readonly 'dry-run'?: boolean;
}

const OPTIONS = { ...STAGE_OPTIONS, reason: { type: 'string' }, ttl: { type: 'string' } } as const;

/** Parses `status|open|close <name> [--reason ...] [--ttl n]` and the stage options; throws UsageError naming what is wrong. */
export function parseBreakerArgs(argv: readonly string[]): Parsed {
  const { values, positionals } = parseCommandLine('firebreak breaker', argv, OPTIONS);
  if (values.help) return { command: 'status', ttlMinutes: DEFAULT_OPERATOR_TTL_MINUTES, help: true };
  const ttlMinutes = values.ttl === undefined ? DEFAULT_OPERATOR_TTL_MINUTES : Number(values.ttl);
  if (!Number.isInteger(ttlMinutes) || ttlMinutes < 1 || ttlMinutes > 1440) throw new UsageError('--ttl must be whole minutes between 1 and 1440');
  const [command, name, ...rest] = positionals;
  if (command !== 'status' && command !== 'open' && command !== 'close') {
    throw new UsageError(`${command ? `unknown command ${command}` : 'a command is needed'}: give status, open or close`);
  }
  if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(' ')}: ${command} takes one flag name (quote a --reason with spaces)`);
  if (command !== 'status' && !name) throw new UsageError(`${command} needs a flag name: firebreak breaker ${command} <name>`);
  if (name !== undefined && !FLAG_NAME_PATTERN.test(name)) throw new UsageError(`flag name ${name} may hold only letters, digits, dot, dash and underscore`);
  if (command === 'status' && (values.reason !== undefined || values.ttl !== undefined)) throw new UsageError('status takes no --reason or --ttl: they are for open and close');
  return { ...values, command, name, reason: values.reason, ttlMinutes, help: false };
}

const describeFlag = (name: string, flag: BreakerFlag | undefined): string =>
  flag === undefined ? `${name}: no flag (applications read it as closed)` : `${name}: ${flag.state.toUpperCase()} ${JSON.stringify(flag)}`;

const describeChange = (c: BreakerChange, dryRun: boolean): string => {
  const note = c.changed && !c.written ? (dryRun ? ' (DRY_RUN: not written)' : ' (not written)') : '';
  return `${c.name}: ${c.kind}${note}\n${describeFlag(c.name, c.flag)}`;
};

/** `could not <doing> in <region>: <why>`, and how to give credentials when there were none. */
function awsFailure(doing: string, region: string, error: unknown): string {
  const why = whyUnreadable(error);
  const fix =
    why === 'no AWS credentials'
      ? '. Give credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws sso login), or point AWS_ENDPOINT_URL at an emulator'
      : '';
  return `could not ${doing} in ${region}: ${why}${fix}`;
}

/** Runs one command and prints the state; resolves to the exit code. */
export function runBreakerCli(argv: readonly string[], deps: BreakerCliDeps): Promise<ExitCode> {
  const { io } = deps;
  return answerCommandLine(
    { name: 'breaker', help: BREAKER_USAGE },
    io,
    () => {
      const parsed = parseBreakerArgs(argv);
      return parsed.help ? HELP_ASKED : { parsed, context: resolveStageContext(parsed, io, deps.stageRegion) };
    },
    ({ parsed, context }) => runBreakerCommand(parsed, context, deps),
  );
}

async function runBreakerCommand(parsed: Parsed, context: ReturnType<typeof resolveStageContext>, deps: BreakerCliDeps): Promise<ExitCode> {
  const { io } = deps;
  const { breakerPrefix: prefix, region, dryRun } = context.config;
  const store = deps.store(prefix, region);
  const { command, name } = parsed;
  if (command === 'status') {
    try {
      if (name) {
        io.print(describeFlag(name, await breakerStatus(store, name)));
        return EXIT.done;
      }
      const flags = await store.list();
      if (flags.length === 0) io.print(`no flags under ${prefix}`);
      for (const f of flags) io.print('flag' in f ? describeFlag(f.name, f.flag) : `${f.name}: UNREADABLE ${f.error.message}`);
      // A flag applications cannot read is worth a failing exit code, whatever the others say.
      return flags.some((f) => 'error' in f) ? EXIT.failed : EXIT.done;
    } catch (error) {
      io.error(error instanceof InvalidInputError ? `${name}: UNREADABLE ${error.message}` : awsFailure(`read ${name ? `${prefix}/${name}` : `the flags under ${prefix}`}`, region, error));
      return EXIT.failed;
    }
  }
  const flag = name!; // open and close are parsed with a name
  if (dryRun) io.print(`dry run (${context.dryRunFrom}): nothing is written; DRY_RUN=false writes`);
  const reason = parsed.reason ?? `${command === 'open' ? 'opened' : 'closed'} by operator ${deps.operator}`;
  const request = { reason, alarm: null, ttlMinutes: parsed.ttlMinutes };
  const options = { now: deps.now(), dryRun };
  try {
    const change = command === 'open' ? await openBreaker(store, flag, request, options) : await closeBreaker(store, flag, reason, options);
    io.print(describeChange(change, dryRun));
    return EXIT.done;
  } catch (error) {
    // A parameter that is there but is not a flag is known to be bad, not unreadable: refused, dry run or not.
    if (error instanceof InvalidInputError || !dryRun) {
      io.error(error instanceof InvalidInputError ? error.message : awsFailure(`${command} ${prefix}/${flag}`, region, error));
      return EXIT.failed;
    }
    // A dry run writes nothing, so what failed is the read: plan from no flag, saying so.
    io.error(awsFailure(`read ${prefix}/${flag}`, region, error));
    if (command === 'open') {
      io.print(`${flag}: would be opened, unless it is open and not yet due (then nothing changes) (DRY_RUN: not written)`);
      io.print(describeFlag(flag, planOpen(undefined, request, options.now).flag));
    } else {
      const closed = planClose({ state: 'open', reason, alarm: null, openedAt: null, expiresAt: null }, reason).flag;
      io.print(`${flag}: would be closed if it is open, keeping its alarm and openedAt (DRY_RUN: not written)`);
      io.print(`${flag}: CLOSED reason ${JSON.stringify(closed.reason)}, expiresAt null`);
    }
    return EXIT.done;
  }
}
