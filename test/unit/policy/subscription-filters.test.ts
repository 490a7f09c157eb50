import { ALARM_STATES, type AlarmState } from '../../../shared/alarm/model';
import { parseAlarmMessage } from '../../../shared/alarm/parse';
import { policyForStage, stageDocument } from '../../../shared/policy/load';
import { parsePolicy } from '../../../shared/policy/parse-policy';
import type { Policy } from '../../../shared/policy/schema';
import {
  EVERY_ALARM,
  FILTER_POLICY_LIMITS,
  filterPolicyCombinations,
  filterPolicyKeys,
  subscriptionFilters,
  subscriptionTemplateValues,
  type FilterPolicy,
  type SubscriptionFilter,
} from '../../../shared/policy/subscription-filters';
import { ALARM_SHAPES, alarmBody, filterPolicyMatches } from '../../support/sns-filter-policy';

/** The prod policy with its remediation rules and responder alarms replaced. */
function policyWith(rules: { alarm: string; state: AlarmState; kind: 'scale-nodegroup' | 'scale-deployment' | 'restart-deployment' }[], responderAlarms = ['RetailPrediction-HighErrorRate']): Policy {
  const document = structuredClone(stageDocument('prod')) as {
    remediation: { rules: unknown[] };
    responder: { services: Record<string, { alarms: string[] }> };
  };
  document.remediation.rules = rules.map(({ alarm, state, kind }) => ({
    alarm,
    state,
    action:
      kind === 'scale-nodegroup'
        ? { kind, target: 'retail-prediction-nodegroup', step: 1 }
        : kind === 'scale-deployment'
          ? { kind, target: 'retail-forecast-api', replicas: { to: 6 } }
          : { kind, target: 'retail-forecast-api' },
  }));
  document.responder.services['retail-prediction']!.alarms = responderAlarms;
  return parsePolicy(document, 'test policy');
}

const filterPolicyOf = (filter: SubscriptionFilter): FilterPolicy => {
  if (filter.kind === 'unsubscribed') throw new Error(`expected a subscription, got: ${filter.reason}`);
  return filter.filterPolicy;
};

/** Every (shape, name, state) the filter delivers, out of the names given. */
function delivered(policy: FilterPolicy, names: readonly string[]): string[] {
  return names.flatMap((name) =>
    ALARM_STATES.flatMap((state) => ALARM_SHAPES.filter((shape) => filterPolicyMatches(policy, alarmBody(shape, name, state))).map((shape) => `${shape} ${name} ${state}`)),
  );
}

const both = (name: string, states: readonly AlarmState[]) => states.flatMap((state) => ALARM_SHAPES.map((shape) => `${shape} ${name} ${state}`));

describe('alarm bodies of both shapes', () => {
  it('parse as the named alarm in the given state, as the functions read them', () => {
    for (const shape of ALARM_SHAPES) {
      const parsed = parseAlarmMessage(alarmBody(shape, 'SomeOther-Alarm', 'INSUFFICIENT_DATA'));
      expect(parsed.type === 'alarm' && { name: parsed.alarm.name, state: parsed.alarm.state, source: parsed.alarm.source }).toEqual({
        name: 'SomeOther-Alarm',
        state: 'INSUFFICIENT_DATA',
        source: shape === 'cloudwatch' ? 'cloudwatch-sns' : 'eventbridge',
      });
    }
  });
});

