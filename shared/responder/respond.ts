// Responder entry use case: one alarm notification → its service's incident: firing, recovery, or INSUFFICIENT_DATA noted; each at most once.
import type { Alarm } from '../alarm/model';
import type { ChannelName } from '../policy/schema';
import { logger } from '../logger';
import { describeUnreadable } from '../read-failure';
import type { Decision } from './decide';
import { respondToFiring } from './firing';
import { noteInsufficientData } from './incident-lifecycle';
import { serviceForAlarm } from './policy';
import type { ResponderDeps } from './ports';
import { respondToRecovery } from './recovery';

/** What one alarm notification led to. */
export type RespondOutcome =
  | { readonly status: 'not-handled'; readonly alarm: string }
  | { readonly status: 'duplicate'; readonly messageId: string }
  | {
      readonly status: 'responded';
      readonly incidentId: string;
      readonly decision: Decision['rule'];
      /** What the decision asked for: scale, open the breaker, or page. */
      readonly decided: Decision['action'];
      readonly actions: readonly string[];
      readonly heldBack?: string;
      /** Why it held back: the kill switch, or its own per-incident limit. */
      readonly heldBackBy?: 'kill-switch' | 'escalation';
      /** Dry run: what could not be read and was planned around, e.g. `diagnostics: unavailable (could not read …)`. */
      readonly unknown?: readonly string[];
      /** Dry run: the deliveries that were planned and logged, not sent. */
      readonly planned?: readonly ChannelName[];
    }
  | { readonly status: 'resolved'; readonly incidentId: string; readonly breaker?: string }
  /** An OK with no open incident (it was resolved already, or its ALARM was never handed over): only the breaker was looked at. */
  | { readonly status: 'no-incident'; readonly alarm: string; readonly breaker?: string }
  | { readonly status: 'noted'; readonly incidentId?: string; readonly state: string }
  /** An ALARM notification whose alarm CloudWatch already reports OK (delivered late, or after its OK): nothing done. */
  | { readonly status: 'already-recovered'; readonly alarm: string };

/**
 * Handles one alarm notification. A redelivered SNS message is skipped; a failure releases the
 * message so Lambda's retry runs it again (the remediation engine dedups its own actions by message id).
 */
export async function respondToAlarm(messageId: string, alarm: Alarm, deps: ResponderDeps): Promise<RespondOutcome> {
  const owner = serviceForAlarm(deps.policy, alarm.name);
  if (!owner) return { status: 'not-handled', alarm: alarm.name };
  if (!(await deps.incidents.claimMessage(messageId))) {
    logger.info('Alarm message already handled; skipping redelivery', { alarm: alarm.name, messageId });
    return { status: 'duplicate', messageId };
  }
  try {
    switch (alarm.state) {
      case 'ALARM': {
        const current = await currentState(alarm, deps);
        if (current.state === 'OK') return { status: 'already-recovered', alarm: alarm.name };
        const firing = { name: alarm.name, state: alarm.state, reason: alarm.reason, arn: alarm.arn, changedAt: alarm.changedAt, previousState: alarm.previousState, notification: alarm };
        const id = `respond:${messageId}`;
        return await respondToFiring(owner.name, owner.service, firing, { kind: 'alarm', actionId: id, deliveryId: id, unknown: current.unknown }, deps);
      }
      case 'OK':
        return await respondToRecovery(owner.name, owner.service, alarm, messageId, deps);
      case 'INSUFFICIENT_DATA':
        return await noteInsufficientData(alarm, deps);
    }
  } catch (error) {
    await deps.incidents.releaseMessage(messageId);
    throw error;
  }
}

/**
 * What CloudWatch says the alarm is now. SNS does not keep order: an ALARM handled after its OK
 * would scale or page for a service that has recovered, and open an incident no OK will ever resolve
 * (its later alarms then meet the per-incident limit). A live run that cannot ask throws (Lambda retries);
 * a dry run goes on as if the alarm still fired, and says so in `unknown`.
 */
async function currentState(alarm: Alarm, deps: ResponderDeps): Promise<{ readonly state?: string; readonly unknown: readonly string[] }> {
  let state: Awaited<ReturnType<ResponderDeps['alarms']['stateOf']>>;
  try {
    state = await deps.alarms.stateOf(alarm.name);
  } catch (error) {
    if (!deps.dryRun) throw error;
    const note = `alarm state: unknown (${describeUnreadable(error, 'CloudWatch DescribeAlarms')}); planned as if it still fires`;
    logger.warn('DRY_RUN: the alarm state could not be read; planning as if it still fires', { alarm: alarm.name, note });
    return { unknown: [note] };
  }
  if (state === 'OK') logger.info('The alarm is already OK again: nothing to do for this ALARM', { alarm: alarm.name, changedAt: alarm.changedAt });
  return { state, unknown: [] };
}
