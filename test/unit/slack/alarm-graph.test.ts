// The graph in a Slack thread draws what the alarm watches: its own metric (or metric math), statistic, period and threshold, over the last 3 hours.
import { GetMetricWidgetImageCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { alarmGraphWidget, describeGraphRequest } from '../../../shared/slack/graph';
import { renderAlarmGraph } from '../../../shared/slack/metric-image';
import { loadSampleAlarm } from '../../support/events';

const NOW = new Date('2026-12-04T05:00:00.000Z');

const widgetOf = (event: string) => {
  const graph = alarmGraphWidget(loadSampleAlarm(event), NOW);
  if ('unavailable' in graph) throw new Error(graph.unavailable);
  return graph.widget;
};

describe('alarmGraphWidget', () => {
  it('a metric alarm: its namespace, name, dimensions, statistic and period, the threshold line, the last 3 hours in its region', () => {
    expect(widgetOf('alarm-high-cpu-alarm')).toEqual({
      title: 'RetailPrediction-HighCPU: last 3 h',
      view: 'timeSeries',
      stacked: false,
      width: 800,
      height: 400,
      region: 'eu-west-1',
      start: '2026-12-04T02:00:00.000Z',
      end: '2026-12-04T05:00:00.000Z',
      metrics: [['ContainerInsights', 'node_cpu_utilization', 'ClusterName', 'retail-prediction-cluster', { stat: 'Average', period: 300 }]],
      annotations: { horizontal: [{ label: 'threshold > 85', value: 85 }] },
    });
  });

  it('an extended statistic is the stat itself (p95), not an average of it', () => {
    expect(widgetOf('alarm-high-latency-alarm').metrics).toEqual([['RetailMLOps', 'InferenceLatency', { stat: 'p95', period: 60 }]]);
  });

  it('metric math: the expression shown, each metric it reads with its own stat and period, hidden as the alarm hides them', () => {
    const widget = widgetOf('alarm-high-error-rate-alarm');

    expect(widget.metrics).toEqual([
      [{ expression: '100 * apiErrors / apiRequests', id: 'errorRate', label: 'Error rate (%)' }],
      ['RetailMLOps', 'APIErrorCount', { id: 'apiErrors', stat: 'Sum', period: 60, visible: false }],
      ['RetailMLOps', 'APIRequestCount', { id: 'apiRequests', stat: 'Sum', period: 60, visible: false }],
    ]);
    expect(widget.annotations).toEqual({ horizontal: [{ label: 'threshold > 5', value: 5 }] });
  });

  it('anomaly detection: the metric and its band, no threshold line (the band is the threshold)', () => {
    const widget = widgetOf('alarm-anomaly-alarm');

    expect(widget.metrics).toEqual([
      ['RetailMLOps', 'APIRequestCount', { id: 'm1', stat: 'Sum', period: 300 }],
      [{ expression: 'ANOMALY_DETECTION_BAND(m1, 2)', id: 'ad1', label: 'APIRequestCount (expected)' }],
    ]);
    expect(widget.annotations).toBeUndefined();
  });

  it('a composite alarm, and an alarm whose message names no metric, have no graph, and say why', () => {
    expect(alarmGraphWidget(loadSampleAlarm('alarm-critical-issue-alarm'), NOW)).toEqual({ unavailable: 'a composite alarm has no metric of its own' });
    expect(alarmGraphWidget({ ...loadSampleAlarm('alarm-high-cpu-alarm'), metric: { dimensions: {} } }, NOW)).toEqual({ unavailable: 'the alarm notification names no metric' });
  });
});

describe('renderAlarmGraph', () => {
  const cloudWatch = mockClient(CloudWatchClient);
  beforeEach(() => cloudWatch.reset());

  it('asks for a PNG of exactly the widget and returns its bytes', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    cloudWatch.on(GetMetricWidgetImageCommand).resolves({ MetricWidgetImage: png });

    const graph = await renderAlarmGraph(loadSampleAlarm('alarm-high-cpu-alarm'), { cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }), now: () => NOW });

    expect(graph).toMatchObject({ png, title: 'RetailPrediction-HighCPU: last 3 h' });
    const [call] = cloudWatch.commandCalls(GetMetricWidgetImageCommand);
    expect(JSON.parse(call!.args[0].input.MetricWidget!)).toEqual(widgetOf('alarm-high-cpu-alarm'));
    expect(call!.args[0].input.OutputFormat).toBe('png');
  });

  it('a CloudWatch refusal is thrown naming the call and why; no image is an error too', async () => {
    cloudWatch.on(GetMetricWidgetImageCommand).rejectsOnce(Object.assign(new Error('User is not authorized to perform: cloudwatch:GetMetricWidgetImage'), { name: 'AccessDenied' })).resolves({});
    const deps = { cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }), now: () => NOW };

    await expect(renderAlarmGraph(loadSampleAlarm('alarm-high-cpu-alarm'), deps)).rejects.toThrow('cloudwatch:GetMetricWidgetImage could not draw RetailPrediction-HighCPU: User is not authorized');
    await expect(renderAlarmGraph(loadSampleAlarm('alarm-high-cpu-alarm'), deps)).rejects.toThrow('returned no image');
  });

  it('describes the request in one line for logs', () => {
    expect(describeGraphRequest(widgetOf('alarm-high-error-rate-alarm'))).toBe(
      'GetMetricWidgetImage in eu-west-1, 2026-12-04T02:00:00.000Z to 2026-12-04T05:00:00.000Z: 100 * apiErrors / apiRequests, RetailMLOps APIErrorCount (Sum/60s), RetailMLOps APIRequestCount (Sum/60s), threshold > 5',
    );
  });
});
