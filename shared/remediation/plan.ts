// Domain: the scaling maths and the hard-bounds guard — pure, no SDK, no environment.
import type { DeploymentTarget, NodegroupTarget } from './policy';
import type { DeploymentState, NodegroupCapacity } from './types';

/** A size change the bounds allow, or why they do not. */
export type BoundedChange =
  | { readonly ok: true; readonly before: number; readonly after: number; readonly min: number; readonly max: number; readonly capped: boolean }
  | { readonly ok: false; readonly before: number; readonly min: number; readonly max: number; readonly reason: string };

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, n));

/**
 * Applies a requested size to bounds: never above max, never below min, no decrease unless allowed,
 * and no call when nothing would change (already at the bound the request pushes against).
 */
export function boundChange(
  what: 'capacity' | 'replicas',
  before: number,
  requested: number,
  bounds: { readonly min: number; readonly max: number; readonly allowScaleDown: boolean },
): BoundedChange {
  const { min, max } = bounds;
  if (requested < before && !bounds.allowScaleDown) {
    return { ok: false, before, min, max, reason: `scale-down from ${before} to ${requested} is not allowed by the policy` };
  }
  const after = clamp(requested, min, max);
  // A size already outside the bounds (max lowered, someone scaled by hand) must not turn a request into
  // its opposite: capping a +1 at 12 of max 10 would remove replicas in the middle of an incident.
  const asked = Math.sign(requested - before);
  const moved = Math.sign(after - before);
  if (moved !== 0 && moved !== asked) {
    const where = moved < 0 ? `above maximum ${what} (${before} of max ${max})` : `below minimum ${what} (${before} of min ${min})`;
    const wanted = asked > 0 ? 'an increase' : asked < 0 ? 'a decrease' : 'no change';
    return { ok: false, before, min, max, reason: `already ${where}; ${wanted} was requested, and capping it to ${after} would go the other way` };
  }
  if (after === before) {
    const reason =
      requested > before
        ? `already at maximum ${what} (${before} of max ${max})`
        : requested < before
          ? `already at minimum ${what} (${before} of min ${min})`
          : `already at ${before} ${what === 'capacity' ? 'nodes' : 'replicas'}`;
    return { ok: false, before, min, max, reason };
  }
  return { ok: true, before, after, min, max, capped: after !== requested };
}

/** The node group's own bounds narrowed by the policy's optional minSize/maxSize. */
export function nodegroupBounds(target: NodegroupTarget, capacity: NodegroupCapacity): { min: number; max: number } {
  const min = Math.max(capacity.min, target.minSize ?? capacity.min);
  const max = Math.min(capacity.max, target.maxSize ?? capacity.max);
  return { min, max: Math.max(min, max) };
}

/** Node group: current desired size plus the rule's step, within the combined bounds. */
export function planNodegroup(target: NodegroupTarget, capacity: NodegroupCapacity, step: number): BoundedChange {
  const { min, max } = nodegroupBounds(target, capacity);
  return boundChange('capacity', capacity.desired, capacity.desired + step, { min, max, allowScaleDown: target.allowScaleDown });
}

/** Where replicas are changed: the deployment itself, or the minReplicas of the HPA that owns it. */
export type ReplicaPlan =
  | { readonly ok: true; readonly via: 'deployment' | 'hpa-min'; readonly before: number; readonly after: number; readonly capped: boolean; readonly hpaName?: string }
  | { readonly ok: false; readonly guard: 'bounds' | 'target-state'; readonly reason: string; readonly before: number };

/** Deployment: an absolute count or a step, capped by the target's min/max (and the HPA's max when it owns the deployment). */
export function planReplicas(target: DeploymentTarget, state: DeploymentState, replicas: { step: number } | { to: number }): ReplicaPlan {
  if (state.hpa && target.hpa === 'skip') {
    return {
      ok: false,
      guard: 'target-state',
      before: state.replicas,
      reason: `HPA ${state.hpa.name} owns ${target.namespace}/${target.name}; the policy says to leave it to the HPA`,
    };
  }
  const hpa = state.hpa;
  const before = hpa ? hpa.minReplicas : state.replicas;
  const requested = 'to' in replicas ? replicas.to : before + replicas.step;
  const max = hpa ? Math.min(target.maxReplicas, hpa.maxReplicas) : target.maxReplicas;
  // An HPA whose max is below the policy's minReplicas leaves no count both allow: capping to the HPA's
  // max would go below the policy's minimum, so nothing is changed and people are told why.
  if (hpa && max < target.minReplicas) {
    return {
      ok: false,
      guard: 'bounds',
      before,
      reason: `HPA ${hpa.name} maxReplicas ${hpa.maxReplicas} is below the policy's minReplicas ${target.minReplicas}: no replica count is within both`,
    };
  }
  const change = boundChange('replicas', before, requested, { min: target.minReplicas, max, allowScaleDown: target.allowScaleDown });
  if (!change.ok) return { ok: false, guard: 'bounds', reason: hpa ? `HPA ${hpa.name} minReplicas: ${change.reason}` : change.reason, before };
  return { ok: true, via: hpa ? 'hpa-min' : 'deployment', before, after: change.after, capped: change.capped, hpaName: hpa?.name };
}
