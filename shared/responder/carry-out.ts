// Responder, step 5: the plan carried out by the remediation engine, within the incident's own action limit.
import type { AlarmState } from '../alarm/model';
import { errorMessage, type FailedPart } from '../errors';
import type { RemediationAction } from '../remediation/policy';
import type { RemediationOutcome } from '../remediation/types';
import { describeRequest, type ActionRecord } from './messages';
import type { ServicePolicy } from './policy';
import type { ResponderDeps } from './ports';
import type { Incident } from './timeline';

/** Why the responder did not act as it planned. */
export interface HeldBack {
  readonly kind: 'kill-switch' | 'escalation';
  readonly reason: string;
}

/** What carrying out a plan came to. */
export interface CarriedOut {
  readonly actions: readonly ActionRecord[];
  readonly heldBack?: HeldBack;
  /** Actions that threw: Lambda retries the invocation once the team and on-call were told. */
  readonly failures: readonly FailedPart[];
  /** Dry run: inputs of the engine's guards that could not be read and were planned around. */
  readonly unknown: readonly string[];
}

/** One plan of one incident: `actionId` is the engine's message id, so a retry acts at most once per action. */
export interface PlanContext {
  readonly incident: Incident;
  readonly service: ServicePolicy;
  readonly alarm: { readonly name: string; readonly state: AlarmState; readonly reason?: string };
  readonly actionId: string;
}

/** An outcome that left the world as it was: the kill switch stopped it, or the target was already as asked. */
const changedNothing = (o: RemediationOutcome | undefined): boolean =>
  o !== undefined && (o.status === 'unchanged' || (o.status === 'refused' && o.guard === 'kill-switch'));

/**
 * Every action of the plan through the remediation engine (its guards, budgets, dry run and audit
 * trail), after taking one of the incident's own actions: past `maxActionsPerIncident` the responder
 * stops and hands over to a person with what it tried. A plan that changed nothing (kill switch on,
 * breaker already open) gives that action back, so it does not count towards the limit.
 */
export async function carryOut(plan: readonly RemediationAction[], context: PlanContext, deps: ResponderDeps): Promise<CarriedOut> {
  const { incident, service, alarm, actionId } = context;
  if (plan.length === 0) return { actions: [], failures: [], unknown: [] };
  if (!(await deps.incidents.claimAction(incident.id, service.maxActionsPerIncident))) {
    const tried = (await deps.incidents.steps(incident.id)).filter((s) => s.kind === 'action').map((s) => `${s.at} ${s.summary}`);
    const reason = `acted ${service.maxActionsPerIncident} time(s) on this incident without recovery; stopping and handing over to a person. Tried: ${tried.length > 0 ? tried.join('; ') : 'nothing recorded'}`;
    return { actions: [], failures: [], unknown: [], heldBack: { kind: 'escalation', reason } };
  }
  const settled = await Promise.allSettled(
    plan.map((action) =>
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
  const failures: FailedPart[] = [];
  settled.forEach((s, i) => {
    const request = plan[i];
    if (!request) return;
    if (s.status === 'fulfilled') actions.push({ request, outcome: s.value });
    else {
      actions.push({ request, error: errorMessage(s.reason) });
      failures.push({ what: describeRequest(request), error: s.reason });
    }
  });
  if (actions.every((a) => changedNothing(a.outcome))) await deps.incidents.releaseAction(incident.id);
  const stopped = actions.map((a) => a.outcome).find((o) => o?.status === 'refused' && o.guard === 'kill-switch');
  const heldBack: HeldBack | undefined = stopped?.status === 'refused' ? { kind: 'kill-switch', reason: `${stopped.reason}; no automatic action` } : undefined;
  const unknown = [...new Set(actions.flatMap((a) => (a.outcome?.status === 'dry-run' ? (a.outcome.unknown ?? []) : [])))];
  return { actions, failures, unknown, ...(heldBack ? { heldBack } : {}) };
}
