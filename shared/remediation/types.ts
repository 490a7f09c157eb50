// Remediation contracts: the request a caller makes, the outcome it gets, and the ports the use case drives.
import type { RemediationPauses } from '../silence/pauses';
import type { AlarmState } from '../alarm/model';
import type { FlagStore } from '../breaker/store';
import type { DeploymentTarget, NodegroupTarget, RemediationAction, RemediationPolicy } from './policy';

/**
 * The guards that can refuse, in the order they are checked; DRY_RUN comes after them all and turns the
 * action into a plan. `target-state` (a paused deployment, an HPA the policy says to leave alone, a
 * breaker flag that is not valid JSON) is checked with the bounds, before anything is claimed.
 */
export const GUARD_ORDER = ['kill-switch', 'silence', 'allow-list', 'bounds', 'target-state', 'cooldown', 'budget'] as const;
export type GuardName = (typeof GUARD_ORDER)[number];

/** One remediation a caller (scaleNodegroup, scaleDeployment, the incident responder's plan) asks for. */
export interface RemediationRequest {
  /** SNS MessageId (or another delivery id): the same id for the same action is done at most once. */
  readonly messageId: string;
  readonly alarm: { readonly name: string; readonly state: AlarmState; readonly reason?: string; readonly description?: string };
  readonly action: RemediationAction;
  /** A refusal pages as well as telling Slack. */
  readonly critical?: boolean;
  /** Who asked, for the audit trail: a function name. */
  readonly requestedBy: string;
}

/**
 * Size before and after: node count or replicas for scaling, the restartedAt annotation for a restart,
 * the flag's state (`open`, `closed`, `none` when there is no flag) for a breaker.
 */
export type Level = number | string;

interface OutcomeBase {
  readonly action: RemediationAction['kind'];
  readonly target: string;
}

/** What happened to one request; only errors the caller should retry are thrown instead. */
export type RemediationOutcome =
  | (OutcomeBase & { readonly status: 'done'; readonly before?: Level; readonly after: Level; readonly detail?: string })
  | (OutcomeBase & {
      readonly status: 'dry-run';
      readonly before?: Level;
      /** Absent when the target's size could not be read, so the result of a step is not known. */
      readonly after?: Level;
      readonly plan: string;
      /** Inputs a dry run could not read and planned around, e.g. `kill switch: unknown (could not read …)`. */
      readonly unknown?: readonly string[];
    })
  | (OutcomeBase & {
      readonly status: 'refused';
      readonly guard: GuardName;
      readonly reason: string;
      readonly before?: Level;
      readonly after?: Level;
    })
  | (OutcomeBase & { readonly status: 'in-progress'; readonly reason: string; readonly before?: Level; readonly after?: Level })
  /** The target is already as asked (a breaker open and not yet due, or closed): nothing written, nothing spent. */
  | (OutcomeBase & { readonly status: 'unchanged'; readonly reason: string; readonly before?: Level; readonly after?: Level })
  | (OutcomeBase & { readonly status: 'duplicate'; readonly messageId: string });

export type RemediationStatus = RemediationOutcome['status'];

/** Whether all remediation is stopped, and why. */
export interface KillSwitch {
  read(): Promise<{ readonly engaged: boolean; readonly reason?: string }>;
}

/** What a cooldown and budget check needs to know about one target. */
export interface LedgerClaim {
  readonly targetId: string;
  readonly cooldownSeconds: number;
  readonly targetBudget: number;
  readonly globalBudget: number;
  readonly windowSeconds: number;
  readonly now: Date;
}

export type LedgerVerdict =
  | { readonly ok: true; readonly claimId: string }
  | { readonly ok: false; readonly guard: 'cooldown' | 'budget'; readonly reason: string };

/** Per-target cooldown and per-target/global budgets, kept where concurrent invocations share them. */
export interface ActionLedger {
  /** Atomically takes the cooldown and one unit of both budgets, or takes nothing and says which guard refused. */
  claim(claim: LedgerClaim): Promise<LedgerVerdict>;
  /** The same verdict without taking anything (dry runs). */
  peek(claim: LedgerClaim): Promise<LedgerVerdict>;
  /** Gives back what `claim` took when the action itself failed, so Lambda's retry can try again. */
  release(claim: LedgerClaim, claimId: string): Promise<void>;
  /** Marks a message+action as being handled; false when it was seen before (a redelivery). */
  startMessage(messageId: string, actionKey: string, now: Date): Promise<boolean>;
  /** Records the outcome of a handled message. */
  finishMessage(messageId: string, actionKey: string, outcome: RemediationOutcome, at: Date): Promise<void>;
  /** Marks a handled message whose audit or notice failed, so the retry reports its outcome. */
  reportFailed(messageId: string, actionKey: string): Promise<void>;
  /** Atomically takes the outcome of a message marked by `reportFailed` (at most one caller gets it). */
  takePendingReport(messageId: string, actionKey: string): Promise<{ readonly outcome: RemediationOutcome; readonly at: Date } | undefined>;
  /** Forgets a message whose handling threw, so the retry is not mistaken for a duplicate. */
  forgetMessage(messageId: string, actionKey: string): Promise<void>;
}

