// Unit tests: diagnosis by queries that read the metric an alarm watches — from the notification's Trigger, else DescribeAlarms.
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { policyForStage } from '../../../shared/policy/load';
import { cloudWatchMetricsSource } from '../../../shared/responder/cloudwatch';
import { diagnose, metricDataRequest } from '../../../shared/responder/diagnose';
import { decide } from '../../../shared/responder/decide';
import { parseResponderPolicy, type ServicePolicy } from '../../../shared/responder/policy';
import { alarmWithTrigger, describedAlarms, ERROR_RATE_TRIGGER, EvaluatingMetrics, REFERENCE_ALARMS } from './doubles';

const cloudWatch = mockClient(CloudWatchClient);
const now = new Date('2026-11-21T03:13:05.123Z');
const at = (minute: number) => new Date(`2026-11-21T03:${String(minute).padStart(2, '0')}:00.000Z`);
const [highErrorRate] = REFERENCE_ALARMS as [(typeof REFERENCE_ALARMS)[number]];
const prodService = (): ServicePolicy => {
  const service = policyForStage('prod').responder?.services['retail-prediction'];
  if (!service) throw new Error('prod has no retail-prediction responder');
  return service;
};
const source = () => cloudWatchMetricsSource(new CloudWatchClient({ region: 'eu-west-1' }));
const describeReferenceAlarms = () =>
  cloudWatch.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[] }) => ({ MetricAlarms: describedAlarms(input.AlarmNames) }));
/** The produced metrics, latest values: 62 errors in 1,000 requests is an error rate of 6.2 %. */
const PRODUCED = {
  'RetailMLOps/APIErrorCount': 62,
  'RetailMLOps/APIRequestCount': 1000,
  'RetailMLOps/InferenceLatency': 140,
  'ContainerInsights/node_cpu_utilization': 40,
  'ContainerInsights/node_memory_utilization': 50,
};

beforeEach(() => cloudWatch.reset());

describe('diagnose from DescribeAlarms (no notification: the breaker sweep)', () => {
  it('describes every alarm it reads in one call, then reads the error rate the alarm computes', async () => {
    describeReferenceAlarms();
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'errorRate', Timestamps: [at(11), at(12)], Values: [58, 62], StatusCode: 'Complete' },
        { Id: 'nodeMemory', Timestamps: [at(12)], Values: [91], StatusCode: 'Complete' },
      ],
    });

    const d = await diagnose(prodService(), source(), now);

    expect(cloudWatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 1);
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['RetailPrediction-HighErrorRate', 'RetailPrediction-HighLatency'], AlarmTypes: ['MetricAlarm'] });
    const ids = cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input.MetricDataQueries?.map((q) => q.Id);
    expect(ids).toEqual(['errorRate', 'errorRate_apiErrors', 'errorRate_apiRequests', 'latencyP95', 'requests', 'nodeCpu', 'nodeMemory']);
    expect(d.values).toEqual({ errorRate: 62, memory: 91 });
  });

  it('computes the error rate from the counts the way the alarm does', async () => {
    const metrics = new EvaluatingMetrics(PRODUCED);

    const d = await diagnose(prodService(), metrics, now);

    expect(metrics.described).toEqual([['RetailPrediction-HighErrorRate', 'RetailPrediction-HighLatency']]);
    expect(d.values).toEqual({ errorRate: 6.2, latency: 140, requests: 1000, cpu: 40, memory: 50 });
    expect(d.readings.find((r) => r.id === 'nodeCpu')?.unit).toBe('Percent');
  });
});

