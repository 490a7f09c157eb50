// Unit tests: which group of a grouped route an alarm joins (each key, several keys, ids kept unambiguous), and the member it becomes.
import { parseAlarmMessage } from '../../../shared/alarm/parse';
import { policyForStage } from '../../../shared/policy/load';
import type { GroupKey } from '../../../shared/policy/schema';
import { buildView, type AlarmView } from '../../../shared/notify/view';
import { alarmPrefix, groupIdentity, memberOf } from '../../../shared/notify/group/identity';
import { loadAlarmMessage } from '../../support/events';

const BASE = 'https://runbooks.example.com/firebreak/';
const arnOf = (name: string) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`;

/** The view of sample `name`'s alarm with `changes` made to its message (a fresh copy each call). */
const viewOf = (name: string, changes: (message: Record<string, unknown>) => Record<string, unknown> = (m) => m): AlarmView => {
  const parsed = parseAlarmMessage(JSON.stringify(changes(loadAlarmMessage(name))));
  if (parsed.type !== 'alarm') throw new Error(parsed.generic.reason);
  const view = buildView({ ...parsed, messageId: 'm-1' }, policyForStage('dev').notify, BASE);
  if (view.type !== 'alarm') throw new Error('not an alarm view');
  return view;
};
const withDimensions = (dimensions: { name: string; value: string }[]) => (m: Record<string, unknown>) => ({
  ...m,
  Trigger: { ...(m.Trigger as Record<string, unknown>), Dimensions: dimensions },
});
const named = (name: string) => (m: Record<string, unknown>) => ({ ...m, AlarmName: name, AlarmArn: arnOf(name) });
const route = (...by: GroupKey[]) => ({ name: 'critical', group: { by, wait: 30_000, interval: 300_000 } });

describe('groupIdentity', () => {
  it('groups by severity: the severity the policy gives the alarm', () => {
    // Prepare
    const view = viewOf('alarm-high-error-rate-alarm');

    // Act
    const identity = groupIdentity(route('severity'), view);

    // Assess
    expect(identity).toEqual({ route: 'critical', key: [{ by: 'severity', value: 'critical' }], id: 'critical/severity=critical' });
  });

  it('groups by alarm prefix: the name up to its first dash, or the whole name without one', () => {
    expect(groupIdentity(route('alarmPrefix'), viewOf('alarm-high-cpu-alarm')).id).toBe('critical/alarmPrefix=RetailPrediction');
    expect(groupIdentity(route('alarmPrefix'), viewOf('alarm-high-cpu-alarm', named('Checkout-API-5xx'))).id).toBe('critical/alarmPrefix=Checkout');
    expect(groupIdentity(route('alarmPrefix'), viewOf('alarm-high-cpu-alarm', named('LonelyAlarm'))).id).toBe('critical/alarmPrefix=LonelyAlarm');
    expect(alarmPrefix('a-b-c')).toBe('a');
  });

  it('groups by service: the Service dimension, else ServiceName, else service', () => {
    const all = [
      { name: 'service', value: 'lower' },
      { name: 'ServiceName', value: 'named' },
      { name: 'ClusterName', value: 'retail-prediction-cluster' },
      { name: 'Service', value: 'checkout' },
    ];
    const valueOf = (dims: typeof all) => groupIdentity(route('service'), viewOf('alarm-high-cpu-alarm', withDimensions(dims))).key[0]?.value;

    expect(valueOf(all)).toBe('checkout');
    expect(valueOf(all.filter((d) => d.name !== 'Service'))).toBe('named');
    expect(valueOf(all.filter((d) => d.name === 'service' || d.name === 'ClusterName'))).toBe('lower');
  });

  it('groups a metric-math alarm by the service dimension of its queries\' metrics', () => {
    // Prepare: the sample's queries have no dimensions; give the second metric one.
    const view = viewOf('alarm-metric-math-alarm', (m) => {
      const trigger = m.Trigger as { Metrics: { MetricStat?: { Metric: { Dimensions: unknown[] } } }[] };
      trigger.Metrics[2]!.MetricStat!.Metric.Dimensions = [{ name: 'ServiceName', value: 'retail-prediction-api' }];
      return m;
    });

    // Act
    const identity = groupIdentity(route('service'), view);

    // Assess
    expect(view.alarm.kind).toBe('metric-math');
    expect(identity.id).toBe('critical/service=retail-prediction-api');
  });

  it('groups by service under the alarm prefix when no metric names a service', () => {
    expect(groupIdentity(route('service'), viewOf('alarm-high-cpu-alarm')).id).toBe('critical/service=RetailPrediction');
    expect(groupIdentity(route('service'), viewOf('alarm-metric-math-alarm')).id).toBe('critical/service=RetailPrediction');
    expect(groupIdentity(route('service'), viewOf('alarm-high-cpu-alarm', withDimensions([{ name: 'Service', value: '' }]))).id).toBe('critical/service=RetailPrediction');
  });

  it('groups by several keys in the route\'s order', () => {
    // Prepare
    const view = viewOf('alarm-high-error-rate-alarm', withDimensions([{ name: 'Service', value: 'checkout' }]));

    // Act
    const identity = groupIdentity(route('service', 'severity', 'alarmPrefix'), view);

    // Assess
    expect(identity).toEqual({
      route: 'critical',
      key: [
        { by: 'service', value: 'checkout' },
        { by: 'severity', value: 'critical' },
        { by: 'alarmPrefix', value: 'RetailPrediction' },
      ],
      id: 'critical/service=checkout,severity=critical,alarmPrefix=RetailPrediction',
    });
    expect(groupIdentity(route('severity', 'service'), view).id).toBe('critical/severity=critical,service=checkout');
  });

  it('percent-encodes /, =, , and % inside a value and the route name, so two groups never share an id; the key keeps the value as it is', () => {
    // Prepare
    const tricky = viewOf('alarm-high-cpu-alarm', withDimensions([{ name: 'Service', value: 'a/b=c,d%2Fe' }]));
    const lookalike = viewOf('alarm-high-cpu-alarm', withDimensions([{ name: 'Service', value: 'a' }]));

    // Act
    const identity = groupIdentity(route('service', 'severity'), tricky);
    const slashed = groupIdentity({ name: 'team/a', group: route('service').group }, lookalike);

    // Assess
    expect(identity.id).toBe('critical/service=a%2Fb%3Dc%2Cd%252Fe,severity=warning');
    expect(identity.key[0]).toEqual({ by: 'service', value: 'a/b=c,d%2Fe' });
    expect(slashed).toEqual({ route: 'team/a', key: [{ by: 'service', value: 'a' }], id: 'team%2Fa/service=a' });
    // A value that spells out a second key is not a second key.
    const forged = viewOf('alarm-high-cpu-alarm', withDimensions([{ name: 'Service', value: 'x,severity=warning' }]));
    const genuine = viewOf('alarm-high-cpu-alarm', withDimensions([{ name: 'Service', value: 'x' }]));
    expect(groupIdentity(route('service'), forged).id).not.toBe(groupIdentity(route('service', 'severity'), genuine).id);
  });

  it('keeps other characters as they are', () => {
    const view = viewOf('alarm-high-cpu-alarm', withDimensions([{ name: 'Service', value: 'retail prediction 🔥 (eu)' }]));
    expect(groupIdentity(route('service'), view).id).toBe('critical/service=retail prediction 🔥 (eu)');
  });
});

describe('memberOf', () => {
  it('is the alarm\'s latest state with its severity, links and the SNS message that brought it', () => {
    // Prepare
    const view = viewOf('alarm-high-cpu-alarm');

    // Act
    const member = memberOf(view, 'sns-42');

    // Assess
    expect(member).toEqual({
      alarmName: 'RetailPrediction-HighCPU',
      state: 'ALARM',
      severity: 'warning',
      changedAt: '2026-11-21T03:10:42.551Z',
      reason: expect.stringMatching(/^Threshold Crossed: 2 out of the last 2 datapoints/),
      messageId: 'sns-42',
      region: 'eu-west-1',
      consoleUrl: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/RetailPrediction-HighCPU',
      runbookUrl: `${BASE}RetailPrediction-HighCPU.md`,
    });
  });
});
