// Use case: one SNS event from the alarms topic → the remediations its alarms trigger, of the kinds a function handles.
import { parseSnsRecord } from '../alarm/parse';
import { logger } from '../logger';
import { assertSnsEvent } from '../notify/process-event';
import { InvocationFailedError, type FailedPart } from '../errors';
import { REMEDIATION, remediateAlarm, type RemediationScope } from './remediate-alarm';
import type { LazyRemediationDeps, RemediationOutcome } from './types';

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
 * an alarm runs its rules of the scope's kinds (the adapters are loaded only when one matches). Throws InvocationFailedError after all records were tried
 * if any remediation failed, so Lambda retries (redelivered messages are no-ops for what succeeded).
 */
export async function remediateEvent(
  event: unknown,
  scope: RemediationScope,
  remediation: LazyRemediationDeps,
): Promise<RemediationEventResult> {
  assertSnsEvent(event);
  const settled = await Promise.allSettled(
    event.Records.map(async (record) => {
      const message = parseSnsRecord(record);
      if (message.type === 'generic') {
        logger.warn('Not a CloudWatch alarm: nothing to remediate', { messageId: message.messageId, reason: message.generic.reason });
        return { messageId: message.messageId, outcomes: [], skipped: message.generic.reason };
      }
      const outcomes = await remediateAlarm({ messageId: message.messageId, alarm: message.alarm }, scope, remediation);
      return { messageId: message.messageId, alarm: message.alarm.name, state: message.alarm.state, outcomes };
    }),
  );
  const messages: RemediationEventResult['messages'][number][] = [];
  const failures: FailedPart[] = [];
  const outcomes: RemediationOutcome[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') {
      messages.push(s.value);
      outcomes.push(...s.value.outcomes);
    } else if (s.reason instanceof InvocationFailedError) {
      // remediateAlarm's own: its targets and the outcomes it did get, merged rather than nested per record.
      outcomes.push(...(s.reason as InvocationFailedError<RemediationOutcome>).succeeded);
      failures.push(...s.reason.failures);
    } else {
      failures.push({ what: `record ${i}`, error: s.reason });
    }
  });
  if (failures.length > 0) throw new InvocationFailedError(failures, { doing: REMEDIATION, succeeded: outcomes });
  return { dryRun: remediation.dryRun, messages };
}