describe('diagnose from the notification (ALARM, OK)', () => {
  it("takes the notification's own alarm from its metric-math Trigger and describes only the others", async () => {
    const metrics = new EvaluatingMetrics(PRODUCED);
    const { alarm } = alarmWithTrigger('alarm-high-error-rate-alarm', ERROR_RATE_TRIGGER);

    const d = await diagnose(prodService(), metrics, now, { notification: alarm });

    expect(metrics.described).toEqual([['RetailPrediction-HighLatency']]);
    expect(metrics.requests[0]?.MetricDataQueries?.find((q) => q.Id === 'errorRate')?.Expression).toBe('100 * errorRate_apiErrors / errorRate_apiRequests');
    expect(d.values.errorRate).toBe(6.2);
  });

  it('describes no alarm at all when the notification covers every alarm query', async () => {
    const service = { ...prodService(), queries: prodService().queries.filter((q) => q.id !== 'latencyP95') };
    const metrics = new EvaluatingMetrics(PRODUCED);
    const { alarm } = alarmWithTrigger('alarm-high-error-rate-ok', ERROR_RATE_TRIGGER);

    const d = await diagnose(service, metrics, now, { notification: alarm });

    expect(metrics.described).toEqual([]);
    expect(d.values.errorRate).toBe(6.2);
  });

  it('reads a single-metric Trigger as the alarm does: its statistic, dimensions and unit', async () => {
    const metrics = new EvaluatingMetrics(PRODUCED);
    const { alarm } = alarmWithTrigger('alarm-high-latency-alarm', {
      MetricName: 'InferenceLatency',
      Namespace: 'RetailMLOps',
      StatisticType: 'ExtendedStatistic',
      ExtendedStatistic: 'p95',
      Unit: 'Milliseconds',
      Dimensions: [],
      Period: 60,
    });

    const d = await diagnose(prodService(), metrics, now, { notification: alarm });

    expect(metrics.described).toEqual([['RetailPrediction-HighErrorRate']]);
    expect(metrics.requests[0]?.MetricDataQueries?.find((q) => q.Id === 'latencyP95')?.MetricStat).toEqual({
      Metric: { Namespace: 'RetailMLOps', MetricName: 'InferenceLatency', Dimensions: [] },
      Period: 60,
      Stat: 'p95',
      Unit: 'Milliseconds',
    });
    expect(d.readings.find((r) => r.id === 'latencyP95')).toMatchObject({ latest: 140, unit: 'Milliseconds' });
  });

  it('a notification without a Trigger: its alarm is described like the others', async () => {
    const metrics = new EvaluatingMetrics(PRODUCED);
    const { alarm } = alarmWithTrigger('alarm-high-error-rate-alarm', null);

    await diagnose(prodService(), metrics, now, { notification: alarm });

    expect(metrics.described).toEqual([['RetailPrediction-HighErrorRate', 'RetailPrediction-HighLatency']]);
  });
});

