// Operator CLI: `firebreak policy [--stage S] [--at T] [--silences] [<event.json>...]` prints which alarms reach each function, and what an event would trigger, hold back or group, under a stage's policy.
import { readFileSync } from 'node:fs';
import { documentClient } from '../aws/dynamodb';
import { parseAlarmMessage } from '../alarm/parse';
import type { ParsedMessage } from '../alarm/model';
import { forEachSnsMessage } from '../alarm/sns-event';
import { formatDuration } from '../duration';
import { ConfigError, InvalidInputError } from '../errors';
import { JsonSyntaxError, parseJsonText } from '../json-text';
import { policyForStage } from '../policy/load';
import { groupedChannels } from '../notify/group/join';
import { serviceOf } from '../notify/group/identity';
import { dueOnJoin } from '../notify/group/timing';
import { planNotification, type NotificationPlan, type PlannedDelivery } from '../notify/plan';
import { DEFAULT_RUNBOOK_BASE_URL } from '../config';
import type { ChannelName, Policy, RoutingPolicy } from '../policy/schema';
import { describeUnreadable, whyUnreadable } from '../read-failure';
import { rulesFor, type RuleAction } from '../remediation/policy';
import { serviceForAlarm } from '../responder/policy';
import { stateTableOf } from '../silence/cli';
import { isoToTheSecond, parseZonedIsoTime } from '../silence/iso-time';
import { holdsOn, pausingHold } from '../silence/match';
import type { Hold, Silence } from '../silence/model';
import { DynamoDbSilenceStore, type SilenceStore } from '../silence/store';
import { FILTERED_SUBSCRIBERS, subscriptionFilters, type SelectedAlarm, type SubscriptionFilter } from '../policy/subscription-filters';
import { answerCommandLine, HELP_ASKED, parseCommandLine } from './args';
import { EXIT, UsageError, type CliCommand, type CliIo, type ExitCode } from './command';
import { resolveStage, resolveStageContext, STAGE_HELP, STAGE_OPTION } from './stage-options';

const HELP = `Usage: npm run policy -- [--stage S] [--at T] [--silences] [<event.json> more.json ...]
   or: firebreak policy [--stage S] [--at T] [--silences] [<event.json> more.json ...]

Prints which alarms each function subscribed to the alarms topic receives under the stage's policy
(its filter policy), then, for each event file, what notify and the functions that act on alarms would
do with it: the severity, the routes that match, the channels it is delivered to, the actions it
triggers; what would keep it quiet at the moment --at (the stage policy's maintenance windows, and with
--silences the stage's stored silences): which channels are withheld and what still goes; and, on a
grouped route, which group it joins and when that group's first batch is due. Sends nothing, and reads
nothing from AWS unless --silences is given.

An event file is what the alarms topic delivers to notify: an SNS event ({"Records": [{"Sns": ...}]},
as in events/), each of its records reported. A file notify would refuse (not JSON, a CloudWatch Logs
event, any JSON without SNS Records) is refused with notify's reason. A bare CloudWatch alarm message
(one record's Sns.Message: a CloudWatch alarm notification or an EventBridge alarm state change) is
not an SNS event either, and is said to be so; it is read as the message of one SNS record.

${STAGE_HELP}
  --at T         the moment to explain, an ISO time with its zone (2026-12-06T02:00:00Z); default: now
  --silences     also read the stage's stored silences from its STATE_TABLE (STATE_TABLE, else
                 firebreak-<stage>-state, in the stage's region in serverless.yml's params); needs the
                 usual AWS credentials, allowed dynamodb:Query on the table. Without it only the
                 policy's maintenance windows are weighed
  -h, --help     this text

A resolve for a page notify opened goes out under a silence; offline this command cannot tell whether
the page went out, and says so. Group timing assumes a new group: the first batch is due the route's
group.wait after the first member, then later changes go at most once each group.interval.

Exit codes: 0 every file read; 1 a file could not be read, notify would refuse it, the stage's policy is
invalid, or (--silences) the stored silences could not be read; 2 bad usage.

Examples:
  npm run policy -- events/alarm-high-error-rate-alarm.json
  firebreak policy --stage prod events/alarm-critical-issue-ok.json events/sns-plain-text.json
  firebreak policy --stage prod --at 2026-12-06T02:00:00Z --silences events/alarm-model-latency-alarm.json`;

/**
 * What each function's subscription to the alarms topic receives under the policy, as lines: the
 * alarms (and states) its filter selects, or every alarm and why, or why it is not subscribed. Pure.
 */
