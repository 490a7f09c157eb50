// Operator CLI: `firebreak policy [--stage S] [<event.json>...]` prints which alarms reach each function, and what an event would trigger, under a stage's policy.
import { readFileSync } from 'node:fs';
import { parseAlarmMessage } from '../alarm/parse';
import type { ParsedMessage } from '../alarm/model';
import { forEachSnsMessage } from '../alarm/sns-event';
import { ConfigError, InvalidInputError } from '../errors';
import { JsonSyntaxError, parseJsonText } from '../json-text';
import { policyForStage } from '../policy/load';
import { planNotification } from '../notify/plan';
import { DEFAULT_RUNBOOK_BASE_URL } from '../config';
import type { Policy } from '../policy/schema';
import { rulesFor, type RuleAction } from '../remediation/policy';
import { serviceForAlarm } from '../responder/policy';
import { FILTERED_SUBSCRIBERS, subscriptionFilters, type SelectedAlarm, type SubscriptionFilter } from '../policy/subscription-filters';
import { answerCommandLine, HELP_ASKED, parseCommandLine } from './args';
import { EXIT, type CliCommand, type CliIo, type ExitCode } from './command';
import { resolveStage, STAGE_HELP, STAGE_OPTION } from './stage-options';

const HELP = `Usage: npm run policy -- [--stage S] [<event.json> more.json ...]
   or: firebreak policy [--stage S] [<event.json> more.json ...]

Prints which alarms each function subscribed to the alarms topic receives under the stage's policy
(its filter policy), then, for each event file, what notify and the functions that act on alarms would
do with it: the severity, the routes that match, the channels it is delivered to, and the actions it
triggers. Sends nothing and reads nothing from AWS.

An event file is what the alarms topic delivers to notify: an SNS event ({"Records": [{"Sns": ...}]},
as in events/), each of its records reported. A file notify would refuse (not JSON, a CloudWatch Logs
event, any JSON without SNS Records) is refused with notify's reason. A bare CloudWatch alarm message
(one record's Sns.Message: a CloudWatch alarm notification or an EventBridge alarm state change) is
not an SNS event either, and is said to be so; it is read as the message of one SNS record.

${STAGE_HELP}
  -h, --help     this text

Exit codes: 0 every file read; 1 a file could not be read, notify would refuse it, or the stage's
policy is invalid; 2 bad usage.

Examples:
  npm run policy -- events/alarm-high-error-rate-alarm.json
  firebreak policy --stage prod events/alarm-critical-issue-ok.json events/sns-plain-text.json`;

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

/** The report for one message, as lines. Pure. */
export function describeMessage(message: ParsedMessage, policy: Policy, stage: string): string[] {
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
  const channels = plan.deliveries.map((d) => (d.channel === 'pagerduty' ? `pagerduty (${d.payload.event_action})` : d.channel));
  lines.push(`channels:  ${channels.join(', ') || '(none)'}`);
  for (const w of plan.routing.withheld) lines.push(`withheld:  ${w.channel}: ${w.reason}`);
  if (view.type === 'alarm') lines.push(...describeActions(view.alarm.name, view.alarm.state, policy));
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

/** `firebreak policy`: the subscriptions of a stage, and a report for each event file; sends nothing. */
export const policyCommand: CliCommand = {
  name: 'policy',
  summary: "which alarms reach each function, and what an event would trigger, under a stage's policy (sends nothing)",
  help: HELP,
  run: (argv, io) =>
    answerCommandLine(
      policyCommand,
      io,
      () => {
        const { values, positionals } = parseCommandLine('firebreak policy', argv, STAGE_OPTION);
        return values.help ? HELP_ASKED : { stage: resolveStage(values.stage, io), files: positionals };
      },
      (args) => runPolicy(args, io),
    ),
};

async function runPolicy({ stage, files }: { readonly stage: string; readonly files: readonly string[] }, io: CliIo): Promise<ExitCode> {
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
      for (const line of describeMessage(message, policy, stage)) io.print(`  ${line}`);
      io.print('');
    }
  }
  return code;
}
