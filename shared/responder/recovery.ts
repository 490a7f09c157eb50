// Responder use case: an alarm returns to OK → diagnose → close its breaker if healthy (through the engine) → resolve the incident with its review, tell, resolve the page.
import type { Alarm } from '../alarm/model';
import type { FlagStore } from '../breaker/store';
import { deliverAll } from '../delivery/deliver-once';
import { InvalidInputError } from '../errors';
import { logger } from '../logger';
import { describeUnreadable } from '../read-failure';
import { isHealthy, summarise } from './decide';
import { diagnose, type Diagnostics } from './diagnose';
import { diagnosticsData } from './firing';
import { reviewOf } from './incident-lifecycle';
import { describeAction, resolvedMessage } from './messages';
import type { ServicePolicy } from './policy';
import type { ResponderDeps } from './ports';
import type { RespondOutcome } from './respond';
import { formatDuration } from './review';
import type { TimelineStep } from './timeline';

/** OK: close the breaker if the metrics are healthy, resolve the incident with its review draft, tell and resolve the page. */
export async function respondToRecovery(serviceName: string, service: ServicePolicy, alarm: Alarm, messageId: string, deps: ResponderDeps): Promise<RespondOutcome> {
  const deliveryId = `respond:${messageId}`;
  const now = deps.now();
  const at = now.toISOString();
  const incident = await deps.incidents.current(alarm.name);
  const record = async (kind: TimelineStep['kind'], summary: string, data?: Record<string, unknown>) => {
    if (incident) await deps.incidents.record(incident.id, { at: deps.now().toISOString(), kind, summary, data });
  };
  if (incident?.alarmChangedAt !== undefined && Date.parse(alarm.changedAt) < Date.parse(incident.alarmChangedAt)) {
    // An OK from before the ALARM that opened this incident, delivered late: it says nothing about this one,
    // which must not be resolved (nor its page, nor its breaker closed) while the alarm fires.
    logger.warn('OK older than the ALARM of the open incident: ignored', { alarm: alarm.name, incidentId: incident.id, changedAt: alarm.changedAt });
    await record('alarm-received', `${alarm.name} OK of ${alarm.changedAt} arrived late, after the ALARM of ${incident.alarmChangedAt}: ignored`, { state: alarm.state, trigger: 'alarm' });
    return { status: 'noted', incidentId: incident.id, state: alarm.state };
  }
  await record('alarm-received', `${alarm.name} OK: ${alarm.reason}`, { state: alarm.state, trigger: 'alarm' });
  const diagnostics = await diagnose(service, deps.metrics, now, { dryRun: deps.dryRun, notification: alarm });
  await record('diagnostics', summarise(diagnostics), diagnosticsData(diagnostics));

  const breaker = await settleBreakerOnRecovery(service, diagnostics, alarm, deliveryId, deps);
  if (breaker) await record(breaker.changed ? 'action' : 'outcome', breaker.text);

  if (!incident) {
    logger.info('OK without an open incident', { alarm: alarm.name, responderService: serviceName });
    if (breaker) {
      const message = resolvedMessage({ service: serviceName, alarm: alarm.name, incidentId: 'none', diagnostics, breaker: breaker.text, duration: 'an unknown time', actionCount: 0 });
      await deliverAll([{ channel: 'slack', send: () => deps.team.tell(message, alarm.name) }], { ledger: deps.deliveries, messageId: deliveryId });
    }
    return { status: 'no-incident', alarm: alarm.name, ...(breaker ? { breaker: breaker.text } : {}) };
  }

  await record('resolved', `${alarm.name} returned to OK`);
  const review = await reviewOf(incident, alarm, at, deps);
  const reviewUrl = deps.reviewUrl(incident.id);
  const runbookUrl = deps.runbookUrl(alarm.name);
  const duration = formatDuration(now.getTime() - Date.parse(incident.openedAt));
  const told = resolvedMessage({ service: serviceName, alarm: alarm.name, incidentId: incident.id, diagnostics, breaker: breaker?.text, reviewUrl, duration, actionCount: incident.actionCount, runbookUrl });
  await deliverAll(
    [
      { channel: 'slack', send: () => deps.team.tell(told, alarm.name) },
      { channel: 'pagerduty', send: () => deps.pager.resolve(incident.id, `${alarm.name} returned to OK after ${duration}`) },
    ],
    { ledger: deps.deliveries, messageId: deliveryId },
  );
  // Resolved only once told: if a delivery failed, the incident stays open so Lambda's retry finds it and sends what is missing.
  await deps.incidents.resolve(incident, at, review);
  return { status: 'resolved', incidentId: incident.id, breaker: breaker?.text };
}

/**
 * An open breaker closes (through the remediation engine) when the metrics are healthy; otherwise it
 * stays open until it comes due. A flag that is not valid JSON does not stop the incident resolving.
 */
async function settleBreakerOnRecovery(
  service: ServicePolicy,
  diagnostics: Diagnostics,
  alarm: Alarm,
  actionId: string,
  deps: ResponderDeps,
): Promise<{ text: string; changed: boolean } | undefined> {
  const name = service.breaker.name;
  let flag: Awaited<ReturnType<FlagStore['read']>>;
  try {
    flag = await deps.flags.read(name);
  } catch (error) {
    // A parameter that is not a valid flag stays so whatever the retries: the incident still resolves, and says so.
    if (error instanceof InvalidInputError) {
      logger.error('Breaker flag cannot be read; resolving without closing it', { breaker: name, error: error.message });
      return { text: `breaker ${name}: cannot be read (${error.message}); nothing closed: fix or delete the parameter by hand`, changed: false };
    }
    // A live run retries rather than leave a breaker in a state nobody checked; a dry run says so and goes on.
    if (!deps.dryRun) throw error;
    return { text: `breaker ${name}: state unknown (${describeUnreadable(error, `breaker flag ${name}`)}); nothing would be closed`, changed: false };
  }
  if (flag?.state !== 'open') return undefined;
  if (!isHealthy(diagnostics, service.thresholds)) {
    return { text: `breaker ${name} stays open: metrics not healthy yet (${summarise(diagnostics)}); re-evaluated at ${flag.expiresAt ?? 'its next check'}`, changed: false };
  }
  const request = { kind: 'close-breaker' as const, target: name, reason: `alarm OK and metrics healthy (${summarise(diagnostics)})` };
  const outcome = await deps.remediator.remediate({ messageId: actionId, alarm: { name: alarm.name, state: alarm.state, reason: alarm.reason }, action: request, critical: false, requestedBy: deps.requestedBy });
  return { text: describeAction({ request, outcome }), changed: outcome.status === 'done' || outcome.status === 'dry-run' };
}