describe('subscriptionFilters', () => {
  it('gives prod each function its own alarms, in both shapes, the scale functions in their rules’ states only', () => {
    const filters = subscriptionFilters(policyForStage('prod'));
    expect(filters.scaleNodegroup).toEqual({
      kind: 'filtered',
      alarms: [{ alarm: 'RetailPrediction-HighCPU', match: 'exact', value: 'RetailPrediction-HighCPU', states: ['ALARM'] }],
      byState: true,
      combinations: 7,
      filterPolicy: {
        $or: [
          { AlarmName: ['RetailPrediction-HighCPU'], NewStateValue: ['ALARM'] },
          { detail: { alarmName: ['RetailPrediction-HighCPU'], state: { value: ['ALARM'] } } },
        ],
      },
    });
    expect(filterPolicyOf(filters.scaleDeployment)).toEqual({
      $or: [
        { AlarmName: ['RetailPrediction-HighCPU'], NewStateValue: ['ALARM', 'OK'] },
        { detail: { alarmName: ['RetailPrediction-HighCPU'], state: { value: ['ALARM', 'OK'] } } },
      ],
    });
    // The responder acts on every state of its services' alarms.
    expect(filters.respond).toMatchObject({ kind: 'filtered', byState: false, filterPolicy: { $or: [{ AlarmName: ['RetailPrediction-HighErrorRate'] }, { detail: { alarmName: ['RetailPrediction-HighErrorRate'] } }] } });
  });

  it('selects exactly the (alarm, state) pairs the rules name, one pair of alternatives per set of states', () => {
    const policy = policyWith([
      { alarm: 'A', state: 'ALARM', kind: 'scale-deployment' },
      { alarm: 'B', state: 'ALARM', kind: 'restart-deployment' },
      { alarm: 'B', state: 'OK', kind: 'scale-deployment' },
      { alarm: 'C', state: 'ALARM', kind: 'scale-deployment' },
      { alarm: 'D', state: 'OK', kind: 'scale-nodegroup' },
    ]);
    const filter = filterPolicyOf(subscriptionFilters(policy).scaleDeployment);
    expect((filter.$or as FilterPolicy[]).length).toBe(4);
    expect(delivered(filter, ['A', 'B', 'C', 'D', 'E'])).toEqual([...both('A', ['ALARM']), ...both('B', ['ALARM', 'OK']), ...both('C', ['ALARM'])]);
    expect(delivered(filterPolicyOf(subscriptionFilters(policy).scaleNodegroup), ['A', 'B', 'C', 'D'])).toEqual(both('D', ['OK']));
  });

  it('drops the state key for an alarm the function acts on in every state', () => {
    const policy = policyWith(ALARM_STATES.map((state) => ({ alarm: 'A', state, kind: 'scale-nodegroup' as const })));
    expect(subscriptionFilters(policy).scaleNodegroup).toMatchObject({ kind: 'filtered', byState: false, filterPolicy: { $or: [{ AlarmName: ['A'] }, { detail: { alarmName: ['A'] } }] } });
  });

  it('selects a pattern with one trailing * by prefix, and any other * as every alarm, saying why', () => {
    const prefixed = subscriptionFilters(policyWith([], ['RetailPrediction-*', 'Exact']));
    expect(filterPolicyOf(prefixed.respond)).toEqual({ $or: [{ AlarmName: ['Exact', { prefix: 'RetailPrediction-' }] }, { detail: { alarmName: ['Exact', { prefix: 'RetailPrediction-' }] } }] });
    expect(delivered(filterPolicyOf(prefixed.respond), ['RetailPrediction-HighCPU', 'Exact', 'Other-Exact'])).toEqual([
      ...both('RetailPrediction-HighCPU', ALARM_STATES),
      ...both('Exact', ALARM_STATES),
    ]);
    for (const pattern of ['Retail*Latency', '*']) {
      const inner = subscriptionFilters(policyWith([], [pattern])).respond;
      expect(inner).toEqual({ kind: 'every-alarm', reason: expect.stringContaining(`alarm pattern ${pattern} has a * that is not at its end`), filterPolicy: EVERY_ALARM, combinations: 3 });
    }
  });

  it('receives every alarm, and no other message, when it falls back', () => {
    expect(delivered(EVERY_ALARM, ['A', 'B'])).toEqual([...both('A', ALARM_STATES), ...both('B', ALARM_STATES)]);
    expect(filterPolicyMatches(EVERY_ALARM, '{"detail-type":"Scheduled Event","detail":{}}')).toBe(false);
    expect(filterPolicyMatches(EVERY_ALARM, 'Disk full on build-agent-3')).toBe(false);
  });

  it('stops selecting states when they would pass SNS’s 150 combinations, and falls back to every alarm past the names', () => {
    // 7 combinations per (name, state) with states (1 + 2 x 3), 3 per name without (1 + 2).
    const byState = policyWith(Array.from({ length: 22 }, (_, i) => ({ alarm: `Alarm-${String(i).padStart(2, '0')}`, state: 'ALARM' as const, kind: 'scale-nodegroup' as const })));
    expect(subscriptionFilters(byState).scaleNodegroup).toMatchObject({ kind: 'filtered', byState: false, note: "not selected by state: 154 value combinations, over SNS's 150", combinations: 66 });
    const atLimit = policyWith(Array.from({ length: 21 }, (_, i) => ({ alarm: `Alarm-${i}`, state: 'ALARM' as const, kind: 'scale-nodegroup' as const })));
    expect(subscriptionFilters(atLimit).scaleNodegroup).toMatchObject({ kind: 'filtered', byState: true, combinations: 147 });
    const names = Array.from({ length: 51 }, (_, i) => `Alarm-${i}`);
    expect(subscriptionFilters(policyWith([], names)).respond).toMatchObject({ kind: 'every-alarm', reason: "its 51 alarms do not fit one filter policy: 153 value combinations, over SNS's 150" });
    expect(subscriptionFilters(policyWith([], names.slice(0, 50))).respond).toMatchObject({ kind: 'filtered', combinations: 150 });
  });

  it('does not subscribe a function that handles no alarm, and says why', () => {
    const onlyNodegroup = subscriptionFilters(policyWith([{ alarm: 'A', state: 'ALARM', kind: 'scale-nodegroup' }]));
    expect(onlyNodegroup.scaleDeployment).toEqual({ kind: 'unsubscribed', reason: 'no remediation rule has an action of kind scale-deployment or restart-deployment' });
    const { remediation: _r, responder: _s, ...notifyOnly } = policyForStage('prod');
    const none = subscriptionFilters(notifyOnly);
    expect(none).toEqual({
      scaleNodegroup: { kind: 'unsubscribed', reason: 'the policy has no remediation section' },
      scaleDeployment: { kind: 'unsubscribed', reason: 'the policy has no remediation section' },
      respond: { kind: 'unsubscribed', reason: 'the policy has no responder section' },
    });
  });
});

