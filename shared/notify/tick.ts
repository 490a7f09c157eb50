// Use case: notify's schedule (every minute) — deliver the alarm groups whose batch is due, and tell Slack about silences and maintenance windows.
import { deliverEach, deliverOnce, type ChannelDelivery } from '../delivery/deliver-once';
import { errorMessage, InvocationFailedError } from '../errors';
import { logger } from '../logger';
import { silenceAnnouncements, windowAnnouncements, type Announcement } from '../silence/announce';
import type { SilenceStore } from '../silence/store';
import type { FanOutDeps } from './fan-out';
import { recordPage, send } from './fan-out';
import { describeGroupBatch, formatGroupEmail, formatGroupPagerDuty, formatGroupSlack } from './format/group';
import type { GroupBatch, GroupMember } from './group/model';
import { allRecovered, batchDeliveryId, batchOf, type GroupHead } from './group/timing';
import type { PlannedDelivery } from './plan';

export interface TickDeps extends FanOutDeps {
  readonly silences: SilenceStore;
  /** Whether Slack is configured: announcements go to Slack alone. */
  readonly announces: boolean;
}

/** What became of one due group. */
export interface BatchOutcome {
  readonly group: string;
  readonly status: 'delivered' | 'planned' | 'nothing-new' | 'failed';
  readonly batch?: number;
  readonly detail?: string;
  readonly channels?: readonly { readonly channel: string; readonly status: string; readonly detail?: string }[];
}

export interface AnnouncementOutcome {
  readonly id: string;
  readonly kind: Announcement['kind'];
  readonly status: 'delivered' | 'already-delivered' | 'planned' | 'failed';
  readonly detail?: string;
}

export interface TickResult {
  readonly dryRun: boolean;
  readonly batches: readonly BatchOutcome[];
  readonly announcements: readonly AnnouncementOutcome[];
}

/**
 * One run of notify's schedule: every group whose batch is due is delivered (each channel once per batch,
 * through the delivery ledger), then every announcement due is posted to Slack once. All are tried; if any
 * failed, throws InvocationFailedError: the group stays due and the next run (or Lambda's retry) sends
 * only what is missing.
 */
export async function notifyTick(deps: TickDeps): Promise<TickResult> {
  const now = deps.now();
  const heads = await deps.groups.heads();
  const due = heads.filter((h) => h.dueAt !== undefined && h.dueAt <= now.getTime());
  const batches: BatchOutcome[] = [];
  for (const head of due) {
    batches.push(await flushGroup(head, deps, now).catch((error: unknown): BatchOutcome => ({ group: head.identity.id, status: 'failed', detail: errorMessage(error) })));
  }
  const announcements = await announce(deps, now);
  for (const b of batches) logger[b.status === 'failed' ? 'error' : 'info']('Alarm group batch', { batch: b });
  for (const a of announcements) logger[a.status === 'failed' ? 'error' : 'info']('Announcement', { announcement: a });
  const failures = [
    ...batches.filter((b) => b.status === 'failed').map((b) => ({ what: `group ${b.group}`, error: new Error(b.detail ?? 'a channel failed') })),
    ...announcements.filter((a) => a.status === 'failed').map((a) => ({ what: `announcement ${a.id}`, error: new Error(a.detail) })),
  ];
  if (failures.length > 0) throw new InvocationFailedError(failures);
  return { dryRun: deps.dryRun, batches, announcements };
}

async function flushGroup(head: GroupHead, deps: TickDeps, now: Date): Promise<BatchOutcome> {
  const group = head.identity.id;
  const members = await deps.groups.members(group);
  const pending = batchOf(head, members);
  // A silence added after a member joined still holds it: its firing goes nowhere (an OK goes on, so the group's page can resolve).
  const { batch, held } = pending ? await withoutHeld(pending, head, deps, now) : { batch: undefined, held: [] };
  if (!batch) {
    if (!deps.dryRun) await deps.groups.finishBatch({ head, sent: held, resolved: allRecovered(members), at: now.getTime(), delivered: false });
    return { group, status: 'nothing-new', ...(held.length > 0 ? { detail: `${held.length} change(s) withheld by a silence or window` } : {}) };
  }
  const deliveries: PlannedDelivery[] = [];
  const skipped: { channel: string; status: string; detail: string }[] = [];
  for (const channel of head.channels) {
    if (channel === 'slack') deliveries.push({ channel, payload: formatGroupSlack(batch, deps.stage) });
    if (channel === 'email') deliveries.push({ channel, payload: formatGroupEmail(batch, deps.stage) });
    if (channel === 'pagerduty') {
      const event = formatGroupPagerDuty(batch, deps.policy, deps.stage);
      if (!event) skipped.push({ channel, status: 'withheld', detail: 'no member pages (policy notify.pagerduty.insufficientData)' });
      // Resolving a group whose page never went out would tell PagerDuty about nothing.
      else if (event.event_action === 'resolve' && !(await deps.pages.isOpen(event.dedup_key))) skipped.push({ channel, status: 'withheld', detail: 'no open page for the group' });
      else deliveries.push({ channel, payload: event });
    }
  }
  const described = describeGroupBatch(batch);
  if (deps.dryRun) return { group, status: 'planned', batch: batch.number, detail: described, channels: [...deliveries.map((d) => ({ channel: d.channel, status: 'planned' })), ...skipped] };
  const results = await deliverEach(
    deliveries.map((d): ChannelDelivery => ({ channel: d.channel, send: () => send(d, deps.notifiers, { route: head.identity.route, group: { id: group, resolved: allRecovered(batch.members) } }) })),
    { ledger: deps.ledger, messageId: batchDeliveryId(head, batch) },
  );
  for (const [i, r] of results.entries()) {
    const d = deliveries[i]!;
    if (d.channel === 'pagerduty' && r.status !== 'failed') await recordPage(d.payload.event_action, d.payload.dedup_key, deps.pages, now);
  }
  const channels = [...results.map((r) => (r.status === 'failed' ? { channel: r.channel, status: r.status, detail: r.detail } : { channel: r.channel, status: r.status })), ...skipped];
  if (results.some((r) => r.status === 'failed')) return { group, status: 'failed', batch: batch.number, detail: `${described}: ${channels.filter((c) => c.status === 'failed').map((c) => `${c.channel}: ${c.detail}`).join('; ')}`, channels };
  await deps.groups.finishBatch({ head, sent: [...batch.changed, ...held], resolved: allRecovered(batch.members), at: now.getTime() });
  return { group, status: 'delivered', batch: batch.number, detail: described, channels };
}

