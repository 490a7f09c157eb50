// Responder, step 2 (pure): the metric an alarm watches, from its notification's Trigger or from DescribeAlarms, as GetMetricData queries.
import type { MetricAlarm, MetricDataQuery, StandardUnit, Statistic } from '@aws-sdk/client-cloudwatch';
import type { Alarm } from '../alarm/model';
import { UnreadableInputError } from '../read-failure';
import type { AlarmMetricQuery } from './policy';

/** The statistics DescribeAlarms reports as `Statistic`; anything else (`p95`, `tm99`, …) is an `ExtendedStatistic`. */
const STANDARD_STATISTICS: ReadonlySet<string> = new Set(['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount']);

const dimensionList = (dimensions: Readonly<Record<string, string>>) => Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }));

/**
 * The alarm's definition in DescribeAlarms' shape, from the notification CloudWatch published for it: its
 * Trigger names the metric, statistic, dimensions, period and unit, or the metric math, that the alarm
 * evaluated for this very state change. Undefined when the notification carries no complete definition
 * (no Trigger, a composite alarm, a query without its metric or period): the caller asks DescribeAlarms.
 */
export function definitionFromNotification(alarm: Alarm): MetricAlarm | undefined {
  if (alarm.kind === 'composite') return undefined;
  if (alarm.queries && alarm.queries.length > 0) {
    const metrics: MetricDataQuery[] = [];
    for (const q of alarm.queries) {
      if (q.expression !== undefined) {
        metrics.push({ Id: q.id, Expression: q.expression, ...(q.label ? { Label: q.label } : {}), ReturnData: q.returnData });
        continue;
      }
      if (!q.namespace || !q.name || !q.stat || !q.periodSeconds) return undefined;
      metrics.push({
        Id: q.id,
        ...(q.label ? { Label: q.label } : {}),
        ReturnData: q.returnData,
        MetricStat: {
          Metric: { Namespace: q.namespace, MetricName: q.name, ...(Object.keys(q.dimensions).length > 0 ? { Dimensions: dimensionList(q.dimensions) } : {}) },
          Period: q.periodSeconds,
          Stat: q.stat,
          ...(q.unit ? { Unit: q.unit as StandardUnit } : {}),
        },
      });
    }
    return { AlarmName: alarm.name, Metrics: metrics, ...(alarm.thresholdMetricId ? { ThresholdMetricId: alarm.thresholdMetricId } : {}) };
  }
  const m = alarm.metric;
  if (!m?.namespace || !m.name || !m.statistic || !m.periodSeconds) return undefined;
  return {
    AlarmName: alarm.name,
    Namespace: m.namespace,
    MetricName: m.name,
    ...(STANDARD_STATISTICS.has(m.statistic) ? { Statistic: m.statistic as Statistic } : { ExtendedStatistic: m.statistic }),
    Dimensions: dimensionList(m.dimensions),
    Period: m.periodSeconds,
    ...(m.unit ? { Unit: m.unit as StandardUnit } : {}),
  };
}

/** An alarm whose definition cannot be read into queries: like an unreadable metric, fatal live, "unavailable" in a dry run. */
export const unreadableAlarm = (alarm: string, why: string): UnreadableInputError => new UnreadableInputError(`the definition of alarm ${alarm}`, new Error(why));

// A quoted string is matched whole so that nothing inside it is renamed; a number such as 1e5 has no
// word boundary before its `e`, so it is never read as an id.
const EXPRESSION_TOKEN = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\b[a-z][A-Za-z0-9_]*\b/g;

/**
 * A metric-math expression with its query ids renamed (`100 * apiErrors / apiRequests` →
 * `100 * errorRate_apiErrors / errorRate_apiRequests`): whole identifiers only, never inside a quoted
 * string, everything else (operators, numbers, functions, spacing) unchanged.
 */
export function renameIds(expression: string, rename: ReadonlyMap<string, string>): string {
  return expression.replace(EXPRESSION_TOKEN, (token) => rename.get(token) ?? token);
}

/** `base`, or `base_2`, `base_3`, … : the first not yet in `taken`, which it is added to. */
function uniqueId(base: string, taken: Set<string>): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
  taken.add(id);
  return id;
}

/** `RetailPrediction-HighErrorRate (alarm metric)`, for messages. */
export const alarmQueryLabel = (q: AlarmMetricQuery): string => `${q.alarm} (alarm metric)`;

/**
 * The GetMetricData queries that compute the metric an alarm watches, as the alarm does: its one metric
 * with its own statistic, period and unit, or its metric math. The value the alarm compares is returned
 * under the policy query's id; the other queries of the math are not returned, and their ids become
 * `<policy id>_<alarm's id>` (with `_2`, … if that is `taken` already), renamed in the expressions too, so
 * they cannot collide with other queries of the one request. `taken` holds every id the request already
 * uses (seed it with all the policy's query ids); the ids chosen here are added to it. For an anomaly
 * detection alarm the band is left out: the value is what the alarm watches. Throws an
 * UnreadableInputError for a definition that cannot be read this way.
 */
export function alarmQueries(q: AlarmMetricQuery, alarm: MetricAlarm, taken: Set<string> = new Set([q.id])): MetricDataQuery[] {
  const label = alarmQueryLabel(q);
  taken.add(q.id);
  const metrics = (alarm.Metrics ?? []).filter((m) => m.Id === undefined || m.Id !== alarm.ThresholdMetricId);
  if (metrics.length > 0) {
    const returned = metrics.filter((m) => m.ReturnData !== false);
    const [watched] = returned;
    if (returned.length !== 1 || !watched) throw unreadableAlarm(q.alarm, `its metric math returns ${returned.length} queries; expected exactly one`);
    if (metrics.some((m) => m.Id === undefined)) throw unreadableAlarm(q.alarm, 'a query of its metric math has no id');
    // METRICS() reads every query of the request, which here holds the policy's other queries too.
    if (metrics.some((m) => m.Expression !== undefined && /\bMETRICS\s*\(/.test(m.Expression))) {
      throw unreadableAlarm(q.alarm, 'its metric math uses METRICS(), which would read every other query of the request');
    }
    const rename = new Map(metrics.map((m) => [m.Id as string, m === watched ? q.id : uniqueId(`${q.id}_${m.Id}`, taken)]));
    return metrics.map((m) => {
      const { Label: _label, ReturnData: _returnData, ...rest } = m;
      return {
        ...rest,
        Id: rename.get(m.Id as string),
        ...(m === watched ? { Label: label } : {}),
        ReturnData: m === watched,
        ...(m.Expression !== undefined ? { Expression: renameIds(m.Expression, rename) } : {}),
      };
    });
  }
  const stat = alarm.ExtendedStatistic ?? alarm.Statistic;
  if (!alarm.Namespace || !alarm.MetricName || !alarm.Period || !stat) throw unreadableAlarm(q.alarm, 'it watches neither a metric with a statistic and period nor metric math');
  return [
    {
      Id: q.id,
      Label: label,
      ReturnData: true,
      MetricStat: {
        Metric: { Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions ?? [] },
        Period: alarm.Period,
        Stat: stat,
        ...(alarm.Unit ? { Unit: alarm.Unit } : {}),
      },
    },
  ];
}
