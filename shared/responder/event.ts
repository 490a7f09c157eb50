// Responder use case entry: one Lambda event — SNS alarm notifications, or the schedule that re-evaluates due breakers.
import { forEachSnsMessage } from '../alarm/sns-event';
import { isScheduledEvent } from '../aws/scheduled-event';
import { errorMessage, InvocationFailedError } from '../errors';
import { logger } from '../logger';
import type { ResponderDeps } from './ports';
import { respondToAlarm, type RespondOutcome } from './respond';
import { sweepBreakers, type SweepResult } from './sweep';

/** What one invocation did. */
export interface RespondEventResult {
  readonly dryRun: boolean;
  readonly messages: readonly { readonly messageId: string; readonly alarm?: string; readonly outcome?: RespondOutcome; readonly skipped?: string }[];
  /** Set for a scheduled invocation: what happened to each breaker that came due. */
  readonly sweep?: readonly SweepResult[];
}

/**
 * Handles the event: a schedule re-evaluates breakers that came due; an SNS event runs the responder
 * for each alarm the policy hands it (others are `not-handled`). Records are
 * independent; if any failed, throws InvocationFailedError (`Responder failed for <message id> (…)`) after all were tried.
 */
export async function respondToEvent(event: unknown, responder: ResponderDeps): Promise<RespondEventResult> {
  if (isScheduledEvent(event)) {
    const sweep = await sweepBreakers(responder);
    logger.info('Breaker sweep done', { sweep });
    return { dryRun: responder.dryRun, messages: [], sweep };
  }
  const { results: messages, failures } = await forEachSnsMessage(event, async (message): Promise<RespondEventResult['messages'][number]> => {
    if (message.type === 'generic') {
      logger.info('Not a CloudWatch alarm: nothing for the responder', { messageId: message.messageId, reason: message.generic.reason });
      return { messageId: message.messageId, skipped: message.generic.reason };
    }
    const outcome: RespondOutcome = await respondToAlarm(message.messageId, message.alarm, responder);
    logger.info('Responder outcome', { alarm: message.alarm.name, messageId: message.messageId, outcome });
    return { messageId: message.messageId, alarm: message.alarm.name, outcome };
  });
  for (const { what, error } of failures) logger.error('Responder failed for a message', { messageId: what, error: errorMessage(error) });
  if (failures.length > 0) throw new InvocationFailedError(failures, { doing: 'Responder' });
  return { dryRun: responder.dryRun, messages };
}
