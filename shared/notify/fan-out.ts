// Use case: deliver one message to every routed channel in parallel; each channel at most once; quiet when a silence holds it, grouped on grouped routes.
import type { ParsedMessage } from '../alarm/model';
import { deliverEach } from '../delivery/deliver-once';
import type { DeliveryLedger } from '../delivery/ledger';
import { errorMessage } from '../errors';
import { logger } from '../logger';
import type { ChannelName } from '../policy/schema';
import { describeHold, type Hold } from '../silence/model';
import type { Quiet } from '../silence/quiet';
import type { SilenceStore } from '../silence/store';
import { groupedChannels, joinGroups, type GroupDeps } from './group/join';
import type { Notifiers } from './notifiers';
import type { OpenPages } from './pages';
import type { PagerDutyEvent } from './format/pagerduty';
import { describeAppDelivery, type SlackAppDeps, type SlackSendContext } from './slack-app';
import { describeDelivery, planNotification, type NotificationPlan, type PlanContext, type PlannedDelivery } from './plan';

export type ChannelStatus = 'delivered' | 'already-delivered' | 'planned' | 'withheld' | 'grouped' | 'failed';

export interface ChannelOutcome {
  readonly channel: ChannelName;
  readonly status: ChannelStatus;
  /** Why it was withheld or failed; for a planned one, what it would send, in one line; for a grouped one, which group and when. */
  readonly detail?: string;
  /** The silence or window that withheld it (its id). */
  readonly heldBy?: string;
  /** The exact payload, in dry runs. */
  readonly payload?: unknown;
}

export interface NotifySummary {
  readonly messageId: string;
  readonly type: 'alarm' | 'generic';
  readonly alarm?: string;
  readonly state?: string;
  readonly severity: string;
  readonly routes: readonly string[];
  readonly outcomes: readonly ChannelOutcome[];
  /** For generic messages: why the message was not read as an alarm. */
  readonly genericReason?: string;
}

export interface FanOutDeps extends PlanContext, GroupDeps {
  readonly notifiers: Notifiers;
  readonly ledger: DeliveryLedger;
  readonly dryRun: boolean;
  /** The silences and windows in force. */
  readonly quiet: Quiet;
  /** Where withheld notifications are recorded. */
  readonly silences: Pick<SilenceStore, 'recordHeld'>;
  /** The PagerDuty incidents notify opened: a silence never withholds their resolve. */
  readonly pages: OpenPages;
  /** Set when Slack is the app: a dry run says where it would post and the graph it would ask for. */
  readonly slackApp?: SlackAppDeps['policy'];
  readonly now: () => Date;
}

/**
 * Plans the message, holds back what a silence or maintenance window covers (recording each), hands the
 * channels of grouped routes to their group, and delivers the rest. A channel already delivered for
 * this SNS MessageId is skipped; the others are sent in parallel and each outcome is reported. Never
 * throws for a failed delivery: the caller decides (the handler fails the invocation so Lambda retries
 * and the DLQ keeps it).
 */
export async function fanOut(message: ParsedMessage, deps: FanOutDeps): Promise<NotifySummary> {
  const plan = planNotification(message, deps);
  const now = deps.now();
  const policyWithheld = plan.routing.withheld.map((w): ChannelOutcome => ({ channel: w.channel, status: 'withheld', detail: w.reason }));
  const quiet = await holdBack(plan, deps, now);
  const grouped = await joinGroups(plan, quiet.kept, deps, now);
  const outcomes = deps.dryRun
    ? grouped.immediate.map((d): ChannelOutcome => ({ channel: d.channel, status: 'planned', detail: plannedDetail(d, plan, deps, now), payload: d.payload }))
    : await deliver(message.messageId, grouped.immediate, deps, now, { view: plan.view, route: plan.routing.routeOf.slack });
  const view = plan.view;
  return {
    messageId: message.messageId,
    type: view.type,
    alarm: view.type === 'alarm' ? view.alarm.name : undefined,
    state: view.type === 'alarm' ? view.alarm.state : undefined,
    severity: view.severity,
    routes: plan.routing.routes,
    outcomes: [...outcomes, ...grouped.outcomes, ...quiet.held, ...policyWithheld],
    genericReason: view.type === 'generic' ? view.generic.reason : undefined,
  };
}

/**
 * The deliveries a hold lets through, and an outcome for each it withholds (recorded with the hold).
 * Only a PagerDuty resolve for an incident notify opened goes out under a hold: a page that went out is
 * always resolved. An OK on a grouped route is kept for its group to decide (a member the group holds
 * must be able to resolve it). Silences that cannot be read hold nothing: loud beats lost.
 */
