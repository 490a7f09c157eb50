// Use case: one SNS event from the alarms topic — every record parsed, fanned out and reported.
import type { Logger } from '@aws-lambda-powertools/logger';
import { forEachSnsMessage } from '../alarm/sns-event';
import { InvocationFailedError } from '../errors';
import { fanOut, type FanOutDeps, type NotifySummary } from './fan-out';

export interface NotifyResult {
  readonly dryRun: boolean;
  readonly messages: readonly NotifySummary[];
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
  const { results: summaries, failures } = await forEachSnsMessage(event, async (message) => {
    if (message.type === 'generic') {
      logger.warn('Message is not a CloudWatch alarm; delivering it as a generic notification', { messageId: message.messageId, reason: message.generic.reason });
    }
    const summary = await fanOut(message, deps);
    for (const outcome of summary.outcomes) {
      const entry = { messageId: summary.messageId, alarm: summary.alarm, state: summary.state, severity: summary.severity, channel: outcome.channel, status: outcome.status, detail: outcome.detail };
      if (outcome.status === 'failed') logger.error('Delivery failed', entry);
      // The payload itself is in the result; the log line says what it is (`detail`), so it is not printed twice.
      else if (outcome.status === 'planned') logger.info('Dry run: would send', entry);
      else logger.info('Delivery outcome', entry);
    }
    observe(summary);
    return summary;
  });
  // fanOut reports a failed channel as an outcome rather than throwing; a message that threw failed before any channel.
  const undelivered = summaries.flatMap((s) =>
    s.outcomes.filter((o) => o.status === 'failed').map((o) => ({ what: `${o.channel} for ${s.alarm ?? s.messageId}`, error: new Error(o.detail) })),
  );
  if (failures.length + undelivered.length > 0) throw new InvocationFailedError([...failures, ...undelivered]);
  return { dryRun: deps.dryRun, messages: summaries };
}
