// Responder use case: alarm → incident → diagnose → decide → act (scale, breaker, page) → tell; OK → close, review, resolve.
import type { Alarm } from '../alarm/model';
import { closeBreaker, openBreaker, type BreakerChange } from '../breaker/breaker';
import { DEFAULT_OPERATOR_TTL_MINUTES, isExpired, planOpen, type BreakerFlag } from '../breaker/flag';
import type { FlagStore } from '../breaker/store';
import { safeSlackText, SLACK_LIMITS } from '../channels/slack-text';
import { errorMessage, PartialDeliveryError } from '../errors';
import type { DeliveryLedger } from '../notify/ledger';
import type { ChannelName } from '../policy/schema';
import { logger } from '../logger';
import { describeUnreadable } from '../read-failure';
import { decide, describeScale, isHealthy, summarise, type Decision } from './decide';
import { diagnose, type Diagnostics, type MetricsSource } from './diagnose';
import { decisionMessage, describeAction, describeReading, pageFor, resolvedMessage, type ActionRecord, type ResponseReport } from './messages';
import { serviceForAlarm, type ResponderPolicy, type ServicePolicy } from './policy';
import type { AlarmStateSource, Pager, Remediator, TeamNotifier } from './ports';
import { formatDuration, renderReview } from './review';
import type { Incident, IncidentStore, TimelineStep } from './timeline';

/** Everything the responder drives; the handler supplies the real ones. */
export interface ResponderDeps {
  readonly policy: ResponderPolicy;
  readonly stage: string;
  readonly dryRun: boolean;
  /** Who asks remediation, for its audit trail. */
  readonly requestedBy: string;
  readonly metrics: MetricsSource;
  readonly incidents: IncidentStore;
  readonly flags: FlagStore;
  readonly remediator: Remediator;
  readonly pager: Pager;
  readonly team: TeamNotifier;
  readonly alarms: AlarmStateSource;
  /** Per-message, per-channel delivery records (shared with notify's, under a `respond:` message id). */
  readonly deliveries: DeliveryLedger;
  readonly reviewTemplate: () => Promise<string>;
  /** Where people open a stored review draft; undefined when there is no such place. */
  readonly reviewUrl: (incidentId: string) => string | undefined;
  readonly runbookUrl: (alarmName: string) => string | undefined;
  readonly severityOf: (alarmName: string) => string;
  readonly now: () => Date;
}

/** What one alarm notification led to. */
export type RespondOutcome =
  | { readonly status: 'not-handled'; readonly alarm: string }
  | { readonly status: 'duplicate'; readonly messageId: string }
  | {
      readonly status: 'responded';
      readonly incidentId: string;
      readonly decision: Decision['rule'];
      readonly actions: readonly string[];
      readonly heldBack?: string;
      /** Dry run: what could not be read and was planned around, e.g. `diagnostics: unavailable (could not read …)`. */
      readonly unknown?: readonly string[];
      /** Dry run: the deliveries that were planned and logged, not sent. */
      readonly planned?: readonly ChannelName[];
    }
  | { readonly status: 'resolved'; readonly incidentId?: string; readonly breaker?: string }
  | { readonly status: 'noted'; readonly incidentId?: string; readonly state: string }
  /** An ALARM notification whose alarm CloudWatch already reports OK (delivered late, or after its OK): nothing done. */
  | { readonly status: 'already-recovered'; readonly alarm: string };

/** A delivery that must not be lost. */
interface Delivery {
  readonly channel: ChannelName;
  readonly run: () => Promise<void>;
}

/**
 * Runs every delivery, then fails the invocation if any failed. With a `deliveryId` (the SNS message),
 * each channel is claimed in the delivery ledger first, so Lambda's retry does not send again what
 * already went out.
 */
async function deliverAll(deliveries: readonly Delivery[], deps: ResponderDeps, deliveryId?: string): Promise<void> {
  const once = async (d: Delivery): Promise<void> => {
    if (deliveryId === undefined) return d.run();
    const claim = await deps.deliveries.claim(deliveryId, d.channel);
    if (claim === 'already-delivered') return;
    // Another invocation holds the claim: failing (not skipping) makes the retry find it delivered or take it over.
    if (claim === 'in-flight') throw new Error(`${d.channel}: another invocation is delivering this message right now`);
    try {
      await d.run();
    } catch (error) {
      await deps.deliveries.release(deliveryId, d.channel, errorMessage(error));
      throw error;
    }
    await deps.deliveries.markDelivered(deliveryId, d.channel);
  };
  const settled = await Promise.allSettled(deliveries.map(once));
  const failures = settled.flatMap((s, i) =>
    s.status === 'rejected' ? [{ channel: deliveries[i]?.channel ?? 'unknown', error: s.reason instanceof Error ? s.reason : new Error(String(s.reason)) }] : [],
  );
  if (failures.length > 0) throw new PartialDeliveryError(failures);
}