/** One line of the audit trail: every action and every refusal. */
export interface AuditEntry {
  readonly at: string;
  readonly alarm: string;
  readonly alarmState: AlarmState;
  readonly messageId: string;
  readonly target: string;
  readonly action: RemediationAction['kind'];
  readonly status: RemediationStatus;
  readonly dryRun: boolean;
  readonly requestedBy: string;
  readonly before?: Level;
  readonly after?: Level;
  readonly guard?: GuardName;
  readonly reason?: string;
  readonly detail?: string;
}

export interface AuditTrail {
  record(entry: AuditEntry): Promise<void>;
}

/** Why a guard stopped an action, for the humans. */
export interface RefusalNotice {
  readonly alarm: string;
  readonly alarmState: AlarmState;
  readonly target: string;
  readonly action: RemediationAction['kind'];
  readonly guard: GuardName | 'in-progress';
  readonly reason: string;
  /** Page (PagerDuty) as well as telling Slack. */
  readonly critical: boolean;
}

/** Tells people that a remediation did not happen and why. */
export interface RefusalNotifier {
  tell(notice: RefusalNotice): Promise<void>;
}

/** A node group's size now, after the group's and the policy's bounds are combined. */
export interface NodegroupCapacity {
  readonly desired: number;
  readonly min: number;
  readonly max: number;
  /** The Auto Scaling group in `asg` mode. */
  readonly asgName?: string;
}

/** Resizes a node group. Throws ScalingInProgressError when another change is under way. */
export interface NodegroupScaler {
  describe(target: NodegroupTarget): Promise<NodegroupCapacity>;
  /** Returns the EKS update id in `nodegroup` mode. */
  setDesired(target: NodegroupTarget, capacity: NodegroupCapacity, desired: number): Promise<{ readonly updateId?: string }>;
}

/** What the Kubernetes API says about a deployment. */
export interface DeploymentState {
  readonly replicas: number;
  readonly paused: boolean;
  readonly restartedAt?: string;
  /** The HPA whose scaleTargetRef is this deployment, if any. */
  readonly hpa?: { readonly name: string; readonly minReplicas: number; readonly maxReplicas: number };
}

/** Acts on deployments; `dryRun` sends the write with `dryRun=All` so the API server validates it without storing. */
export interface DeploymentActuator {
  inspect(target: DeploymentTarget): Promise<DeploymentState>;
  scale(target: DeploymentTarget, replicas: number, options: { dryRun: boolean }): Promise<void>;
  setHpaMinReplicas(target: DeploymentTarget, hpaName: string, minReplicas: number, options: { dryRun: boolean }): Promise<void>;
  restart(target: DeploymentTarget, at: string, options: { dryRun: boolean }): Promise<void>;
}

/** A circuit-breaker flag the engine may open and close: the responder policy's services name them. */
export interface BreakerTarget {
  /** The flag's name under BREAKER_PREFIX. */
  readonly flag: string;
  /** How long an opening holds before the sweep re-evaluates it. */
  readonly ttlMinutes: number;
}

/** The breakers' allow-list and where their flags live. */
export interface Breakers {
  readonly targets: readonly BreakerTarget[];
  readonly flags: FlagStore;
}

/** Everything executeRemediation drives; `remediationDeps()` supplies the real ones. */
export interface RemediationDeps {
  readonly policy: RemediationPolicy;
  readonly dryRun: boolean;
  readonly killSwitch: KillSwitch;
  /** Silences and maintenance windows that say `pauseRemediation`. */
  readonly pauses: RemediationPauses;
  readonly ledger: ActionLedger;
  readonly audit: AuditTrail;
  readonly notifier: RefusalNotifier;
  readonly nodegroups: NodegroupScaler;
  readonly deployments: DeploymentActuator;
  readonly breakers: Breakers;
  readonly now: () => Date;
}
