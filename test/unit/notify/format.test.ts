import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAlarmMessage, parseSnsRecord } from '../../../shared/alarm/parse';
import { policyForStage } from '../../../shared/policy/load';
import { buildView, type NotificationView } from '../../../shared/notify/view';
import { EMAIL_SUBJECT_MAX, emailSubject, formatEmail } from '../../../shared/notify/format/email';
import { formatSlack } from '../../../shared/notify/format/slack';
import { PAGERDUTY_DEDUP_KEY_MAX, PAGERDUTY_SUMMARY_MAX, formatPagerDuty } from '../../../shared/notify/format/pagerduty';
import { SLACK_LIMITS, escapeSlackText, truncate } from '../../../shared/channels/slack-text';
import { loadAlarmMessage, loadSnsRecord } from '../../support/events';

const policy = () => policyForStage('dev').notify;
const BASE = 'https://runbooks.example.com/firebreak/';
const viewOf = (name: string) => buildView(parseSnsRecord(loadSnsRecord(name)), policy(), BASE);
const viewOfMessage = (message: Record<string, unknown>): NotificationView => {
  const parsed = parseAlarmMessage(JSON.stringify(message));
  if (parsed.type !== 'alarm') throw new Error(parsed.generic.reason);
  return buildView({ ...parsed, messageId: 'm-1' }, policy(), BASE);
};

const sampleNames = readdirSync(join(__dirname, '../../../events'))
  .filter((f) => f.startsWith('alarm-') || f.startsWith('sns-'))
  .map((f) => f.replace(/\.json$/, ''));

describe.each(sampleNames)('payloads for %s', (name) => {
  it('email, Slack and PagerDuty match their snapshots', () => {
    const view = viewOf(name);
    expect(formatEmail(view, 'dev')).toMatchSnapshot('email');
    expect(formatSlack(view, 'dev')).toMatchSnapshot('slack');
    expect(formatPagerDuty(view, policy(), 'dev')).toMatchSnapshot('pagerduty');
  });
});

describe('email', () => {
  it('subject names state, alarm and region code', () => {
    expect(formatEmail(viewOf('alarm-high-cpu-alarm'), 'dev').subject).toBe('ALARM: RetailPrediction-HighCPU (eu-west-1)');
  });

  it('body has the state change, reason, metric and threshold, dimensions, time and both links', () => {
    const { body } = formatEmail(viewOf('alarm-high-cpu-alarm'), 'dev');
    expect(body).toContain('OK -> ALARM at 2026-11-21T03:10:42.551Z');
    expect(body).toMatch(/Reason: +Threshold Crossed/);
    expect(body).toContain('ContainerInsights node_cpu_utilization (Average) > 85 for 2 x 300 s');
    expect(body).toContain('ClusterName=retail-prediction-cluster');
    expect(body).toContain('https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/RetailPrediction-HighCPU');
    expect(body).toContain(`${BASE}RetailPrediction-HighCPU.md`);
  });

  it('keeps a long subject within the SNS limit, state and region intact', () => {
    const view = viewOfMessage({ ...loadAlarmMessage('alarm-high-cpu-alarm'), AlarmName: 'A'.repeat(250), AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${'A'.repeat(250)}` });
    const subject = emailSubject(view);
    expect(subject.length).toBeLessThanOrEqual(EMAIL_SUBJECT_MAX);
    expect(subject).toMatch(/^ALARM: A+… \(eu-west-1\)$/);
  });

  it('never cuts a long subject or body in the middle of an emoji, which SNS\'s request encoding cannot send', () => {
    for (let pad = 0; pad < 4; pad++) {
      const name = `${'A'.repeat(pad)}${'🔥'.repeat(120)}`;
      const view = viewOfMessage({ ...loadAlarmMessage('alarm-high-cpu-alarm'), AlarmName: name, AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}` });
      const subject = emailSubject(view);
      expect(subject.length).toBeLessThanOrEqual(EMAIL_SUBJECT_MAX);
      expect(() => encodeURIComponent(subject)).not.toThrow();
      const generic = buildView({ type: 'generic', messageId: 'm', generic: { subject: `${'x'.repeat(pad)}${'🔥'.repeat(60)}`, text: '🔥'.repeat(150_000), reason: 'r' } }, policy(), BASE);
      const email = formatEmail(generic, 'dev');
      expect(() => encodeURIComponent(email.subject)).not.toThrow();
      expect(() => encodeURIComponent(email.body)).not.toThrow();
    }
  });

  it('removes line breaks and control characters from a generic subject', () => {
    const view = buildView({ type: 'generic', messageId: 'm', generic: { subject: 'line one\nline\ttwo\u0007', text: 't', reason: 'r' } }, policy(), BASE);
    expect(emailSubject(view)).toBe('line one line two');
  });
});

