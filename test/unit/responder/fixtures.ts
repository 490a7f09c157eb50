// Test fixtures for the responder: the sample service policy and diagnostics built from plain values.
import type { Diagnostics, MetricReading } from '../../../shared/responder/diagnose';
import { parseResponderPolicy, type MetricRole, type ResponderPolicy, type ServicePolicy } from '../../../shared/responder/policy';

export const SAMPLE_RESPONDER_SECTION = {
  services: {
    'retail-prediction': {
      alarms: ['RetailPrediction-HighErrorRate'],
      lookbackMinutes: 10,
      periodSeconds: 60,
      // As the stage policies: the error rate and latency as their alarms compute them, context from produced metrics.
      queries: [
        { id: 'errorRate', role: 'errorRate', alarm: 'RetailPrediction-HighErrorRate' },
        { id: 'latencyP95', role: 'latency', alarm: 'RetailPrediction-HighLatency' },
        { id: 'requests', role: 'requests', namespace: 'RetailMLOps', metric: 'APIRequestCount', stat: 'Sum', unit: 'Count' },
        { id: 'nodeCpu', role: 'cpu', namespace: 'ContainerInsights', metric: 'node_cpu_utilization', stat: 'Average', dimensions: { ClusterName: 'retail-prediction-cluster' }, unit: 'Percent' },
        { id: 'nodeMemory', role: 'memory', namespace: 'ContainerInsights', metric: 'node_memory_utilization', stat: 'Average', dimensions: { ClusterName: 'retail-prediction-cluster' }, unit: 'Percent' },
      ],
      thresholds: { cpuPercent: 80, memoryPercent: 85, latency: 200, moderateErrorRatePercent: 20, extremeErrorRatePercent: 50, healthyErrorRatePercent: 5 },
      scale: [
        { kind: 'scale-nodegroup', target: 'retail-prediction-nodegroup', step: 1 },
        { kind: 'scale-deployment', target: 'retail-forecast-api', replicas: { to: 6 } },
      ],
      breaker: { name: 'retail-prediction-api', ttlMinutes: 30 },
      maxActionsPerIncident: 3,
    },
  },
};

export const samplePolicy = (): ResponderPolicy => parseResponderPolicy(structuredClone(SAMPLE_RESPONDER_SECTION));

export function sampleService(overrides: Partial<ServicePolicy> = {}): ServicePolicy {
  const service = samplePolicy().services['retail-prediction'];
  if (!service) throw new Error('sample policy has no retail-prediction service');
  return { ...service, ...overrides };
}

/** Diagnostics whose latest value per role is given; a role left out has no datapoints. */
export function diagnosticsOf(values: Partial<Record<MetricRole, number>>): Diagnostics {
  const roles: MetricRole[] = ['errorRate', 'latency', 'requests', 'cpu'];
  const readings: MetricReading[] = roles.map((role) => {
    const v = values[role];
    const base = { id: role, role, label: `Test/${role} Average`, points: v === undefined ? 0 : 1 };
    return v === undefined ? base : { ...base, latest: v, max: v, min: v, latestAt: '2026-11-21T03:12:00.000Z' };
  });
  if (values.memory !== undefined) {
    readings.push({ id: 'memory', role: 'memory', label: 'Test/memory Average', points: 1, latest: values.memory, max: values.memory, min: values.memory });
  }
  return { from: '2026-11-21T03:03:00.000Z', to: '2026-11-21T03:13:00.000Z', readings, values };
}
