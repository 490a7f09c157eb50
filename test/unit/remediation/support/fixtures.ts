// Test support: the sample remediation policy and in-memory fakes of every remediation port.
import { parseRemediationPolicy, type DeploymentTarget, type NodegroupTarget, type RemediationPolicy } from '../../../../shared/remediation/policy';
import type {
  ActionLedger,
  AuditEntry,
  DeploymentActuator,
  DeploymentState,
  LedgerClaim,
  NodegroupCapacity,
  NodegroupScaler,
  RefusalNotice,
  RemediationDeps,
  RemediationOutcome,
  RemediationRequest,
  RemediationStatus,
} from '../../../../shared/remediation/types';
import { MemoryFlags } from '../../../support/memory-flags';
import { pausingHold } from '../../../../shared/silence/match';
import type { Hold } from '../../../../shared/silence/model';

/** The `remediation` section the local and dev stages ship, as JSON. */
export const SAMPLE_REMEDIATION_SECTION = {
  enabled: true,
  budget: { windowSeconds: 3600, perTarget: 3, global: 10 },
  nodegroups: [
    { id: 'retail-prediction-nodegroup', cluster: 'retail-prediction-cluster', nodegroup: 'retail-prediction-nodegroup', mode: 'asg', cooldownSeconds: 600 },
  ],
  deployments: [
    {
      id: 'retail-forecast-api',
      cluster: 'retail-prediction-cluster',
      namespace: 'mlops',
      name: 'retail-forecast-api',
      minReplicas: 3,
      maxReplicas: 10,
      allowScaleDown: true,
      hpa: 'skip',
      cooldownSeconds: 300,
    },
  ],
  rules: [
    { alarm: 'RetailPrediction-HighCPU', state: 'ALARM', action: { kind: 'scale-nodegroup', target: 'retail-prediction-nodegroup', step: 1 } },
    { alarm: 'RetailPrediction-HighCPU', state: 'ALARM', action: { kind: 'scale-deployment', target: 'retail-forecast-api', replicas: { to: 6 } } },
    { alarm: 'RetailPrediction-HighCPU', state: 'OK', action: { kind: 'scale-deployment', target: 'retail-forecast-api', replicas: { to: 3 } } },
  ],
};

/** A fresh parsed sample policy, optionally changed by `edit` on its JSON first. */
export function samplePolicy(edit?: (section: typeof SAMPLE_REMEDIATION_SECTION) => void): RemediationPolicy {
  const section = structuredClone(SAMPLE_REMEDIATION_SECTION);
  edit?.(section);
  return parseRemediationPolicy(section);
}

export const NOW = new Date('2026-11-21T05:00:00.000Z');

/** The breaker the sample responder service owns: the one flag on the engine's allow-list. */
export const SAMPLE_BREAKER = 'retail-prediction-api';

let messageCounter = 0;
/** A request for the sample node-group rule with a new MessageId unless given. */
export function nodegroupRequest(overrides: Partial<RemediationRequest> = {}): RemediationRequest {
  return {
    messageId: `msg-${++messageCounter}`,
    alarm: { name: 'RetailPrediction-HighCPU', state: 'ALARM' },
    action: { kind: 'scale-nodegroup', target: 'retail-prediction-nodegroup', step: 1 },
    requestedBy: 'scaleNodegroup',
    ...overrides,
  };
}

export function deploymentRequest(overrides: Partial<RemediationRequest> = {}): RemediationRequest {
  return {
    messageId: `msg-${++messageCounter}`,
    alarm: { name: 'RetailPrediction-HighCPU', state: 'ALARM' },
    action: { kind: 'scale-deployment', target: 'retail-forecast-api', replicas: { to: 6 } },
    requestedBy: 'scaleDeployment',
    ...overrides,
  };
}

/** A ledger that keeps cooldowns and budgets in memory with the same rules as the DynamoDB one. */
export class MemoryLedger implements ActionLedger {
  readonly cooldownUntil = new Map<string, number>();
  readonly used = new Map<string, number>();
  readonly messages = new Map<string, { status: RemediationStatus | 'started'; outcome?: RemediationOutcome; at?: Date; reportPending: boolean }>();
  readonly released: string[] = [];

