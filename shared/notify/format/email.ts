// Domain: the email channel's message — a subject within SNS's limit and a plain-text body.
import { sliceWhole } from '../../text';
import { headline, type NotificationView } from '../view';

/** SNS rejects a subject of 100 characters or more, or one with line breaks or control characters. */
export const EMAIL_SUBJECT_MAX = 99;
/** Far below SNS's 256 KB message limit, so the whole request always fits. */
export const EMAIL_BODY_MAX = 200_000;

export interface EmailMessage {
  readonly subject: string;
  readonly body: string;
}

/** `text` as SNS takes it in a subject: control characters and line breaks become spaces, runs of space one. Not cut. */
export function cleanSubject(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** The email subject: the headline, cleaned of control characters and cut to SNS's limit. */
export function emailSubject(view: NotificationView): string {
  const clean = cleanSubject(headline(view));
  if (clean.length <= EMAIL_SUBJECT_MAX) return clean;
  if (view.type === 'alarm') {
    // Keep the state and the region; shorten the name in the middle of them.
    const prefix = `${view.alarm.state}: `;
    const suffix = ` (${view.alarm.region})`;
    const room = EMAIL_SUBJECT_MAX - prefix.length - suffix.length - 1;
    return `${prefix}${sliceWhole(view.alarm.name, room)}…${suffix}`;
  }
  return `${sliceWhole(clean, EMAIL_SUBJECT_MAX - 1)}…`;
}

/** Formats the email for a notification. Pure. */
export function formatEmail(view: NotificationView, stage: string): EmailMessage {
  const lines: string[] = [];
  if (view.type === 'alarm') {
    const a = view.alarm;
    lines.push(
      headline(view),
      '',
      `Severity:    ${view.severity} (${view.from})`,
      `State:       ${a.previousState ?? '?'} -> ${a.state} at ${a.changedAt}`,
      `Reason:      ${a.reason || '(none given)'}`,
    );
    if (view.metricSummary) lines.push(`Metric:      ${view.metricSummary}`);
    if (view.dimensionsSummary) lines.push(`Dimensions:  ${view.dimensionsSummary}`);
    if (a.rule) lines.push(`Rule:        ${a.rule}`);
    if (a.triggeringChildren?.length) {
      lines.push(`Triggered by: ${a.triggeringChildren.map((c) => `${c.name}${c.state ? ` (${c.state})` : ''}`).join(', ')}`);
    }
    if (a.description) lines.push(`Description: ${a.description}`);
    lines.push(
      `Account:     ${a.accountId}, region ${a.region}`,
      '',
      `Alarm in the CloudWatch console: ${view.consoleUrl}`,
      `Runbook: ${view.runbookUrl}`,
    );
  } else {
    lines.push(
      view.generic.subject,
      '',
      `This message on the alarms topic is not a CloudWatch alarm (${view.generic.reason}); it is delivered as received:`,
      '',
      view.generic.text,
      '',
      `Runbooks: ${view.runbookUrl}`,
    );
  }
  lines.push('', `-- Firebreak, stage ${stage}, SNS message ${view.messageId}`);
  const body = lines.join('\n');
  return {
    subject: emailSubject(view),
    body: body.length <= EMAIL_BODY_MAX ? body : `${sliceWhole(body, EMAIL_BODY_MAX - 40)}\n… (message cut to fit email)`,
  };
}