/**
 * Handles one alarm notification. A redelivered SNS message is skipped; a failure releases the
 * message so Lambda's retry runs it again (remediation dedups its own actions by message id).
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
      case 'ALARM':
        if (await alreadyRecovered(alarm, deps)) return { status: 'already-recovered', alarm: alarm.name };
        return await respondToFiring(owner.name, owner.service, { name: alarm.name, state: alarm.state, reason: alarm.reason, arn: alarm.arn, changedAt: alarm.changedAt, previousState: alarm.previousState, notification: alarm }, `respond:${messageId}`, 'alarm', deps);
      case 'OK':
        return await respondToRecovery(owner.name, owner.service, alarm, `respond:${messageId}`, deps);
      case 'INSUFFICIENT_DATA':
        return await noteInsufficientData(alarm, deps);
    }
  } catch (error) {
    await deps.incidents.releaseMessage(messageId);
    throw error;
  }
}

/**
 * Whether CloudWatch says the alarm is OK now. SNS does not keep order: an ALARM handled after its OK
 * would scale or page for a service that has recovered, and open an incident no OK will ever resolve
 * (its later alarms then meet the per-incident limit). A live run that cannot ask throws (Lambda retries);
 * a dry run goes on as if the alarm still fired.
 */
async function alreadyRecovered(alarm: Alarm, deps: ResponderDeps): Promise<boolean> {
  let state: Awaited<ReturnType<ResponderDeps['alarms']['stateOf']>>;
  try {
    state = await deps.alarms.stateOf(alarm.name);
  } catch (error) {
    if (!deps.dryRun) throw error;
    logger.warn('DRY_RUN: the alarm state could not be read; planning as if it still fires', { alarm: alarm.name, error: describeUnreadable(error, 'CloudWatch DescribeAlarms') });
    return false;
  }
  if (state !== 'OK') return false;
  logger.info('The alarm is already OK again: nothing to do for this ALARM', { alarm: alarm.name, changedAt: alarm.changedAt });
  return true;
}