  async claim(c: LedgerClaim) {
    const verdict = await this.peek(c);
    if (!verdict.ok) return verdict;
    this.cooldownUntil.set(c.targetId, c.now.getTime() + c.cooldownSeconds * 1000);
    this.used.set(c.targetId, (this.used.get(c.targetId) ?? 0) + 1);
    this.used.set('global', (this.used.get('global') ?? 0) + 1);
    return { ok: true as const, claimId: `claim-${c.targetId}` };
  }
  async peek(c: LedgerClaim) {
    if ((this.cooldownUntil.get(c.targetId) ?? 0) > c.now.getTime()) return { ok: false as const, guard: 'cooldown' as const, reason: `target ${c.targetId} is in its cooldown` };
    if ((this.used.get(c.targetId) ?? 0) >= c.targetBudget) return { ok: false as const, guard: 'budget' as const, reason: `target ${c.targetId} budget used` };
    if ((this.used.get('global') ?? 0) >= c.globalBudget) return { ok: false as const, guard: 'budget' as const, reason: 'global budget used' };
    return { ok: true as const, claimId: 'peek' };
  }
  async release(c: LedgerClaim, claimId: string) {
    this.released.push(claimId);
    this.cooldownUntil.delete(c.targetId);
    this.used.set(c.targetId, (this.used.get(c.targetId) ?? 1) - 1);
    this.used.set('global', (this.used.get('global') ?? 1) - 1);
  }
  async startMessage(messageId: string, actionKey: string) {
    const key = `${messageId}|${actionKey}`;
    if (this.messages.has(key)) return false;
    this.messages.set(key, { status: 'started', reportPending: false });
    return true;
  }
  async finishMessage(messageId: string, actionKey: string, outcome: RemediationOutcome, at: Date) {
    this.messages.set(`${messageId}|${actionKey}`, { status: outcome.status, outcome, at, reportPending: false });
  }
  async reportFailed(messageId: string, actionKey: string) {
    const record = this.messages.get(`${messageId}|${actionKey}`);
    if (record) record.reportPending = true;
  }
  async takePendingReport(messageId: string, actionKey: string) {
    const record = this.messages.get(`${messageId}|${actionKey}`);
    if (!record?.reportPending || !record.outcome || !record.at) return undefined;
    record.reportPending = false;
    return { outcome: record.outcome, at: record.at };
  }
  async forgetMessage(messageId: string, actionKey: string) {
    this.messages.delete(`${messageId}|${actionKey}`);
  }
}

/** A node group whose size the test sets; records every resize asked of it. */
export class FakeNodegroups implements NodegroupScaler {
  capacity: NodegroupCapacity = { desired: 3, min: 2, max: 6, asgName: 'eks-retail-prediction-nodegroup-asg' };
  readonly calls: { target: string; desired: number }[] = [];
  failWith?: Error;
  async describe(_target: NodegroupTarget) {
    return { ...this.capacity };
  }
  async setDesired(target: NodegroupTarget, _capacity: NodegroupCapacity, desired: number) {
    if (this.failWith) throw this.failWith;
    this.calls.push({ target: target.id, desired });
    this.capacity = { ...this.capacity, desired };
    return {};
  }
}

/** A deployment whose state the test sets; records every write with its dry-run flag. */
export class FakeDeployments implements DeploymentActuator {
  state: DeploymentState = { replicas: 3, paused: false };
  readonly calls: { op: 'scale' | 'hpa-min' | 'restart'; target: string; value: number | string; dryRun: boolean }[] = [];
  async inspect(_target: DeploymentTarget) {
    return structuredClone(this.state);
  }
  async scale(target: DeploymentTarget, replicas: number, { dryRun }: { dryRun: boolean }) {
    this.calls.push({ op: 'scale', target: target.id, value: replicas, dryRun });
  }
  async setHpaMinReplicas(target: DeploymentTarget, _hpa: string, minReplicas: number, { dryRun }: { dryRun: boolean }) {
    this.calls.push({ op: 'hpa-min', target: target.id, value: minReplicas, dryRun });
  }
  async restart(target: DeploymentTarget, at: string, { dryRun }: { dryRun: boolean }) {
    this.calls.push({ op: 'restart', target: target.id, value: at, dryRun });
  }
}

/** Every remediation port faked in memory; `deps` is what executeRemediation takes. */
export function fakeDeps(overrides: Partial<RemediationDeps> = {}) {
  const ledger = new MemoryLedger();
  const nodegroups = new FakeNodegroups();
  const deployments = new FakeDeployments();
  const audit: AuditEntry[] = [];
  const notices: RefusalNotice[] = [];
  const killSwitch = { engaged: false, reason: undefined as string | undefined };
  const flags = new MemoryFlags();
  /** The silences and windows in force: a test pushes one to pause remediation. */
  const holds: Hold[] = [];
  const deps: RemediationDeps = {
    policy: samplePolicy(),
    dryRun: false,
    killSwitch: { read: async () => ({ ...killSwitch }) },
    pauses: { pausing: async () => pausingHold(holds) },
    ledger,
    audit: { record: async (e) => void audit.push(e) },
    notifier: { tell: async (n) => void notices.push(n) },
    nodegroups,
    deployments,
    breakers: { targets: [{ flag: SAMPLE_BREAKER, ttlMinutes: 30 }], flags },
    now: () => NOW,
    ...overrides,
  };
  return { deps, ledger, nodegroups, deployments, flags, audit, notices, killSwitch, holds };
}
