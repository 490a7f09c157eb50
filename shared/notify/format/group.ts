// Domain: storm control's messages — one Slack message, one email and one PagerDuty incident per batch of a group. Pure.
import type { KnownBlock } from '@slack/types';
import type { AlarmState } from '../../alarm/model';
import { SLACK_LIMITS, safeSlackText, truncate } from '../../channels/slack-text';
import { SEVERITIES, type RoutingPolicy, type Severity } from '../../policy/schema';
import { sliceWhole } from '../../text';
import type { GroupBatch, GroupMember } from '../group/model';
import { EMAIL_BODY_MAX, EMAIL_SUBJECT_MAX, cleanSubject, type EmailMessage } from './email';
import { PAGERDUTY_SUMMARY_MAX, pagerDutyDedupKey, type PagerDutyEvent } from './pagerduty';
import type { SlackAlarmMessage } from './slack';
import { STYLES, type Style } from './style';

/** Changed members a Slack message lists one line each; the rest are counted ("and 280 more"). */
export const GROUP_SLACK_MEMBERS_SHOWN = 20;
/** Names of the rest of the group a Slack message shows per state. */
const SLACK_OTHERS_PER_STATE = 10;
/** Changed members an email details; the rest are counted. */
export const GROUP_EMAIL_MEMBERS_DETAILED = 100;
/** Members of the rest of the group an email lists one line each; the rest are counted. */
export const GROUP_EMAIL_OTHERS_LISTED = 500;
/** Members a PagerDuty event carries in `custom_details` (worst first), so hundreds stay far under the 512 KB event limit. */
export const GROUP_PAGERDUTY_MEMBERS = 50;
/** A member's reason in PagerDuty's `custom_details`, and in an email. */
const PAGERDUTY_REASON_MAX = 300;
const EMAIL_REASON_MAX = 1_000;
const NAME_MAX = 255;

const STATE_ORDER: readonly AlarmState[] = ['ALARM', 'INSUFFICIENT_DATA', 'OK'];
const stateRank = (state: AlarmState) => STATE_ORDER.indexOf(state);
const severityRank = (severity: Severity) => SEVERITIES.indexOf(severity);

// Cut between characters: half of an emoji's surrogate pair is not text.
const cut = (text: string, max: number) => (text.length <= max ? text : `${sliceWhole(text, max - 1)}…`);
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
const alarms = (n: number) => `${n} ${n === 1 ? 'alarm' : 'alarms'}`;

/** ALARM before INSUFFICIENT_DATA before OK, then the higher severity first; otherwise in the order given. */
const worstFirst = (members: readonly GroupMember[]): GroupMember[] =>
  [...members].sort((a, b) => stateRank(a.state) - stateRank(b.state) || severityRank(a.severity) - severityRank(b.severity));

const countStates = (members: readonly GroupMember[]): Record<AlarmState, number> => {
  const counts: Record<AlarmState, number> = { ALARM: 0, INSUFFICIENT_DATA: 0, OK: 0 };
  for (const m of members) counts[m.state] += 1;
  return counts;
};

/** "3 ALARM, 2 OK": the states present, worst first. */
const describeCounts = (members: readonly GroupMember[]): string => {
  const counts = countStates(members);
  const present = STATE_ORDER.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return present.length ? present.join(', ') : 'none';
};

/** The members not changed in this batch, as the batch lists them. */
const othersOf = (batch: GroupBatch): GroupMember[] => {
  const changed = new Set(batch.changed.map((m) => m.alarmName));
  return batch.members.filter((m) => !changed.has(m.alarmName));
};

/** "RetailPrediction", or "RetailPrediction / critical" for a route grouped by two keys. */
const groupLabel = (batch: GroupBatch): string => batch.group.key.map((k) => k.value).join(' / ') || batch.group.route;