/**
 * The batch without the firing changes a silence or window holds now (each recorded as withheld on every
 * channel of the group); undefined when nothing is left to send. Silences that cannot be read hold nothing.
 */
async function withoutHeld(batch: GroupBatch, head: GroupHead, deps: TickDeps, now: Date): Promise<{ batch?: GroupBatch; held: GroupMember[] }> {
  const held: GroupMember[] = [];
  const kept: GroupMember[] = [];
  for (const member of batch.changed) {
    let hold;
    try {
      hold = member.state === 'OK' ? undefined : (await deps.quiet.holdsOn({ alarmName: member.alarmName, severity: member.severity }, now))[0];
    } catch (error) {
      logger.error('Could not read the silences; delivering the batch as if none held it', { group: head.identity.id, error: errorMessage(error) });
      return { batch, held: [] };
    }
    if (!hold) {
      kept.push(member);
      continue;
    }
    held.push(member);
    if (deps.dryRun) continue;
    for (const channel of head.channels) {
      await deps.silences.recordHeld({ holdId: hold.id, at: member.changedAt, messageId: member.messageId, alarm: member.alarmName, state: member.state, severity: member.severity, channel, routes: [head.identity.route] });
    }
  }
  return { batch: kept.length > 0 ? { ...batch, changed: kept } : undefined, held };
}

async function announce(deps: TickDeps, now: Date): Promise<AnnouncementOutcome[]> {
  let silences;
  try {
    silences = await deps.silences.list();
  } catch (error) {
    return [{ id: 'announce#silences', kind: 'silence-added', status: 'failed', detail: errorMessage(error) }];
  }
  const due = [...silenceAnnouncements(silences, now), ...windowAnnouncements(deps.policy.windows, now)];
  if (!deps.announces) {
    for (const a of due) logger.info('Slack is not configured: announcement not posted', { announcement: a });
    return [];
  }
  const outcomes: AnnouncementOutcome[] = [];
  for (const a of due) {
    const text = a.kind === 'silence-ended' || a.kind === 'window-closed' ? `${a.text}${await heldSummary(deps.silences, a.holdId, a.since)}` : a.text;
    if (deps.dryRun) {
      outcomes.push({ id: a.id, kind: a.kind, status: 'planned', detail: text });
      continue;
    }
    const delivery: ChannelDelivery = { channel: 'slack', send: () => deps.notifiers.slack.send({ text, attachments: [{ color: '#6C6C6C', blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] }] }) };
    try {
      outcomes.push({ id: a.id, kind: a.kind, status: await deliverOnce(delivery, { ledger: deps.ledger, messageId: a.id }) });
    } catch (error) {
      outcomes.push({ id: a.id, kind: a.kind, status: 'failed', detail: errorMessage(error) });
    }
  }
  return outcomes;
}

/** " It held back 5 notifications (slack 3, pagerduty 2)." or " It held nothing back."; a window's, since its occurrence opened. */
async function heldSummary(silences: SilenceStore, holdId: string, since?: string): Promise<string> {
  const held = (await silences.heldBy(holdId)).filter((h) => since === undefined || Date.parse(h.at) >= Date.parse(since));
  if (held.length === 0) return ' It held nothing back.';
  const counts = new Map<string, number>();
  for (const h of held) counts.set(h.channel, (counts.get(h.channel) ?? 0) + 1);
  return ` It held back ${held.length} notification${held.length === 1 ? '' : 's'} (${[...counts].map(([c, n]) => `${c} ${n}`).join(', ')}).`;
}
