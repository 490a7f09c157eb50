// Test support: sample events loaded by name, each call a fresh copy so no test shares a mutable event.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SNSEvent, SNSEventRecord } from 'aws-lambda';
import type { Alarm } from '../../shared/alarm/model';
import { parseSnsRecord } from '../../shared/alarm/parse';

const EVENTS_DIR = join(__dirname, '..', '..', 'events');

/** A fresh, parsed copy of `events/<name>.json`. */
export function loadEvent<T = SNSEvent>(name: string): T {
  return JSON.parse(readFileSync(join(EVENTS_DIR, `${name}.json`), 'utf8')) as T;
}

/** The first SNS record of a sample event. */
export function loadSnsRecord(name: string): SNSEventRecord {
  const record = loadEvent(name).Records[0];
  if (!record) throw new Error(`events/${name}.json has no record`);
  return record;
}

/** A sample SNS event whose message is replaced by `message` (an object is JSON-encoded), with a new MessageId. */
export function snsEventWithMessage(message: unknown, messageId = `test-${Math.random().toString(16).slice(2)}`): SNSEvent {
  const event = loadEvent('alarm-high-cpu-alarm');
  const record = event.Records[0]!;
  record.Sns.Message = typeof message === 'string' ? message : JSON.stringify(message);
  record.Sns.MessageId = messageId;
  return event;
}

/** The CloudWatch alarm notification inside a sample event, parsed, for tests that alter it. */
export function loadAlarmMessage(name: string): Record<string, unknown> {
  return JSON.parse(loadSnsRecord(name).Sns.Message) as Record<string, unknown>;
}

/** The alarm of a sample event, parsed as every function parses it; throws when the sample is not an alarm. */
export function loadSampleAlarm(name: string): Alarm {
  const message = parseSnsRecord(loadSnsRecord(name));
  if (message.type !== 'alarm') throw new Error(`${name} is not an alarm`);
  return message.alarm;
}