/** "3 alarms firing", "2 alarms with insufficient data", "all 5 alarms OK": what the whole group is doing now. */
function groupStatus(batch: GroupBatch): string {
  const counts = countStates(batch.members);
  if (counts.ALARM > 0) return `${alarms(counts.ALARM)} firing`;
  if (counts.INSUFFICIENT_DATA > 0) return `${alarms(counts.INSUFFICIENT_DATA)} with insufficient data`;
  return batch.members.length === 1 ? '1 alarm OK' : `all ${batch.members.length} alarms OK`;
}

/** "3 alarms firing in RetailPrediction (route critical, batch 1)", the label and route cut to `labelMax` and `routeMax`. */
const groupHeadline = (batch: GroupBatch, labelMax = Infinity, routeMax = Infinity): string =>
  `${groupStatus(batch)} in ${cut(groupLabel(batch), labelMax)} (route ${cut(batch.group.route, routeMax)}, batch ${batch.number})`;

const memberStyle = (m: GroupMember): Style => (m.state === 'ALARM' ? STYLES[`ALARM:${m.severity}`] : STYLES[m.state]);

/** The worst state in the group, and for ALARM the highest severity among the firing members. */
function groupStyle(batch: GroupBatch): Style {
  const worst = worstFirst(batch.members)[0];
  return worst ? memberStyle(worst) : STYLES.OK;
}

/** One line for logs: "critical/service=RetailPrediction batch 1: 3 changed (2 ALARM, 1 OK) of 5 (3 ALARM, 2 OK), severity critical". */
export function describeGroupBatch(batch: GroupBatch): string {
  const id = batch.group.id.replace(/[\r\n]+/g, ' ');
  return `${id} batch ${batch.number}: ${batch.changed.length} changed (${describeCounts(batch.changed)}) of ${batch.members.length} (${describeCounts(batch.members)}), severity ${batch.severity}`;
}

// --- Slack ---

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } });
const field = (label: string, value: string) => ({ type: 'mrkdwn' as const, text: truncate(`*${label}*\n${value}`, SLACK_LIMITS.fieldText) });
const SLACK_LINE_MAX = 1_200;

/** A changed member's line: state, name, severity, time, links, and its reason quoted beneath. */
const slackMemberLine = (m: GroupMember): string =>
  truncate(
    `${memberStyle(m).emoji} *${safeSlackText(m.alarmName, NAME_MAX)}* ${m.state} · ${m.severity} · ${safeSlackText(m.changedAt, 40)} · ${safeSlackText(m.region, 40)}` +
      ` · <${m.consoleUrl}|CloudWatch> · <${m.runbookUrl}|Runbook>` +
      (m.reason ? `\n>${safeSlackText(oneLine(m.reason), 300)}` : ''),
    SLACK_LINE_MAX,
  );

