// Use case: one remediation through every safety guard in order, then the action; audited, refusals told.
import { planClose, planOpen, type BreakerFlag } from '../breaker/flag';
import { errorMessage, InvalidInputError, InvocationFailedError } from '../errors';
import { logger } from '../logger';
import { describeHold } from '../silence/model';
import { describeUnreadable } from '../read-failure';
import { OutcomeUnknownError, ScalingInProgressError } from './errors';
import { planNodegroup, planReplicas } from './plan';
import type { BreakerAction, DeploymentTarget, NodegroupTarget, RemediationAction, RemediationPolicy } from './policy';
import type { BreakerTarget, GuardName, LedgerClaim, Level, RemediationDeps, RemediationOutcome, RemediationRequest } from './types';

type Outcome = RemediationOutcome;
type Refusal = Extract<Outcome, { status: 'refused' }>;

/**
 * Runs one remediation: a redelivered message is a no-op; then the kill switch, a silence or window that
 * pauses remediation, the allow-list, the hard
 * bounds (and the target's own state), the cooldown and the budgets, in that order; then DRY_RUN turns
 * the action into a plan, or the action is done. Every outcome but a duplicate is written to the audit
 * trail; every refusal and every "already in progress" is told to people.
 *
 * Throws (so Lambda retries and the dead-letter queue keeps the event) only when a read or the action
 * itself failed, after giving back its cooldown and budget (kept when the action got no answer and may
 * have been applied, so the retry is refused by the cooldown), or when the audit or the notice failed;
 * the retry of the latter reports the recorded outcome without acting again. A live run never acts on
 * an input it could not read (a kill switch that cannot be read means nothing is done). Only a dry run
 * plans around such an input, stating it in the plan and in `unknown` (a laptop with no AWS account).
 */
export async function executeRemediation(request: RemediationRequest, deps: RemediationDeps): Promise<RemediationOutcome> {
  const { action, messageId } = request;
  const actionKey = `${action.kind}#${action.target}`;
  const now = deps.now();
  const log = logger.createChild({ persistentLogAttributes: { alarm: request.alarm.name, target: action.target, action: action.kind, messageId } });

  if (!(await deps.ledger.startMessage(messageId, actionKey, now))) {
    // A retry after the action was done but its audit or notice failed: report it now, act no more.
    const pending = await deps.ledger.takePendingReport(messageId, actionKey);
    if (pending) {
      log.info('Reporting the outcome of an earlier delivery whose report failed', { outcome: pending.outcome });
      await reportOrMark(request, pending.outcome, deps, pending.at, actionKey);
      return pending.outcome;
    }
    log.info('Message already handled for this action; skipping redelivery');
    return { status: 'duplicate', action: action.kind, target: action.target, messageId };
  }

  let outcome: Outcome;
  try {
    outcome = await guardAndAct(request, deps, now);
  } catch (error) {
    try {
      await deps.ledger.forgetMessage(messageId, actionKey);
    } catch (forgetError) {
      // The retry will see a 'started' record and wait out STALE_START_SECONDS before taking it over.
      log.error('Could not forget a message whose remediation failed', { error: errorMessage(forgetError) });
    }
    throw error;
  }
  // Recorded before the report: if the audit or the notice fails, the retry reports instead of acting again.
  try {
    await deps.ledger.finishMessage(messageId, actionKey, outcome, now);
  } catch (error) {
    // The record stays 'started', so the retry takes the message for a duplicate and never reports it:
    // the action is audited and told now, or it would have happened with no trace.
    log.error('Could not record the outcome of a handled message; reporting it now', { outcome, error: errorMessage(error) });
    const reportError = await report(request, outcome, deps, now).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (reportError !== undefined) log.error('Could not report it either', { error: errorMessage(reportError) });
    throw error;
  }
  log.info('Remediation outcome', { outcome });
  await reportOrMark(request, outcome, deps, now, actionKey);
  return outcome;
}

/** Reports; when that fails, marks the message so Lambda's retry reports again, then throws. */
async function reportOrMark(request: RemediationRequest, outcome: Outcome, deps: RemediationDeps, at: Date, actionKey: string): Promise<void> {
  try {
    await report(request, outcome, deps, at);
  } catch (error) {
    await deps.ledger.reportFailed(request.messageId, actionKey);
    throw error;
  }
}

