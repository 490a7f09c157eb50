// Responder use case: an alarm fires (or its breaker comes due while it fires) → diagnose → decide → plan → the engine acts → tell, page.
import { deliverAll, type ChannelDelivery } from '../delivery/deliver-once';
import { InvocationFailedError } from '../errors';
import { logger } from '../logger';
import type { RemediationAction } from '../remediation/policy';
import { carryOut } from './carry-out';
import { decide, planOf, summarise } from './decide';
import { diagnose, type Diagnostics } from './diagnose';
import { incidentFor, type FiringAlarm } from './incident-lifecycle';
import { decisionMessage, describeAction, describeReading, pageFor, type ResponseReport } from './messages';
import type { ServicePolicy } from './policy';
import type { ResponderDeps } from './ports';
import type { RespondOutcome } from './respond';
import type { TimelineStep } from './timeline';

/** What set the firing path off, and what it already knows. */
export interface FiringTrigger {
  readonly kind: ResponseReport['trigger'];
  /** The engine's message id: one per notification (or per sweep run), so each action is done at most once. */
  readonly actionId: string;
  /** The delivery ledger's id, so a retry does not tell or page again what went out; none: deliver as is. */
  readonly deliveryId?: string;
  /** Diagnostics the sweep already read. */
  readonly diagnostics?: Diagnostics;
  /** Dry run: what was read before the firing path and could not be (the alarm's current state). */
  readonly unknown?: readonly string[];
  /** A breaker that came due: closed first when the new decision is not to keep it open. */
  readonly dueBreaker?: { readonly flag: string; readonly reason: (decisionReasoning: string) => string };
}

/** The timeline data of a diagnosis. */
export function diagnosticsData(d: Diagnostics): Record<string, unknown> {
  return { values: d.values, readings: d.readings.map(describeReading), from: d.from, to: d.to };
}

/**
 * Records every step in the incident, diagnoses (unless the sweep did), decides, and hands the plan to
 * the remediation engine; then tells the team, and pages when the table said so, the responder held
 * back, or an action failed or was refused. An action that threw fails the invocation after that, so
 * Lambda retries it (the engine does each action at most once per `actionId`).
 */
export async function respondToFiring(serviceName: string, service: ServicePolicy, alarm: FiringAlarm, trigger: FiringTrigger, deps: ResponderDeps): Promise<RespondOutcome> {
  const now = deps.now();
  const log = logger.createChild({ persistentLogAttributes: { alarm: alarm.name, responderService: serviceName } });
  const incident = await incidentFor(serviceName, alarm, trigger.actionId, deps);
  const record = (kind: TimelineStep['kind'], summary: string, data?: Record<string, unknown>) =>
    deps.incidents.record(incident.id, { at: deps.now().toISOString(), kind, summary, data });

  await record(
    'alarm-received',
    trigger.kind === 'alarm' ? `${alarm.name} ${alarm.state}: ${alarm.reason ?? ''}`.trim() : `${alarm.name} still ${alarm.state}; breaker ${service.breaker.name} came due for re-evaluation`,
    { state: alarm.state, trigger: trigger.kind },
  );
  const diagnostics = trigger.diagnostics ?? (await diagnose(service, deps.metrics, now, { dryRun: deps.dryRun, notification: alarm.notification }));
  await record('diagnostics', summarise(diagnostics), diagnosticsData(diagnostics));
  const decision = decide(diagnostics, service);
  await record('decision', `${decision.action} (${decision.rule}): ${decision.reasoning}`, { rule: decision.rule, action: decision.action });
  log.info('Responder decision', { incidentId: incident.id, decision: decision.rule, action: decision.action, values: diagnostics.values });

  const due = trigger.dueBreaker;
  const plan: RemediationAction[] = [
    // A breaker that came due while the alarm fires closes only when the new decision is not to shed load.
    ...(due && decision.action !== 'open-breaker' ? [{ kind: 'close-breaker' as const, target: due.flag, reason: due.reason(decision.reasoning) }] : []),
    ...planOf(decision),
  ];
  const { actions, heldBack, failures, unknown: unread } = await carryOut(plan, { incident, service, alarm, actionId: trigger.actionId }, deps);
  for (const a of actions) await record('action', describeAction(a));
  if (heldBack) await record(heldBack.kind === 'escalation' ? 'escalation' : 'outcome', heldBack.reason);

  const report: ResponseReport = {
    service: serviceName,
    alarm,
    incidentId: incident.id,
    trigger: trigger.kind,
    diagnostics,
    decision,
    dryRun: deps.dryRun,
    runbookUrl: deps.runbookUrl(alarm.name),
    actions,
    heldBack: heldBack?.reason,
  };
  const deliveries: ChannelDelivery[] = [{ channel: 'slack', send: () => deps.team.tell(decisionMessage(report), alarm.name, diagnostics) }];
  const pageSummary = pageSummaryFor(report, failures.length > 0);
  if (pageSummary) deliveries.push({ channel: 'pagerduty', send: () => deps.pager.trigger(pageFor(report, pageSummary)) });
  await deliverAll(deliveries, trigger.deliveryId === undefined ? undefined : { ledger: deps.deliveries, messageId: trigger.deliveryId });
  await record('outcome', `${pageSummary ? 'on-call paged; ' : ''}team told`, { paged: pageSummary !== undefined });

  // An action that threw: Lambda retries once the team and on-call know (the engine does each action at most once).
  if (failures.length > 0) throw new InvocationFailedError(failures, { doing: 'Remediation' });
  const unknown = [...(trigger.unknown ?? []), ...(diagnostics.unavailable !== undefined ? [`diagnostics: unavailable (${diagnostics.unavailable})`] : []), ...unread];
  if (unknown.length > 0) log.warn('DRY_RUN: planned without inputs that could not be read', { unknown });
  return {
    status: 'responded',
    incidentId: incident.id,
    decision: decision.rule,
    decided: decision.action,
    actions: actions.map(describeAction),
    heldBack: heldBack?.reason,
    ...(heldBack ? { heldBackBy: heldBack.kind } : {}),
    ...(unknown.length > 0 ? { unknown } : {}),
    ...(deps.dryRun ? { planned: deliveries.map((d) => d.channel) } : {}),
  };
}

/** When on-call is paged: the table said so, the responder held back, or an action failed or was refused. */
function pageSummaryFor(r: ResponseReport, actionFailed: boolean): string | undefined {
  if (r.heldBack) return `${r.alarm.name}: responder held back: ${r.heldBack}`;
  if (r.decision.action === 'page') return `${r.alarm.name}: ${r.decision.reasoning}`;
  const troubled = r.actions.filter((a) => a.error || (a.outcome && (a.outcome.status === 'refused' || a.outcome.status === 'in-progress')));
  if (actionFailed || troubled.length > 0) return `${r.alarm.name}: ${r.decision.reasoning} Not done: ${troubled.map(describeAction).join('; ')}`;
  return undefined;
}