describe('SNS filter policy limits', () => {
  it('counts combinations as the SNS developer guide works its two $or examples', () => {
    const standard: FilterPolicy = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { metricType: ['MetricType'], $or: [{ metricId: ['1234', '4321'] }, { spaceId: ['1000', '2000', '3000'] }] }],
    };
    expect(filterPolicyCombinations(standard)).toBe(7);
    const nested: FilterPolicy = {
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      detail: { scope: ['Service'], $or: [{ source: ['aws.cloudwatch'] }, { type: ['CloudWatch Alarm State Change'] }] },
    };
    expect(filterPolicyCombinations(nested)).toBe(32);
    expect(filterPolicyKeys(nested).sort()).toEqual(['detail.scope', 'detail.source', 'detail.type', 'metricName', 'namespace']);
  });

  it('keeps every stage’s filters within SNS’s limits', () => {
    for (const stage of ['local', 'dev', 'prod']) {
      for (const filter of Object.values(subscriptionFilters(policyForStage(stage)))) {
        const policy = filterPolicyOf(filter);
        expect(filterPolicyCombinations(policy)).toBeLessThanOrEqual(FILTER_POLICY_LIMITS.combinations);
        expect(filterPolicyKeys(policy).length).toBeLessThanOrEqual(FILTER_POLICY_LIMITS.keys);
      }
    }
  });
});

describe('subscriptionTemplateValues', () => {
  it('gives serverless.yml each condition and filter policy, and no filter policy to a function that is not subscribed', () => {
    const filters = subscriptionFilters(policyWith([{ alarm: 'A', state: 'ALARM', kind: 'scale-nodegroup' }]));
    expect(subscriptionTemplateValues(filters)).toEqual({
      receivesAlarms: { scaleNodegroup: 'true', scaleDeployment: 'false', respond: 'true' },
      filterPolicy: { scaleNodegroup: filterPolicyOf(filters.scaleNodegroup), scaleDeployment: { Ref: 'AWS::NoValue' }, respond: filterPolicyOf(filters.respond) },
    });
  });
});