interface FiringAlarm {
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

/**
 * The open incident an ALARM belongs to. An ALARM that comes from OK, later than the ALARM that opened
 * the open incident, means that incident's OK was never handled (its retries ran out, say while Slack
 * was down): that incident is closed, its page resolved, and a new one opened. Otherwise every later
 * episode of the alarm would join it, and once its action limit was spent the responder never acted again.
 */
async function incidentFor(serviceName: string, alarm: FiringAlarm, actionId: string, deps: ResponderDeps): Promise<Incident> {
  const at = deps.now().toISOString();
  const incident = await deps.incidents.openOrGet(alarm.name, serviceName, at, alarm.changedAt);
  const openedBy = incident.alarmChangedAt === undefined ? NaN : Date.parse(incident.alarmChangedAt);
  const changedAt = alarm.changedAt === undefined ? NaN : Date.parse(alarm.changedAt);
  if (alarm.previousState !== 'OK' || !(changedAt > openedBy)) return incident;

  const summary = `${alarm.name} went back to OK after ${incident.alarmChangedAt ?? incident.openedAt} and fired again at ${alarm.changedAt ?? at}, but that OK was never handled; closed so this alarm opens a new incident`;
  logger.warn('Closing an incident whose OK was never handled', { alarm: alarm.name, incidentId: incident.id });
  await deps.incidents.record(incident.id, { at, kind: 'resolved', summary });
  const review = renderReview(await deps.reviewTemplate(), {
    incident,
    steps: await deps.incidents.steps(incident.id),
    resolvedAt: at,
    stage: deps.stage,
    severity: deps.severityOf(alarm.name),
    alarmArn: alarm.arn,
    runbookUrl: deps.runbookUrl(alarm.name),
    generatedAt: at,
  });
  await deliverAll([{ channel: 'pagerduty', run: () => deps.pager.resolve(incident.id, summary) }], deps, `${actionId}#superseded`);
  await deps.incidents.resolve(incident, at, review);
  return deps.incidents.openOrGet(alarm.name, serviceName, at, alarm.changedAt);
}

async function respondToFiring(
  serviceName: string,
  service: ServicePolicy,
  alarm: FiringAlarm,
  actionId: string,
  trigger: ResponseReport['trigger'],
  deps: ResponderDeps,
  known?: Diagnostics,
): Promise<RespondOutcome> {
  const now = deps.now();
  const log = logger.createChild({ persistentLogAttributes: { alarm: alarm.name, responderService: serviceName } });
  const incident = await incidentFor(serviceName, alarm, actionId, deps);
  const record = (kind: TimelineStep['kind'], summary: string, data?: Record<string, unknown>) =>
    deps.incidents.record(incident.id, { at: deps.now().toISOString(), kind, summary, data });

  await record(
    'alarm-received',
    trigger === 'alarm' ? `${alarm.name} ${alarm.state}: ${alarm.reason ?? ''}`.trim() : `${alarm.name} still ${alarm.state}; breaker ${service.breaker.name} came due for re-evaluation`,
    { state: alarm.state, trigger },
  );
  const diagnostics = known ?? (await diagnose(service, deps.metrics, now, { dryRun: deps.dryRun, notification: alarm.notification }));
  await record('diagnostics', summarise(diagnostics), diagnosticsData(diagnostics));
  const decision = decide(diagnostics, service);
  await record('decision', `${decision.action} (${decision.rule}): ${decision.reasoning}`, { rule: decision.rule, action: decision.action });
  log.info('Responder decision', { incidentId: incident.id, decision: decision.rule, action: decision.action, values: diagnostics.values });

  const base = { service: serviceName, alarm, incidentId: incident.id, trigger, diagnostics, decision, dryRun: deps.dryRun, runbookUrl: deps.runbookUrl(alarm.name) };
  const { actions, heldBack, failures, unknown: unread = [] } = await act(service, incident, decision, alarm, actionId, deps);
  for (const a of actions) await record('action', describeAction(a));
  if (heldBack) await record(heldBack.kind === 'escalation' ? 'escalation' : 'outcome', heldBack.reason);

  const report: ResponseReport = { ...base, actions, heldBack: heldBack?.reason };
  const deliveries: Delivery[] = [{ channel: 'slack', run: () => deps.team.tell(decisionMessage(report)) }];
  const pageSummary = pageSummaryFor(report, failures.length > 0);
  if (pageSummary) deliveries.push({ channel: 'pagerduty', run: () => deps.pager.trigger(pageFor(report, pageSummary)) });
  await deliverAll(deliveries, deps, trigger === 'alarm' ? actionId : undefined);
  await record('outcome', `${pageSummary ? 'on-call paged; ' : ''}team told`, { paged: pageSummary !== undefined });

  // An action that threw is retried by Lambda; what was told above says what happened so far.
  if (failures.length > 0) throw new PartialDeliveryError(failures);
  const unknown = [...(diagnostics.unavailable !== undefined ? [`diagnostics: unavailable (${diagnostics.unavailable})`] : []), ...unread];
  if (unknown.length > 0) log.warn('DRY_RUN: planned without inputs that could not be read', { unknown });
  return {
    status: 'responded',
    incidentId: incident.id,
    decision: decision.rule,
    actions: actions.map(describeAction),
    heldBack: heldBack?.reason,
    ...(unknown.length > 0 ? { unknown } : {}),
    ...(deps.dryRun ? { planned: deliveries.map((d) => d.channel) } : {}),
  };
}

/** When on-call is paged: the table said so, the responder held back, or an action failed or was refused. */
function pageSummaryFor(r: ResponseReport, actionFailed: boolean): string | undefined {
  if (r.heldBack) return `${r.alarm.name}: responder held back: ${r.heldBack}`;
  if (r.decision.action === 'page') return `${r.alarm.name}: ${r.decision.reasoning}`;
  const troubled = r.actions.filter((a) => a.error || (a.kind === 'scale' && a.outcome && (a.outcome.status === 'refused' || a.outcome.status === 'in-progress')));
  if (actionFailed || troubled.length > 0) return `${r.alarm.name}: ${r.decision.reasoning} Not done: ${troubled.map(describeAction).join('; ')}`;
  return undefined;
}

interface ActResult {
  readonly actions: ActionRecord[];
  readonly heldBack?: { readonly kind: 'kill-switch' | 'budget' | 'escalation'; readonly reason: string };
  readonly failures: { channel: string; error: Error }[];
  /** Dry run: inputs of the responder's own guards that could not be read and were planned around. */
  readonly unknown?: readonly string[];
}

/**
 * Reads an input of the responder's own guards (breaker flag, kill switch, budgets). A live run throws
 * the read's error. A dry run notes `<what>: unknown (could not read …)` and returns undefined.
 */
async function readGuardInput<T>(deps: ResponderDeps, unknown: string[], what: string, source: string, read: () => Promise<T>): Promise<{ value: T } | undefined> {
  try {
    return { value: await read() };
  } catch (error) {
    if (!deps.dryRun) throw error;
    unknown.push(`${what}: unknown (${describeUnreadable(error, source)})`);
    return undefined;
  }
}

/** Carries out a scale or breaker decision, behind the kill switch and the responder's own per-incident breaker. */
async function act(service: ServicePolicy, incident: Incident, decision: Decision, alarm: FiringAlarm, actionId: string, deps: ResponderDeps): Promise<ActResult> {
  if (decision.action === 'page') return { actions: [], failures: [] };
  const unknown: string[] = [];
  let flagUnreadable = false;
  if (decision.action === 'open-breaker') {
    // Already open and not yet due: nothing to do, and nothing spent of the responder's own budget.
    let read: { value: Awaited<ReturnType<FlagStore['read']>> } | undefined;
    try {
      read = await readGuardInput(deps, unknown, `breaker ${decision.flag}`, `breaker flag ${decision.flag}`, () => deps.flags.read(decision.flag));
    } catch (error) {
      // A parameter that is not a valid flag (edited by hand): not overwritten blind, but told and paged like a failed opening.
      if (!(error instanceof Error && error.name === 'InvalidInputError')) throw error;
      return { actions: [{ kind: 'breaker', flag: decision.flag, error: errorMessage(error) }], failures: [{ channel: `breaker ${decision.flag}`, error }], unknown };
    }
    flagUnreadable = read === undefined;
    const current = read?.value;
    if (current?.state === 'open' && !isExpired(current, deps.now())) {
      return { actions: [{ kind: 'breaker', flag: decision.flag, change: { name: decision.flag, flag: current, changed: false, kind: 'unchanged', written: false } }], failures: [] };
    }
  }
  const killSwitch = (await readGuardInput(deps, unknown, 'kill switch', 'the kill switch', () => deps.remediator.killSwitch()))?.value;
  if (killSwitch?.engaged) {
    return { actions: [], failures: [], unknown, heldBack: { kind: 'kill-switch', reason: `the kill switch is on${killSwitch.reason ? `: ${killSwitch.reason}` : ''}; no automatic action` } };
  }
  if (!(await deps.incidents.claimAction(incident.id, service.maxActionsPerIncident))) {
    const tried = (await deps.incidents.steps(incident.id)).filter((s) => s.kind === 'action').map((s) => `${s.at} ${s.summary}`);
    return {
      actions: [],
      failures: [],
      heldBack: {
        kind: 'escalation',
        reason: `acted ${service.maxActionsPerIncident} time(s) on this incident without recovery; stopping and handing over to a person. Tried: ${tried.length > 0 ? tried.join('; ') : 'nothing recorded'}`,
      },
      unknown,
    };
  }
  if (decision.action === 'open-breaker') {
    const budget = (await readGuardInput(deps, unknown, 'cooldown and budgets', `the budgets of breaker ${decision.flag}`, () => deps.remediator.claimBreakerBudget(decision.flag)))?.value;
    if (budget && !budget.ok) return { actions: [], failures: [], unknown, heldBack: { kind: 'budget', reason: `opening breaker ${decision.flag} not allowed: ${budget.reason}` } };
    const request = { reason: decision.reasoning, alarm: alarm.name, ttlMinutes: service.breaker.ttlMinutes };
    if (flagUnreadable) {
      // Dry run only: planned as if no flag existed, since its current state could not be read.
      const change = { ...planOpen(undefined, request, deps.now()), name: decision.flag, written: false };
      return { actions: [{ kind: 'breaker', flag: decision.flag, change }], failures: [], unknown };
    }
    try {
      const change = await openBreaker(deps.flags, decision.flag, request, { now: deps.now(), dryRun: deps.dryRun });
      return { actions: [{ kind: 'breaker', flag: decision.flag, change }], failures: [], unknown };
    } catch (error) {
      // Not written (SSM throttled, say): the budget unit goes back, or Lambda's retries would spend the window's budget on nothing.
      try {
        await budget?.release();
      } catch (releaseError) {
        logger.error('Could not give back the budget of a breaker opening that failed', { breaker: decision.flag, error: errorMessage(releaseError) });
      }
      return { actions: [{ kind: 'breaker', flag: decision.flag, error: errorMessage(error) }], failures: [{ channel: `breaker ${decision.flag}`, error: asError(error) }], unknown };
    }
  }
  const settled = await Promise.allSettled(
    decision.actions.map((action) =>
      deps.remediator.remediate({
        messageId: actionId,
        alarm: { name: alarm.name, state: alarm.state, reason: alarm.reason },
        action,
        // The responder pages refusals itself, with its diagnostics, under the incident's dedup key.
        critical: false,
        requestedBy: deps.requestedBy,
      }),
    ),
  );
  const actions: ActionRecord[] = [];
  const failures: { channel: string; error: Error }[] = [];
  settled.forEach((s, i) => {
    const request = decision.actions[i];
    if (!request) return;
    if (s.status === 'fulfilled') actions.push({ kind: 'scale', request, outcome: s.value });
    else {
      actions.push({ kind: 'scale', request, error: errorMessage(s.reason) });
      failures.push({ channel: `scale ${describeScale(request)}`, error: asError(s.reason) });
    }
  });
  return { actions, failures, unknown };
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

function diagnosticsData(d: Diagnostics): Record<string, unknown> {
  return { values: d.values, readings: d.readings.map(describeReading), from: d.from, to: d.to };
}

/** OK: close the breaker if the metrics are healthy, resolve the incident with its review draft, tell and resolve the page. */
async function respondToRecovery(serviceName: string, service: ServicePolicy, alarm: Alarm, deliveryId: string, deps: ResponderDeps): Promise<RespondOutcome> {
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

  const breaker = await settleBreakerOnRecovery(service, diagnostics, deps);
  if (breaker) await record(breaker.change?.changed ? 'action' : 'outcome', breaker.text);

  if (!incident) {
    logger.info('OK without an open incident', { alarm: alarm.name, responderService: serviceName });
    if (breaker) {
      const message = resolvedMessage({ service: serviceName, alarm: alarm.name, incidentId: 'none', diagnostics, breaker: breaker.text, duration: 'an unknown time', actionCount: 0 });
      await deliverAll([{ channel: 'slack', run: () => deps.team.tell(message) }], deps, deliveryId);
    }
    return { status: 'resolved', breaker: breaker?.text };
  }

  await record('resolved', `${alarm.name} returned to OK`);
  const steps = await deps.incidents.steps(incident.id);
  const runbookUrl = deps.runbookUrl(alarm.name);
  const review = renderReview(await deps.reviewTemplate(), {
    incident,
    steps,
    resolvedAt: at,
    stage: deps.stage,
    severity: deps.severityOf(alarm.name),
    alarmArn: alarm.arn,
    runbookUrl,
    generatedAt: at,
  });
  const reviewUrl = deps.reviewUrl(incident.id);
  const duration = formatDuration(now.getTime() - Date.parse(incident.openedAt));
  await deliverAll([
    {
      channel: 'slack',
      run: () =>
        deps.team.tell(
          resolvedMessage({ service: serviceName, alarm: alarm.name, incidentId: incident.id, diagnostics, breaker: breaker?.text, reviewUrl, duration, actionCount: incident.actionCount, runbookUrl }),
        ),
    },
    { channel: 'pagerduty', run: () => deps.pager.resolve(incident.id, `${alarm.name} returned to OK after ${duration}`) },
  ], deps, deliveryId);
  // Resolved only once told: if a delivery failed, the incident stays open so Lambda's retry finds it and sends what is missing.
  await deps.incidents.resolve(incident, at, review);
  return { status: 'resolved', incidentId: incident.id, breaker: breaker?.text };
}

/** An open breaker closes when the metrics are healthy; otherwise it stays open until it comes due. */
async function settleBreakerOnRecovery(
  service: ServicePolicy,
  diagnostics: Diagnostics,
  deps: ResponderDeps,
): Promise<{ text: string; change?: BreakerChange } | undefined> {
  const name = service.breaker.name;
  let flag: Awaited<ReturnType<FlagStore['read']>>;
  try {
    flag = await deps.flags.read(name);
  } catch (error) {
    // A parameter that is not a valid flag stays so whatever the retries: the incident still resolves, and says so.
    // By name: the flag store is in a lazy file of the bundle, with its own copy of the error classes.
    if (error instanceof Error && error.name === 'InvalidInputError') {
      logger.error('Breaker flag cannot be read; resolving without closing it', { breaker: name, error: error.message });
      return { text: `breaker ${name}: cannot be read (${error.message}); nothing closed: fix or delete the parameter by hand` };
    }
    // A live run retries rather than leave a breaker in a state nobody checked; a dry run says so and goes on.
    if (!deps.dryRun) throw error;
    return { text: `breaker ${name}: state unknown (${describeUnreadable(error, `breaker flag ${name}`)}); nothing would be closed` };
  }
  if (flag?.state !== 'open') return undefined;
  if (!isHealthy(diagnostics, service.thresholds)) {
    return { text: `breaker ${name} stays open: metrics not healthy yet (${summarise(diagnostics)}); re-evaluated at ${flag.expiresAt ?? 'its next check'}` };
  }
  const change = await closeBreaker(deps.flags, name, `alarm OK and metrics healthy (${summarise(diagnostics)})`, { dryRun: deps.dryRun });
  return { text: describeAction({ kind: 'breaker', flag: name, change }), change };
}

async function noteInsufficientData(alarm: Alarm, deps: ResponderDeps): Promise<RespondOutcome> {
  const incident = await deps.incidents.current(alarm.name);
  if (incident) {
    await deps.incidents.record(incident.id, { at: deps.now().toISOString(), kind: 'alarm-received', summary: `${alarm.name} INSUFFICIENT_DATA: ${alarm.reason}`, data: { state: alarm.state } });
  }
  return { status: 'noted', incidentId: incident?.id, state: alarm.state };
}

/** What the sweep did with one flag that came due. */
export interface SweepResult {
  readonly flag: string;
  readonly result: string;
}

/**
 * Re-evaluates every open flag past its expiry (run on a schedule). Still firing: the responder
 * diagnoses and decides again (extending the flag, or closing it and acting otherwise). Not firing:
 * closed when the metrics are healthy, else extended. Never closed blindly.
 */
export async function sweepBreakers(deps: ResponderDeps): Promise<SweepResult[]> {
  const now = deps.now();
  let flags: Awaited<ReturnType<FlagStore['list']>>;
  try {
    flags = await deps.flags.list();
  } catch (error) {
    // A live sweep fails so the next run tries again; a dry run says what it could not read.
    if (!deps.dryRun) throw error;
    return [{ flag: 'breaker flags', result: `unknown (${describeUnreadable(error, 'the breaker flags')}); nothing re-evaluated` }];
  }
  const results: SweepResult[] = [];
  const failures: { channel: string; error: Error }[] = [];
  // A parameter that is not a flag fails the sweep after the others were re-evaluated: it must not keep them open.
  for (const f of flags) {
    if (!('error' in f)) continue;
    logger.error('Breaker flag cannot be read; re-evaluating the others', { breaker: f.name, error: errorMessage(f.error) });
    failures.push({ channel: `breaker ${f.name}`, error: f.error });
  }
  const due = flags.flatMap((f) => ('flag' in f && isExpired(f.flag, now) ? [f] : []));
  for (const { name, flag } of due) {
    try {
      results.push({ flag: name, result: await reevaluate(name, flag, deps) });
    } catch (error) {
      logger.error('Breaker re-evaluation failed', { breaker: name, error: errorMessage(error) });
      failures.push({ channel: `breaker ${name}`, error: asError(error) });
    }
  }
  if (failures.length > 0) throw new PartialDeliveryError(failures);
  return results;
}

async function reevaluate(name: string, flag: BreakerFlag, deps: ResponderDeps): Promise<string> {
  const flagAlarm = flag.alarm;
  const owner = Object.entries(deps.policy.services).find(([, s]) => s.breaker.name === name);
  if (!owner) {
    // Due again only after another period: otherwise every sweep (5 minutes) would tell the team again.
    const change = await openBreaker(deps.flags, name, { reason: flag.reason, alarm: flag.alarm, ttlMinutes: DEFAULT_OPERATOR_TTL_MINUTES }, { now: deps.now(), dryRun: deps.dryRun });
    await deps.team.tell(
      plainMessage(
        `Breaker ${name} came due, but no responder service in the policy owns it; it stays open until an operator closes it (npm run breaker -- close ${name}). Asking again at ${change.flag.expiresAt ?? 'the next sweep'}.`,
      ),
    );
    return 'left open: no owner in the policy';
  }
  const [serviceName, service] = owner;
  const alarmName = flagAlarm ?? service.alarms[0] ?? '';
  const state = await deps.alarms.stateOf(alarmName);
  const now = deps.now();
  if (state === 'ALARM') {
    const diagnostics = await diagnose(service, deps.metrics, now, { dryRun: deps.dryRun });
    const decision = decide(diagnostics, service);
    // Closing while the alarm fires lets traffic back to a failing service: not while the kill switch freezes automation.
    const frozen = decision.action !== 'open-breaker' && (await killSwitchEngaged(deps));
    if (decision.action !== 'open-breaker' && !frozen) {
      const change = await closeBreaker(deps.flags, name, `re-evaluated while ${alarmName} fires: ${decision.reasoning}`, { dryRun: deps.dryRun });
      logger.info('Breaker closed on re-evaluation; acting on the new decision', { breaker: name, transition: change.kind });
    }
    // The firing path records everything in the incident; for a breaker decision it extends the flag.
    const outcome = await respondToFiring(serviceName, service, { name: alarmName, state: 'ALARM' }, `breaker-expired:${name}:${now.toISOString()}`, 'breaker-expired', deps, diagnostics);
    const heldBack = outcome.status === 'responded' ? outcome.heldBack : undefined;
    if (frozen) {
      await openBreaker(deps.flags, name, { reason: `kill switch on: left open while ${alarmName} fires (${decision.reasoning})`, alarm: alarmName, ttlMinutes: service.breaker.ttlMinutes }, { now, dryRun: deps.dryRun });
      return 'held open: kill switch on';
    }
    if (heldBack && decision.action === 'open-breaker') {
      // Held back (kill switch, budgets, its own breaker): the flag stays open and is looked at again after
      // another period, rather than on every sweep, which would page and tell the team every few minutes.
      await openBreaker(deps.flags, name, { reason: `re-evaluation held back: ${heldBack}`, alarm: alarmName, ttlMinutes: service.breaker.ttlMinutes }, { now, dryRun: deps.dryRun });
      return 'held open: re-evaluation held back';
    }
    return outcome.status === 'responded' ? `re-evaluated: ${outcome.decision}` : outcome.status;
  }
  const diagnostics = await diagnose(service, deps.metrics, now, { dryRun: deps.dryRun });
  if (isHealthy(diagnostics, service.thresholds)) {
    const change = await closeBreaker(deps.flags, name, `${alarmName} is ${state ?? 'gone'} and metrics are healthy (${summarise(diagnostics)})`, { dryRun: deps.dryRun });
    await deps.team.tell(plainMessage(`Breaker ${name} came due: ${describeAction({ kind: 'breaker', flag: name, change })}. ${alarmName} is ${state ?? 'gone'}.`));
    return 'closed';
  }
  const change = await openBreaker(
    deps.flags,
    name,
    { reason: `came due with ${alarmName} ${state ?? 'gone'} but metrics not healthy (${summarise(diagnostics)})`, alarm: alarmName, ttlMinutes: service.breaker.ttlMinutes },
    { now, dryRun: deps.dryRun },
  );
  await deps.team.tell(plainMessage(`Breaker ${name} came due but metrics are not healthy (${summarise(diagnostics)}): ${describeAction({ kind: 'breaker', flag: name, change })}.`));
  return 'extended';
}

/** The kill switch, for the sweep's own changes; a dry run that cannot read it plans as if it were off (as `act` does). */
async function killSwitchEngaged(deps: ResponderDeps): Promise<boolean> {
  try {
    return (await deps.remediator.killSwitch()).engaged;
  } catch (error) {
    if (!deps.dryRun) throw error;
    logger.warn('DRY_RUN: the kill switch could not be read; planning as if it were off', { error: describeUnreadable(error, 'the kill switch') });
    return false;
  }
}

const plainMessage = (text: string) => {
  const safe = safeSlackText(text, SLACK_LIMITS.sectionText);
  return { text: safe, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: safe } }] };
};
