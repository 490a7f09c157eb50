// Domain: the PagerDuty channel's Events API v2 event — trigger on ALARM, resolve on OK.
import { createHash } from 'node:crypto';
import { sliceWhole } from '../../text';
import type { RoutingPolicy } from '../../policy/schema';
import type { NotificationView } from '../view';

/** Events API v2 limits. */
export const PAGERDUTY_SUMMARY_MAX = 1024;
export const PAGERDUTY_DEDUP_KEY_MAX = 255;
const DETAIL_TEXT_MAX = 4_000;

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

/** An Events API v2 event without its routing key, which the adapter adds at send time (it is a secret). */
export interface PagerDutyEvent {
  readonly event_action: 'trigger' | 'resolve' | 'acknowledge';
  readonly dedup_key: string;
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: PagerDutySeverity;
    readonly timestamp?: string;
    readonly component?: string;
    readonly group?: string;
    readonly class?: string;
    readonly custom_details?: Record<string, unknown>;
  };
  readonly links?: readonly { readonly href: string; readonly text: string }[];
  readonly client?: string;
  readonly client_url?: string;
}

// Cut between characters: half of an emoji's surrogate pair is not text.
const cut = (text: string, max: number) => (text.length <= max ? text : `${sliceWhole(text, max - 1)}…`);

/**
 * A dedup key as PagerDuty takes it: `key` itself, unless it is longer than the 255 characters
 * PagerDuty allows (an alarm's ARN is, when its name is near CloudWatch's 255), which would be refused
 * with a 400, so nobody would be paged. A longer key keeps its beginning and ends in the SHA-256 of
 * the whole key: trigger and resolve still agree, and two keys still differ. A key that already
 * fits is returned as it is, so applying this twice changes nothing.
 */
export function pagerDutyDedupKey(key: string): string {
  if (key.length <= PAGERDUTY_DEDUP_KEY_MAX) return key;
  const digest = createHash('sha256').update(key).digest('hex');
  return `${sliceWhole(key, PAGERDUTY_DEDUP_KEY_MAX - digest.length - 1)}#${digest}`;
}

/**
 * Formats the PagerDuty event: `resolve` for OK, `trigger` otherwise, deduplicated on the alarm ARN
 * so the resolve closes the incident the trigger opened. Generic messages trigger an event keyed on
 * their SNS MessageId. Pure.
 */
export function formatPagerDuty(view: NotificationView, policy: RoutingPolicy, stage: string): PagerDutyEvent {
  const severity = policy.pagerduty.severityMap[view.severity];
  if (view.type === 'generic') {
    return {
      event_action: 'trigger',
      dedup_key: `firebreak:${view.messageId}`,
      payload: {
        summary: cut(`[${view.severity}] ${view.generic.subject}`, PAGERDUTY_SUMMARY_MAX),
        source: 'firebreak',
        severity,
        class: 'generic',
        custom_details: { message: cut(view.generic.text, DETAIL_TEXT_MAX), why_generic: view.generic.reason, stage, sns_message_id: view.messageId },
      },
      links: [{ href: view.runbookUrl, text: 'Runbooks' }],
      client: 'Firebreak',
    };
  }
  const a = view.alarm;
  if (a.state === 'OK') return { event_action: 'resolve', dedup_key: pagerDutyDedupKey(a.arn) };
  const m = a.metric;
  const source = Object.values(m?.dimensions ?? {})[0] ?? `${a.accountId}/${a.region}`;
  return {
    event_action: 'trigger',
    dedup_key: pagerDutyDedupKey(a.arn),
    payload: {
      summary: cut(`[${view.severity}] ${a.state}: ${a.name} (${a.region}): ${a.reason}`, PAGERDUTY_SUMMARY_MAX),
      source,
      severity,
      timestamp: a.changedAt,
      component: m?.name ? `${m.namespace ? `${m.namespace}/` : ''}${m.name}` : a.name,
      group: m?.namespace ?? a.kind,
      class: `${a.kind} alarm`,
      custom_details: {
        alarm_name: a.name,
        state: a.state,
        previous_state: a.previousState,
        reason: cut(a.reason, DETAIL_TEXT_MAX),
        description: a.description,
        metric: view.metricSummary,
        dimensions: m?.dimensions,
        rule: a.rule,
        triggering_children: a.triggeringChildren?.map((c) => c.name),
        account: a.accountId,
        region: a.region,
        alarm_arn: a.arn,
        severity_from: view.from,
        stage,
        sns_message_id: view.messageId,
      },
    },
    links: [
      { href: view.consoleUrl, text: 'CloudWatch alarm' },
      { href: view.runbookUrl, text: 'Runbook' },
    ],
    client: 'Firebreak',
    client_url: view.consoleUrl,
  };
}