/** Audit every outcome and tell people about refusals; both are attempted, and either failing fails the call. */
async function report(request: RemediationRequest, outcome: Outcome, deps: RemediationDeps, now: Date): Promise<void> {
  if (outcome.status === 'duplicate') return;
  const tasks: { channel: string; run: Promise<void> }[] = [
    {
      channel: 'audit',
      run: deps.audit.record({
        at: now.toISOString(),
        alarm: request.alarm.name,
        alarmState: request.alarm.state,
        messageId: request.messageId,
        target: outcome.target,
        action: outcome.action,
        status: outcome.status,
        dryRun: deps.dryRun,
        requestedBy: request.requestedBy,
        before: outcome.before,
        after: outcome.after,
        guard: outcome.status === 'refused' ? outcome.guard : undefined,
        reason: outcome.status === 'refused' || outcome.status === 'in-progress' || outcome.status === 'unchanged' ? outcome.reason : undefined,
        detail: outcome.status === 'done' ? outcome.detail : outcome.status === 'dry-run' ? outcome.plan : undefined,
      }),
    },
  ];
  if (outcome.status === 'refused' || outcome.status === 'in-progress') {
    tasks.push({
      channel: 'refusal-notice',
      run: deps.notifier.tell({
        alarm: request.alarm.name,
        alarmState: request.alarm.state,
        target: outcome.target,
        action: outcome.action,
        guard: outcome.status === 'refused' ? outcome.guard : 'in-progress',
        reason: outcome.reason,
        // An operator who paused remediation knows; a page for each refusal would be the noise the silence is there to stop.
        critical: outcome.status === 'refused' && outcome.guard === 'silence' ? false : (request.critical ?? false),
      }),
    });
  }
  const settled = await Promise.allSettled(tasks.map((t) => t.run));
  const failures = settled.flatMap((s, i) =>
    s.status === 'rejected' ? [{ what: tasks[i]?.channel ?? 'unknown', error: s.reason }] : [],
  );
  if (failures.length > 0) throw new InvocationFailedError(failures, { doing: 'Reporting' });
}

/** One request being carried out: what every guard and actuator step reads, passed as one object. */
interface Run {
  readonly request: RemediationRequest;
  readonly deps: RemediationDeps;
  readonly now: Date;
  /** Dry run: inputs that could not be read and were planned around, in the words of the plan. */
  readonly unknown: string[];
}

/** A refusal of this run's action by `guard`, with the target's levels when they are known. */
function refuse(run: Run, guard: GuardName, reason: string, levels: { before?: Level; after?: Level } = {}): Refusal {
  const { action } = run.request;
  return { status: 'refused', action: action.kind, target: action.target, guard, reason, ...levels };
}

/**
 * Reads an input a guard needs. A live run throws the read's error (never act blind). A dry run notes
 * `<what>: unknown (could not read <source>: <why>)` in `unknown` and returns undefined, so the plan goes on.
 */
async function readInput<T>(run: Run, what: string, source: string, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (!run.deps.dryRun) throw error;
    const note = `${what}: unknown (${describeUnreadable(error, source)})`;
    logger.warn('DRY_RUN: an input could not be read; planning without it', { input: what, note });
    run.unknown.push(note);
    return undefined;
  }
}

async function guardAndAct(request: RemediationRequest, deps: RemediationDeps, now: Date): Promise<Outcome> {
  const run: Run = { request, deps, now, unknown: [] };
  const { action } = request;

  // 1. Kill switch: the policy's and the operator's.
  if (!deps.policy.enabled) return refuse(run, 'kill-switch', 'remediation is disabled in the policy (remediation.enabled is false)');
  const killSwitch = await readInput(run, 'kill switch', 'the kill switch', () => deps.killSwitch.read());
  if (killSwitch?.engaged) return refuse(run, 'kill-switch', `the kill switch is on${killSwitch.reason ? `: ${killSwitch.reason}` : ''}`);

  // 1b. A silence or maintenance window that pauses remediation for this alarm.
  const pause = await readInput(run, 'silences', 'the silences', () => deps.pauses.pausing(request.alarm, now));
  if (pause) return refuse(run, 'silence', `remediation is paused by ${describeHold(pause)}`);

  // 2. Allow-list: only targets the policy declares, whatever the event says.
  switch (action.kind) {
    case 'scale-nodegroup': {
      const target = deps.policy.nodegroups.find((t) => t.id === action.target);
      if (!target) return refuse(run, 'allow-list', `node group target ${action.target} is not in the policy's allow-list`);
      return scaleNodegroup(run, action.step, target);
    }
    case 'scale-deployment':
    case 'restart-deployment': {
      const target = deps.policy.deployments.find((t) => t.id === action.target);
      if (!target) return refuse(run, 'allow-list', `deployment target ${action.target} is not in the policy's allow-list`);
      return actOnDeployment(run, action, target);
    }
    case 'open-breaker':
    case 'close-breaker': {
      const target = deps.breakers.targets.find((t) => t.flag === action.target);
      if (!target) return refuse(run, 'allow-list', `breaker ${action.target} is not owned by any responder service in the policy`);
      return switchBreaker(run, action, target);
    }
  }
}