export function describeSubscriptions(policy: Policy, stage: string): string[] {
  const filters = subscriptionFilters(policy);
  const width = Math.max(...['notify', ...FILTERED_SUBSCRIBERS].map((fn) => fn.length)) + 2;
  return [
    `subscriptions to the alarms topic (stage ${stage}):`,
    `  ${'notify'.padEnd(width)}every message`,
    ...FILTERED_SUBSCRIBERS.map((fn) => `  ${fn.padEnd(width)}${describeFilter(filters[fn])}`),
  ];
}

function describeFilter(filter: SubscriptionFilter): string {
  switch (filter.kind) {
    case 'filtered': {
      const alarms = filter.alarms.map((a) => `${describeAlarm(a)} in ${filter.byState && a.states !== 'any' ? a.states.join(', ') : 'any state'}`).join('; ');
      return filter.note ? `${alarms} (${filter.note}; the function checks the state itself)` : alarms;
    }
    case 'every-alarm':
      return `every alarm: ${filter.reason}`;
    case 'unsubscribed':
      return `not subscribed: ${filter.reason}`;
  }
}

const describeAlarm = (a: SelectedAlarm): string => (a.match === 'prefix' ? `${a.alarm} (every name starting ${a.value})` : a.alarm);

/** What an event file holds, as notify would take it. */
export type EventFile =
  /** An SNS event: every record's message. */
  | { readonly kind: 'sns'; readonly messages: readonly ParsedMessage[] }
  /** One CloudWatch alarm message, not wrapped in an SNS event: notify would refuse the file as it is. */
  | { readonly kind: 'bare-alarm'; readonly message: ParsedMessage; readonly refusal: string }
  /** What notify would refuse, and why. */
  | { readonly kind: 'refused'; readonly reason: string };

const SNS_SHAPE = 'notify takes an SNS event, {"Records": [{"Sns": {"MessageId": ..., "Message": ...}}]} (see events/)';

/** Reads an event file as notify would take it: an SNS event through the same check notify makes, or a bare alarm message. */
export async function readEventFile(path: string, text: string): Promise<EventFile> {
  let json: unknown;
  try {
    json = parseJsonText(text, path);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return { kind: 'refused', reason: `${error.message}. ${SNS_SHAPE}; a text message is tested as the Message of one, as in events/sns-plain-text.json` };
  }
  try {
    const { results } = await forEachSnsMessage(json, async (message) => message);
    return { kind: 'sns', messages: results };
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    const bare = typeof json === 'object' && json !== null && !('Records' in json) ? parseAlarmMessage(text) : undefined;
    if (bare?.type === 'alarm') return { kind: 'bare-alarm', message: { ...bare, messageId: `(file ${path})` }, refusal: error.message };
    const logs = typeof json === 'object' && json !== null && 'awslogs' in json ? ` This is a CloudWatch Logs event, for forwardLogs: npx serverless invoke local --stage local -f forwardLogs -p ${path}` : '';
    return { kind: 'refused', reason: `notify would refuse it: ${error.message}. ${SNS_SHAPE}.${logs}` };
  }
}

/** The moment a report is for, and the stage's stored silences it weighs with the policy's windows. */
export interface ReportMoment {
  readonly at: Date;
  /** Undefined when they were not read (no --silences): only the maintenance windows are weighed. */
  readonly silences?: readonly Silence[];
}

/** 11 columns: where a report's values start, under `severity:  `. */
const INDENT = ' '.repeat(11);

/**
 * The report for one message at `moment.at`, as lines: what notify plans for it (severity, routes,
 * channels), the actions it triggers, what would hold it quiet then (`quiet:`) and which group its
 * grouped channels would join (`group:`), as notify's fan-out applies them. Pure.
 */
export function describeMessage(message: ParsedMessage, policy: Policy, stage: string, moment: ReportMoment): string[] {
  const plan = planNotification(message, { policy: policy.notify, stage, runbookBaseUrl: DEFAULT_RUNBOOK_BASE_URL });
  const view = plan.view;
  const lines: string[] = [];
  if (view.type === 'alarm') {
    const a = view.alarm;
    lines.push(`alarm:     ${a.name} (${a.kind} alarm, ${a.previousState ?? '?'} -> ${a.state}, ${a.region})`);
  } else {
    lines.push(`generic:   ${view.generic.subject}`, `           not an alarm: ${view.generic.reason}`);
  }
  lines.push(`severity:  ${view.severity} (${view.from})`, `routes:    ${plan.routing.routes.join(', ')}`);
  lines.push(`channels:  ${plan.deliveries.map(channelLabel).join(', ') || '(none)'}`);
  for (const w of plan.routing.withheld) lines.push(`withheld:  ${w.channel}: ${w.reason}`);
  if (view.type !== 'alarm') {
    lines.push('quiet:     not an alarm: silences and maintenance windows hold alarms only, so every channel goes', 'group:     not grouped: groups hold alarms only');
    return lines;
  }
  const holds = holdsOn({ alarmName: view.alarm.name, severity: view.severity }, moment.at, moment.silences ?? [], policy.notify.windows);
  lines.push(...describeActions(view.alarm.name, view.alarm.state, policy));
  lines.push(...describeQuiet(plan, policy.notify, holds, moment));
  lines.push(...describeGroups(plan, policy.notify, holds[0], moment.at));
  return lines;
}

