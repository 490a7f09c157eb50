// Unit tests (pure): an alarm's definition from its notification's Trigger or from DescribeAlarms, spelled out as GetMetricData queries.
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { alarmQueries, definitionFromNotification, renameIds } from '../../../shared/responder/alarm-definition';
import type { AlarmMetricQuery } from '../../../shared/responder/policy';
import { alarmWithTrigger, ERROR_RATE_TRIGGER, REFERENCE_ALARMS } from './doubles';

const [highErrorRate, highLatency] = REFERENCE_ALARMS as [MetricAlarm, MetricAlarm];
const errorRateQuery: AlarmMetricQuery = { id: 'errorRate', role: 'errorRate', alarm: 'RetailPrediction-HighErrorRate' };
const latencyQuery: AlarmMetricQuery = { id: 'latencyP95', role: 'latency', alarm: 'RetailPrediction-HighLatency' };

describe('definitionFromNotification: the Trigger of the notification', () => {
  it('single metric with a statistic in SNS spelling (AVERAGE) and lower-case dimension keys', () => {
    const { alarm } = alarmWithTrigger('alarm-high-error-rate-alarm', {
      MetricName: 'APIErrorCount',
      Namespace: 'RetailMLOps',
      StatisticType: 'Statistic',
      Statistic: 'AVERAGE',
      Unit: 'Count',
      Dimensions: [{ value: 'retail-prediction-api', name: 'Service' }],
      Period: 60,
      EvaluationPeriods: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 5.0,
    });

    const definition = definitionFromNotification(alarm);

    expect(definition).toEqual({
      AlarmName: 'RetailPrediction-HighErrorRate',
      Namespace: 'RetailMLOps',
      MetricName: 'APIErrorCount',
      Statistic: 'Average',
      Dimensions: [{ Name: 'Service', Value: 'retail-prediction-api' }],
      Period: 60,
      Unit: 'Count',
    });
    expect(alarmQueries(errorRateQuery, definition!)).toEqual([
      {
        Id: 'errorRate',
        Label: 'RetailPrediction-HighErrorRate (alarm metric)',
        ReturnData: true,
        MetricStat: { Metric: { Namespace: 'RetailMLOps', MetricName: 'APIErrorCount', Dimensions: [{ Name: 'Service', Value: 'retail-prediction-api' }] }, Period: 60, Stat: 'Average', Unit: 'Count' },
      },
    ]);
  });

  it('single metric with an extended statistic (p95) and no unit', () => {
    const { alarm } = alarmWithTrigger('alarm-high-latency-alarm', {
      MetricName: 'InferenceLatency',
      Namespace: 'RetailMLOps',
      StatisticType: 'ExtendedStatistic',
      ExtendedStatistic: 'p95',
      Unit: null,
      Dimensions: [],
      Period: 60,
      EvaluationPeriods: 3,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 200.0,
    });

    const [query] = alarmQueries(latencyQuery, definitionFromNotification(alarm)!);

    expect(query?.MetricStat).toEqual({ Metric: { Namespace: 'RetailMLOps', MetricName: 'InferenceLatency', Dimensions: [] }, Period: 60, Stat: 'p95' });
  });

  it('metric math: the same queries as DescribeAlarms gives, so both paths ask CloudWatch the same thing', () => {
    const { alarm } = alarmWithTrigger('alarm-high-error-rate-alarm', ERROR_RATE_TRIGGER);

    const definition = definitionFromNotification(alarm);

    expect(definition?.Metrics?.map((m) => m.Id)).toEqual(['errorRate', 'apiErrors', 'apiRequests']);
    expect(alarmQueries(errorRateQuery, definition!)).toEqual(alarmQueries(errorRateQuery, highErrorRate));
  });

  it('keeps the unit an inner MetricStat names', () => {
    const withUnit = structuredClone(ERROR_RATE_TRIGGER) as { Metrics: { MetricStat?: { Unit?: string } }[] };
    for (const m of withUnit.Metrics) if (m.MetricStat) m.MetricStat.Unit = 'Count';
    const { alarm } = alarmWithTrigger('alarm-high-error-rate-alarm', withUnit);

    expect(alarmQueries(errorRateQuery, definitionFromNotification(alarm)!)[1]?.MetricStat?.Unit).toBe('Count');
  });

  it('is undefined when there is no Trigger, or its metric lacks what a query needs: DescribeAlarms is asked instead', () => {
    expect(definitionFromNotification(alarmWithTrigger('alarm-high-error-rate-alarm', null).alarm)).toBeUndefined();
    expect(definitionFromNotification(alarmWithTrigger('alarm-high-latency-alarm', { MetricName: 'InferenceLatency', Namespace: 'RetailMLOps', Period: 60 }).alarm)).toBeUndefined();
    const noPeriod = structuredClone(ERROR_RATE_TRIGGER) as { Metrics: { MetricStat?: { Period?: number } }[]; Period?: number };
    delete noPeriod.Metrics[1]!.MetricStat!.Period;
    expect(definitionFromNotification(alarmWithTrigger('alarm-high-error-rate-alarm', noPeriod).alarm)).toBeUndefined();
  });
});

