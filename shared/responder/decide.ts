// Responder, step 3: the pure decision table — from diagnostics to scale, open the breaker, or page.
import { hasNoData, type Diagnostics } from './diagnose';
import type { RemediationAction } from '../remediation/policy';
import type { ScaleAction, ServicePolicy, Thresholds } from './policy';

/** Which row of the table matched; stable names for logs, the timeline and tests. */
export type DecisionRule =
  | 'insufficient-data'
  | 'extreme-error-rate'
  | 'cpu-high'
  | 'memory-high'
  | 'latency-high-errors-moderate'
  | 'capacity-without-targets'
  | 'unclassified';

/** What the responder will do, and why in words a person on call can check against the numbers. */
export type Decision =
  | { readonly action: 'scale'; readonly rule: DecisionRule; readonly reasoning: string; readonly actions: readonly ScaleAction[] }
  | { readonly action: 'open-breaker'; readonly rule: DecisionRule; readonly reasoning: string; readonly flag: string }
  | { readonly action: 'page'; readonly rule: DecisionRule; readonly reasoning: string };

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/**
 * The decision table, first matching row wins:
 * 1. no datapoints at all, or (dry run) metrics that could not be read → page (never act blind);
 * 2. error rate over the extreme line → open the circuit breaker (shedding load beats adding capacity to a failing service);
 * 3. CPU or memory over its line, or latency high while the error rate is moderate → scale
 *    (or page when the policy names nothing to scale);
 * 4. anything else → page with the diagnostics.
 * "Over" is strictly greater than; a value exactly on a line does not cross it.
 */
export function decide(d: Diagnostics, service: ServicePolicy): Decision {
  const t = service.thresholds;
  const v = d.values;
  if (d.unavailable !== undefined) {
    return { action: 'page', rule: 'insufficient-data', reasoning: `Diagnostics unavailable (${d.unavailable}): not acting blind.` };
  }
  if (hasNoData(d)) {
    return { action: 'page', rule: 'insufficient-data', reasoning: `No datapoints for any query between ${d.from} and ${d.to}: not acting blind.` };
  }
  if (v.errorRate !== undefined && v.errorRate > t.extremeErrorRatePercent) {
    return {
      action: 'open-breaker',
      rule: 'extreme-error-rate',
      flag: service.breaker.name,
      reasoning: `Error rate ${fmt(v.errorRate)}% is over the extreme line of ${fmt(t.extremeErrorRatePercent)}%: opening circuit breaker ${service.breaker.name} to shed load.`,
    };
  }
  const capacity = capacityProblem(d, t);
  if (capacity) {
    if (service.scale.length === 0) {
      return { action: 'page', rule: 'capacity-without-targets', reasoning: `${capacity.why}, but the policy names nothing to scale.` };
    }
    const names = service.scale.map(describeScale).join(', ');
    return { action: 'scale', rule: capacity.rule, actions: service.scale, reasoning: `${capacity.why}: scaling ${names}.` };
  }
  return { action: 'page', rule: 'unclassified', reasoning: `No automatic remedy fits (${summarise(d)}): a person should look.` };
}

/** What a decision asks of the remediation engine: its scalings, or opening the breaker; nothing for a page. */
export function planOf(decision: Decision): RemediationAction[] {
  switch (decision.action) {
    case 'scale':
      return [...decision.actions];
    case 'open-breaker':
      return [{ kind: 'open-breaker', target: decision.flag, reason: decision.reasoning }];
    case 'page':
      return [];
  }
}

/** `node group retail-prediction-nodegroup +1`, `deployment retail-forecast-api to 6`. */
export function describeScale(a: ScaleAction): string {
  if (a.kind === 'scale-nodegroup') return `node group ${a.target} ${a.step > 0 ? '+' : ''}${a.step}`;
  const r = a.replicas;
  return 'to' in r ? `deployment ${a.target} to ${r.to}` : `deployment ${a.target} ${r.step > 0 ? '+' : ''}${r.step}`;
}

function capacityProblem(d: Diagnostics, t: Thresholds): { rule: DecisionRule; why: string } | undefined {
  const v = d.values;
  if (v.cpu !== undefined && v.cpu > t.cpuPercent) {
    return { rule: 'cpu-high', why: `CPU ${fmt(v.cpu)}% is over ${fmt(t.cpuPercent)}%` };
  }
  if (v.memory !== undefined && v.memory > t.memoryPercent) {
    return { rule: 'memory-high', why: `Memory ${fmt(v.memory)}% is over ${fmt(t.memoryPercent)}%` };
  }
  if (v.latency !== undefined && v.latency > t.latency && v.errorRate !== undefined && v.errorRate <= t.moderateErrorRatePercent) {
    return {
      rule: 'latency-high-errors-moderate',
      why: `Latency ${fmt(v.latency)} is over ${fmt(t.latency)} while the error rate ${fmt(v.errorRate)}% is moderate (at most ${fmt(t.moderateErrorRatePercent)}%)`,
    };
  }
  return undefined;
}

/**
 * Healthy enough to close a breaker: data present, error rate known and at or below the healthy line,
 * and no capacity problem.
 */
export function isHealthy(d: Diagnostics, t: Thresholds): boolean {
  if (hasNoData(d)) return false;
  const rate = d.values.errorRate;
  if (rate === undefined || rate > t.healthyErrorRatePercent) return false;
  return capacityProblem(d, t) === undefined;
}

/** One line of the latest values, `errorRate=7.3 latency=240 cpu=91`, for messages. */
export function summarise(d: Diagnostics): string {
  if (d.unavailable !== undefined) return `diagnostics unavailable (${d.unavailable})`;
  const parts = Object.entries(d.values).map(([role, value]) => `${role}=${fmt(value)}`);
  return parts.length > 0 ? parts.join(' ') : 'no datapoints';
}
