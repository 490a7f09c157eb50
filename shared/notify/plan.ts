// Domain: from a parsed message to the exact payload each routed channel will receive. Pure.
import type { ParsedMessage } from '../alarm/model';
import { route, type RoutingDecision } from '../policy/routing';
import type { ChannelName, RoutingPolicy } from '../policy/schema';
import { sliceWhole } from '../text';
import { formatEmail, type EmailMessage } from './format/email';
import { formatPagerDuty, type PagerDutyEvent } from './format/pagerduty';
import { formatSlack, type SlackAlarmMessage } from './format/slack';
import { buildView, type NotificationView } from './view';

/** The payload type of each channel. */
export interface ChannelPayloads {
  email: EmailMessage;
  slack: SlackAlarmMessage;
  pagerduty: PagerDutyEvent;
}

export type PlannedDelivery = { [C in ChannelName]: { readonly channel: C; readonly payload: ChannelPayloads[C] } }[ChannelName];

export interface NotificationPlan {
  readonly view: NotificationView;
  readonly routing: RoutingDecision;
  readonly deliveries: readonly PlannedDelivery[];
}

export interface PlanContext {
  readonly policy: RoutingPolicy;
  readonly stage: string;
  readonly runbookBaseUrl: string;
}

/** Decides severity and route, then formats the payload for every channel the route names. */
export function planNotification(message: ParsedMessage, ctx: PlanContext): NotificationPlan {
  const view = buildView(message, ctx.policy, ctx.runbookBaseUrl);
  const routing = route(ctx.policy, {
    alarmName: view.type === 'alarm' ? view.alarm.name : undefined,
    state: view.type === 'alarm' ? view.alarm.state : undefined,
    severity: view.severity,
  });
  const deliveries = routing.channels.map((channel): PlannedDelivery => {
    switch (channel) {
      case 'email':
        return { channel, payload: formatEmail(view, ctx.stage) };
      case 'slack':
        return { channel, payload: formatSlack(view, ctx.stage) };
      case 'pagerduty':
        return { channel, payload: formatPagerDuty(view, ctx.policy, ctx.stage) };
    }
  });
  return { view, routing, deliveries };
}

/** Longest quoted text in a delivery's description: a headline, not the message. */
const DESCRIPTION_TEXT_LIMIT = 100;

const quoted = (text: string) => `"${text.length > DESCRIPTION_TEXT_LIMIT ? `${sliceWhole(text, DESCRIPTION_TEXT_LIMIT - 1)}…` : text}"`;

/** What a delivery would send, in one line: for a dry run's log line, whose result holds the payload itself. */
export function describeDelivery(delivery: PlannedDelivery): string {
  switch (delivery.channel) {
    case 'email':
      return `mail with subject ${quoted(delivery.payload.subject)}`;
    case 'slack':
      return `message ${quoted(delivery.payload.text)}`;
    case 'pagerduty': {
      const { event_action: action, dedup_key: key, payload } = delivery.payload;
      return `${action}${payload ? ` (${payload.severity})` : ''} for dedup_key ${key}`;
    }
  }
}