async function scaleNodegroup(run: Run, step: number, target: NodegroupTarget): Promise<Outcome> {
  const { deps } = run;
  // 3. Hard bounds.
  const group = `${target.cluster}/${target.nodegroup}`;
  const capacity = await readInput(run, 'node group size', `the size of node group ${group}`, () => deps.nodegroups.describe(target));
  if (!capacity) {
    // Dry run only: the step and the policy's bounds are known, the group's size and own bounds are not.
    const description = `node group ${group} size unknown: would request ${signed(step)}, capped by the policy's bounds (${policyBounds(target.minSize, target.maxSize)}) and the group's own min and max`;
    return claimThenAct(run, ledgerClaim(deps.policy, target, run.now), { description, validateOnServer: false }, noAction);
  }
  const change = planNodegroup(target, capacity, step);
  if (!change.ok) return refuse(run, 'bounds', `${target.cluster}/${target.nodegroup}: ${change.reason}`, { before: change.before });
  const { before, after } = change;
  const via = target.mode === 'asg' ? `SetDesiredCapacity on ${capacity.asgName ?? 'its Auto Scaling group'}` : 'UpdateNodegroupConfig';
  const description = `${target.cluster}/${target.nodegroup} desired ${before} -> ${after} (min ${change.min}, max ${change.max}${change.capped ? ', capped' : ''}) via ${via}`;

  // 4–6. Cooldown, budgets, dry run.
  return claimThenAct(run, ledgerClaim(deps.policy, target, run.now), { before, after, description, validateOnServer: false }, async () => {
    try {
      const { updateId } = await deps.nodegroups.setDesired(target, capacity, after);
      return { status: 'done', action: 'scale-nodegroup', target: target.id, before, after, detail: updateId ? `${description}; update ${updateId}` : description };
    } catch (error) {
      if (error instanceof ScalingInProgressError) {
        return { status: 'in-progress', action: 'scale-nodegroup', target: target.id, before, after, reason: `${error.code}: ${error.message}` };
      }
      throw error;
    }
  });
}

type DeploymentAction = Extract<RemediationAction, { kind: 'scale-deployment' | 'restart-deployment' }>;

async function actOnDeployment(run: Run, action: DeploymentAction, target: DeploymentTarget): Promise<Outcome> {
  const { deps, now } = run;
  const where = `${target.namespace}/${target.name}`;
  const claim = ledgerClaim(deps.policy, target, run.now);
  const state = await readInput(run, 'deployment state', `deployment ${where} on cluster ${target.cluster}`, () => deps.deployments.inspect(target));
  if (!state) return planBlindDeployment(run, action, target, claim);

  if (action.kind === 'restart-deployment') {
    // 3. A restart has no size bound, but a paused deployment would not roll: refused, never resumed by us.
    if (state.paused) return refuse(run, 'target-state', `${where} is paused; a restart would not roll out`, { before: state.restartedAt });
    const at = now.toISOString();
    const description = `rollout restart of ${where} (restartedAt ${at})`;
    return claimThenAct(run, claim, { before: state.restartedAt, after: at, description, validateOnServer: true }, async (dryRun) => {
      await deps.deployments.restart(target, at, { dryRun });
      return { status: 'done', action: action.kind, target: target.id, before: state.restartedAt, after: at, detail: description };
    });
  }

  // 3. Hard bounds (and the HPA the policy may leave alone).
  const plan = planReplicas(target, state, action.replicas);
  if (!plan.ok) return refuse(run, plan.guard, `${where}: ${plan.reason}`, { before: plan.before });
  const { before, after } = plan;
  const description =
    plan.via === 'hpa-min'
      ? `HPA ${plan.hpaName} of ${where} minReplicas ${before} -> ${after}${plan.capped ? ' (capped)' : ''}`
      : `${where} replicas ${before} -> ${after}${plan.capped ? ' (capped)' : ''}`;
  return claimThenAct(run, claim, { before, after, description, validateOnServer: true }, async (dryRun) => {
    if (plan.via === 'hpa-min' && plan.hpaName) await deps.deployments.setHpaMinReplicas(target, plan.hpaName, after, { dryRun });
    else await deps.deployments.scale(target, after, { dryRun });
    return { status: 'done', action: action.kind, target: target.id, before, after, detail: description };
  });
}