const channelLabel = (d: PlannedDelivery): string => (d.channel === 'pagerduty' ? `pagerduty (${d.payload.event_action})` : d.channel);

/**
 * What holds the alarm at the moment, and what that does to each planned channel, as notify's fan-out
 * applies it: the longest-lasting hold withholds every channel, but for an OK a grouped route's channels
 * still join a group the alarm is in, and a PagerDuty resolve goes for a page notify opened (both known
 * only from STATE_TABLE, so said as conditions).
 */
function describeQuiet(plan: NotificationPlan, routing: RoutingPolicy, holds: readonly Hold[], moment: ReportMoment): string[] {
  const at = isoToTheSecond(moment.at);
  const notRead = moment.silences === undefined ? [`${INDENT}stored silences were not read (add --silences to read them, needs AWS credentials)`] : [];
  const [hold, ...others] = holds;
  if (!hold) return [`quiet:     ${moment.silences === undefined ? 'no maintenance window' : 'no maintenance window or stored silence'} holds it at ${at}`, ...notRead];
  const lines = [`quiet:     held at ${at} by ${describeQuietHold(hold, routing)}`, ...others.map((h) => `${INDENT}also held by ${describeQuietHold(h, routing)}`)];
  if (plan.deliveries.length === 0) lines.push(`${INDENT}withheld:   nothing: no channel is planned`);
  else {
    const fates = plan.deliveries.map((d) => ({ label: channelLabel(d), goesIf: goesUnderHold(d, plan, routing, hold) }));
    const withheld = fates.filter((f) => f.goesIf === undefined).map((f) => f.label);
    const conditional = fates.filter((f) => f.goesIf !== undefined);
    lines.push(`${INDENT}withheld:   ${withheld.join(', ') || 'nothing for certain'}`);
    if (conditional.length === 0) lines.push(`${INDENT}still goes: nothing`);
    for (const f of conditional) lines.push(`${INDENT}still goes: ${f.label}: ${f.goesIf}`);
  }
  const pausing = pausingHold(holds);
  if (pausing) lines.push(`${INDENT}remediation paused: every action for this alarm is refused while ${holdName(pausing)} holds (until ${isoToTheSecond(pausing.endsAt)})`);
  return [...lines, ...notRead];
}

const holdName = (hold: Hold): string => (hold.kind === 'silence' ? `silence ${hold.id}` : `maintenance window ${hold.name}`);

/** A hold with its reason, when it runs and whether it pauses remediation; a window with its schedule. */
function describeQuietHold(hold: Hold, routing: RoutingPolicy): string {
  const span = `${isoToTheSecond(hold.startsAt)} to ${isoToTheSecond(hold.endsAt)}`;
  const remediation = hold.pauseRemediation ? 'remediation paused' : 'remediation not paused';
  if (hold.kind === 'silence') return `silence ${hold.id} (${hold.reason}, by ${hold.by}), ${span}, ${remediation}`;
  const window = routing.windows.find((w) => w.name === hold.name);
  const schedule = window ? ` (schedule "${window.schedule}" in ${window.timeZone}, ${formatDuration(window.duration)})` : '';
  return `maintenance window ${hold.name} (${hold.reason}), occurrence ${span}${schedule}, ${remediation}`;
}

/** Under a hold, the condition on which a delivery still goes (undefined: it is withheld), as fan-out's letThrough decides. */
function goesUnderHold(delivery: PlannedDelivery, plan: NotificationPlan, routing: RoutingPolicy, hold: Hold): string | undefined {
  const view = plan.view;
  if (view.type !== 'alarm' || view.alarm.state !== 'OK') return undefined;
  const group = groupedChannels(plan, [delivery], routing)[0];
  if (group) return `joins group ${group.identity.id} only if ${view.alarm.name} is already in it (an OK of a member still joins its group), else withheld`;
  if (delivery.channel === 'pagerduty' && delivery.payload.event_action === 'resolve') {
    return `would be sent only if the page it resolves went out before the ${hold.kind === 'silence' ? 'silence' : 'window'} (notify knows from the open pages in STATE_TABLE)`;
  }
  return undefined;
}

