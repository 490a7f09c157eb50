// Domain: one SNS event of the alarms topic, record by record — checked, parsed, and each message handled on its own.
import type { SNSEvent } from 'aws-lambda';
import { InvalidInputError, type FailedPart } from '../errors';
import type { ParsedMessage } from './model';
import { parseSnsRecord } from './parse';

/** Throws InvalidInputError unless `event` is an SNS event (a clear error instead of a crash loop). */
export function assertSnsEvent(event: unknown): asserts event is SNSEvent {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records) || records.length === 0) throw new InvalidInputError('Expected an SNS event with Records; got no Records');
  records.forEach((r: { EventSource?: unknown; Sns?: { MessageId?: unknown; Message?: unknown } }, i) => {
    if (typeof r?.Sns?.MessageId !== 'string' || typeof r.Sns.Message !== 'string') {
      throw new InvalidInputError(`Record ${i} is not an SNS notification (EventSource ${String(r?.EventSource)}): Sns.MessageId and Sns.Message are required`);
    }
  });
}

/** What became of an event's messages once every one was handled. */
export interface SettledSnsMessages<T> {
  /** What `handle` returned, in record order, for the messages it handled. */
  readonly results: readonly T[];
  /** Each message whose `handle` threw, named by its SNS MessageId. */
  readonly failures: readonly FailedPart[];
}

/**
 * Checks that `event` is an SNS event, parses every record and runs `handle` on each message, all at
 * once. Messages are independent: one that throws neither stops nor hides the others, and this returns
 * only when every one was tried, so the caller can fail the invocation with all of them (never only
 * the last record's fate). Throws only InvalidInputError, for an event that is not SNS.
 */
export async function forEachSnsMessage<T>(event: unknown, handle: (message: ParsedMessage) => Promise<T>): Promise<SettledSnsMessages<T>> {
  assertSnsEvent(event);
  const settled = await Promise.allSettled(event.Records.map(async (record) => handle(parseSnsRecord(record))));
  const results: T[] = [];
  const failures: FailedPart[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') results.push(s.value);
    else failures.push({ what: event.Records[i]?.Sns.MessageId ?? `record ${i}`, error: s.reason });
  });
  return { results, failures };
}
