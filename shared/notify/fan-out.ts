// Use case: deliver one message to every routed channel in parallel; each channel at most once.
import type { ParsedMessage } from '../alarm/model';
import { deliverEach } from '../delivery/deliver-once';
import type { DeliveryLedger } from '../delivery/ledger';
import type { ChannelName } from '../policy/schema';
import type { Notifiers } from './notifiers';
import { describeDelivery, planNotification, type PlanContext, type PlannedDelivery } from './plan';

export type ChannelStatus = 'delivered' | 'already-delivered' | 'planned' | 'withheld' | 'failed';

export interface ChannelOutcome {
  readonly channel: ChannelName;
  readonly status: ChannelStatus;
  /** Why it was withheld or failed; for a planned one, what it would send, in one line. */
  readonly detail?: string;
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

export interface FanOutDeps extends PlanContext {
  readonly notifiers: Notifiers;
  readonly ledger: DeliveryLedger;
  readonly dryRun: boolean;
}

/**
 * Plans the message and delivers it. A channel already delivered for this SNS MessageId is skipped;
 * the others are sent in parallel and each outcome is reported. Never throws for a failed delivery:
 * the caller decides (the handler fails the invocation so Lambda retries and the DLQ keeps it).
 */
export async function fanOut(message: ParsedMessage, deps: FanOutDeps): Promise<NotifySummary> {
  const plan = planNotification(message, deps);
  const withheld = plan.routing.withheld.map((w): ChannelOutcome => ({ channel: w.channel, status: 'withheld', detail: w.reason }));
  const outcomes = deps.dryRun
    ? plan.deliveries.map((d): ChannelOutcome => ({ channel: d.channel, status: 'planned', detail: describeDelivery(d), payload: d.payload }))
    : await deliver(message.messageId, plan.deliveries, deps);
  const view = plan.view;
  return {
    messageId: message.messageId,
    type: view.type,
    alarm: view.type === 'alarm' ? view.alarm.name : undefined,
    state: view.type === 'alarm' ? view.alarm.state : undefined,
    severity: view.severity,
    routes: plan.routing.routes,
    outcomes: [...outcomes, ...withheld],
    genericReason: view.type === 'generic' ? view.generic.reason : undefined,
  };
}

/** Each planned channel once for the message; a failure is an outcome with its reason, the error object stays out of the summary. */
async function deliver(messageId: string, deliveries: readonly PlannedDelivery[], deps: FanOutDeps): Promise<ChannelOutcome[]> {
  const results = await deliverEach(deliveries.map((d) => ({ channel: d.channel, send: () => send(d, deps.notifiers) })), { ledger: deps.ledger, messageId });
  return results.map((r) => (r.status === 'failed' ? { channel: r.channel, status: r.status, detail: r.detail } : { channel: r.channel, status: r.status }));
}

function send(delivery: PlannedDelivery, notifiers: Notifiers): Promise<void> {
  switch (delivery.channel) {
    case 'email':
      return notifiers.email.send(delivery.payload);
    case 'slack':
      return notifiers.slack.send(delivery.payload);
    case 'pagerduty':
      return notifiers.pagerduty.send(delivery.payload);
  }
}