/**
 * The group each grouped route's channels would join, by which keys, and when its first batch is due
 * assuming a new group (`wait` after `at`); what goes at once. Under a hold, grouped channels join only
 * as goesUnderHold says.
 */
function describeGroups(plan: NotificationPlan, routing: RoutingPolicy, hold: Hold | undefined, at: Date): string[] {
  const view = plan.view;
  const groups = groupedChannels(plan, plan.deliveries, routing);
  if (view.type !== 'alarm' || groups.length === 0) return [`group:     not grouped${plan.deliveries.length > 0 ? ': no channel is on a grouped route' : ''}`];
  const labelOf = new Map<ChannelName, string>(plan.deliveries.map((d) => [d.channel, channelLabel(d)]));
  const lines: string[] = [];
  for (const { route, identity, channels } of groups) {
    const keys = identity.key
      .map(({ by, value }) => `${by}=${value}${by === 'service' && serviceOf(view.alarm) === undefined ? ' (its alarm prefix: its metrics have no Service dimension)' : ''}`)
      .join(', ');
    const due = new Date(dueOnJoin(undefined, route.group, at.getTime()));
    lines.push(
      `${lines.length === 0 ? 'group:     ' : INDENT}${channels.map((c) => labelOf.get(c) ?? c).join(', ')} on route ${route.name} would join group ${identity.id}, by ${keys}`,
      `${INDENT}as a new group, its first batch is due at ${isoToTheSecond(due)} (wait ${formatDuration(route.group.wait)} after the first member); later changes go in one batch at most every ${formatDuration(route.group.interval)} (interval)`,
    );
    if (hold) lines.push(view.alarm.state === 'OK' ? `${INDENT}while held, they join only if ${view.alarm.name} is already in the group` : `${INDENT}while held, they join no group: the hold withholds them`);
  }
  const grouped = new Set(groups.flatMap((g) => g.channels));
  const atOnce = plan.deliveries.filter((d) => !grouped.has(d.channel));
  if (atOnce.length > 0) lines.push(`${INDENT}at once: ${atOnce.map(channelLabel).join(', ')} (not on a grouped route)`);
  return lines;
}

/** What the remediation and responder sections would do for this alarm and state (before the guards). */
function describeActions(alarmName: string, state: string, policy: Policy): string[] {
  const lines: string[] = [];
  if (policy.remediation) {
    const rules = rulesFor(policy.remediation, alarmName, state);
    const enabled = policy.remediation.enabled ? '' : ' (remediation is disabled in this policy)';
    for (const rule of rules) lines.push(`action:    ${describeAction(rule.action)}${enabled}`);
  }
  const responder = policy.responder && serviceForAlarm(policy.responder, alarmName);
  if (responder) {
    const breaker = responder.service.breaker?.name ?? '(none)';
    lines.push(
      state === 'OK'
        ? `action:    respond for service ${responder.name}: close the incident (breaker ${breaker} closed if the metrics are healthy), review draft`
        : `action:    respond for service ${responder.name}: diagnose, then scale, open breaker ${breaker} or page`,
    );
  }
  if (lines.length === 0) lines.push('actions:   (none)');
  else lines.push('           every action passes the safety guards first (kill switch, allow-list, bounds, cooldown, budgets)');
  return lines;
}

function describeAction(action: RuleAction): string {
  switch (action.kind) {
    case 'scale-nodegroup':
      return `scaleNodegroup ${action.target} ${action.step > 0 ? '+' : ''}${action.step}`;
    case 'scale-deployment':
      return `scaleDeployment ${action.target} ${'to' in action.replicas ? `to ${action.replicas.to}` : `by ${action.replicas.step}`} replicas`;
    case 'restart-deployment':
      return `scaleDeployment ${action.target} rollout restart`;
  }
}

/** What `firebreak policy` reaches outside itself: the stored silences and the clock. */
export interface PolicyPorts {
  /** The stored silences of `table` in `region`: DynamoDB in the real CLI. */
  readonly silenceStore: (table: string, region: string) => Pick<SilenceStore, 'list'>;
  readonly now: () => Date;
  /** The stage's region; by default from serverless.yml's params. */
  readonly stageRegion?: (stage: string) => string;
}

const OPTIONS = { ...STAGE_OPTION, at: { type: 'string' }, silences: { type: 'boolean' } } as const;

/** Where the stored silences are read from, with --silences. */
interface SilenceSource {
  readonly table: string;
  readonly region: string;
}