describe('ids in one request', () => {
  it("an alarm's inner ids never collide with the policy's ids: they get a suffix, and the math still adds up", async () => {
    const service = parseResponderPolicy({
      services: {
        s: {
          alarms: ['RetailPrediction-HighErrorRate'],
          queries: [
            { id: 'errorRate', role: 'errorRate', alarm: 'RetailPrediction-HighErrorRate' },
            { id: 'errorRate_apiErrors', role: 'requests', namespace: 'RetailMLOps', metric: 'APIRequestCount', stat: 'Sum' },
          ],
          breaker: { name: 'b' },
        },
      },
    }).services.s!;

    const request = metricDataRequest(service, now, new Map([[highErrorRate.AlarmName!, highErrorRate]]));
    expect(request.MetricDataQueries?.map((q) => q.Id)).toEqual(['errorRate', 'errorRate_apiErrors_2', 'errorRate_apiRequests', 'errorRate_apiErrors']);
    expect(request.MetricDataQueries?.[0]?.Expression).toBe('100 * errorRate_apiErrors_2 / errorRate_apiRequests');

    const d = await diagnose(service, new EvaluatingMetrics(PRODUCED), now);
    expect(d.values).toEqual({ errorRate: 6.2, requests: 1000 });
  });

  it('two alarms with the same inner ids in one request stay apart', async () => {
    const math = (name: string, metric: string) => ({
      AlarmName: name,
      Metrics: [
        { Id: 'e1', Expression: '100 * m1 / m2', ReturnData: true },
        { Id: 'm1', MetricStat: { Metric: { Namespace: 'RetailMLOps', MetricName: metric }, Period: 60, Stat: 'Sum' }, ReturnData: false },
        { Id: 'm2', MetricStat: { Metric: { Namespace: 'RetailMLOps', MetricName: 'APIRequestCount' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
      ],
    });
    const service = parseResponderPolicy({
      services: {
        s: {
          alarms: ['Errors'],
          queries: [
            { id: 'errors', role: 'errorRate', alarm: 'Errors' },
            { id: 'timeouts', role: 'errorRate', alarm: 'Timeouts' },
          ],
          breaker: { name: 'b' },
        },
      },
    }).services.s!;
    const metrics = new EvaluatingMetrics({ ...PRODUCED, 'RetailMLOps/APITimeoutCount': 300 }, [math('Errors', 'APIErrorCount'), math('Timeouts', 'APITimeoutCount')]);

    const d = await diagnose(service, metrics, now);

    expect(metrics.requests[0]?.MetricDataQueries?.map((q) => q.Id)).toEqual(['errors', 'errors_m1', 'errors_m2', 'timeouts', 'timeouts_m1', 'timeouts_m2']);
    expect(d.readings.map((r) => [r.id, r.latest])).toEqual([
      ['errors', 6.2],
      ['timeouts', 30],
    ]);
  });
});

describe('memory', () => {
  it('decides memory-high from the memory query when memory is over its line and errors are below the extreme', async () => {
    const metrics = new EvaluatingMetrics({ ...PRODUCED, 'RetailMLOps/APIErrorCount': 120, 'ContainerInsights/node_memory_utilization': 93 });

    const d = await diagnose(prodService(), metrics, now);

    expect(d.values).toMatchObject({ errorRate: 12, cpu: 40, memory: 93 });
    expect(decide(d, prodService())).toMatchObject({ action: 'scale', rule: 'memory-high', reasoning: expect.stringContaining('Memory 93% is over 85%') });
  });
});

describe('an alarm definition that cannot be read', () => {
  it('DescribeAlarms failing: a live run throws; a dry run is "diagnostics unavailable", and nothing is asked of GetMetricData', async () => {
    cloudWatch.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudwatch:DescribeAlarms'), { name: 'AccessDenied' }));

    await expect(diagnose(prodService(), source(), now)).rejects.toThrow(/not authorized/);
    const dry = await diagnose(prodService(), source(), now, { dryRun: true });
    expect(dry.unavailable).toBe('could not read CloudWatch DescribeAlarms: User is not authorized to perform: cloudwatch:DescribeAlarms');
    expect(decide(dry, prodService())).toMatchObject({ action: 'page', rule: 'insufficient-data' });
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
  });

  it('an alarm CloudWatch does not have: a live run throws naming it; a dry run plans as unavailable', async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: describedAlarms(['RetailPrediction-HighErrorRate']) });
    const gone = 'could not read the definition of alarm RetailPrediction-HighLatency: CloudWatch DescribeAlarms has no metric alarm of that name';

    await expect(diagnose(prodService(), source(), now)).rejects.toThrow(gone);
    expect((await diagnose(prodService(), source(), now, { dryRun: true })).unavailable).toBe(gone);
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
  });

  it('an alarm whose Trigger the notification carries is read even when DescribeAlarms cannot be: only the others need it', async () => {
    const metrics = new EvaluatingMetrics(PRODUCED);
    metrics.describeAlarms = async () => Promise.reject(new Error('Throttling: Rate exceeded'));
    const service = { ...prodService(), queries: prodService().queries.filter((q) => q.id !== 'latencyP95') };
    const { alarm } = alarmWithTrigger('alarm-high-error-rate-alarm', ERROR_RATE_TRIGGER);

    expect((await diagnose(service, metrics, now, { notification: alarm })).values.errorRate).toBe(6.2);
  });
});

describe('the responder policy', () => {
  it('refuses a query that names an alarm and a metric, naming the field', () => {
    const section = { services: { s: { alarms: ['A'], queries: [{ id: 'e', role: 'errorRate', alarm: 'A', metric: 'ErrorRate' }], breaker: { name: 'b' } } } };
    expect(() => parseResponderPolicy(section)).toThrow(/queries\.0\.metric.*takes its metric from the alarm/);
  });

  it('refuses a query with neither an alarm nor a metric, naming what is missing', () => {
    const section = { services: { s: { alarms: ['A'], queries: [{ id: 'e', role: 'errorRate' }], breaker: { name: 'b' } } } };
    expect(() => parseResponderPolicy(section)).toThrow(/queries\.0\.namespace: expected namespace \(or alarm/);
  });

  it('refuses two queries with one id, naming the second', () => {
    const section = {
      services: {
        s: {
          alarms: ['A'],
          queries: [
            { id: 'e', role: 'errorRate', alarm: 'A' },
            { id: 'e', role: 'requests', namespace: 'RetailMLOps', metric: 'APIRequestCount', stat: 'Sum' },
          ],
          breaker: { name: 'b' },
        },
      },
    };
    expect(() => parseResponderPolicy(section)).toThrow('responder.services.s.queries.1.id: query id e is already used by another query');
  });
});