/** Lines packed into as few sections as fit, the first starting with `title`. */
function packed(title: string, lines: readonly string[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  let current = title;
  for (const line of lines) {
    if (current.length + 1 + line.length > SLACK_LIMITS.sectionText) {
      blocks.push(section(current));
      current = line;
    } else {
      current = `${current}\n${line}`;
    }
  }
  blocks.push(section(current));
  return blocks;
}

/** "ALARM (3): a, b, c" per state of the members that did not change, a few names each. */
function slackOthers(others: readonly GroupMember[]): string {
  const lines = STATE_ORDER.flatMap((state) => {
    const inState = worstFirst(others.filter((m) => m.state === state));
    if (!inState.length) return [];
    const names = inState.slice(0, SLACK_OTHERS_PER_STATE).map((m) => safeSlackText(m.alarmName, 80));
    const more = inState.length - names.length;
    return [`${memberStyle(inState[0]!).emoji} ${state} (${inState.length}): ${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`];
  });
  return `*Rest of the group* (${others.length})\n${lines.join('\n')}`;
}

/**
 * One Slack message for a batch: a header with what the whole group is doing, the changed members worst
 * first (at most {@link GROUP_SLACK_MEMBERS_SHOWN}, then "and N more"), a line per state for the rest of
 * the group, coloured by the worst state and, when firing, the highest severity among the firing. Within
 * every Block Kit limit however many members the group has.
 */
export function formatGroupSlack(batch: GroupBatch, stage: string): SlackAlarmMessage {
  const style = groupStyle(batch);
  const title = groupHeadline(batch, 50, 30);
  const changed = worstFirst(batch.changed);
  const shown = changed.slice(0, GROUP_SLACK_MEMBERS_SHOWN);
  const lines = shown.map(slackMemberLine);
  if (changed.length > shown.length) lines.push(`_…and ${changed.length - shown.length} more changed alarms_`);
  const others = othersOf(batch);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${style.emoji} ${title}`, SLACK_LIMITS.headerText), emoji: true } },
    {
      type: 'section',
      fields: [
        field('Group', safeSlackText(batch.group.key.map((k) => `${k.by}=${k.value}`).join(', '), 1_000)),
        field('Route', safeSlackText(batch.group.route, NAME_MAX)),
        field('States', `${describeCounts(batch.members)} (${alarms(batch.members.length)})`),
        field('Severity', `${batch.severity} (highest in the group)`),
      ],
    },
    ...packed(`*Changed since the last batch* (${changed.length})`, lines),
  ];
  if (others.length) blocks.push(section(slackOthers(others)));
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(`Batch ${batch.number} · stage ${stage} · group ${safeSlackText(batch.group.id, 1_000)}`, SLACK_LIMITS.contextElementText) }],
  });
  const names = shown.slice(0, 5).map((m) => `${m.alarmName} (${m.state})`).join(', ');
  return {
    text: safeSlackText(`${style.emoji} ${groupHeadline(batch)}: ${names}${changed.length > 5 ? ', …' : ''}`, SLACK_LIMITS.fallbackText),
    attachments: [{ color: style.colour, blocks }],
  };
}

// --- Email ---

/** The subject: the headline, cleaned; when too long for SNS the label and route are shortened, the counts and batch kept. */
function groupEmailSubject(batch: GroupBatch): string {
  const full = cleanSubject(groupHeadline(batch));
  if (full.length <= EMAIL_SUBJECT_MAX) return full;
  const short = cleanSubject(`${groupStatus(batch)} in ${cut(cleanSubject(groupLabel(batch)), 28)} (route ${cut(cleanSubject(batch.group.route), 16)}, batch ${batch.number})`);
  return cut(short, EMAIL_SUBJECT_MAX);
}

const emailMember = (m: GroupMember): string[] => [
  `${m.state.padEnd(17)} ${m.alarmName} [${m.severity}] at ${m.changedAt} (${m.region})`,
  `  Reason:  ${cut(m.reason, EMAIL_REASON_MAX) || '(none given)'}`,
  `  Console: ${m.consoleUrl}`,
  `  Runbook: ${m.runbookUrl}`,
  '',
];

/**
 * One email for a batch: the group and its states, the changed members worst first with reason and links
 * (at most {@link GROUP_EMAIL_MEMBERS_DETAILED}), then the rest of the group one line each (at most
 * {@link GROUP_EMAIL_OTHERS_LISTED}). Subject and body within SNS's limits.
 */
export function formatGroupEmail(batch: GroupBatch, stage: string): EmailMessage {
  const changed = worstFirst(batch.changed);
  const detailed = changed.slice(0, GROUP_EMAIL_MEMBERS_DETAILED);
  const others = worstFirst(othersOf(batch));
  const listed = others.slice(0, GROUP_EMAIL_OTHERS_LISTED);
  const lines = [
    groupHeadline(batch),
    '',
    `Group:       ${batch.group.id}`,
    `Route:       ${batch.group.route}, grouped by ${batch.group.key.map((k) => k.by).join(', ')}`,
    `Batch:       ${batch.number}, ${alarms(changed.length)} changed since the last batch`,
    `States:      ${describeCounts(batch.members)} (${alarms(batch.members.length)})`,
    `Severity:    ${batch.severity} (highest in the group)`,
    '',
    `Changed since the last batch (${changed.length}):`,
    '',
    ...detailed.flatMap(emailMember),
  ];
  if (changed.length > detailed.length) lines.push(`… and ${changed.length - detailed.length} more changed alarms`, '');
  if (others.length) {
    lines.push(`Rest of the group (${others.length}):`, ...listed.map((m) => `  ${m.state.padEnd(17)} ${m.alarmName} [${m.severity}] since ${m.changedAt}`));
    if (others.length > listed.length) lines.push(`  … and ${others.length - listed.length} more`);
    lines.push('');
  }
  lines.push(`-- Firebreak, stage ${stage}, batch ${batch.number} of group ${batch.group.id}`);
  const body = lines.join('\n');
  return {
    subject: groupEmailSubject(batch),
    body: body.length <= EMAIL_BODY_MAX ? body : `${sliceWhole(body, EMAIL_BODY_MAX - 40)}\n… (message cut to fit email)`,
  };
}

// --- PagerDuty ---

/**
 * One PagerDuty incident per group, deduplicated on `firebreak:group:<stage>:<group id>`: `resolve` once
 * every member is OK; `trigger` while any member is ALARM (or INSUFFICIENT_DATA, when the policy's
 * `pagerduty.insufficientData` is `trigger`), at the severity the policy maps the group's highest to;
 * undefined otherwise (say, members only OK or INSUFFICIENT_DATA under `ignore`, which leaves an open
 * incident open). `custom_details` carries the batch and the first {@link GROUP_PAGERDUTY_MEMBERS}
 * members worst first, with a count of the rest, so the event stays far under PagerDuty's 512 KB.
 */
export function formatGroupPagerDuty(batch: GroupBatch, policy: RoutingPolicy, stage: string): PagerDutyEvent | undefined {
  const dedupKey = pagerDutyDedupKey(`firebreak:group:${stage}:${batch.group.id}`);
  if (batch.members.every((m) => m.state === 'OK')) return { event_action: 'resolve', dedup_key: dedupKey };
  const counts = countStates(batch.members);
  const pagesInsufficient = policy.pagerduty.insufficientData === 'trigger';
  if (counts.ALARM === 0 && !(pagesInsufficient && counts.INSUFFICIENT_DATA > 0)) return undefined;

  const total = batch.members.length;
  const insufficient = pagesInsufficient && counts.INSUFFICIENT_DATA > 0 ? `, ${counts.INSUFFICIENT_DATA} with insufficient data,` : '';
  const members = worstFirst(batch.members);
  const shown = members.slice(0, GROUP_PAGERDUTY_MEMBERS);
  const changed = batch.changed.slice(0, GROUP_PAGERDUTY_MEMBERS);
  const latest = batch.changed.at(-1) ?? members[0]!;
  const label = cut(groupLabel(batch), NAME_MAX);
  return {
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: cut(`[${batch.severity}] ${counts.ALARM} of ${total} alarms firing${insufficient} in group ${batch.group.id}`, PAGERDUTY_SUMMARY_MAX),
      source: label,
      severity: policy.pagerduty.severityMap[batch.severity],
      timestamp: latest.changedAt,
      component: label,
      group: cut(batch.group.route, NAME_MAX),
      class: 'alarm group',
      custom_details: {
        group: batch.group.id,
        route: batch.group.route,
        key: Object.fromEntries(batch.group.key.map((k) => [k.by, cut(k.value, NAME_MAX)])),
        batch: batch.number,
        stage,
        states: counts,
        changed: changed.map((m) => cut(m.alarmName, NAME_MAX)),
        changed_not_shown: batch.changed.length - changed.length,
        members: shown.map((m) => ({
          alarm_name: cut(m.alarmName, NAME_MAX),
          state: m.state,
          severity: m.severity,
          changed_at: cut(m.changedAt, 64),
          reason: cut(m.reason, PAGERDUTY_REASON_MAX),
          region: cut(m.region, 64),
        })),
        members_not_shown: members.length - shown.length,
      },
    },
    links: shown.slice(0, 5).map((m) => ({ href: m.consoleUrl, text: cut(`${m.alarmName} in CloudWatch`, NAME_MAX) })),
    client: 'Firebreak',
  };
}
