// Silence operator commands (add, list, expire): the command line, its refusals and what each prints, over an injected SilenceStore.
import { answerCommandLine, HELP_ASKED, parseCommandLine } from '../cli/args';
import { EXIT, UsageError, type CliIo, type ExitCode } from '../cli/command';
import { resolveStageContext, STAGE_OPTIONS, STAGE_OPTIONS_HELP, type StageContext } from '../cli/stage-options';
import { formatDuration, parseDuration } from '../duration';
import { parseZonedIsoTime } from './iso-time';
import { InvalidInputError } from '../errors';
import { SEVERITIES, type ChannelName, type Severity } from '../policy/schema';
import { whyUnreadable } from '../read-failure';
import { SILENCE_MAX_MS, type Silence } from './model';
import { InMemorySilenceStore, newSilenceId, type HeldNotification, type SilenceStore } from './store';

/** The longest a silence may last, as operators write it. */
const MAX = formatDuration(SILENCE_MAX_MS);
/** Withheld notifications `list` shows per silence (the newest); --json gives them all. */
export const LIST_LAST_HELD = 5;
/** A silence id as newSilenceId makes them. */
const SILENCE_ID = /^sil-[0-9a-z]{10}$/;
/** The routes' limit on an alarm-name pattern (shared/policy/schema.ts). */
const PATTERN_MAX_LENGTH = 255;

const SEVERITY_CHOICES = `${SEVERITIES.slice(0, -1).join(', ')} or ${SEVERITIES.at(-1)}`;

const END_NEEDED = `a silence must end: give --for 2h (at most ${MAX}) or --until 2026-12-06T04:00:00Z`;

export const SILENCE_USAGE = `Usage: npm run silence -- <command> [options]
   or: firebreak silence <command> [options]

Silences alarms for a while: notify withholds their notifications (a resolve for a page that went out
still goes) and, with --pause-remediation, remediation and the responder's actions are refused for
them. Each silence is an item in the stage's STATE_TABLE (default firebreak-<stage>-state, as
serverless.yml's custom.stateTableName) that the table removes once it ended; every add and expire is
kept in its audit trail, and every notification it held back is recorded.

  add --alarm <pattern> (--for <duration> | --until <time>) --reason <text> --by <who>
                                silence the alarms matching the patterns, from now (or --starts)
  list [--all] [--json]         the silences active or starting later, with what each held back so far
  expire <id> [--by <who>]      end a silence now

  --alarm P      an alarm-name pattern as routes write them (* is any run of characters); repeat it for more
  --for D        how long it lasts: 30m, 2h, 1h30m, 7d (at most ${MAX})
  --until T      when it ends, an ISO time with its zone (2026-12-06T04:00:00Z); at most ${MAX} after its start
  --starts T     when it starts, an ISO time with its zone, now or later (default: now)
  --reason text  why, as the on-call reads it in Slack (required)
  --by who       who adds it (required), or who ends it (default: your user name); an e-mail address or a name
  --severity S   only alarms of this severity: ${SEVERITIES.join(', ')}; repeat it for more (default: every severity)
  --pause-remediation
                 also refuse remediation and the responder's actions for covered alarms while it holds
  --all          list also the silences that ended and are still in the table
  --json         list as JSON: each silence with its status and every notification it held back
${STAGE_OPTIONS_HELP}
  -h, --help     this text

Stage local has no table offline: list reads nothing and add and expire print what they would do, unless
STATE_TABLE names one (AWS_ENDPOINT_URL points the client at an emulator).

Credentials: the usual AWS ones (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws sso
login), allowed dynamodb:Query and dynamodb:PutItem on the table (TransactWriteItems uses them).

Exit codes: 0 done (a dry run's plan included); 1 the table could not be read or written, or expire found
no such silence or one that already ended; 2 bad usage.

Examples:
  firebreak silence add --stage prod --alarm 'FeatureStore-*' --alarm RetailPrediction-HighLatency --for 2h \\
    --reason "migrating the feature store" --by alice@example.com --pause-remediation
  firebreak silence list --stage prod
  firebreak silence expire sil-0a1b2c3d4e --stage prod`;

