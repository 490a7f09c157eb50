// Operator CLI: `npm run policy -- [--stage S] <event.json>...` prints what an event would trigger under a stage's policy.
import { readFileSync } from 'node:fs';
import type { SNSEventRecord } from 'aws-lambda';
import { parseAlarmMessage, parseSnsRecord } from '../alarm/parse';
import type { ParsedMessage } from '../alarm/model';
import { policyForStage, STAGE_POLICIES } from '../policy/load';
import { planNotification } from '../notify/plan';
import { DEFAULT_RUNBOOK_BASE_URL } from '../config';
import type { Policy } from '../policy/schema';

const USAGE = `usage: npm run policy -- [--stage ${Object.keys(STAGE_POLICIES).join('|')}] <event.json> [more.json ...]
Prints, for each event (an SNS event or a bare CloudWatch alarm message), the severity, the routes
that match, the channels it is delivered to, and the actions it triggers. Sends nothing.`;

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
  return lines;
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
  if (files.length === 0) {
    console.error(USAGE);
    return 2;
  }
  const policy = policyForStage(stage);
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