describe('alarmQueries: DescribeAlarms → GetMetricData queries', () => {
  it('metric math as the alarm computes it: inner ids prefixed, the compared value under the policy id, only it returned', () => {
    const queries = alarmQueries(errorRateQuery, highErrorRate);

    expect(queries.map((q) => [q.Id, q.ReturnData, q.Expression])).toEqual([
      ['errorRate', true, '100 * errorRate_apiErrors / errorRate_apiRequests'],
      ['errorRate_apiErrors', false, undefined],
      ['errorRate_apiRequests', false, undefined],
    ]);
    expect(queries[1]?.MetricStat).toEqual({ Metric: { Namespace: 'RetailMLOps', MetricName: 'APIErrorCount' }, Period: 60, Stat: 'Sum' });
  });

  it('a single-metric alarm with its own statistic and period', () => {
    expect(alarmQueries(latencyQuery, highLatency)).toEqual([
      {
        Id: 'latencyP95',
        Label: 'RetailPrediction-HighLatency (alarm metric)',
        ReturnData: true,
        MetricStat: { Metric: { Namespace: 'RetailMLOps', MetricName: 'InferenceLatency', Dimensions: [] }, Period: 60, Stat: 'p95' },
      },
    ]);
  });

  it('an inner id already taken by another query of the request gets a suffix, in the expression too', () => {
    const taken = new Set(['errorRate', 'errorRate_apiErrors', 'errorRate_apiErrors_2']);

    const queries = alarmQueries(errorRateQuery, highErrorRate, taken);

    expect(queries.map((q) => q.Id)).toEqual(['errorRate', 'errorRate_apiErrors_3', 'errorRate_apiRequests']);
    expect(queries[0]?.Expression).toBe('100 * errorRate_apiErrors_3 / errorRate_apiRequests');
    expect(taken).toEqual(new Set(['errorRate', 'errorRate_apiErrors', 'errorRate_apiErrors_2', 'errorRate_apiErrors_3', 'errorRate_apiRequests']));
  });

  it('an alarm whose returned query is referenced by another keeps the reference pointing at it', () => {
    const chained: MetricAlarm = {
      AlarmName: 'Chained',
      Metrics: [
        { Id: 'm1', MetricStat: { Metric: { Namespace: 'N', MetricName: 'A' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
        { Id: 'e1', Expression: 'm1 * 2', ReturnData: false },
        { Id: 'e2', Expression: 'e1 + m1', ReturnData: true },
      ],
    };
    const queries = alarmQueries({ id: 'x', role: 'requests', alarm: 'Chained' }, chained);
    expect(queries.map((q) => [q.Id, q.Expression])).toEqual([
      ['x_m1', undefined],
      ['x_e1', 'x_m1 * 2'],
      ['x', 'x_e1 + x_m1'],
    ]);
  });

  it('anomaly detection: the value the alarm watches, without the band it is compared with', () => {
    const anomaly: MetricAlarm = {
      AlarmName: 'Anomaly',
      ThresholdMetricId: 'ad1',
      Metrics: [
        { Id: 'm1', MetricStat: { Metric: { Namespace: 'RetailMLOps', MetricName: 'InferenceLatency' }, Period: 300, Stat: 'Average' }, ReturnData: true },
        { Id: 'ad1', Expression: 'ANOMALY_DETECTION_BAND(m1, 2)', ReturnData: true },
      ],
    };
    expect(alarmQueries({ id: 'latency', role: 'latency', alarm: 'Anomaly' }, anomaly).map((q) => [q.Id, q.ReturnData])).toEqual([['latency', true]]);
  });

  it.each([
    ['metric math that returns two values', { AlarmName: 'A', Metrics: [{ Id: 'a', Expression: '1', ReturnData: true }, { Id: 'b', Expression: '2', ReturnData: true }] }, /returns 2 queries; expected exactly one/],
    ['METRICS(), which would read the other queries of the request', { AlarmName: 'A', Metrics: [{ Id: 'e', Expression: 'SUM(METRICS())', ReturnData: true }] }, /uses METRICS\(\)/],
    ['neither a metric nor metric math', { AlarmName: 'A' }, /watches neither a metric/],
  ])('refuses %s as an unreadable definition', (_case, alarm, why) => {
    const run = () => alarmQueries({ id: 'q', role: 'errorRate', alarm: 'A' }, alarm as MetricAlarm);
    expect(run).toThrow(why);
    expect(run).toThrow(/^could not read the definition of alarm A: /);
  });
});

describe('renameIds', () => {
  const rename = new Map([
    ['m1', 'q_m1'],
    ['e1', 'q'],
  ]);

  it('renames whole identifiers only, leaving operators, numbers, functions and spacing as they were', () => {
    expect(renameIds('100*m1/(m1+e1) - m10 + 1e5', rename)).toBe('100*q_m1/(q_m1+q) - m10 + 1e5');
    expect(renameIds('FILL(m1, 0) + RATE(e1)', rename)).toBe('FILL(q_m1, 0) + RATE(q)');
  });

  it('never inside a quoted string', () => {
    expect(renameIds(`SEARCH('{RetailMLOps} MetricName="m1"', 'Sum', 60) + m1`, rename)).toBe(`SEARCH('{RetailMLOps} MetricName="m1"', 'Sum', 60) + q_m1`);
  });
});
