// Domain: how a state and severity look in a notification — one typed table.
import type { NotificationView } from '../view';

export type StyleKey = 'ALARM:critical' | 'ALARM:warning' | 'ALARM:info' | 'OK' | 'INSUFFICIENT_DATA' | 'generic';

export interface Style {
  /** Slack emoji shortcode. */
  readonly emoji: string;
  /** Slack attachment colour bar. */
  readonly colour: `#${string}`;
}

export const STYLES: Readonly<Record<StyleKey, Style>> = {
  'ALARM:critical': { emoji: ':rotating_light:', colour: '#D40E0D' },
  'ALARM:warning': { emoji: ':warning:', colour: '#F2A900' },
  'ALARM:info': { emoji: ':information_source:', colour: '#439FE0' },
  OK: { emoji: ':white_check_mark:', colour: '#2EB67D' },
  INSUFFICIENT_DATA: { emoji: ':grey_question:', colour: '#9E9E9E' },
  generic: { emoji: ':incoming_envelope:', colour: '#6C6C6C' },
};

export function styleOf(view: NotificationView): Style {
  if (view.type === 'generic') return STYLES.generic;
  const state = view.alarm.state;
  return state === 'ALARM' ? STYLES[`ALARM:${view.severity}`] : STYLES[state];
}
