// Domain: the buttons on an alarm's parent message in app mode, and reading a click back. Pure.
import type { KnownBlock } from '@slack/types';
import type { SlackAction, SlackAppPolicy } from '../policy/schema';

/** The silences a button adds, in hours. */
export const SILENCE_BUTTON_HOURS = [1, 4] as const;

/** What a button carries (its `value`, JSON): enough for slackActions to act without reading anything else. */
export interface ButtonValue {
  readonly alarm: string;
  /** The alarm's PagerDuty dedup_key, for Acknowledge. */
  readonly dedupKey?: string;
  /** For a silence button. */
  readonly hours?: number;
}

/** One click as slackActions understands it. */
export type ButtonAction =
  | { readonly kind: 'acknowledge'; readonly alarm: string; readonly dedupKey: string }
  | { readonly kind: 'silence'; readonly alarm: string; readonly hours: number };

/** The action a button's action_id asks for, and the policy entry that says who may. */
export const ACTION_OF_BUTTON: Readonly<Record<string, SlackAction>> = { acknowledge: 'acknowledge', 'silence-1h': 'silence', 'silence-4h': 'silence' };

export interface AlarmButtons {
  readonly alarmName: string;
  /** Set when the alarm pages (its trigger's dedup_key): Acknowledge is shown only then. */
  readonly dedupKey?: string;
  readonly runbookUrl: string;
}

/**
 * The actions block of an alarm's parent message: Acknowledge (when it pages and the policy lets someone),
 * Silence 1 h / 4 h (when the policy lets someone), and Open runbook (a link, always). Undefined never:
 * the runbook is always there.
 */
export function alarmButtons(alarm: AlarmButtons, policy: SlackAppPolicy): KnownBlock {
  const value = (extra: Partial<ButtonValue> = {}) => JSON.stringify({ alarm: alarm.alarmName, ...extra } satisfies ButtonValue);
  const elements: Extract<KnownBlock, { type: 'actions' }>['elements'][number][] = [];
  if (alarm.dedupKey && policy.actions.acknowledge) {
    elements.push({ type: 'button', action_id: 'acknowledge', text: { type: 'plain_text', text: 'Acknowledge' }, style: 'primary', value: value({ dedupKey: alarm.dedupKey }) });
  }
  if (policy.actions.silence) {
    for (const hours of SILENCE_BUTTON_HOURS) {
      elements.push({ type: 'button', action_id: `silence-${hours}h`, text: { type: 'plain_text', text: `Silence ${hours} h` }, value: value({ hours }) });
    }
  }
  elements.push({ type: 'button', action_id: 'runbook', text: { type: 'plain_text', text: 'Open runbook' }, url: alarm.runbookUrl });
  return { type: 'actions', block_id: 'firebreak-actions', elements };
}

/** A click read back: the action, or why it is not one slackActions performs (the runbook link is Slack's own). */
export function buttonAction(actionId: string, rawValue: string | undefined): ButtonAction | { readonly unknown: string } {
  let value: Partial<ButtonValue>;
  try {
    value = JSON.parse(rawValue ?? '') as Partial<ButtonValue>;
  } catch {
    return { unknown: `button ${actionId} carries no readable value` };
  }
  if (typeof value.alarm !== 'string' || value.alarm === '') return { unknown: `button ${actionId} names no alarm` };
  if (actionId === 'acknowledge') {
    return typeof value.dedupKey === 'string' && value.dedupKey !== '' ? { kind: 'acknowledge', alarm: value.alarm, dedupKey: value.dedupKey } : { unknown: 'Acknowledge carries no dedup_key' };
  }
  const silence = /^silence-(\d+)h$/.exec(actionId);
  if (silence && (SILENCE_BUTTON_HOURS as readonly number[]).includes(Number(silence[1])) && value.hours === Number(silence[1])) {
    return { kind: 'silence', alarm: value.alarm, hours: value.hours };
  }
  return { unknown: `button ${actionId} is not one Firebreak acts on` };
}
