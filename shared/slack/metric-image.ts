// Adapter: the alarm's graph drawn by CloudWatch GetMetricWidgetImage, as a PNG.
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
  let image: Uint8Array | undefined;
  try {
    ({ MetricWidgetImage: image } = await deps.cloudWatch.send(new GetMetricWidgetImageCommand({ MetricWidget: JSON.stringify(graph.widget), OutputFormat: 'png' })));
  } catch (error) {
    throw new Error(`cloudwatch:GetMetricWidgetImage could not draw ${alarm.name}: ${whyUnreadable(error)}`, { cause: error });
  }
  if (!image || image.length === 0) throw new Error(`cloudwatch:GetMetricWidgetImage returned no image for ${alarm.name}`);
  return { png: image, title: graph.title, widget: graph.widget };
}
