// Contract: the alarm graph's request as CloudWatch GetMetricWidgetImage receives it (emulator gap 14), for the deployed reference alarms' shapes.
import { CloudWatchClient, GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import { alarmGraphWidget } from '../../../shared/slack/graph';
import { renderAlarmGraph } from '../../../shared/slack/metric-image';
import { loadSampleAlarm } from '../../support/events';
import { TestReceiver } from '../../support/receiver';
import { startEmulator, type Emulator } from '../emulator/moto';

const NOW = new Date('2026-12-04T05:00:00.000Z');
let service: TestReceiver;
let emulator: Emulator;
let cloudWatch: CloudWatchClient;

beforeAll(async () => {
  service = await TestReceiver.start({ status: 200, body: '{}' });
  emulator = await startEmulator(service.url(''));
  cloudWatch = new CloudWatchClient({ endpoint: emulator.endpoint, region: 'eu-west-1', credentials: emulator.admin, maxAttempts: 1 });
});
afterAll(async () => {
  await emulator?.stop();
  await service?.close();
});

describe('renderAlarmGraph against the emulator', () => {
  it.each(['alarm-high-cpu-alarm', 'alarm-high-latency-alarm', 'alarm-high-error-rate-alarm'])('%s: the widget CloudWatch receives is the one built from the alarm, and a PNG comes back', async (event) => {
    const alarm = loadSampleAlarm(event);
    const before = service.requests.length;

    const graph = await renderAlarmGraph(alarm, { cloudWatch, now: () => NOW });

    expect('png' in graph && Buffer.from(graph.png).subarray(1, 4).toString()).toBe('PNG');
    const received = service.requests.slice(before).filter((r) => r.path === '/metric-widget-image').map((r) => JSON.parse(r.body) as { widget: unknown; outputFormat: string });
    const built = alarmGraphWidget(alarm, NOW);
    expect(received).toEqual([{ widget: JSON.parse(JSON.stringify('widget' in built ? built.widget : undefined)), outputFormat: 'png' }]);
    expect(emulator.tracebacks()).toEqual([]);
  });

  it('a widget with no metrics is refused, as CloudWatch refuses one', async () => {
    await expect(cloudWatch.send(new GetMetricWidgetImageCommand({ MetricWidget: JSON.stringify({ metrics: [] }) }))).rejects.toThrow('must name metrics');
  });
});