interface PolicyArgs {
  readonly stage: string;
  readonly files: readonly string[];
  readonly at: Date;
  /** `--at`, or `now`. */
  readonly atFrom: string;
  readonly silences?: SilenceSource;
}

/** `firebreak policy` over the given ports: the subscriptions of a stage, and a report for each event file; sends nothing. */
export function policyCommandWith(ports: PolicyPorts): CliCommand {
  const command: CliCommand = {
    name: 'policy',
    summary: "which alarms reach each function, and what an event would trigger, hold back or group, under a stage's policy (sends nothing)",
    help: HELP,
    run: (argv, io) =>
      answerCommandLine(
        command,
        io,
        () => {
          const { values, positionals } = parseCommandLine('firebreak policy', argv, OPTIONS);
          if (values.help) return HELP_ASKED;
          const stage = resolveStage(values.stage, io);
          const at = values.at === undefined ? ports.now() : parseZonedIsoTime(values.at);
          if (at === undefined) throw new UsageError(`--at ${values.at} is not an ISO time with its zone: write it as 2026-12-06T02:00:00Z (or with an offset, 2026-12-06T03:00:00+01:00)`);
          const args: PolicyArgs = { stage, files: positionals, at, atFrom: values.at === undefined ? 'now' : '--at' };
          return values.silences ? { ...args, silences: silenceSource(values.stage, io, ports) } : args;
        },
        (args) => runPolicy(args, io, ports),
      ),
  };
  return command;
}

/** The stage's STATE_TABLE and region, as `firebreak silence` resolves them; stage local has no table unless STATE_TABLE names one. */
function silenceSource(stage: string | undefined, io: CliIo, ports: PolicyPorts): SilenceSource {
  const context = resolveStageContext({ stage }, io, ports.stageRegion);
  if (context.config.stage === 'local' && context.config.stateTable === undefined) {
    throw new UsageError('stage local has no table offline to read silences from: set STATE_TABLE (and AWS_ENDPOINT_URL for an emulator), give --stage, or leave out --silences');
  }
  return { table: stateTableOf(context), region: context.config.region };
}

/** `firebreak policy`: the composition root, with the silences in DynamoDB (a document client in the stage's region). */
export const policyCommand: CliCommand = policyCommandWith({
  silenceStore: (table, region) =>
    new DynamoDbSilenceStore(documentClient({ region }), table),
  now: () => new Date(),
});

async function runPolicy({ stage, files, at, atFrom, silences: source }: PolicyArgs, io: CliIo, ports: PolicyPorts): Promise<ExitCode> {
  let policy: Policy;
  try {
    policy = policyForStage(stage);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.error(error.message);
    return EXIT.failed;
  }
  for (const line of describeSubscriptions(policy, stage)) io.print(line);
  io.print('');
  if (files.length === 0) {
    io.print('(give event files to see what each would trigger; --help for help)');
    return EXIT.done;
  }
  let silences: Silence[] | undefined;
  if (source) {
    try {
      silences = await ports.silenceStore(source.table, source.region).list();
    } catch (error) {
      const fix = whyUnreadable(error) === 'no AWS credentials' ? '. Give credentials (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws sso login), or leave out --silences' : '';
      io.error(`${describeUnreadable(error, `the silences in STATE_TABLE ${source.table}`)} (region ${source.region})${fix}`);
      return EXIT.failed;
    }
  }
  const read = source && silences ? `${silences.length} stored ${silences.length === 1 ? 'silence' : 'silences'} read from STATE_TABLE ${source.table} (${source.region})` : 'stored silences not read (--silences reads them)';
  io.print(`at ${isoToTheSecond(at)} (${atFrom}); ${read}`);
  io.print('');
  let code: ExitCode = EXIT.done;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      io.error(`${file}: cannot read: ${(error as Error).message}`);
      code = EXIT.failed;
      continue;
    }
    const event = await readEventFile(file, text);
    if (event.kind === 'refused') {
      io.error(`${file}: refused: ${event.reason}`);
      code = EXIT.failed;
      continue;
    }
    const messages = event.kind === 'sns' ? event.messages : [event.message];
    for (const message of messages) {
      io.print(`${file} (stage ${stage}, ${event.kind === 'sns' ? `message ${message.messageId}` : 'a bare alarm message'})`);
      if (event.kind === 'bare-alarm') {
        io.print(`  note:      not an SNS event, so notify would refuse this file (${event.refusal}); read as the Message of one SNS record`);
      }
      for (const line of describeMessage(message, policy, stage, { at, silences })) io.print(`  ${line}`);
      io.print('');
    }
  }
  return code;
}
