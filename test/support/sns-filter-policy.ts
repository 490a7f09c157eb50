// Test support: SNS filter policies evaluated on message bodies as SNS does (scope MessageBody), and alarm bodies of both shapes on the alarms topic.
import type { AlarmState } from '../../shared/alarm/model';
import type { FilterPolicy, FilterPolicyMatch } from '../../shared/policy/subscription-filters';
import { loadAlarmMessage } from './events';

type Body = unknown;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// SNS reads `$or` as the operator only when its value is a list of at least two objects; otherwise it is a key.
const isOr = (key: string, value: FilterPolicy[string]): value is readonly FilterPolicy[] =>
  key === '$or' && Array.isArray(value) && value.length >= 2 && value.every((v) => isObject(v));

function matchesValue(match: FilterPolicyMatch, present: boolean, value: unknown): boolean {
  if (typeof match === 'string') return present && value === match;
  if ('prefix' in match) return present && typeof value === 'string' && value.startsWith(match.prefix);
  return match.exists ? present && value !== null && !isObject(value) : !present;
}

function matchesLeaf(matches: readonly FilterPolicyMatch[], body: Record<string, unknown>, key: string): boolean {
  const present = key in body;
  const value = body[key];
  // A list in the body matches when any of its elements does.
  const values = Array.isArray(value) ? value : [value];
  return matches.some((m) => values.some((v) => matchesValue(m, present, v)));
}

/**
 * Whether SNS delivers a message with this body to a subscription with this filter policy (scope
 * `MessageBody`): every key must match (AND), the values of one key are alternatives (OR), `$or` takes
 * any of its policies, a nested policy applies to the nested object. A body that is not a JSON object
 * matches nothing. Covers the operators Firebreak's policies use: exact strings, `prefix`, `exists`.
 */
export function filterPolicyMatches(policy: FilterPolicy, message: string): boolean {
  let body: Body;
  try {
    body = JSON.parse(message);
  } catch {
    return false;
  }
  return isObject(body) && matchesAt(policy, body);
}

function matchesAt(policy: FilterPolicy, body: Record<string, unknown>): boolean {
  return Object.entries(policy).every(([key, value]) => {
    if (isOr(key, value)) return value.some((alternative) => matchesAt(alternative, body));
    if (Array.isArray(value)) return matchesLeaf(value as readonly FilterPolicyMatch[], body, key);
    const nested = body[key];
    const objects = Array.isArray(nested) ? nested.filter(isObject) : isObject(nested) ? [nested] : [];
    return objects.some((o) => matchesAt(value as FilterPolicy, o));
  });
}

/** The two shapes an alarm takes on the alarms topic (shared/alarm/parse.ts). */
export const ALARM_SHAPES = ['cloudwatch', 'eventbridge'] as const;
export type AlarmShape = (typeof ALARM_SHAPES)[number];

/**
 * The body of an alarm message on the alarms topic, from the real samples: a CloudWatch alarm
 * notification (events/alarm-high-cpu-alarm.json) or an EventBridge state-change event
 * (events/alarm-eventbridge-state-change.json), renamed to `name` in `state`.
 */
export function alarmBody(shape: AlarmShape, name: string, state: AlarmState): string {
  if (shape === 'cloudwatch') {
    const message = loadAlarmMessage('alarm-high-cpu-alarm');
    const arn = String(message.AlarmArn).replace(/:alarm:.*$/, `:alarm:${name}`);
    return JSON.stringify({ ...message, AlarmName: name, AlarmArn: arn, NewStateValue: state });
  }
  const event = loadAlarmMessage('alarm-eventbridge-state-change') as { resources: string[]; detail: { alarmName: string; state: { value: string } } };
  event.resources = event.resources.map((r) => r.replace(/:alarm:.*$/, `:alarm:${name}`));
  event.detail.alarmName = name;
  event.detail.state.value = state;
  return JSON.stringify(event);
}
