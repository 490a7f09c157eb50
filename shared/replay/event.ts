// Dead-letter replay, step 2: what the kept event was — alarms on the alarms topic, a log batch, the schedule — read with the functions' own parsers. Pure.
import { isScheduledEvent } from '../aws/scheduled-event';
import { assertSnsEvent } from '../alarm/sns-event';
import { parseSnsRecord } from '../alarm/parse';
import type { AlarmState } from '../alarm/model';
import { errorMessage } from '../errors';
import { decodeLogsEvent } from '../logs/decode';

/** One message of an SNS event: the alarm it carries, or why it is not one. */
export type SnsMessageSummary =
  | { readonly messageId: string; readonly alarm: { readonly name: string; readonly state: AlarmState; readonly previousState?: AlarmState } }
  | { readonly messageId: string; readonly generic: { readonly subject: string; readonly reason: string } };

/** What an event a function failed on was, as its function reads it. */
export type EventSummary =
  | { readonly kind: 'sns'; readonly messages: readonly SnsMessageSummary[] }
  | { readonly kind: 'logs'; readonly logGroup: string; readonly logStream: string; readonly events: number }
  | { readonly kind: 'logs-control'; readonly logGroup: string }
  | { readonly kind: 'logs-unreadable'; readonly reason: string }
  | { readonly kind: 'schedule'; readonly rule?: string; readonly time?: string }
  | { readonly kind: 'unrecognised'; readonly reason: string };

/**
 * Reads an event as the function it was meant for does: an SNS event through `parseSnsRecord` (the
 * alarm's name and state, or why it is a generic message), a CloudWatch Logs delivery through
 * `decodeLogsEvent` (its log group), an EventBridge schedule. Never throws.
 */
export function describeEvent(event: unknown): EventSummary {
  if (!isObject(event)) return { kind: 'unrecognised', reason: event === undefined ? 'no event' : `not an object (${typeof event})` };
  if ('Records' in event) {
    try {
      assertSnsEvent(event);
    } catch (error) {
      return { kind: 'unrecognised', reason: errorMessage(error) };
    }
    return { kind: 'sns', messages: event.Records.map((record) => summariseMessage(parseSnsRecord(record))) };
  }
  if ('awslogs' in event) {
    try {
      const decoded = decodeLogsEvent(event);
      if (decoded.kind === 'control') return { kind: 'logs-control', logGroup: decoded.logGroup };
      return { kind: 'logs', logGroup: decoded.batch.logGroup, logStream: decoded.batch.logStream, events: decoded.batch.logEvents.length };
    } catch (error) {
      return { kind: 'logs-unreadable', reason: errorMessage(error) };
    }
  }
  if (isScheduledEvent(event)) {
    const resource = Array.isArray(event.resources) && typeof event.resources[0] === 'string' ? event.resources[0] : undefined;
    const rule = resource?.split(':rule/')[1];
    return { kind: 'schedule', ...(rule ? { rule } : {}), ...(typeof event.time === 'string' ? { time: event.time } : {}) };
  }
  return { kind: 'unrecognised', reason: `an object with ${describeKeys(event)}: not an SNS event, a CloudWatch Logs delivery or a schedule` };
}

function summariseMessage(message: ReturnType<typeof parseSnsRecord>): SnsMessageSummary {
  if (message.type === 'alarm') {
    const { name, state, previousState } = message.alarm;
    return { messageId: message.messageId, alarm: { name, state, ...(previousState ? { previousState } : {}) } };
  }
  return { messageId: message.messageId, generic: { subject: message.generic.subject, reason: message.generic.reason } };
}

const describeKeys = (event: Record<string, unknown>): string => {
  const keys = Object.keys(event);
  if (keys.length === 0) return 'no keys';
  return `keys ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}`;
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