async function holdBack(plan: NotificationPlan, deps: FanOutDeps, now: Date): Promise<{ kept: PlannedDelivery[]; held: ChannelOutcome[] }> {
  const { view } = plan;
  if (view.type !== 'alarm' || plan.deliveries.length === 0) return { kept: [...plan.deliveries], held: [] };
  let holds: Hold[];
  try {
    holds = await deps.quiet.holdsOn({ alarmName: view.alarm.name, severity: view.severity }, now);
  } catch (error) {
    logger.error('Could not read the silences; delivering as if none held the alarm', { alarm: view.alarm.name, messageId: view.messageId, error: errorMessage(error) });
    return { kept: [...plan.deliveries], held: [] };
  }
  const hold = holds[0];
  if (!hold) return { kept: [...plan.deliveries], held: [] };
  const kept: PlannedDelivery[] = [];
  const held: ChannelOutcome[] = [];
  for (const delivery of plan.deliveries) {
    if (await letThrough(delivery, plan, deps)) kept.push(delivery);
    else held.push({ channel: delivery.channel, status: 'withheld', detail: `held by ${describeHold(hold)}`, heldBy: hold.id });
  }
  if (!deps.dryRun) {
    const routes = (c: ChannelName) => [plan.routing.routeOf[c] ?? 'default'];
    await Promise.all(
      held.map((h) =>
        deps.silences.recordHeld({
          holdId: hold.id,
          at: view.alarm.changedAt,
          messageId: view.messageId,
          alarm: view.alarm.name,
          state: view.alarm.state,
          severity: view.severity,
          channel: h.channel,
          routes: routes(h.channel),
        }),
      ),
    );
  }
  return { kept, held };
}

async function letThrough(delivery: PlannedDelivery, plan: NotificationPlan, deps: FanOutDeps): Promise<boolean> {
  const view = plan.view;
  if (view.type !== 'alarm' || view.alarm.state !== 'OK') return false;
  const group = groupedChannels(plan, [delivery], deps.policy)[0];
  if (group) return (await deps.groups.members(group.identity.id)).some((m) => m.alarmName === view.alarm.name);
  return delivery.channel === 'pagerduty' && delivery.payload.event_action === 'resolve' && (await deps.pages.isOpen(delivery.payload.dedup_key));
}

/** A dry run's one line for a delivery; Slack as the app says where and which graph too. */
function plannedDetail(delivery: PlannedDelivery, plan: NotificationPlan, deps: FanOutDeps, now: Date): string {
  const what = describeDelivery(delivery);
  return delivery.channel === 'slack' && deps.slackApp ? `${what}, ${describeAppDelivery(plan.view, plan.routing.routeOf.slack, deps.slackApp, now)}` : what;
}

/** Each planned channel once for the message; a failure is an outcome with its reason, the error object stays out of the summary. */
async function deliver(messageId: string, deliveries: readonly PlannedDelivery[], deps: FanOutDeps, now: Date, context?: SlackSendContext): Promise<ChannelOutcome[]> {
  const results = await deliverEach(
    deliveries.map((d) => ({ channel: d.channel, send: () => send(d, deps.notifiers, context) })),
    { ledger: deps.ledger, messageId },
  );
  // Recorded after delivery (already-delivered too: a retry after the send but before the record finishes it).
  for (const [i, r] of results.entries()) {
    const d = deliveries[i]!;
    if (d.channel === 'pagerduty' && r.status !== 'failed') await recordPage(d.payload.event_action, d.payload.dedup_key, deps.pages, now);
  }
  return results.map((r) => (r.status === 'failed' ? { channel: r.channel, status: r.status, detail: r.detail } : { channel: r.channel, status: r.status }));
}

/** Notes a delivered PagerDuty event's effect on its incident. */
export async function recordPage(action: PagerDutyEvent['event_action'], dedupKey: string, pages: OpenPages, now: Date): Promise<void> {
  if (action === 'trigger') await pages.opened(dedupKey, now);
  // An acknowledged incident is still open: its resolve must still go.
  else if (action === 'resolve') await pages.resolved(dedupKey, now);
}

/** Sends one planned delivery; `context` places a Slack message in its alarm's thread in app mode. */
export function send(delivery: PlannedDelivery, notifiers: Notifiers, context?: SlackSendContext): Promise<void> {
  switch (delivery.channel) {
    case 'email':
      return notifiers.email.send(delivery.payload);
    case 'slack':
      return notifiers.slack.send(delivery.payload, context);
    case 'pagerduty':
      return notifiers.pagerduty.send(delivery.payload);
  }
}
