// Domain: the Slack channel's Block Kit message — state and severity at a glance, alarm text made safe.
import type { KnownBlock } from '@slack/types';
import { SLACK_LIMITS, safeSlackText, truncate } from '../../channels/slack-text';
import { headline, type NotificationView } from '../view';
import { styleOf } from './style';

/** A webhook message: fallback text for notifications, Block Kit inside a coloured attachment. */
export interface SlackAlarmMessage {
  readonly text: string;
  readonly attachments: readonly [{ readonly color: string; readonly blocks: KnownBlock[] }];
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } });
const field = (label: string, value: string) => ({ type: 'mrkdwn' as const, text: truncate(`*${label}*\n${value}`, SLACK_LIMITS.fieldText) });
/** A labelled block of text that came from the alarm: escaped, then cut to the section limit with its label. */
const labelled = (label: string, value: string): KnownBlock => section(`*${label}*\n${safeSlackText(value, SLACK_LIMITS.sectionText - label.length - 4)}`);

/** Formats the Slack message for a notification. Pure. */
export function formatSlack(view: NotificationView, stage: string): SlackAlarmMessage {
  const style = styleOf(view);
  const title = `${style.emoji} ${headline(view)}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, SLACK_LIMITS.headerText), emoji: true } },
  ];
  let fallback: string;
  if (view.type === 'alarm') {
    const a = view.alarm;
    blocks.push({
      type: 'section',
      fields: [
        field('Severity', `${view.severity} (${view.from})`),
        field('State', `${a.previousState ?? '?'} → ${a.state}`),
        field('Alarm', safeSlackText(a.name, 255)),
        field('Account / region', safeSlackText(`${a.accountId} / ${a.region}`, 255)),
      ],
    });
    blocks.push(labelled('Reason', a.reason || '(none given)'));
    if (view.metricSummary) blocks.push(labelled('Metric', view.metricSummary + (view.dimensionsSummary ? `\n${view.dimensionsSummary}` : '')));
    if (a.rule) blocks.push(labelled('Rule', a.rule));
    if (a.triggeringChildren?.length) {
      blocks.push(labelled('Triggered by', a.triggeringChildren.map((c) => `${c.name}${c.state ? ` (${c.state})` : ''}`).join(', ')));
    }
    if (a.description) blocks.push(labelled('Description', a.description));
    blocks.push(section(`<${view.consoleUrl}|Open in CloudWatch>  ·  <${view.runbookUrl}|Runbook>`));
    blocks.push({
      type: 'context',
      // The time is the message's own text when it does not read as a time: escaped like the rest.
      elements: [{ type: 'mrkdwn', text: `Changed at ${safeSlackText(a.changedAt, 100)} · stage ${stage} · ${a.kind} alarm` }],
    });
    fallback = `${style.emoji} ${headline(view)} [${view.severity}]: ${a.reason}`;
  } else {
    blocks.push(labelled('Message', view.generic.text || '(empty)'));
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: truncate(`Not a CloudWatch alarm: ${safeSlackText(view.generic.reason, 500)} · stage ${stage} · <${view.runbookUrl}|Runbooks>`, SLACK_LIMITS.contextElementText) },
      ],
    });
    fallback = `${style.emoji} ${view.generic.subject}`;
  }
  return {
    text: safeSlackText(fallback, SLACK_LIMITS.fallbackText),
    attachments: [{ color: style.colour, blocks }],
  };
}
