// renderAlarmGraph's paths alarm-graph.test.ts leaves out: no call for an alarm with no graph, and a missing credential said as such, with its cause kept.
import { CloudWatchClient, GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { renderAlarmGraph } from '../../../shared/slack/metric-image';
import { loadSampleAlarm } from '../../support/events';

const NOW = new Date('2026-12-04T05:00:00.000Z');
const cloudWatch = mockClient(CloudWatchClient);
const deps = () => ({ cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }), now: () => NOW });

beforeEach(() => cloudWatch.reset());

describe('renderAlarmGraph', () => {
  it('a composite alarm: unavailable, and CloudWatch is not asked', async () => {
    const graph = await renderAlarmGraph(loadSampleAlarm('alarm-critical-issue-alarm'), deps());

    expect(graph).toEqual({ unavailable: 'a composite alarm has no metric of its own' });
    expect(cloudWatch.calls()).toHaveLength(0);
  });

  it('the metric-math sample: one png request whose widget is the alarm queries, and the bytes CloudWatch drew', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    cloudWatch.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: png });

    const graph = await renderAlarmGraph(loadSampleAlarm('alarm-metric-math-alarm'), deps());

    expect('png' in graph && graph.png).toEqual(png);
    const calls = cloudWatch.commandCalls(GetMetricWidgetImageCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.OutputFormat).toBe('png');
    expect(JSON.parse(calls[0]!.args[0].input.MetricWidget!)).toEqual('widget' in graph ? graph.widget : undefined);
  });

  it('no AWS credentials: thrown naming cloudwatch:GetMetricWidgetImage and why, the SDK error kept as cause', async () => {
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    cloudWatch.on(GetMetricWidgetImageCommand).rejects(noCredentials);

    const failure = await renderAlarmGraph(loadSampleAlarm('alarm-high-cpu-alarm'), deps()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe('cloudwatch:GetMetricWidgetImage could not draw RetailPrediction-HighCPU: no AWS credentials');
    expect((failure as Error).cause).toBe(noCredentials);
  });
});
