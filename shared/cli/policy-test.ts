// Operator CLI: `npm run policy -- [--stage S] [<event.json>...]` prints which alarms reach each function, and what an event would trigger, under a stage's policy.
import { readFileSync } from 'node:fs';
import type { SNSEventRecord } from 'aws-lambda';
import { parseAlarmMessage, parseSnsRecord } from '../alarm/parse';
import type { ParsedMessage } from '../alarm/model';
import { policyForStage, stageNames } from '../policy/load';
import { planNotification } from '../notify/plan';
import { DEFAULT_RUNBOOK_BASE_URL } from '../config';
import type { Policy } from '../policy/schema';
import { rulesFor, type RuleAction } from '../remediation/policy';
import { serviceForAlarm } from '../responder/policy';
import { FILTERED_SUBSCRIBERS, subscriptionFilters, type SelectedAlarm, type SubscriptionFilter } from '../policy/subscription-filters';

const USAGE = `usage: npm run policy -- [--stage ${stageNames().join('|')}] [<event.json> more.json ...]
Prints which alarms each function subscribed to the alarms topic receives (its filter policy), then, for
each event (an SNS event or a bare CloudWatch alarm message), the severity, the routes that match, the
channels it is delivered to, and the actions it triggers. Sends nothing.`;

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

/** The messages in a file: every record of an SNS event, or one bare message. */
export function messagesInFile(path: string, text: string): ParsedMessage[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const records = (json as { Records?: SNSEventRecord[] } | undefined)?.Records;
  if (Array.isArray(records)) return records.map(parseSnsRecord);
  const content = parseAlarmMessage(text);
  return [{ ...content, messageId: `(file ${path})` } as ParsedMessage];
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

function main(argv: string[]): number {
  let stage = 'local';
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--stage') stage = argv[++i] ?? '';
    else if (arg === '-h' || arg === '--help') {
      console.log(USAGE);
      return 0;
    } else files.push(arg);
  }
  const policy = policyForStage(stage);
  for (const line of describeSubscriptions(policy, stage)) console.log(line);
  console.log('');
  if (files.length === 0) {
    console.log('(give event files to see what each would trigger; -h for help)');
    return 0;
  }
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      console.error(`${file}: cannot read: ${(error as Error).message}`);
      return 1;
    }
    for (const message of messagesInFile(file, text)) {
      console.log(`${file} (stage ${stage}, message ${message.messageId})`);
      for (const line of describeMessage(message, policy, stage)) console.log(`  ${line}`);
      console.log('');
    }
  }
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
