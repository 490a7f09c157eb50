// The graph is of the alarm's own metric: every sample alarm's widget read back equals the definition the responder reads from the same notification, and nothing is guessed.
import type { MetricAlarm, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { Alarm } from '../../../shared/alarm/model';
import { stagePolicy } from '../../../shared/policy/load';
import { definitionFromNotification } from '../../../shared/responder/alarm-definition';
import { metricDataRequest } from '../../../shared/responder/diagnose';
import { alarmGraphWidget, diagnosisGraphWidgets, type MetricWidget, type WidgetMetric } from '../../../shared/slack/graph';
import { loadSampleAlarm } from '../../support/events';

const NOW = new Date('2026-12-04T05:00:00.000Z');

const widgetOf = (alarm: Alarm): MetricWidget => {
  const graph = alarmGraphWidget(alarm, NOW);
  if ('unavailable' in graph) throw new Error(graph.unavailable);
  return graph.widget;
};

/** A widget entry read back as what it draws, in DescribeAlarms' terms. */
function drawn(entry: WidgetMetric) {
  const options = entry.at(-1) as Record<string, unknown>;
  if ('expression' in options) return { Id: options.id, Expression: options.expression, ReturnData: options.visible !== false };
  const [Namespace, MetricName, ...rest] = entry.slice(0, -1) as string[];
  const Dimensions = [];
  for (let i = 0; i < rest.length; i += 2) Dimensions.push({ Name: rest[i], Value: rest[i + 1] });
  return { Id: options.id, Namespace, MetricName, Dimensions, Stat: options.stat, Period: options.period, ReturnData: options.visible !== false };
}

/** The same, from the responder's reading of the alarm's definition. */
function watched(definition: MetricAlarm) {
  if (definition.Metrics) {
    return definition.Metrics.map((m) =>
      m.Expression !== undefined
        ? { Id: m.Id, Expression: m.Expression, ReturnData: m.ReturnData !== false }
        : { Id: m.Id, Namespace: m.MetricStat?.Metric?.Namespace, MetricName: m.MetricStat?.Metric?.MetricName, Dimensions: m.MetricStat?.Metric?.Dimensions ?? [], Stat: m.MetricStat?.Stat, Period: m.MetricStat?.Period, ReturnData: m.ReturnData !== false },
    );
  }
  return [{ Id: undefined, Namespace: definition.Namespace, MetricName: definition.MetricName, Dimensions: definition.Dimensions ?? [], Stat: definition.ExtendedStatistic ?? definition.Statistic, Period: definition.Period, ReturnData: true }];
}

describe('alarmGraphWidget draws what the alarm watches', () => {
  it.each(['alarm-high-cpu-alarm', 'alarm-high-latency-alarm', 'alarm-model-latency-alarm', 'alarm-insufficient-data', 'alarm-metric-math-alarm', 'alarm-high-error-rate-alarm', 'alarm-anomaly-alarm'])(
    '%s: the widget read back is the definition the responder reads from the same notification',
    (event) => {
      // Prepare
      const alarm = loadSampleAlarm(event);
      const definition = definitionFromNotification(alarm);

      // Act
      const widget = widgetOf(alarm);

      // Assess
      expect(definition).toBeDefined();
      expect(widget.metrics.map(drawn)).toEqual(watched(definition!));
      expect(widget.region).toBe(alarm.region);
    },
  );

  it('the metric-math sample: its expression exactly, each metric with its own stat and period, hidden as the alarm hides them, the threshold line', () => {
    const widget = widgetOf(loadSampleAlarm('alarm-metric-math-alarm'));

    expect(widget.metrics).toEqual([
      [{ expression: '100 * errors / requests', id: 'e1', label: 'API error ratio (%)' }],
      ['RetailMLOps', 'APIErrorCount', { id: 'errors', stat: 'Sum', period: 60, visible: false }],
      ['RetailMLOps', 'APIRequestCount', { id: 'requests', stat: 'Sum', period: 60, visible: false }],
    ]);
    expect(widget.annotations).toEqual({ horizontal: [{ label: 'threshold > 5', value: 5 }] });
    expect([widget.start, widget.end]).toEqual(['2026-12-04T02:00:00.000Z', '2026-12-04T05:00:00.000Z']);
  });

  it('the threshold label carries the alarm unit when the alarm names one', () => {
    const alarm = loadSampleAlarm('alarm-high-cpu-alarm');

    const widget = widgetOf({ ...alarm, metric: { ...alarm.metric!, unit: '%' } });

    expect(widget.annotations).toEqual({ horizontal: [{ label: 'threshold > 85 %', value: 85 }] });
  });
});

describe('alarmGraphWidget guesses nothing', () => {
  it('a metric alarm without its statistic or period has no graph (the widget would draw Average over 5 minutes instead)', () => {
    const alarm = loadSampleAlarm('alarm-high-latency-alarm');

    expect(alarmGraphWidget({ ...alarm, metric: { ...alarm.metric!, statistic: undefined } }, NOW)).toEqual({ unavailable: 'the alarm notification names no statistic for RetailMLOps InferenceLatency' });
    expect(alarmGraphWidget({ ...alarm, metric: { ...alarm.metric!, periodSeconds: undefined } }, NOW)).toEqual({ unavailable: 'the alarm notification names no period for RetailMLOps InferenceLatency' });
  });

  it('a metric-math query without its metric, statistic or period: no graph, naming the query', () => {
    const alarm = loadSampleAlarm('alarm-metric-math-alarm');
    const withErrors = (change: object): Alarm => ({ ...alarm, queries: alarm.queries!.map((q) => (q.id === 'errors' ? { ...q, ...change } : q)) });

    expect(alarmGraphWidget(withErrors({ stat: undefined }), NOW)).toEqual({ unavailable: 'query errors of the alarm names no statistic for RetailMLOps APIErrorCount' });
    expect(alarmGraphWidget(withErrors({ periodSeconds: undefined }), NOW)).toEqual({ unavailable: 'query errors of the alarm names no period for RetailMLOps APIErrorCount' });
    expect(alarmGraphWidget(withErrors({ name: undefined }), NOW)).toEqual({ unavailable: 'query errors of the alarm names neither a metric nor an expression' });
  });

  it('a composite alarm has no metric of its own', () => {
    expect(alarmGraphWidget(loadSampleAlarm('alarm-critical-issue-alarm'), NOW)).toEqual({ unavailable: 'a composite alarm has no metric of its own' });
  });
});

describe('diagnosisGraphWidgets draws each query the responder read, as it read it', () => {
  // The prod responder's GetMetricData request, its alarm queries spelled out from the sample notifications' definitions.
  const service = stagePolicy('prod').responder!.services['retail-prediction']!;
  const definitions = new Map(['alarm-high-error-rate-alarm', 'alarm-high-latency-alarm'].map((event) => [loadSampleAlarm(event).name, definitionFromNotification(loadSampleAlarm(event))!]));
  const request = metricDataRequest(service, NOW, definitions);
  const queries = request.MetricDataQueries!;
  const labels = new Map(service.queries.map((q) => [q.id, `label of ${q.id}`]));

  it('one graph per query the policy names, titled by its reading, in the region given, over the last 3 hours', () => {
    const graphs = diagnosisGraphWidgets(queries, labels, 'eu-west-1', NOW);
    expect(graphs.map((g) => g.title)).toEqual(service.queries.map((q) => `label of ${q.id}: last 3 h`));
    for (const { widget } of graphs) expect(widget).toMatchObject({ region: 'eu-west-1', start: '2026-12-04T02:00:00.000Z', end: NOW.toISOString(), view: 'timeSeries' });
  });

  it('each graph read back is the query as GetMetricData was asked it, with the hidden queries its expression reads and no others', () => {
    const asked = (q: MetricDataQuery) =>
      q.Expression !== undefined
        ? { Id: q.Id, Expression: q.Expression, ReturnData: q.ReturnData !== false }
        : { Id: q.Id, Namespace: q.MetricStat?.Metric?.Namespace, MetricName: q.MetricStat?.Metric?.MetricName, Dimensions: q.MetricStat?.Metric?.Dimensions ?? [], Stat: q.MetricStat?.Stat, Period: q.MetricStat?.Period, ReturnData: q.ReturnData !== false };
    const graphs = diagnosisGraphWidgets(queries, labels, 'eu-west-1', NOW);
    const visible = queries.filter((q) => q.ReturnData !== false);
    expect(graphs).toHaveLength(visible.length);
    graphs.forEach(({ widget }, i) => {
      const [shown, ...inner] = widget.metrics.map(drawn);
      expect(shown).toEqual(asked(visible[i]!));
      // An expression's inner queries are the hidden ones whose ids it names; a metric's graph has none.
      const named = queries.filter((q) => q.ReturnData === false && new RegExp(`\\b${q.Id}\\b`).test(visible[i]!.Expression ?? ''));
      expect(inner.map((e) => e.Id).sort()).toEqual(named.map((q) => q.Id).sort());
      for (const entry of inner) expect(entry).toEqual(asked(queries.find((q) => q.Id === entry.Id)!));
    });
    // The error-rate alarm is metric math: its graph carries the metrics its expression divides.
    expect(graphs[0]!.widget.metrics.length).toBeGreaterThan(1);
  });

  it('a query the widget cannot draw without guessing (no statistic) is left out, the others drawn', () => {
    const [first, ...rest] = queries.filter((q) => q.MetricStat);
    const broken = { ...first!, ReturnData: true, MetricStat: { ...first!.MetricStat!, Stat: undefined } };
    const graphs = diagnosisGraphWidgets([broken as MetricDataQuery, ...rest.filter((q) => q.ReturnData !== false)], labels, 'eu-west-1', NOW);
    expect(graphs.map((g) => g.widget.metrics.map(drawn)[0]!.Id)).not.toContain(first!.Id);
    expect(graphs.length).toBe(rest.filter((q) => q.ReturnData !== false).length);
  });
});