/**
 * Dry run only, when the deployment could not be read: what would be asked, within the policy's bounds,
 * without the deployment's replicas, paused state or owning HPA, and without the API server's validation.
 */
function planBlindDeployment(run: Run, action: DeploymentAction, target: DeploymentTarget, claim: LedgerClaim): Promise<Outcome> {
  const where = `${target.namespace}/${target.name}`;
  const unchecked = 'not checked against the cluster';
  if (action.kind === 'restart-deployment') {
    const at = run.now.toISOString();
    const description = `deployment ${where} state unknown: would rollout restart it (restartedAt ${at}); whether it is paused was ${unchecked}`;
    return claimThenAct(run, claim, { after: at, description, validateOnServer: false }, noAction);
  }
  const bounds = `min ${target.minReplicas}, max ${target.maxReplicas}`;
  const hpa = `an HPA owning it (policy: ${target.hpa}) was ${unchecked}`;
  if ('to' in action.replicas) {
    // The policy's bounds alone: an absolute count is capped the same whatever the current size.
    const to = Math.min(target.maxReplicas, Math.max(target.minReplicas, action.replicas.to));
    const capped = to !== action.replicas.to ? ` (capped from ${action.replicas.to})` : '';
    const description = `deployment ${where} replicas unknown: would scale to ${to}${capped} within the policy's bounds (${bounds}); ${hpa}`;
    return claimThenAct(run, claim, { after: to, description, validateOnServer: false }, noAction);
  }
  const description = `deployment ${where} replicas unknown: would change replicas by ${signed(action.replicas.step)}, capped by the policy's bounds (${bounds}); ${hpa}`;
  return claimThenAct(run, claim, { description, validateOnServer: false }, noAction);
}

/**
 * Opens or closes a breaker flag. Its own state is step 3: a flag that is not valid JSON is refused
 * (never overwritten blind: someone edited it by hand), and one already as asked is `unchanged`, with
 * nothing written or spent, so a redelivered alarm or a repeated sweep costs nothing. An opening takes
 * a unit of the budgets (a flag has no cooldown: re-opening is idempotent, and the responder's
 * per-incident limit bounds it). A closing spends none, so a spent budget can never hold a breaker open.
 */
async function switchBreaker(run: Run, action: BreakerAction, target: BreakerTarget): Promise<Outcome> {
  const { deps, now, request } = run;
  const { flag: name } = target;
  // A parameter that is not a valid flag is known to be bad, not unreadable: refused in a dry run too.
  const read = await readInput(run, `breaker ${name}`, `breaker flag ${name}`, async () => {
    try {
      return { flag: await deps.breakers.flags.read(name) };
    } catch (error) {
      if (error instanceof InvalidInputError) return { invalid: error };
      throw error;
    }
  });
  if (read?.invalid) return refuse(run, 'target-state', `${read.invalid.message}; not overwritten: fix or delete the parameter by hand`);
  const known = read !== undefined;
  const current: BreakerFlag | undefined = read?.flag;
  const before: Level = current?.state ?? 'none';
  const transition =
    action.kind === 'open-breaker'
      ? planOpen(current, { reason: action.reason, alarm: request.alarm.name, ttlMinutes: target.ttlMinutes }, now)
      : planClose(current, action.reason);
  const until = transition.flag.expiresAt ? `, re-evaluated at ${transition.flag.expiresAt}` : '';
  if (!transition.changed) {
    return { status: 'unchanged', action: action.kind, target: name, before, after: before, reason: `unchanged${until}` };
  }
  // Dry run with the flag unreadable: planned as if there were none, and the plan says so (`unknown`).
  const description = `${transition.kind}${until}${known ? '' : ' (as if there were no flag: its state could not be read)'}`;
  const claim = action.kind === 'open-breaker' ? ledgerClaim(deps.policy, { id: `breaker-${name}`, cooldownSeconds: 0 }, now) : undefined;
  return claimThenAct(run, claim, { before, after: transition.flag.state, description, validateOnServer: false }, async () => {
    await deps.breakers.flags.write(name, transition.flag);
    logger.info('Breaker flag transition', { breaker: name, transition: transition.kind, state: transition.flag.state });
    return { status: 'done', action: action.kind, target: name, before, after: transition.flag.state, detail: description };
  });
}

