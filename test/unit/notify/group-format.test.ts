// Unit tests: storm control's Slack message, email and PagerDuty event for one batch of a group, from one alarm to a storm of hundreds.
import type { KnownBlock } from '@slack/types';
import { parseAlarmMessage } from '../../../shared/alarm/parse';
import type { AlarmState } from '../../../shared/alarm/model';
import { SLACK_LIMITS } from '../../../shared/channels/slack-text';
import { policyForStage } from '../../../shared/policy/load';
import { SEVERITIES, type GroupKey, type RoutingPolicy, type Severity } from '../../../shared/policy/schema';
import { buildView, type AlarmView } from '../../../shared/notify/view';
import { groupIdentity, memberOf } from '../../../shared/notify/group/identity';
import type { GroupBatch, GroupMember } from '../../../shared/notify/group/model';
import { EMAIL_BODY_MAX, EMAIL_SUBJECT_MAX } from '../../../shared/notify/format/email';
import { PAGERDUTY_DEDUP_KEY_MAX, PAGERDUTY_SUMMARY_MAX } from '../../../shared/notify/format/pagerduty';
import type { SlackAlarmMessage } from '../../../shared/notify/format/slack';
import {
  GROUP_PAGERDUTY_MEMBERS,
  GROUP_SLACK_MEMBERS_SHOWN,
  describeGroupBatch,
  formatGroupEmail,
  formatGroupPagerDuty,
  formatGroupSlack,
} from '../../../shared/notify/format/group';
import { loadAlarmMessage } from '../../support/events';

const BASE = 'https://runbooks.example.com/firebreak/';
/** Events API v2 refuses an event over 512 KB. */
const PAGERDUTY_EVENT_MAX = 512 * 1024;
const policy = (): RoutingPolicy => policyForStage('dev').notify;
const paging = (insufficientData: 'ignore' | 'trigger'): RoutingPolicy => ({ ...policy(), pagerduty: { ...policy().pagerduty, insufficientData } });

const REASONS: Readonly<Record<AlarmState, string>> = {
  ALARM: 'Threshold Crossed: 2 out of the last 2 datapoints [7.3 (21/11/26 03:13:00), 6.1 (21/11/26 03:12:00)] were greater than the threshold (5.0).',
  OK: 'Threshold Crossed: 2 out of the last 2 datapoints [1.2 (21/11/26 03:33:00), 0.8 (21/11/26 03:32:00)] were not greater than the threshold (5.0).',
  INSUFFICIENT_DATA: 'Insufficient Data: 2 datapoints were unknown.',
};

interface Sample {
  readonly name: string;
  readonly state: AlarmState;
  readonly severity?: Severity;
  readonly minute?: number;
  readonly reason?: string;
  readonly service?: string;
}

