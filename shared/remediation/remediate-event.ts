// Use case: one SNS event from the alarms topic → the remediations its alarms trigger, of the kinds a function handles.
import { forEachSnsMessage } from '../alarm/sns-event';
import { InvocationFailedError } from '../errors';
import { logger } from '../logger';
import { REMEDIATION, remediateAlarm, type RemediationScope } from './remediate-alarm';
import type { RemediationDeps, RemediationOutcome } from './types';

/** What one invocation did, per SNS message. */
export interface RemediationEventResult {
  readonly dryRun: boolean;
  readonly messages: readonly {
    readonly messageId: string;
    readonly alarm?: string;
    readonly state?: string;
    readonly outcomes: readonly RemediationOutcome[];
    /** Why nothing was considered: the message was not an alarm. */
    readonly skipped?: string;
  }[];
}

/**
 * Handles every record: a message that is not an alarm is logged and skipped (nothing to act on);
 * an alarm runs its rules of the scope's kinds. Throws InvocationFailedError after all records were tried
 * if any remediation failed, so Lambda retries (redelivered messages are no-ops for what succeeded).
 */
export async function remediateEvent(
  event: unknown,
  scope: RemediationScope,
  remediation: RemediationDeps,
): Promise<RemediationEventResult> {
  const { results: messages, failures: failedMessages } = await forEachSnsMessage(event, async (message): Promise<RemediationEventResult['messages'][number]> => {
    if (message.type === 'generic') {
      logger.warn('Not a CloudWatch alarm: nothing to remediate', { messageId: message.messageId, reason: message.generic.reason });
      return { messageId: message.messageId, outcomes: [], skipped: message.generic.reason };
    }
    const outcomes = await remediateAlarm({ messageId: message.messageId, alarm: message.alarm }, scope, remediation);
    return { messageId: message.messageId, alarm: message.alarm.name, state: message.alarm.state, outcomes };
  });
  if (failedMessages.length === 0) return { dryRun: remediation.dryRun, messages };
  const outcomes = messages.flatMap((m) => m.outcomes);
  // remediateAlarm fails with its own targets and the outcomes it did get: merged, not nested per message.
  const failures = failedMessages.flatMap(({ what, error }) => {
    if (!(error instanceof InvocationFailedError)) return [{ what, error }];
    outcomes.push(...(error as InvocationFailedError<RemediationOutcome>).succeeded);
    return error.failures;
  });
  throw new InvocationFailedError(failures, { doing: REMEDIATION, succeeded: outcomes });
}