const noAction = (): Promise<never> => Promise.reject(new Error('a dry run does not act'));

const signed = (n: number): string => (n > 0 ? `+${n}` : String(n));

const policyBounds = (min: number | undefined, max: number | undefined): string =>
  min === undefined && max === undefined ? 'none set in the policy' : [min !== undefined ? `min ${min}` : '', max !== undefined ? `max ${max}` : ''].filter(Boolean).join(', ');

/** A change about to be claimed: `before`/`after` when known; `validateOnServer` sends a Kubernetes write with `dryRun=All`. */
interface PlannedChange {
  readonly before?: Level;
  readonly after?: Level;
  readonly description: string;
  readonly validateOnServer: boolean;
}

/**
 * Guards 4–6: cooldown and budgets taken atomically (only looked at in a dry run), then the action.
 * In a dry run, Kubernetes actions whose target was read are still sent with `dryRun=All` so the API
 * server validates them; cooldowns and budgets that cannot be read are planned as unknown. An action
 * with no claim (closing a breaker) spends nothing.
 */
async function claimThenAct(run: Run, claim: LedgerClaim | undefined, change: PlannedChange, act: (dryRun: boolean) => Promise<Outcome>): Promise<Outcome> {
  const { deps, request, unknown } = run;
  const target = request.action.target;
  const levels = { before: change.before, after: change.after };
  if (deps.dryRun) {
    const verdict = claim && (await readInput(run, 'cooldown and budgets', `the cooldown and budgets of ${target}`, () => deps.ledger.peek(claim)));
    if (verdict && !verdict.ok) return refuse(run, verdict.guard, verdict.reason, levels);
    if (change.validateOnServer) await act(true);
    const plan = [`DRY_RUN plan: ${change.description}`, ...unknown].join('; ');
    return { status: 'dry-run', action: request.action.kind, target, ...levels, plan, ...(unknown.length > 0 ? { unknown: [...unknown] } : {}) };
  }

  const verdict = claim ? await deps.ledger.claim(claim) : undefined;
  if (verdict && !verdict.ok) return refuse(run, verdict.guard, verdict.reason, levels);
  try {
    return await act(false);
  } catch (error) {
    if (error instanceof OutcomeUnknownError) {
      // It may have been applied: giving the claim back would let the retry apply a step or a restart twice.
      logger.error('An action got no answer and may have been applied; its cooldown and budget are kept', { target, error: errorMessage(error) });
      throw error;
    }
    if (claim && verdict?.ok) {
      try {
        await deps.ledger.release(claim, verdict.claimId);
      } catch (releaseError) {
        logger.error('Could not give back cooldown and budget after a failed action', { target, error: errorMessage(releaseError) });
      }
    }
    throw error;
  }
}

/** The cooldown and budget limits that apply to a target (a breaker's has no cooldown and the default budget). */
export function ledgerClaim(
  policy: RemediationPolicy,
  target: { readonly id: string; readonly cooldownSeconds: number; readonly budgetPerWindow?: number },
  now: Date,
): LedgerClaim {
  return {
    targetId: target.id,
    cooldownSeconds: target.cooldownSeconds,
    targetBudget: target.budgetPerWindow ?? policy.budget.perTarget,
    globalBudget: policy.budget.global,
    windowSeconds: policy.budget.windowSeconds,
    now,
  };
}