/** The view of an alarm like the high-error-rate sample, renamed, in `state`, its severity from a description token. */
function viewOf(s: Sample): AlarmView {
  const message = {
    ...loadAlarmMessage('alarm-high-error-rate-alarm'),
    AlarmName: s.name,
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${s.name}`,
    AlarmDescription: `API errors. severity=${s.severity ?? 'critical'}`,
    NewStateValue: s.state,
    StateChangeTime: `2026-11-21T03:${String(s.minute ?? 10).padStart(2, '0')}:00.000+0000`,
    NewStateReason: s.reason ?? REASONS[s.state],
    ...(s.service !== undefined ? { Trigger: { ...(loadAlarmMessage('alarm-high-error-rate-alarm').Trigger as object), Dimensions: [{ name: 'Service', value: s.service }] } } : {}),
  };
  const parsed = parseAlarmMessage(JSON.stringify(message));
  if (parsed.type !== 'alarm') throw new Error(parsed.generic.reason);
  const view = buildView({ ...parsed, messageId: `m-${s.name}` }, policy(), BASE);
  if (view.type !== 'alarm') throw new Error('not an alarm view');
  return view;
}

/**
 * A batch of a group on route `critical` grouped by `by`: `changed` changed since the last batch,
 * `unchanged` the rest of the group; the identity is the first changed alarm's.
 */
function batchOf(changed: readonly Sample[], unchanged: readonly Sample[] = [], options: { by?: GroupKey[]; number?: number } = {}): GroupBatch {
  const views = changed.map(viewOf);
  const member = (v: AlarmView, i: number): GroupMember => memberOf(v, `sns-${i}`);
  const changedMembers = views.map(member);
  const members = [...changedMembers, ...unchanged.map(viewOf).map((v, i) => member(v, 1_000 + i))].sort((a, b) => a.alarmName.localeCompare(b.alarmName));
  return {
    group: groupIdentity({ name: 'critical', group: { by: options.by ?? ['service'], wait: 30_000, interval: 300_000 } }, views[0]!),
    number: options.number ?? 1,
    changed: changedMembers,
    members,
    severity: SEVERITIES.find((s) => members.some((m) => m.severity === s))!,
  };
}

/** Twenty changed alarms in mixed states and severities, and five that did not change. */
const mixed = (): GroupBatch => {
  const states: AlarmState[] = ['ALARM', 'OK', 'ALARM', 'INSUFFICIENT_DATA', 'ALARM'];
  const severities: Severity[] = ['warning', 'critical', 'info'];
  const changed = Array.from({ length: 20 }, (_, i): Sample => ({
    name: `RetailPrediction-Shard${String(i).padStart(2, '0')}-Errors`,
    state: states[i % states.length]!,
    severity: severities[i % severities.length]!,
    minute: 10 + i,
  }));
  const unchanged = Array.from({ length: 5 }, (_, i): Sample => ({ name: `RetailPrediction-Quiet${i}`, state: i < 3 ? 'OK' : 'ALARM', severity: 'info', minute: 1 }));
  return batchOf(changed, unchanged, { number: 3 });
};

/** A storm: `size` alarms changed at once, mostly firing, with their names and reasons as long and hostile as `long` makes them. */
const storm = (size: number, long = false): GroupBatch =>
  batchOf(
    Array.from({ length: size }, (_, i): Sample => ({
      name: long ? `RetailPrediction-${'&<🔥'.repeat(58)}${i}` : `RetailPrediction-Storm${String(i).padStart(3, '0')}`,
      state: i % 10 === 9 ? 'OK' : i % 10 === 8 ? 'INSUFFICIENT_DATA' : 'ALARM',
      severity: i % 3 === 0 ? 'critical' : 'warning',
      minute: i % 60,
      ...(long ? { reason: `<!channel> ${'🔥&'.repeat(3_000)}` } : {}),
    })),
  );

function expectWithinSlackLimits(message: SlackAlarmMessage): void {
  const blocks: KnownBlock[] = message.attachments[0].blocks;
  expect(blocks.length).toBeLessThan(SLACK_LIMITS.blocksPerMessage);
  for (const block of blocks) {
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    if (block.type === 'section' && block.fields) {
      expect(block.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldsPerSection);
      for (const f of block.fields) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    }
    if (block.type === 'context') for (const e of block.elements) expect('text' in e ? e.text.length : 0).toBeLessThanOrEqual(SLACK_LIMITS.contextElementText);
  }
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  expect(() => encodeURIComponent(JSON.stringify(message))).not.toThrow();
}

describe('a batch of one alarm', () => {
  it('email, Slack and PagerDuty match their snapshots', () => {
    // Prepare
    const batch = batchOf([{ name: 'RetailPrediction-HighErrorRate', state: 'ALARM', service: 'RetailPrediction' }]);

    // Act, Assess
    expect(formatGroupSlack(batch, 'dev')).toMatchSnapshot('slack');
    expect(formatGroupEmail(batch, 'dev')).toMatchSnapshot('email');
    expect(formatGroupPagerDuty(batch, policy(), 'dev')).toMatchSnapshot('pagerduty');
    expect(describeGroupBatch(batch)).toBe('critical/service=RetailPrediction batch 1: 1 changed (1 ALARM) of 1 (1 ALARM), severity critical');
  });

  it('reads as one alarm firing, red, in one incident keyed on the stage and the group', () => {
    const batch = batchOf([{ name: 'RetailPrediction-HighErrorRate', state: 'ALARM' }]);

    const slack = formatGroupSlack(batch, 'dev');
    const page = formatGroupPagerDuty(batch, policy(), 'dev');

    expect(slack.attachments[0].blocks[0]).toMatchObject({ type: 'header', text: { text: ':rotating_light: 1 alarm firing in RetailPrediction (route critical, batch 1)' } });
    expect(slack.attachments[0].color).toBe('#D40E0D');
    expect(formatGroupEmail(batch, 'dev').subject).toBe('1 alarm firing in RetailPrediction (route critical, batch 1)');
    expect(page).toMatchObject({
      event_action: 'trigger',
      dedup_key: 'firebreak:group:dev:critical/service=RetailPrediction',
      payload: { summary: '[critical] 1 of 1 alarms firing in group critical/service=RetailPrediction', severity: 'critical' },
    });
  });
});

describe('a batch of twenty in mixed states', () => {
  it('email, Slack and PagerDuty match their snapshots', () => {
    const batch = mixed();

    expect(formatGroupSlack(batch, 'dev')).toMatchSnapshot('slack');
    expect(formatGroupEmail(batch, 'dev')).toMatchSnapshot('email');
    expect(formatGroupPagerDuty(batch, policy(), 'dev')).toMatchSnapshot('pagerduty');
    expect(describeGroupBatch(batch)).toBe(
      'critical/service=RetailPrediction batch 3: 20 changed (12 ALARM, 4 INSUFFICIENT_DATA, 4 OK) of 25 (14 ALARM, 4 INSUFFICIENT_DATA, 7 OK), severity critical',
    );
  });

  it('lists every changed alarm worst first, counts the rest of the group, and is coloured by the worst firing severity', () => {
    const batch = mixed();

    const slack = formatGroupSlack(batch, 'dev');
    const json = JSON.stringify(slack);

    expect(slack.attachments[0].color).toBe('#D40E0D');
    for (const m of batch.changed) expect(json).toContain(m.alarmName);
    expect(json).not.toContain('more changed alarms');
    expect(json).toContain('*Rest of the group* (5)');
    const firstCritical = json.indexOf(':rotating_light: *');
    const firstOk = json.indexOf(':white_check_mark: *');
    expect(firstCritical).toBeGreaterThan(-1);
    expect(firstCritical).toBeLessThan(firstOk);
    expectWithinSlackLimits(slack);
  });

  it('is amber when only warnings fire, grey when nothing fires but data is missing', () => {
    const warnings = batchOf([{ name: 'A-1', state: 'ALARM', severity: 'warning' }], [{ name: 'A-2', state: 'OK', severity: 'critical' }]);
    const missing = batchOf([{ name: 'A-1', state: 'INSUFFICIENT_DATA' }], [{ name: 'A-2', state: 'OK' }]);

    expect(formatGroupSlack(warnings, 'dev').attachments[0].color).toBe('#F2A900');
    expect(formatGroupSlack(missing, 'dev').attachments[0].color).toBe('#9E9E9E');
    expect(formatGroupSlack(missing, 'dev').text).toMatch(/^:grey_question: 1 alarm with insufficient data in A \(route critical, batch 1\)/);
  });
});

describe('a storm of 300', () => {
  it('Slack shows the first 20 changed alarms and says how many more, within every Block Kit limit', () => {
    const batch = storm(300);

    const slack = formatGroupSlack(batch, 'dev');

    expectWithinSlackLimits(slack);
    const json = JSON.stringify(slack);
    expect(json).toContain(`and ${300 - GROUP_SLACK_MEMBERS_SHOWN} more changed alarms`);
    expect(json.match(/\|CloudWatch>/g)).toHaveLength(GROUP_SLACK_MEMBERS_SHOWN);
    expect(slack.attachments[0].blocks[0]).toMatchObject({ text: { text: ':rotating_light: 240 alarms firing in RetailPrediction (route critical, batch 1)' } });
  });

  it('PagerDuty carries the first 50 members and a count of the rest, far under 512 KB', () => {
    const batch = storm(300);

    const page = formatGroupPagerDuty(batch, policy(), 'dev');

    const details = page?.payload?.custom_details as { members: unknown[]; members_not_shown: number; changed: unknown[]; changed_not_shown: number; batch: number };
    expect(details.members).toHaveLength(GROUP_PAGERDUTY_MEMBERS);
    expect(details.members_not_shown).toBe(250);
    expect(details.changed).toHaveLength(GROUP_PAGERDUTY_MEMBERS);
    expect(details.changed_not_shown).toBe(250);
    expect(details.batch).toBe(1);
    expect(page?.payload?.summary).toBe('[critical] 240 of 300 alarms firing in group critical/service=RetailPrediction');
    expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThan(PAGERDUTY_EVENT_MAX);
  });

  it('email keeps its subject and body within SNS\'s limits', () => {
    const email = formatGroupEmail(storm(300), 'dev');

    expect(email.subject.length).toBeLessThanOrEqual(EMAIL_SUBJECT_MAX);
    expect(email.body.length).toBeLessThanOrEqual(EMAIL_BODY_MAX);
    expect(email.body).toContain('… and 200 more changed alarms');
  });

  it('holds every limit when names and reasons are long, hostile and full of emoji', () => {
    const batch = storm(300, true);

    const slack = formatGroupSlack(batch, 'dev');
    const email = formatGroupEmail(batch, 'dev');
    const page = formatGroupPagerDuty(batch, policy(), 'dev');

    expectWithinSlackLimits(slack);
    expect(JSON.stringify(slack)).not.toContain('<!channel>');
    expect(email.subject.length).toBeLessThanOrEqual(EMAIL_SUBJECT_MAX);
    expect(email.body.length).toBeLessThanOrEqual(EMAIL_BODY_MAX);
    expect(() => encodeURIComponent(email.subject + email.body)).not.toThrow();
    expect(page?.payload?.summary.length).toBeLessThanOrEqual(PAGERDUTY_SUMMARY_MAX);
    expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThan(PAGERDUTY_EVENT_MAX);
    expect(() => encodeURIComponent(JSON.stringify(page))).not.toThrow();
  });

  it('keeps a long group id\'s dedup key within 255 characters and the email subject within 99, counts and batch intact', () => {
    const service = `svc-${'x'.repeat(400)}`;
    const batch = batchOf([{ name: 'RetailPrediction-A', state: 'ALARM', service }], [], { number: 12 });

    const page = formatGroupPagerDuty(batch, policy(), 'dev');
    const subject = formatGroupEmail(batch, 'dev').subject;

    expect(page?.dedup_key.length).toBeLessThanOrEqual(PAGERDUTY_DEDUP_KEY_MAX);
    expect(page?.dedup_key).toMatch(/^firebreak:group:dev:critical\/service=svc-x+#[0-9a-f]{64}$/);
    expect(subject.length).toBeLessThanOrEqual(EMAIL_SUBJECT_MAX);
    expect(subject).toMatch(/^1 alarm firing in svc-x+… \(route critical, batch 12\)$/);
  });
});

describe('PagerDuty', () => {
  it('resolves the group\'s incident once every member is OK, with the same dedup key as its trigger', () => {
    const firing = batchOf([{ name: 'RetailPrediction-A', state: 'ALARM' }], [{ name: 'RetailPrediction-B', state: 'OK' }]);
    const resolved = batchOf([{ name: 'RetailPrediction-A', state: 'OK' }], [{ name: 'RetailPrediction-B', state: 'OK' }], { number: 2 });

    const trigger = formatGroupPagerDuty(firing, policy(), 'dev');
    const resolve = formatGroupPagerDuty(resolved, policy(), 'dev');

    expect(resolve).toEqual({ event_action: 'resolve', dedup_key: trigger?.dedup_key });
    expect(formatGroupSlack(resolved, 'dev')).toMatchSnapshot('slack, all OK');
    expect(formatGroupEmail(resolved, 'dev').subject).toBe('all 2 alarms OK in RetailPrediction (route critical, batch 2)');
  });

  it('pages nobody for INSUFFICIENT_DATA under `ignore`, and triggers under `trigger`', () => {
    const missing = batchOf([{ name: 'RetailPrediction-A', state: 'INSUFFICIENT_DATA', severity: 'warning' }], [{ name: 'RetailPrediction-B', state: 'OK', severity: 'warning' }]);

    expect(formatGroupPagerDuty(missing, paging('ignore'), 'dev')).toBeUndefined();
    expect(formatGroupPagerDuty(missing, paging('trigger'), 'dev')).toMatchObject({
      event_action: 'trigger',
      dedup_key: 'firebreak:group:dev:critical/service=RetailPrediction',
      payload: { severity: 'warning', summary: '[warning] 0 of 2 alarms firing, 1 with insufficient data, in group critical/service=RetailPrediction' },
    });
  });

  it('triggers on a firing member whatever the INSUFFICIENT_DATA setting', () => {
    const both = batchOf([{ name: 'RetailPrediction-A', state: 'ALARM' }], [{ name: 'RetailPrediction-B', state: 'INSUFFICIENT_DATA' }]);

    expect(formatGroupPagerDuty(both, paging('ignore'), 'dev')?.payload?.summary).toBe('[critical] 1 of 2 alarms firing in group critical/service=RetailPrediction');
    expect(formatGroupPagerDuty(both, paging('trigger'), 'dev')?.payload?.summary).toBe(
      '[critical] 1 of 2 alarms firing, 1 with insufficient data, in group critical/service=RetailPrediction',
    );
  });

  it('maps the group\'s highest severity through the policy', () => {
    const custom = { ...policy(), pagerduty: { ...policy().pagerduty, severityMap: { critical: 'error' as const, warning: 'info' as const, info: 'info' as const } } };

    expect(formatGroupPagerDuty(mixed(), custom, 'dev')?.payload?.severity).toBe('error');
  });
});
