// Responder use case: the incident's life — which incident an ALARM belongs to, closing one whose OK was never handled, INSUFFICIENT_DATA noted.
import type { Alarm } from '../alarm/model';
import { deliverAll } from '../delivery/deliver-once';
import { logger } from '../logger';
import type { ResponderDeps } from './ports';
import type { RespondOutcome } from './respond';
import { renderReview } from './review';
import type { Incident } from './timeline';

/** The alarm the firing path acts for: a notification, or (the sweep) the alarm a due breaker belongs to. */
export interface FiringAlarm {
  readonly name: string;
  readonly state: Alarm['state'];
  readonly reason?: string;
  readonly arn?: string;
  /** The notification's StateChangeTime and OldStateValue; absent for a breaker re-evaluation. */
  readonly changedAt?: string;
  readonly previousState?: Alarm['state'];
  /** The notification itself, whose Trigger is the alarm's definition; absent for a breaker re-evaluation. */
  readonly notification?: Alarm;
}

/** The review draft of an incident resolving now, from every step it recorded. */
export async function reviewOf(incident: Incident, alarm: { readonly name: string; readonly arn?: string }, at: string, deps: ResponderDeps): Promise<string> {
  return renderReview(await deps.reviewTemplate(), {
    incident,
    steps: await deps.incidents.steps(incident.id),
    resolvedAt: at,
    stage: deps.stage,
    severity: deps.severityOf(alarm.name),
    alarmArn: alarm.arn,
    runbookUrl: deps.runbookUrl(alarm.name),
    generatedAt: at,
  });
}

/**
 * The open incident an ALARM belongs to. An ALARM that comes from OK, later than the ALARM that opened
 * the open incident, means that incident's OK was never handled (its retries ran out, say while Slack
 * was down): that incident is closed, its page resolved, and a new one opened. Otherwise every later
 * episode of the alarm would join it, and once its action limit was spent the responder never acted again.
 */
export async function incidentFor(serviceName: string, alarm: FiringAlarm, actionId: string, deps: ResponderDeps): Promise<Incident> {
  const at = deps.now().toISOString();
  const incident = await deps.incidents.openOrGet(alarm.name, serviceName, at, alarm.changedAt);
  const openedBy = incident.alarmChangedAt === undefined ? NaN : Date.parse(incident.alarmChangedAt);
  const changedAt = alarm.changedAt === undefined ? NaN : Date.parse(alarm.changedAt);
  if (alarm.previousState !== 'OK' || !(changedAt > openedBy)) return incident;

  const summary = `${alarm.name} went back to OK after ${incident.alarmChangedAt ?? incident.openedAt} and fired again at ${alarm.changedAt ?? at}, but that OK was never handled; closed so this alarm opens a new incident`;
  logger.warn('Closing an incident whose OK was never handled', { alarm: alarm.name, incidentId: incident.id });
  await deps.incidents.record(incident.id, { at, kind: 'resolved', summary });
  const review = await reviewOf(incident, alarm, at, deps);
  await deliverAll([{ channel: 'pagerduty', send: () => deps.pager.resolve(incident.id, summary) }], { ledger: deps.deliveries, messageId: `${actionId}#superseded` });
  await deps.incidents.resolve(incident, at, review);
  return deps.incidents.openOrGet(alarm.name, serviceName, at, alarm.changedAt);
}

/** INSUFFICIENT_DATA: noted in the open incident, if there is one; nothing is decided on it. */
export async function noteInsufficientData(alarm: Alarm, deps: ResponderDeps): Promise<RespondOutcome> {
  const incident = await deps.incidents.current(alarm.name);
  if (incident) {
    await deps.incidents.record(incident.id, { at: deps.now().toISOString(), kind: 'alarm-received', summary: `${alarm.name} INSUFFICIENT_DATA: ${alarm.reason}`, data: { state: alarm.state } });
  }
  return { status: 'noted', incidentId: incident?.id, state: alarm.state };
}
