// Unit tests: the `responder` policy section — stage policies, defaults, refusals naming the field.
import { ConfigError } from '../../../shared/errors';
import { policyForStage } from '../../../shared/policy/load';
import { isAlarmQuery, parseResponderPolicy, serviceForAlarm, unknownScaleTargets } from '../../../shared/responder/policy';
import { SAMPLE_RESPONDER_SECTION, samplePolicy } from './fixtures';

const section = () => structuredClone(SAMPLE_RESPONDER_SECTION) as { services: Record<string, Record<string, unknown>> };
const withService = (patch: Record<string, unknown>) => {
  const s = section();
  s.services['retail-prediction'] = { ...s.services['retail-prediction'], ...patch };
  return s;
};

describe('responder policy section', () => {
  it.each(['local', 'dev', 'prod'])('is in the %s stage policy, hands HighErrorRate to the responder, and scales only remediation targets', (stage) => {
    const policy = policyForStage(stage);
    if (!policy.responder) throw new Error(`${stage} has no responder section`);
    expect(serviceForAlarm(policy.responder, 'RetailPrediction-HighErrorRate')?.name).toBe('retail-prediction');
    expect(unknownScaleTargets(policy.responder, policy.remediation)).toEqual([]);
    const service = policy.responder.services['retail-prediction'];
    // The error rate and latency come from the alarms' own definitions; context from metrics the stack produces.
    expect(service?.queries.map((q) => (isAlarmQuery(q) ? `${q.role} <- alarm ${q.alarm}` : `${q.role} <- ${q.namespace}/${q.metric}`))).toEqual([
      'errorRate <- alarm RetailPrediction-HighErrorRate',
      'latency <- alarm RetailPrediction-HighLatency',
      'requests <- RetailMLOps/APIRequestCount',
      'cpu <- ContainerInsights/node_cpu_utilization',
      'memory <- ContainerInsights/node_memory_utilization',
    ]);
  });

  it('fills defaults', () => {
    const s = section();
    const bare = s.services['retail-prediction'] as Record<string, unknown>;
    delete bare.thresholds;
    delete bare.maxActionsPerIncident;
    delete bare.lookbackMinutes;
    const service = parseResponderPolicy(s).services['retail-prediction'];
    expect(service?.thresholds).toMatchObject({ extremeErrorRatePercent: 50, cpuPercent: 80 });
    expect(service?.maxActionsPerIncident).toBe(3);
    expect(service?.lookbackMinutes).toBe(10);
  });

  it.each([
    ['an unknown key', { breakers: {} }, ': Unrecognized key: "breakers"'],
    ['a bad statistic', { queries: [{ id: 'e', role: 'errorRate', namespace: 'N', metric: 'M', stat: 'Median' }] }, '.queries.0.stat'],
    ['an unknown role', { queries: [{ id: 'e', role: 'disk', namespace: 'N', metric: 'M', stat: 'Average' }] }, '.queries.0.role'],
    ['moderate above extreme', { thresholds: { moderateErrorRatePercent: 60, extremeErrorRatePercent: 50 } }, '.thresholds.moderateErrorRatePercent'],
    ['a restart as scaling', { scale: [{ kind: 'restart-deployment', target: 'retail-forecast-api' }] }, '.scale.0'],
    ['a flag name with a slash', { breaker: { name: 'a/b' } }, '.breaker.name'],
    ['no alarms', { alarms: [] }, '.alarms'],
  ])('refuses %s, naming the field', (_case, patch, field) => {
    expect(() => parseResponderPolicy(withService(patch))).toThrow(ConfigError);
    expect(() => parseResponderPolicy(withService(patch))).toThrow(`responder.services.retail-prediction${field}`);
  });

  it('refuses an alarm handed to two services', () => {
    const s = section();
    s.services.checkout = { ...s.services['retail-prediction'], breaker: { name: 'checkout' } };
    expect(() => parseResponderPolicy(s)).toThrow('responder.services.checkout.alarms: alarm RetailPrediction-HighErrorRate is already handed to service retail-prediction');
  });

  it('names scale targets the remediation section does not declare', () => {
    const policy = samplePolicy();
    expect(unknownScaleTargets(policy, undefined)).toEqual([
      'responder.services.retail-prediction.scale: scale-nodegroup target retail-prediction-nodegroup is not in the remediation section',
      'responder.services.retail-prediction.scale: scale-deployment target retail-forecast-api is not in the remediation section',
    ]);
  });

  it('hands over only the alarms it lists', () => {
    expect(serviceForAlarm(samplePolicy(), 'RetailPrediction-HighCPU')).toBeUndefined();
  });
});
