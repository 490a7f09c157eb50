// Unit tests: diagnosis with one GetMetricData call through aws-sdk-client-mock, read by role.
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { cloudWatchMetricsSource } from '../../../shared/responder/cloudwatch';
import { diagnose, hasNoData, metricDataRequest, readDiagnostics } from '../../../shared/responder/diagnose';
import { describedAlarms } from './doubles';
import { sampleService } from './fixtures';

const cloudWatch = mockClient(CloudWatchClient);
const now = new Date('2026-11-21T03:13:05.123Z');
const at = (minute: number) => new Date(`2026-11-21T03:${String(minute).padStart(2, '0')}:00.000Z`);

beforeEach(() => {
  cloudWatch.reset();
  cloudWatch.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[] }) => ({ MetricAlarms: describedAlarms(input.AlarmNames) }));
});

describe('diagnose', () => {
  it('asks CloudWatch once for every query of the policy over the lookback window', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    await diagnose(sampleService(), cloudWatchMetricsSource(new CloudWatchClient({ region: 'us-east-1' })), now);

    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    const input = cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(input?.EndTime).toEqual(new Date('2026-11-21T03:14:00.000Z'));
    expect(input?.StartTime).toEqual(new Date('2026-11-21T03:04:00.000Z'));
    expect(input?.MetricDataQueries?.map((q) => q.Id)).toEqual(['errorRate', 'errorRate_apiErrors', 'errorRate_apiRequests', 'latencyP95', 'requests', 'nodeCpu', 'nodeMemory']);
    // The latency as its alarm reads it: no dimensions, its own statistic and period.
    expect(input?.MetricDataQueries?.find((q) => q.Id === 'latencyP95')?.MetricStat).toEqual({
      Metric: { Namespace: 'RetailMLOps', MetricName: 'InferenceLatency', Dimensions: [] },
      Period: 60,
      Stat: 'p95',
    });
    expect(input?.MetricDataQueries?.find((q) => q.Id === 'nodeCpu')?.MetricStat).toEqual({
      Metric: { Namespace: 'ContainerInsights', MetricName: 'node_cpu_utilization', Dimensions: [{ Name: 'ClusterName', Value: 'retail-prediction-cluster' }] },
      Period: 60,
      Stat: 'Average',
      Unit: 'Percent',
    });
  });

  it('reads the latest value per role whatever order CloudWatch returns them in', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'errorRate', Timestamps: [at(10), at(12), at(11)], Values: [7.3, 62.5, 40], StatusCode: 'Complete' },
        { Id: 'nodeCpu', Timestamps: [at(12)], Values: [71], StatusCode: 'Complete' },
        { Id: 'latencyP95', Timestamps: [], Values: [], StatusCode: 'Complete' },
      ],
    });
    const d = await diagnose(sampleService(), cloudWatchMetricsSource(new CloudWatchClient({ region: 'us-east-1' })), now);

    expect(d.values).toEqual({ errorRate: 62.5, cpu: 71 });
    const errorRate = d.readings.find((r) => r.id === 'errorRate');
    expect(errorRate).toMatchObject({ latest: 62.5, max: 62.5, min: 7.3, points: 3, latestAt: '2026-11-21T03:12:00.000Z' });
    expect(d.readings.find((r) => r.id === 'requests')?.points).toBe(0);
    expect(hasNoData(d)).toBe(false);
  });

  it('follows NextToken when the answer is cut into pages: a query whose points came on a later page is not read as missing', async () => {
    cloudWatch
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [{ Id: 'nodeCpu', Timestamps: [at(12), at(11)], Values: [71, 70], StatusCode: 'PartialData' }],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'nodeCpu', Timestamps: [at(10)], Values: [69], StatusCode: 'Complete' },
          { Id: 'errorRate', Timestamps: [at(12)], Values: [62.5], StatusCode: 'Complete' },
        ],
      });
    const d = await diagnose(sampleService(), cloudWatchMetricsSource(new CloudWatchClient({ region: 'us-east-1' })), now);

    expect(d.values).toEqual({ errorRate: 62.5, cpu: 71 });
    expect(d.readings.find((r) => r.id === 'nodeCpu')).toMatchObject({ points: 3, min: 69 });
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(cloudWatch.commandCalls(GetMetricDataCommand)[1]?.args[0].input).toMatchObject({ NextToken: 'page-2', ScanBy: 'TimestampDescending' });
  });

  it('reports no data when CloudWatch has no datapoints for any query', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'errorRate', Timestamps: [], Values: [] }] });
    const d = await diagnose(sampleService(), cloudWatchMetricsSource(new CloudWatchClient({ region: 'us-east-1' })), now);
    expect(hasNoData(d)).toBe(true);
    expect(d.values).toEqual({});
  });

  it('takes the worse value when two queries share a role', () => {
    const service = sampleService();
    const twoClusters = {
      ...service,
      queries: [
        { id: 'cpuA', role: 'cpu' as const, namespace: 'ContainerInsights', metric: 'node_cpu_utilization', stat: 'Average', dimensions: { ClusterName: 'a' } },
        { id: 'cpuB', role: 'cpu' as const, namespace: 'ContainerInsights', metric: 'node_cpu_utilization', stat: 'Average', dimensions: { ClusterName: 'b' } },
      ],
    };
    const request = metricDataRequest(twoClusters, now);
    expect(request.MetricDataQueries).toHaveLength(2);
    const d = readDiagnostics(twoClusters, request, [
      { Id: 'cpuA', Timestamps: [at(12)], Values: [55] },
      { Id: 'cpuB', Timestamps: [at(12)], Values: [92] },
    ]);
    expect(d.values.cpu).toBe(92);
  });

  it('lets a CloudWatch failure through so the invocation is retried', async () => {
    cloudWatch.on(GetMetricDataCommand).rejects(new Error('Throttling: Rate exceeded'));
    await expect(diagnose(sampleService(), cloudWatchMetricsSource(new CloudWatchClient({ region: 'us-east-1' })), now)).rejects.toThrow('Rate exceeded');
    await expect(diagnose(sampleService(), cloudWatchMetricsSource(new CloudWatchClient({ region: 'us-east-1' })), now, { dryRun: false })).rejects.toThrow('Rate exceeded');
  });

  it('in a dry run, metrics that cannot be read are "unavailable", with no datapoints and the reason', async () => {
    cloudWatch.on(GetMetricDataCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));

    const d = await diagnose(sampleService(), cloudWatchMetricsSource(new CloudWatchClient({ region: 'us-east-1' })), now, { dryRun: true });

    expect(d.unavailable).toBe('could not read CloudWatch GetMetricData: no AWS credentials');
    expect(hasNoData(d)).toBe(true);
    expect(d.values).toEqual({});
    expect(d.readings.map((r) => r.id)).toEqual(['errorRate', 'latencyP95', 'requests', 'nodeCpu', 'nodeMemory']);
    expect({ from: d.from, to: d.to }).toEqual({ from: '2026-11-21T03:04:00.000Z', to: '2026-11-21T03:14:00.000Z' });
  });

  it('a dry run whose metrics are readable is not marked unavailable', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const d = await diagnose(sampleService(), cloudWatchMetricsSource(new CloudWatchClient({ region: 'us-east-1' })), now, { dryRun: true });
    expect(d.unavailable).toBeUndefined();
  });
});
