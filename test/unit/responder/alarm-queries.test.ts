// Unit tests: queries that read the metric an alarm watches, from the alarm's own definition (DescribeAlarms).
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { ConfigError } from '../../../shared/errors';
import { policyForStage } from '../../../shared/policy/load';
import { cloudWatchMetricsSource } from '../../../shared/responder/cloudwatch';
import { alarmQueries, diagnose, metricDataRequest } from '../../../shared/responder/diagnose';
import { decide } from '../../../shared/responder/decide';
import { parseResponderPolicy, type ServicePolicy } from '../../../shared/responder/policy';
import { REFERENCE_ALARMS, describedAlarms } from './doubles';

const cloudWatch = mockClient(CloudWatchClient);
const now = new Date('2026-11-21T03:13:05.123Z');
const at = (minute: number) => new Date(`2026-11-21T03:${String(minute).padStart(2, '0')}:00.000Z`);
const [highErrorRate, highLatency] = REFERENCE_ALARMS as [(typeof REFERENCE_ALARMS)[number], (typeof REFERENCE_ALARMS)[number]];
const prodService = (): ServicePolicy => {
  const service = policyForStage('prod').responder?.services['retail-prediction'];
  if (!service) throw new Error('prod has no retail-prediction responder');
  return service;
};
const source = () => cloudWatchMetricsSource(new CloudWatchClient({ region: 'eu-west-1' }));

beforeEach(() => cloudWatch.reset());

describe('alarmQueries', () => {
  it('computes a metric-math alarm as the alarm does, inner ids prefixed, the compared value under the policy id', () => {
    const queries = alarmQueries({ id: 'errorRate', role: 'errorRate', alarm: 'RetailPrediction-HighErrorRate' }, highErrorRate);

    expect(queries.map((q) => [q.Id, q.ReturnData, q.Expression])).toEqual([
      ['errorRate', true, '100 * errorRate_apiErrors / errorRate_apiRequests'],
      ['errorRate_apiErrors', false, undefined],
      ['errorRate_apiRequests', false, undefined],
    ]);
    expect(queries[1]?.MetricStat).toEqual({ Metric: { Namespace: 'RetailMLOps', MetricName: 'APIErrorCount' }, Period: 60, Stat: 'Sum' });
  });

  it('reads a single-metric alarm with its own statistic and period', () => {
    const [query] = alarmQueries({ id: 'latencyP95', role: 'latency', alarm: 'RetailPrediction-HighLatency' }, highLatency);

    expect(query).toMatchObject({ Id: 'latencyP95', ReturnData: true, MetricStat: { Metric: { Namespace: 'RetailMLOps', MetricName: 'InferenceLatency', Dimensions: [] }, Period: 60, Stat: 'p95' } });
  });

  it('refuses an id that two queries would share once the alarm math is spelled out', () => {
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

    expect(() => metricDataRequest(service, now, new Map([[highErrorRate.AlarmName!, highErrorRate]]))).toThrow(/repeat the GetMetricData id errorRate_apiErrors/);
  });
});

describe('diagnose with alarm-derived queries', () => {
  it('describes the alarms it reads in one call, then reads the error rate the alarm computes', async () => {
    cloudWatch.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[] }) => ({ MetricAlarms: describedAlarms(input.AlarmNames) }));
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

  it('decides memory-high from the memory query when memory is over its line and errors are below the extreme', async () => {
    cloudWatch.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[] }) => ({ MetricAlarms: describedAlarms(input.AlarmNames) }));
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'errorRate', Timestamps: [at(12)], Values: [12], StatusCode: 'Complete' },
        { Id: 'nodeCpu', Timestamps: [at(12)], Values: [40], StatusCode: 'Complete' },
        { Id: 'nodeMemory', Timestamps: [at(12)], Values: [93], StatusCode: 'Complete' },
      ],
    });

    const d = await diagnose(prodService(), source(), now);

    expect(decide(d, prodService())).toMatchObject({ action: 'scale', rule: 'memory-high' });
  });

  it('fails a live run when the alarm cannot be read, and plans a dry run as diagnostics unavailable', async () => {
    cloudWatch.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudwatch:DescribeAlarms'), { name: 'AccessDenied' }));

    await expect(diagnose(prodService(), source(), now)).rejects.toThrow(/not authorized/);
    const dry = await diagnose(prodService(), source(), now, { dryRun: true });
    expect(dry.unavailable).toMatch(/CloudWatch DescribeAlarms/);
    expect(decide(dry, prodService())).toMatchObject({ action: 'page', rule: 'insufficient-data' });
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
  });

  it('refuses to diagnose from an alarm CloudWatch does not have', async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });

    await expect(diagnose(prodService(), source(), now)).rejects.toThrow(ConfigError);
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
});