describe('Slack', () => {
  const hostile = '<!channel> please look & <https://evil.example|click here> @here';

  it('escapes &, < and > in text from the alarm, so it cannot mention a channel or hide a link', () => {
    const view = viewOfMessage({ ...loadAlarmMessage('alarm-high-cpu-alarm'), AlarmDescription: hostile, NewStateReason: hostile });
    const message = formatSlack(view, 'dev');
    const json = JSON.stringify(message);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<https://evil.example');
    expect(json).toContain('&lt;!channel&gt; please look &amp; &lt;https://evil.example|click here&gt;');
    expect(message.text).toContain('&lt;!channel&gt;');
  });

  it('keeps every section within Block Kit limits when the alarm text is huge', () => {
    const long = `${'x&'.repeat(6_000)}end`;
    const view = viewOfMessage({ ...loadAlarmMessage('alarm-high-cpu-alarm'), NewStateReason: long, AlarmDescription: long });
    const { attachments, text } = formatSlack(view, 'dev');
    const blocks = attachments[0].blocks;
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    for (const block of blocks) {
      if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      if (block.type === 'section' && block.fields) for (const f of block.fields) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
      if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    }
    const reason = blocks.find((b) => b.type === 'section' && b.text?.text.startsWith('*Reason*'));
    expect(reason?.type === 'section' && reason.text?.text.endsWith('…')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  });

  it('escapes the account and a state-change time that does not read as a time, like the rest of the alarm', () => {
    const view = viewOfMessage({ ...loadAlarmMessage('alarm-high-cpu-alarm'), AWSAccountId: '<!here>', StateChangeTime: '<!channel> <https://evil.example|now>' });
    const json = JSON.stringify(formatSlack(view, 'dev'));
    expect(json).not.toContain('<!here>');
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<https://evil.example');
    expect(json).toContain('&lt;!channel&gt;');
  });

  it('shows state and severity at a glance: emoji and colour from one table', () => {
    expect(formatSlack(viewOf('alarm-high-error-rate-alarm'), 'dev').attachments[0].color).toBe('#D40E0D');
    expect(formatSlack(viewOf('alarm-high-cpu-alarm'), 'dev').attachments[0].color).toBe('#F2A900');
    expect(formatSlack(viewOf('alarm-high-cpu-ok'), 'dev').text).toMatch(/^:white_check_mark: OK: /);
    expect(formatSlack(viewOf('alarm-insufficient-data'), 'dev').attachments[0].color).toBe('#9E9E9E');
  });

  it('links the console and the runbook', () => {
    const json = JSON.stringify(formatSlack(viewOf('alarm-high-latency-alarm'), 'dev'));
    expect(json).toContain('|Open in CloudWatch>');
    expect(json).toContain(`<${BASE}RetailPrediction-HighLatency.md|Runbook>`);
  });
});

describe('truncate and escape', () => {
  it('never cuts an escaped entity or a surrogate pair in half', () => {
    expect(truncate(escapeSlackText('ab&cd'), 5)).toBe('ab…');
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    expect(truncate('short', 10)).toBe('short');
  });
});

describe('PagerDuty', () => {
  it('cuts a long summary and reason between characters, never inside an emoji', () => {
    for (let pad = 0; pad < 2; pad++) {
      const reason = `${'x'.repeat(pad)}${'🔥'.repeat(2_100)}`;
      const event = formatPagerDuty(viewOfMessage({ ...loadAlarmMessage('alarm-high-cpu-alarm'), NewStateReason: reason }), policy(), 'dev');
      const summary = event.payload?.summary ?? '';
      expect(summary.length).toBeLessThanOrEqual(PAGERDUTY_SUMMARY_MAX);
      expect(summary.endsWith('…')).toBe(true);
      expect(() => encodeURIComponent(summary)).not.toThrow();
      expect(() => encodeURIComponent(String(event.payload?.custom_details?.reason))).not.toThrow();
    }
  });

  it('keeps the dedup key of an alarm with a long name within PagerDuty\'s 255 characters, the same for trigger and resolve', () => {
    const arnOf = (name: string) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`;
    const eventOf = (name: string, state: string) =>
      formatPagerDuty(viewOfMessage({ ...loadAlarmMessage('alarm-high-cpu-alarm'), AlarmName: name, AlarmArn: arnOf(name), NewStateValue: state }), policy(), 'dev');
    const long = `RetailPrediction-${'VeryLongAlarmName-'.repeat(13)}`.slice(0, 255);
    const trigger = eventOf(long, 'ALARM');
    const resolve = eventOf(long, 'OK');
    expect(trigger.dedup_key.length).toBeLessThanOrEqual(PAGERDUTY_DEDUP_KEY_MAX);
    expect(resolve.dedup_key).toBe(trigger.dedup_key);
    expect(eventOf(`${long.slice(0, 254)}X`, 'ALARM').dedup_key).not.toBe(trigger.dedup_key);
    const emoji = `${'🔥'.repeat(127)}`;
    expect(() => encodeURIComponent(eventOf(emoji, 'ALARM').dedup_key)).not.toThrow();
    expect(eventOf('RetailPrediction-HighCPU', 'ALARM').dedup_key).toBe(arnOf('RetailPrediction-HighCPU'));
  });

  it('triggers on ALARM deduplicated on the alarm ARN, with links and mapped severity', () => {
    const event = formatPagerDuty(viewOf('alarm-high-error-rate-alarm'), policy(), 'dev');
    expect(event).toMatchObject({
      event_action: 'trigger',
      dedup_key: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:RetailPrediction-HighErrorRate',
      payload: { severity: 'critical', source: '123456789012/eu-west-1', component: 'RetailPrediction-HighErrorRate' },
    });
    expect(event.links?.map((l) => l.text)).toEqual(['CloudWatch alarm', 'Runbook']);
    expect(event).not.toHaveProperty('routing_key');
  });

  it('resolves on OK with the same dedup key', () => {
    const trigger = formatPagerDuty(viewOf('alarm-high-error-rate-alarm'), policy(), 'dev');
    const resolve = formatPagerDuty(viewOf('alarm-high-error-rate-ok'), policy(), 'dev');
    expect(resolve).toEqual({ event_action: 'resolve', dedup_key: trigger.dedup_key });
  });

  it('cuts the summary to 1,024 characters', () => {
    const view = viewOfMessage({ ...loadAlarmMessage('alarm-high-error-rate-alarm'), NewStateReason: 'r'.repeat(5_000) });
    expect(formatPagerDuty(view, policy(), 'dev').payload?.summary).toHaveLength(PAGERDUTY_SUMMARY_MAX);
  });

  it('maps severity through the policy', () => {
    const custom = { ...policy(), pagerduty: { ...policy().pagerduty, severityMap: { critical: 'error' as const, warning: 'info' as const, info: 'info' as const } } };
    expect(formatPagerDuty(viewOf('alarm-high-error-rate-alarm'), custom, 'dev').payload?.severity).toBe('error');
  });
});
