// Domain: the graph of the metric an alarm watches, as CloudWatch's GetMetricWidgetImage draws it — the alarm's own metric, statistic and period, its threshold, the last 3 hours. Pure.
import type { Alarm, AlarmMetricQuery } from '../alarm/model';

/** How far back the graph goes. */
export const GRAPH_HOURS = 3;

/** One entry of a widget's `metrics`: `[namespace, name, dimName, dimValue, ..., options]` or `[{ expression, ... }]`. */
export type WidgetMetric = readonly (string | Readonly<Record<string, unknown>>)[];

/** The MetricWidget JSON GetMetricWidgetImage takes (CloudWatch's metric widget structure). */
export interface MetricWidget {
  readonly title: string;
  readonly view: 'timeSeries';
  readonly stacked: false;
  readonly width: number;
  readonly height: number;
  readonly region: string;
  readonly start: string;
  readonly end: string;
  readonly metrics: readonly WidgetMetric[];
  readonly annotations?: { readonly horizontal: readonly { readonly label: string; readonly value: number }[] };
  readonly yAxis?: { readonly left: { readonly min: number } };
}

const COMPARISON: Readonly<Record<string, string>> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

const dimensionsOf = (dimensions: Readonly<Record<string, string>>): string[] => Object.entries(dimensions).flatMap(([k, v]) => [k, v]);

/**
 * A metric-math query as a widget entry: its metric with its own stat and period, or its expression; or
 * why not. Never a guessed stat or period: the widget's defaults would draw a metric the alarm does not watch.
 */
function queryEntry(q: AlarmMetricQuery): WidgetMetric | string {
  const visible = q.returnData;
  if (q.expression !== undefined) return [{ expression: q.expression, id: q.id, label: q.label ?? q.id, ...(visible ? {} : { visible: false }) }];
  if (q.namespace === undefined || q.name === undefined) return `query ${q.id} of the alarm names neither a metric nor an expression`;
  if (!q.stat || !q.periodSeconds) return `query ${q.id} of the alarm names no ${q.stat ? 'period' : 'statistic'} for ${q.namespace} ${q.name}`;
  return [q.namespace, q.name, ...dimensionsOf(q.dimensions), { id: q.id, stat: q.stat, period: q.periodSeconds, ...(q.label ? { label: q.label } : {}), ...(visible ? {} : { visible: false }) }];
}

/**
 * The widget that draws what the alarm watches, from `now` back GRAPH_HOURS hours: a metric alarm's
 * metric with its statistic (or extended statistic, such as p95) and period; a metric-math or anomaly
 * alarm's queries, each with its own; the threshold as a horizontal line labelled with its comparison.
 * A composite alarm, or one whose message carries no metric or no statistic and period for it, has no
 * graph, and says why: a guessed statistic or period would draw a metric the alarm does not watch.
 */
export function alarmGraphWidget(alarm: Alarm, now: Date): { readonly widget: MetricWidget; readonly title: string } | { readonly unavailable: string } {
  if (alarm.kind === 'composite') return { unavailable: 'a composite alarm has no metric of its own' };
  let metrics: WidgetMetric[];
  if (alarm.queries && alarm.queries.length > 0) {
    const entries = alarm.queries.map(queryEntry);
    const why = entries.find((e): e is string => typeof e === 'string');
    if (why !== undefined) return { unavailable: why };
    metrics = entries as WidgetMetric[];
  } else {
    const m = alarm.metric;
    if (!m?.namespace || !m.name) return { unavailable: 'the alarm notification names no metric' };
    if (!m.statistic || !m.periodSeconds) return { unavailable: `the alarm notification names no ${m.statistic ? 'period' : 'statistic'} for ${m.namespace} ${m.name}` };
    metrics = [[m.namespace, m.name, ...dimensionsOf(m.dimensions), { stat: m.statistic, period: m.periodSeconds }]];
  }
  const threshold = alarm.metric?.threshold;
  const comparison = alarm.metric?.comparison ? (COMPARISON[alarm.metric.comparison] ?? alarm.metric.comparison) : undefined;
  const title = `${alarm.name}: last ${GRAPH_HOURS} h`;
  return {
    title,
    widget: {
      title,
      view: 'timeSeries',
      stacked: false,
      width: 800,
      height: 400,
      region: alarm.region,
      start: new Date(now.getTime() - GRAPH_HOURS * 3_600_000).toISOString(),
      end: now.toISOString(),
      metrics,
      ...(threshold !== undefined && alarm.kind !== 'anomaly' ? { annotations: { horizontal: [{ label: `threshold${comparison ? ` ${comparison}` : ''} ${threshold}${alarm.metric?.unit ? ` ${alarm.metric.unit}` : ''}`, value: threshold }] } } : {}),
    },
  };
}

/** What would be drawn, in one line: for logs and dry runs. */
export function describeGraphRequest(widget: MetricWidget): string {
  const series = widget.metrics.map((m) => {
    const options = m.at(-1);
    if (typeof options === 'object' && options !== null && 'expression' in options) return String(options.expression);
    const [namespace, name] = m as string[];
    const stat = typeof options === 'object' && options !== null ? `${String(options.stat ?? '')}${options.period ? `/${String(options.period)}s` : ''}` : '';
    return `${namespace} ${name}${stat ? ` (${stat})` : ''}`;
  });
  return `GetMetricWidgetImage in ${widget.region}, ${widget.start} to ${widget.end}: ${series.join(', ')}${widget.annotations ? `, ${widget.annotations.horizontal.map((h) => h.label).join(', ')}` : ''}`;
}
