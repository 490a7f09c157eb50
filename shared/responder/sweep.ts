// Responder use case (schedule): every open breaker flag that came due is re-evaluated — kept, closed or acted on again, never closed blindly.
import { postponeReevaluation } from '../breaker/breaker';
import { DEFAULT_OPERATOR_TTL_MINUTES, isExpired, type BreakerFlag } from '../breaker/flag';
import type { FlagStore } from '../breaker/store';
import { errorMessage, InvocationFailedError, type FailedPart } from '../errors';
import { logger } from '../logger';
import { describeUnreadable } from '../read-failure';
import { isHealthy, summarise } from './decide';
import { diagnose } from './diagnose';
import { respondToFiring } from './firing';
import { describeAction, plainMessage } from './messages';
import type { ResponderDeps } from './ports';

/** What the sweep did with one flag that came due. */
export interface SweepResult {
  readonly flag: string;
  readonly result: string;
}

/**
 * Re-evaluates every open flag past its expiry (run on a schedule). Still firing: the responder
 * diagnoses and decides again (extending the flag, or closing it and acting otherwise). Not firing:
 * closed when the metrics are healthy, else looked at again after another period. Never closed blindly.
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
  const failures: FailedPart[] = [];
  // A parameter that is not a flag fails the sweep after the others were re-evaluated: it must not keep them open.
  for (const f of flags) {
    if (!('error' in f)) continue;
    logger.error('Breaker flag cannot be read; re-evaluating the others', { breaker: f.name, error: errorMessage(f.error) });
    failures.push({ what: `breaker ${f.name}`, error: f.error });
  }
  const due = flags.flatMap((f) => ('flag' in f && isExpired(f.flag, now) ? [f] : []));
  for (const { name, flag } of due) {
    try {
      results.push({ flag: name, result: await reevaluate(name, flag, deps) });
    } catch (error) {
      logger.error('Breaker re-evaluation failed', { breaker: name, error: errorMessage(error) });
      failures.push({ what: `breaker ${name}`, error });
    }
  }
  if (failures.length > 0) throw new InvocationFailedError(failures, { doing: 'Breaker re-evaluation' });
  return results;
}

async function reevaluate(name: string, flag: BreakerFlag, deps: ResponderDeps): Promise<string> {
  const now = deps.now();
  const postpone = (reason: string, ttlMinutes: number) => postponeReevaluation(deps.flags, name, reason, ttlMinutes, { now, dryRun: deps.dryRun });
  const owner = Object.entries(deps.policy.services).find(([, s]) => s.breaker.name === name);
  if (!owner) {
    // Due again only after another period: otherwise every sweep (5 minutes) would tell the team again.
    const change = await postpone(flag.reason, DEFAULT_OPERATOR_TTL_MINUTES);
    await deps.team.tell(
      plainMessage(
        `Breaker ${name} came due, but no responder service in the policy owns it; it stays open until an operator closes it (npm run breaker -- close ${name}). Asking again at ${change.flag.expiresAt ?? 'the next sweep'}.`,
      ),
    );
    return 'left open: no owner in the policy';
  }
  const [serviceName, service] = owner;
  const alarmName = flag.alarm ?? service.alarms[0] ?? '';
  const state = await deps.alarms.stateOf(alarmName);
  const diagnostics = await diagnose(service, deps.metrics, now, { dryRun: deps.dryRun });
  const actionId = `breaker-expired:${name}:${now.toISOString()}`;
  // An alarm that no longer exists has no state: the engine's audit trail records it as INSUFFICIENT_DATA.
  const request = { messageId: actionId, alarm: { name: alarmName, state: state ?? 'INSUFFICIENT_DATA' }, critical: false, requestedBy: deps.requestedBy } as const;

  if (state === 'ALARM') {
    // The firing path records everything in the incident; it extends the flag (a breaker decision) or closes it and acts otherwise.
    const outcome = await respondToFiring(serviceName, service, { name: alarmName, state: 'ALARM' }, {
      kind: 'breaker-expired',
      actionId,
      diagnostics,
      dueBreaker: { flag: name, reason: (reasoning) => `re-evaluated while ${alarmName} fires: ${reasoning}` },
    }, deps);
    if (outcome.status !== 'responded') return outcome.status;
    if (!(await stillDue(name, outcome.heldBack !== undefined, deps))) return `re-evaluated: ${outcome.decision}`;
    // Still open and due (the engine refused, or the responder held back): looked at again after another
    // period, rather than paging and telling the team on every sweep.
    if (outcome.heldBackBy === 'kill-switch' && outcome.decided !== 'open-breaker') {
      await postpone(`kill switch on: left open while ${alarmName} fires (${outcome.heldBack ?? ''})`, service.breaker.ttlMinutes);
      return 'held open: kill switch on';
    }
    await postpone(`re-evaluation held back: ${outcome.heldBack ?? outcome.actions.join('; ')}`, service.breaker.ttlMinutes);
    return 'held open: re-evaluation held back';
  }
  if (isHealthy(diagnostics, service.thresholds)) {
    const action = { kind: 'close-breaker' as const, target: name, reason: `${alarmName} is ${state ?? 'gone'} and metrics are healthy (${summarise(diagnostics)})` };
    const outcome = await deps.remediator.remediate({ ...request, action });
    await deps.team.tell(plainMessage(`Breaker ${name} came due: ${describeAction({ request: action, outcome })}. ${alarmName} is ${state ?? 'gone'}.`), alarmName);
    if (outcome.status === 'done' || outcome.status === 'dry-run') return 'closed';
    // Refused (the kill switch): it stays open, and is looked at again after another period.
    await postpone(`came due with ${alarmName} ${state ?? 'gone'} and metrics healthy, but closing was refused`, service.breaker.ttlMinutes);
    return `held open: ${describeAction({ request: action, outcome })}`;
  }
  const change = await postpone(`came due with ${alarmName} ${state ?? 'gone'} but metrics not healthy (${summarise(diagnostics)})`, service.breaker.ttlMinutes);
  await deps.team.tell(
    plainMessage(`Breaker ${name} came due but metrics are not healthy (${summarise(diagnostics)}): kept open, re-evaluated at ${change.flag.expiresAt ?? 'the next sweep'}.`),
    alarmName,
  );
  return 'extended';
}

/** Whether the flag is still open and due after the firing path ran; a dry run wrote nothing, so it goes by whether the responder held back. */
async function stillDue(name: string, heldBack: boolean, deps: ResponderDeps): Promise<boolean> {
  if (deps.dryRun) return heldBack;
  const flag = await deps.flags.read(name);
  return flag?.state === 'open' && isExpired(flag, deps.now());
}
