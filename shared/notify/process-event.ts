// Use case: one SNS event from the alarms topic — every record parsed, fanned out and reported.
import type { SNSEvent } from 'aws-lambda';
import { parseSnsRecord } from '../alarm/parse';
import { InvalidInputError, InvocationFailedError } from '../errors';
import type { Logger } from '@aws-lambda-powertools/logger';
import { fanOut, type FanOutDeps, type NotifySummary } from './fan-out';

export interface NotifyResult {
  readonly dryRun: boolean;
  readonly messages: readonly NotifySummary[];
}

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

/**
 * Notifies for every record of the event. Each record's outcome is logged; if any channel of any
 * record failed, throws an InvocationFailedError after all deliveries were attempted.
 */
export async function notifyEvent(
  event: unknown,
  deps: FanOutDeps,
  logger: Logger,
  /** Called with each message's summary before the result (or the failure) is returned: for metrics. */
  observe: (summary: NotifySummary) => void = () => undefined,
): Promise<NotifyResult> {
  assertSnsEvent(event);
  const summaries = await Promise.all(
    event.Records.map(async (record) => {
      const message = parseSnsRecord(record);
      if (message.type === 'generic') {
        logger.warn('Message is not a CloudWatch alarm; delivering it as a generic notification', { messageId: message.messageId, reason: message.generic.reason });
      }
      const summary = await fanOut(message, deps);
      for (const outcome of summary.outcomes) {
        const entry = { messageId: summary.messageId, alarm: summary.alarm, state: summary.state, severity: summary.severity, channel: outcome.channel, status: outcome.status, detail: outcome.detail };
        if (outcome.status === 'failed') logger.error('Delivery failed', entry);
        else if (outcome.status === 'planned') logger.info('Dry run: would send', { ...entry, payload: outcome.payload });
        else logger.info('Delivery outcome', entry);
      }
      observe(summary);
      return summary;
    }),
  );
  const failures = summaries.flatMap((s) =>
    s.outcomes.filter((o) => o.status === 'failed').map((o) => ({ what: `${o.channel} for ${s.alarm ?? s.messageId}`, error: new Error(o.detail) })),
  );
  if (failures.length > 0) throw new InvocationFailedError(failures);
  return { dryRun: deps.dryRun, messages: summaries };
}