export interface SilenceCliDeps {
  readonly io: CliIo;
  /** The silences in `table` in `region`: DynamoDB in the real CLI. */
  readonly store: (table: string, region: string) => SilenceStore;
  readonly now: () => Date;
  /** Who expires a silence when --by is not given: the OS user name. */
  readonly operator: string;
  /** The stage's region when --region is not given; by default from serverless.yml. */
  readonly stageRegion?: (stage: string) => string;
  /** A new silence's id; newSilenceId unless given. */
  readonly newId?: () => string;
}

/** A silence as `add` read it from the command line: everything but its id and when it was added. */
export type SilenceRequest = Omit<Silence, 'id' | 'createdAt' | 'expiredBy'>;

type StageValues = Parameters<typeof resolveStageContext>[0];

/** A command line of `firebreak silence`, read and checked. */
export type SilenceArgs = StageValues &
  ({ readonly command: 'add'; readonly request: SilenceRequest } | { readonly command: 'list'; readonly all: boolean; readonly json: boolean } | { readonly command: 'expire'; readonly id: string; readonly by?: string });

const OPTIONS = {
  ...STAGE_OPTIONS,
  alarm: { type: 'string', multiple: true },
  for: { type: 'string' },
  until: { type: 'string' },
  starts: { type: 'string' },
  reason: { type: 'string' },
  by: { type: 'string' },
  severity: { type: 'string', multiple: true },
  'pause-remediation': { type: 'boolean' },
  all: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

type Command = SilenceArgs['command'];
type Flag = Exclude<keyof typeof OPTIONS, keyof typeof STAGE_OPTIONS>;

/** The flags of each command besides the stage options. */
const FLAGS_OF: Readonly<Record<Command, readonly Flag[]>> = {
  add: ['alarm', 'for', 'until', 'starts', 'reason', 'by', 'severity', 'pause-remediation'],
  list: ['all', 'json'],
  expire: ['by'],
};

const flagList = (flags: readonly string[]) => flags.map((f) => `--${f}`).join(', ');

/**
 * Parses `add|list|expire ...` and the stage options at `now` (an end in the past is refused);
 * HELP_ASKED for --help. Throws UsageError naming each flag that is missing or wrong and what to write.
 */
export function parseSilenceArgs(argv: readonly string[], now: Date): SilenceArgs | typeof HELP_ASKED {
  const { values, positionals } = parseCommandLine('firebreak silence', argv, OPTIONS);
  if (values.help) return HELP_ASKED;
  const [command, ...rest] = positionals;
  if (command !== 'add' && command !== 'list' && command !== 'expire') {
    throw new UsageError(`${command ? `unknown command ${command}` : 'a command is needed'}: give add, list or expire`);
  }
  const stray = (Object.keys(values) as (keyof typeof values)[]).filter((f): f is Flag => f !== 'help' && !(f in STAGE_OPTIONS) && !FLAGS_OF[command].includes(f as Flag));
  if (stray.length > 0) {
    throw new UsageError(`${command} takes no ${flagList(stray)}: ${command} takes ${flagList(FLAGS_OF[command])} and the stage options (firebreak silence --help)`);
  }
  const stage = { stage: values.stage, region: values.region, 'dry-run': values['dry-run'] };
  if (command === 'list') {
    if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(' ')}: list takes no names (firebreak silence list [--all] [--json])`);
    return { ...stage, command, all: values.all === true, json: values.json === true };
  }
  if (command === 'expire') {
    const [id, ...more] = rest;
    if (id === undefined) throw new UsageError('expire needs a silence id: firebreak silence expire <id> (firebreak silence list shows them)');
    if (more.length > 0) throw new UsageError(`unexpected ${more.join(' ')}: expire takes one silence id`);
    if (id.startsWith('window:')) throw new UsageError(`${id} is a maintenance window of the stage's policy, not a silence: change the policy's notify.windows to change it`);
    if (!SILENCE_ID.test(id)) throw new UsageError(`${id} is not a silence id: an id is sil- and 10 letters or digits, as firebreak silence list shows`);
    return { ...stage, command, id, ...(values.by === undefined ? {} : { by: byOf(values.by) }) };
  }
  if (rest.length > 0) throw new UsageError(`unexpected ${rest.join(' ')}: give each pattern as --alarm <pattern> (and quote a --reason with spaces)`);
  return { ...stage, command, request: parseAdd(values, now) };
}

const byOf = (by: string): string => {
  if (by.trim() === '') throw new UsageError('--by needs a value: who you are, such as --by alice@example.com');
  return by.trim();
};

interface AddValues {
  readonly alarm?: readonly string[];
  readonly for?: string;
  readonly until?: string;
  readonly starts?: string;
  readonly reason?: string;
  readonly by?: string;
  readonly severity?: readonly string[];
  readonly 'pause-remediation'?: boolean;
}

/** `add`'s flags as a silence; every problem found is named in the one UsageError. */
function parseAdd(values: AddValues, now: Date): SilenceRequest {
  const problems: string[] = [];
  const alarms = [...new Set(values.alarm ?? [])];
  if (alarms.length === 0) problems.push("add needs --alarm <pattern>: the alarms to silence, such as --alarm 'FeatureStore-*' (* is any run of characters; repeat --alarm for more)");
  if (alarms.some((a) => a.trim() === '')) problems.push("--alarm needs a pattern: such as --alarm 'FeatureStore-*'");
  const long = alarms.find((a) => a.length > PATTERN_MAX_LENGTH);
  if (long !== undefined) problems.push(`--alarm ${long.slice(0, 40)}… is longer than ${PATTERN_MAX_LENGTH} characters, the longest an alarm name is`);

  const severities: Severity[] = [];
  for (const s of (values.severity ?? []).flatMap((v) => v.split(','))) {
    const severity = s.trim();
    if (!(SEVERITIES as readonly string[]).includes(severity)) problems.push(`--severity ${s} is not a severity: give ${SEVERITY_CHOICES} (repeat --severity for more)`);
    else if (!severities.includes(severity as Severity)) severities.push(severity as Severity);
  }

  let start = now;
  if (values.starts !== undefined) {
    const at = parseZonedIsoTime(values.starts);
    if (at === undefined) problems.push(`--starts ${values.starts} is not an ISO time: write it with its zone, as 2026-12-06T02:00:00Z`);
    else if (at.getTime() < now.getTime()) problems.push(`--starts ${values.starts} is in the past (it is ${shown(now)}): leave --starts out to start now`);
    else start = at;
  }

  let end: Date | undefined;
  if (values.for !== undefined && values.until !== undefined) problems.push('--for and --until both say when it ends: give one');
  else if (values.for !== undefined) {
    const ms = parseDuration(values.for);
    if (ms === undefined) problems.push(`--for ${values.for} is not a duration: write it as 30m, 2h, 1h30m or 7d (at most ${MAX})`);
    else if (ms > SILENCE_MAX_MS) problems.push(`--for ${values.for} is longer than ${MAX}, the longest a silence lasts (a silence is a pause, not a way to turn an alarm off): give --for ${MAX} or less`);
    else end = new Date(start.getTime() + ms);
  } else if (values.until !== undefined) {
    const at = parseZonedIsoTime(values.until);
    if (at === undefined) problems.push(`--until ${values.until} is not an ISO time: write it with its zone, as 2026-12-06T04:00:00Z`);
    else if (at.getTime() <= now.getTime()) problems.push(`--until ${values.until} is in the past (it is ${shown(now)}): give a later time, or --for 2h`);
    else if (at.getTime() <= start.getTime()) problems.push(`--until ${values.until} is not after --starts ${values.starts}: a silence ends after it starts`);
    else if (at.getTime() - start.getTime() > SILENCE_MAX_MS) problems.push(`--until ${values.until} is ${formatDuration(at.getTime() - start.getTime())} after the start, longer than ${MAX}, the longest a silence lasts: give an earlier --until`);
    else end = at;
  } else problems.push(END_NEEDED);

  const reason = values.reason?.trim();
  if (!reason) problems.push('add needs --reason <text>: why, as the on-call reads it in Slack, such as --reason "migrating the feature store"');
  const by = values.by?.trim();
  if (!by) problems.push('add needs --by <who>: your e-mail address or name, such as --by alice@example.com');

  if (problems.length > 0) throw new UsageError(problems.join('\n  and: '));
  return {
    alarms,
    ...(severities.length > 0 ? { severities } : {}),
    startsAt: start.toISOString(),
    endsAt: end!.toISOString(),
    reason: reason!,
    createdBy: by!,
    pauseRemediation: values['pause-remediation'] === true,
  };
}

/** `2026-12-06T04:00:00Z`: ISO to the second, as operators write it (--json keeps the milliseconds). */
const shown = (at: Date | string): string => (typeof at === 'string' ? at : at.toISOString()).replace(/\.\d{3}Z$/, 'Z');

/** The table of the stage's silences: STATE_TABLE, else the name serverless.yml's custom.stateTableName gives it. */
export const stateTableOf = (context: StageContext): string => context.config.stateTable ?? `firebreak-${context.config.stage}-state`;

/** Stage local with no STATE_TABLE: there is no table to read or write. */
const offline = (context: StageContext): boolean => context.config.stage === 'local' && context.config.stateTable === undefined;

/** `could not <doing> in STATE_TABLE <table> (<region>): <why>`, and how to give credentials when there were none. */
function storeFailure(doing: string, table: string, region: string, error: unknown): string {
  // The store's messages already name the table; its cause says why in the fewest words.
  const why = whyUnreadable(error instanceof Error && error.cause !== undefined ? error.cause : error);
  const fix =
    why === 'no AWS credentials'
      ? '. Give credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws sso login), or point AWS_ENDPOINT_URL at an emulator'
      : '';
  return `could not ${doing} in STATE_TABLE ${table} (${region}): ${why}${fix}`;
}

/** Runs one command and prints what it did; resolves to the exit code. */
export function runSilenceCli(argv: readonly string[], deps: SilenceCliDeps): Promise<ExitCode> {
  const { io } = deps;
  const now = deps.now();
  return answerCommandLine(
    { name: 'silence', help: SILENCE_USAGE },
    io,
    () => {
      const args = parseSilenceArgs(argv, now);
      if (args === HELP_ASKED) return HELP_ASKED;
      const context = resolveStageContext(args, io, deps.stageRegion);
      if (args.command !== 'list' && offline(context) && !context.config.dryRun) {
        throw new UsageError(`stage local has no table offline to ${args.command === 'add' ? 'add the silence to' : 'expire it in'}: set STATE_TABLE (and AWS_ENDPOINT_URL for an emulator), or give --stage`);
      }
      return { args, context };
    },
    ({ args, context }) => {
      const table = stateTableOf(context);
      const run = { io, context, table, now, store: () => deps.store(table, context.config.region) };
      switch (args.command) {
        case 'add':
          return add(args.request, { ...run, id: (deps.newId ?? newSilenceId)() });
        case 'list':
          return list(args, run);
        case 'expire':
          return expire(args.id, args.by ?? deps.operator, run);
      }
    },
  );
}

interface Run {
  readonly io: CliIo;
  readonly context: StageContext;
  readonly table: string;
  readonly now: Date;
  /** Made only when the command reads or writes, so an offline run makes no client. */
  readonly store: () => SilenceStore;
}

const where = (run: Run) => `STATE_TABLE ${run.table} (${run.context.config.region}, stage ${run.context.config.stage})`;

const dryRunLine = (run: Run) => `dry run (${run.context.dryRunFrom}): nothing is written; DRY_RUN=false writes`;

async function add(request: SilenceRequest, run: Run & { readonly id: string }): Promise<ExitCode> {
  const { io, context, now } = run;
  const silence: Silence = {
    id: run.id,
    alarms: request.alarms,
    ...(request.severities ? { severities: request.severities } : {}),
    startsAt: request.startsAt,
    endsAt: request.endsAt,
    reason: request.reason,
    createdBy: request.createdBy,
    createdAt: now.toISOString(),
    pauseRemediation: request.pauseRemediation,
  };
  if (context.config.dryRun) {
    io.print(dryRunLine(run));
    io.print(`would add silence ${silence.id} to ${where(run)}:`);
    for (const line of describeSilence(silence, now)) io.print(line);
    io.print('Slack is not told: nothing was written.');
    return EXIT.done;
  }
  try {
    await run.store().add(silence);
  } catch (error) {
    io.error(error instanceof InvalidInputError ? error.message : storeFailure('add the silence', run.table, context.config.region, error));
    return EXIT.failed;
  }
  io.print(`added silence ${silence.id} to ${where(run)}:`);
  for (const line of describeSilence(silence, now)) io.print(line);
  io.print("Slack is told of it within a minute, on notify's schedule.");
  io.print(`End it early: firebreak silence expire ${silence.id} --stage ${context.config.stage}`);
  return EXIT.done;
}

async function expire(id: string, by: string, run: Run): Promise<ExitCode> {
  const { io, context, now } = run;
  const { region, dryRun } = context.config;
  if (dryRun) io.print(dryRunLine(run));
  if (dryRun && offline(context)) {
    io.print(`would expire silence ${id} at ${shown(now)}, by ${by}, if it is active; stage local has no table offline, so nothing was read`);
    return EXIT.done;
  }
  let ended: Silence;
  try {
    // A dry run expires it on a copy of what is stored: the same checks and the same result, nothing written.
    ended = dryRun ? await new InMemorySilenceStore(await run.store().list()).expire(id, by, now) : await run.store().expire(id, by, now);
  } catch (error) {
    if (error instanceof InvalidInputError) {
      io.error(error.message);
      return EXIT.failed;
    }
    io.error(storeFailure(dryRun ? 'read the silences' : `expire ${id}`, run.table, region, error));
    if (!dryRun) return EXIT.failed;
    io.print(`would expire silence ${id} at ${shown(now)}, by ${by}, if it is active (DRY_RUN: not written)`);
    return EXIT.done;
  }
  io.print(`${dryRun ? 'would expire' : 'expired'} silence ${id} in ${where(run)}, at ${shown(now)} by ${by}:`);
  for (const line of describeSilence(ended, now)) io.print(line);
  if (!dryRun) io.print('Its alarms notify (and remediate) as usual from now.');
  return EXIT.done;
}

/** A silence's status at `now`. */
export type SilenceStatus = 'active' | 'later' | 'ended';

export const statusOf = (s: Silence, now: Date): SilenceStatus => {
  const t = now.getTime();
  return t < Date.parse(s.startsAt) ? 'later' : t < Date.parse(s.endsAt) ? 'active' : 'ended';
};

const STATUS_ORDER: Readonly<Record<SilenceStatus, number>> = { active: 0, later: 1, ended: 2 };

/** What `list --json` prints for each silence. */
export interface ListedSilence extends Silence {
  readonly status: SilenceStatus;
  readonly held: { readonly count: number; readonly byChannel: Partial<Record<ChannelName, number>>; readonly notifications: readonly HeldNotification[] };
}

async function list(args: { readonly all: boolean; readonly json: boolean }, run: Run): Promise<ExitCode> {
  const { io, context, now } = run;
  const { stage, region } = context.config;
  if (offline(context)) {
    const note = 'stage local has no table offline: nothing to list. Give --stage to read a deployed stage, or STATE_TABLE (and AWS_ENDPOINT_URL for an emulator)';
    if (args.json) {
      io.print(JSON.stringify({ stage, table: null, at: now.toISOString(), silences: [] }, null, 2));
      io.error(note);
    } else io.print(note);
    return EXIT.done;
  }
  let listed: ListedSilence[];
  try {
    const store = run.store();
    const silences = (await store.list())
      .map((s) => ({ silence: s, status: statusOf(s, now) }))
      .filter(({ status }) => args.all || status !== 'ended')
      .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.silence.endsAt.localeCompare(b.silence.endsAt) || a.silence.id.localeCompare(b.silence.id));
    listed = await Promise.all(
      silences.map(async ({ silence, status }) => {
        const notifications = await store.heldBy(silence.id);
        const byChannel: Partial<Record<ChannelName, number>> = {};
        for (const h of notifications) byChannel[h.channel] = (byChannel[h.channel] ?? 0) + 1;
        return { ...silence, status, held: { count: notifications.length, byChannel, notifications } };
      }),
    );
  } catch (error) {
    io.error(storeFailure('read the silences', run.table, region, error));
    return EXIT.failed;
  }
  if (args.json) {
    io.print(JSON.stringify({ stage, table: run.table, region, at: now.toISOString(), silences: listed }, null, 2));
    return EXIT.done;
  }
  const which = args.all ? 'in the table' : 'active or starting later';
  if (listed.length === 0) {
    io.print(`no silences ${which} in ${where(run)}${args.all ? '' : ' (--all shows the ended ones still in the table)'}`);
    return EXIT.done;
  }
  io.print(`${listed.length} ${listed.length === 1 ? 'silence' : 'silences'} ${which} in ${where(run)}, at ${shown(now)}:`);
  for (const s of listed) {
    io.print('');
    for (const line of describeSilence(s, now)) io.print(line);
    for (const line of describeHeld(s.held.notifications)) io.print(line);
  }
  return EXIT.done;
}

/** A silence as people read it: a headline with its status, then one field a line. */
export function describeSilence(s: Silence, now: Date): string[] {
  const t = now.getTime();
  const start = Date.parse(s.startsAt);
  const end = Date.parse(s.endsAt);
  const status = statusOf(s, now);
  const headline =
    status === 'active'
      ? `ACTIVE, ${formatDuration(end - t)} left`
      : status === 'later'
        ? `STARTS LATER, in ${formatDuration(start - t)}`
        : `ENDED ${t - end < 1000 ? 'just now' : `${formatDuration(t - end)} ago`}${s.expiredBy ? `, expired early by ${s.expiredBy}` : ''}`;
  return [
    `${s.id}  ${headline}`,
    `  alarms       ${s.alarms.join(', ')}`,
    `  severity     ${s.severities ? s.severities.join(', ') : 'every severity'}`,
    `  starts       ${shown(s.startsAt)}${start === t ? ' (now)' : ''}`,
    `  ends         ${shown(s.endsAt)} (${formatDuration(end - start)} after it starts)`,
    `  reason       ${s.reason}`,
    `  by           ${s.createdBy}, at ${shown(s.createdAt)}`,
    `  remediation  ${s.pauseRemediation ? 'PAUSED for the alarms it covers' : 'not paused (runs as usual)'}`,
  ];
}

/** What a silence held back: counts per channel, then the newest few. */
function describeHeld(held: readonly HeldNotification[]): string[] {
  if (held.length === 0) return ['  held back    nothing held back yet'];
  const counts = new Map<string, number>();
  for (const h of held) counts.set(h.channel, (counts.get(h.channel) ?? 0) + 1);
  const perChannel = [...counts].map(([channel, n]) => `${channel} ${n}`).join(', ');
  const last = held.slice(-LIST_LAST_HELD).reverse();
  const earlier = held.length - last.length;
  return [
    `  held back    ${held.length} notification${held.length === 1 ? '' : 's'}: ${perChannel}`,
    ...last.map((h) => `    ${shown(h.at)}  ${h.alarm}  ${h.state}  ${h.channel}`),
    ...(earlier > 0 ? [`    … and ${earlier} earlier (--json lists them all)`] : []),
  ];
}
