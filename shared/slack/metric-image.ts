// Adapter: graphs drawn by CloudWatch GetMetricWidgetImage, as PNGs: an alarm's, or any widget's.
import { GetMetricWidgetImageCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Alarm } from '../alarm/model';
import { whyUnreadable } from '../read-failure';
import { alarmGraphWidget, type MetricWidget } from './graph';

export interface GraphDeps {
  readonly cloudWatch: Pick<CloudWatchClient, 'send'>;
  readonly now: () => Date;
}

/**
 * The alarm's graph as a PNG, or why it has none (a composite alarm). Throws, naming
 * cloudwatch:GetMetricWidgetImage and why, when CloudWatch did not draw it.
 */
export async function renderAlarmGraph(alarm: Alarm, deps: GraphDeps): Promise<{ png: Uint8Array; title: string; widget: MetricWidget } | { unavailable: string }> {
  const graph = alarmGraphWidget(alarm, deps.now());
  if ('unavailable' in graph) return graph;
  return { png: await renderWidget(graph.widget, alarm.name, deps.cloudWatch), title: graph.title, widget: graph.widget };
}

/** The widget drawn by CloudWatch as a PNG; throws, naming cloudwatch:GetMetricWidgetImage, what (`what`) and why, when it was not. */
export async function renderWidget(widget: MetricWidget, what: string, cloudWatch: Pick<CloudWatchClient, 'send'>): Promise<Uint8Array> {
  let image: Uint8Array | undefined;
  try {
    ({ MetricWidgetImage: image } = await cloudWatch.send(new GetMetricWidgetImageCommand({ MetricWidget: JSON.stringify(widget), OutputFormat: 'png' })));
  } catch (error) {
    throw new Error(`cloudwatch:GetMetricWidgetImage could not draw ${what}: ${whyUnreadable(error)}`, { cause: error });
  }
  if (!image || image.length === 0) throw new Error(`cloudwatch:GetMetricWidgetImage returned no image for ${what}`);
  return image;
}
