// Domain: the graph of the metric an alarm watches, as CloudWatch's GetMetricWidgetImage draws it — the alarm's own metric, statistic and period, its threshold, the last 3 hours — and of each query the responder read. Pure.
import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
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
  const annotations = threshold !== undefined && alarm.kind !== 'anomaly' ? { horizontal: [{ label: `threshold${comparison ? ` ${comparison}` : ''} ${threshold}${alarm.metric?.unit ? ` ${alarm.metric.unit}` : ''}`, value: threshold }] } : undefined;
  return { title, widget: timeSeries(title, alarm.region, now, metrics, annotations) };
}

/** A time-series widget of `metrics` over the GRAPH_HOURS before `now`. */
function timeSeries(title: string, region: string, now: Date, metrics: readonly WidgetMetric[], annotations?: MetricWidget['annotations']): MetricWidget {
  return {
    title,
    view: 'timeSeries',
    stacked: false,
    width: 800,
    height: 400,
    region,
    start: new Date(now.getTime() - GRAPH_HOURS * 3_600_000).toISOString(),
    end: now.toISOString(),
    metrics,
    ...(annotations ? { annotations } : {}),
  };
}

/** A GetMetricData query as the alarm model spells one, so a widget entry is made one way. */
const asAlarmQuery = (q: MetricDataQuery): AlarmMetricQuery => ({
  id: q.Id ?? '',
  ...(q.Expression !== undefined ? { expression: q.Expression } : {}),
  ...(q.Label !== undefined ? { label: q.Label } : {}),
  returnData: q.ReturnData !== false,
  namespace: q.MetricStat?.Metric?.Namespace,
  name: q.MetricStat?.Metric?.MetricName,
  stat: q.MetricStat?.Stat,
  periodSeconds: q.MetricStat?.Period,
  dimensions: Object.fromEntries((q.MetricStat?.Metric?.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? ''])),
});

/** The hidden queries an expression reads, and theirs in turn. */
function referencedQueries(query: MetricDataQuery, hidden: readonly MetricDataQuery[]): MetricDataQuery[] {
  const found: MetricDataQuery[] = [];
  const pending = [query];
  while (pending.length > 0) {
    const expression = pending.pop()?.Expression ?? '';
    for (const q of hidden) {
      if (q.Id && !found.includes(q) && new RegExp(`\\b${q.Id}\\b`).test(expression)) {
        found.push(q);
        pending.push(q);
      }
    }
  }
  return found;
}

/**
 * One graph per query the responder read (each in its own units), from `now` back GRAPH_HOURS hours: the
 * query as GetMetricData was asked it (metric, statistic, period; or the expression, with the hidden
 * queries it reads). A query the widget cannot draw is left out.
 */
export function diagnosisGraphWidgets(queries: readonly MetricDataQuery[], labels: ReadonlyMap<string, string>, region: string, now: Date): { readonly title: string; readonly widget: MetricWidget }[] {
  const hidden = queries.filter((q) => q.ReturnData === false);
  return queries.flatMap((query) => {
    if (query.ReturnData === false || !query.Id) return [];
    const entries = [query, ...referencedQueries(query, hidden)].map((q) => queryEntry(asAlarmQuery(q)));
    if (entries.some((e) => typeof e === 'string')) return [];
    const title = `${labels.get(query.Id) ?? query.Label ?? query.Id}: last ${GRAPH_HOURS} h`;
    return [{ title, widget: timeSeries(title, region, now, entries as WidgetMetric[]) }];
  });
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
