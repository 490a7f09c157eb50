// Use case: every remediation rule an alarm triggers, each through executeRemediation; fails if any failed.
import type { Alarm } from '../alarm/model';
import { decideSeverity } from '../policy/routing';
import { SUBSCRIBER_RULE_KINDS } from '../policy/subscription-filters';
import type { RoutingPolicy } from '../policy/schema';
import { InvocationFailedError, type FailedPart } from '../errors';
import { logger } from '../logger';
import { executeRemediation } from './execute';
import { rulesFor, type RemediationActionKind } from './policy';
import type { RemediationDeps, RemediationOutcome } from './types';

/** How a failed remediation names itself in InvocationFailedError's message: `Remediation failed for <target> (…)`. */
export const REMEDIATION = 'Remediation';

/** Which rules a function runs and how it names itself in the audit trail. */
export interface RemediationScope {
  /** The action kinds this function handles. */
  readonly kinds: readonly RemediationActionKind[];
  /** The function name recorded as `requestedBy`. */
  readonly requestedBy: string;
  /** Whether the alarm itself is critical (the routing policy's severity): refusals then page, whatever the rule says. */
  readonly isCritical?: (alarm: Alarm) => boolean;
}

/** `isCritical` by the routing policy: the alarm's severity (rules, description token, default) is critical. */
export const criticalByRouting =
  (routing: RoutingPolicy) =>
  (alarm: Alarm): boolean =>
    decideSeverity(routing, alarm.name, alarm.description).severity === 'critical';

/**
 * The scope of a remediation function: the kinds its subscription's filter policy is generated for (the
 * one list of them), its name for the audit trail, and refusals paging for alarms the routing policy
 * calls critical. The scope never reaches another function's actuators, nor a breaker.
 */
export function remediationScope(fn: keyof typeof SUBSCRIBER_RULE_KINDS, routing: RoutingPolicy): RemediationScope {
  return { kinds: SUBSCRIBER_RULE_KINDS[fn], requestedBy: fn, isCritical: criticalByRouting(routing) };
}

/**
 * Runs the policy's rules for this alarm and state whose action is one of the scope's kinds (a function
 * handles its own kinds). Returns each outcome; an alarm no rule names returns an empty list. If any rule
 * failed, throws InvocationFailedError naming each failed target, with the outcomes that succeeded in
 * `succeeded` for the log.
 */
export async function remediateAlarm(
  message: { readonly messageId: string; readonly alarm: Alarm },
  scope: RemediationScope,
  deps: RemediationDeps,
): Promise<RemediationOutcome[]> {
  const { alarm, messageId } = message;
  const { kinds, requestedBy } = scope;
  const alarmIsCritical = scope.isCritical?.(alarm) ?? false;
  const rules = rulesFor(deps.policy, alarm.name, alarm.state, kinds);
  if (rules.length === 0) {
    logger.info('No remediation rule for this alarm and state', { alarm: alarm.name, state: alarm.state });
    return [];
  }
  const settled = await Promise.allSettled(
    rules.map((rule) =>
      executeRemediation(
        { messageId, alarm: { name: alarm.name, state: alarm.state, reason: alarm.reason, description: alarm.description }, action: rule.action, critical: rule.critical || alarmIsCritical, requestedBy },
        deps,
      ),
    ),
  );
  const outcomes: RemediationOutcome[] = [];
  const failures: FailedPart[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') outcomes.push(s.value);
    else failures.push({ what: rules[i]?.action.target ?? 'unknown', error: s.reason });
  });
  if (failures.length > 0) throw new InvocationFailedError(failures, { doing: REMEDIATION, succeeded: outcomes });
  return outcomes;
}
