// Responder, step 2: gather the state of a service with one CloudWatch GetMetricData call, and read it by role.
import type { GetMetricDataCommandInput, MetricAlarm, MetricDataQuery, MetricDataResult, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { ConfigError } from '../errors';
import { logger } from '../logger';
import { describeUnreadable } from '../read-failure';
import { isAlarmQuery, type AlarmMetricQuery, type ExplicitMetricQuery, type MetricQuery, type MetricRole, type ServicePolicy } from './policy';

/** One query's result over the window: the latest value drives decisions, the rest is context for people. */
export interface MetricReading {
  readonly id: string;
  readonly role: MetricRole;
  /** `RetailMLOps/APIRequestCount Sum` or `RetailPrediction-HighErrorRate (alarm metric)`, for messages. */
  readonly label: string;
  readonly unit?: string;
  readonly points: number;
  readonly latest?: number;
  /** ISO time of the latest datapoint. */
  readonly latestAt?: string;
  readonly max?: number;
  readonly min?: number;
}

/** What the responder knows about a service: per-query readings and the latest value per role. */
export interface Diagnostics {
  readonly from: string;
  readonly to: string;
  readonly readings: readonly MetricReading[];
  /** Latest value per role; a role with no datapoints is absent. Two queries with one role: the worse (higher) value. */
  readonly values: Partial<Readonly<Record<MetricRole, number>>>;
  /**
   * Set only in a dry run whose metrics could not be read (`could not read CloudWatch GetMetricData: no AWS
   * credentials`): every reading is empty, so the decision is the insufficient-data page.
   */
  readonly unavailable?: string;
}

/** What the responder reads from CloudWatch; an interface so tests pass a double (`cloudWatchMetricsSource` is the real one). */
export interface MetricsSource {
  getMetricData(input: GetMetricDataCommandInput): Promise<readonly MetricDataResult[]>;
  /** The definitions of the named metric alarms (DescribeAlarms); needed only by alarm-derived queries. */
  describeAlarms?(names: readonly string[]): Promise<readonly MetricAlarm[]>;
}

/** The alarms a service's alarm-derived queries read, by name. */
export type AlarmDefinitions = ReadonlyMap<string, MetricAlarm>;

const explicitQuery = (q: ExplicitMetricQuery, periodSeconds: number): MetricDataQuery => ({
  Id: q.id,
  Label: labelOf(q),
  ReturnData: true,
  MetricStat: {
    Metric: { Namespace: q.namespace, MetricName: q.metric, Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })) },
    Period: periodSeconds,
    Stat: q.stat,
    ...(q.unit ? { Unit: q.unit as StandardUnit } : {}),
  },
});

/**
 * The queries that compute an alarm's metric, as the alarm does: its one metric with its statistic and
 * period, or its metric math with the inner ids prefixed by the policy query's id (`errorRate_apiErrors`),
 * so two alarms' math never collide in one request. The value the alarm compares is returned under the
 * policy query's id; the inner queries are not returned.
 */
export function alarmQueries(q: AlarmMetricQuery, alarm: MetricAlarm): MetricDataQuery[] {
  const label = `${q.alarm} (alarm metric)`;
  if (alarm.Metrics && alarm.Metrics.length > 0) {
    const returned = alarm.Metrics.filter((m) => m.ReturnData !== false);
    if (returned.length !== 1) throw new ConfigError(`alarm ${q.alarm} returns ${returned.length} of its metric-math queries; expected exactly one`);
    const rename = new Map(alarm.Metrics.map((m) => [m.Id!, m === returned[0] ? q.id : `${q.id}_${m.Id}`]));
    const rewrite = (expression: string) => expression.replace(/\b[a-z][A-Za-z0-9_]*\b/g, (word) => rename.get(word) ?? word);
    return alarm.Metrics.map((m) => ({
      ...m,
      Id: rename.get(m.Id!),
      ReturnData: m === returned[0],
      ...(m === returned[0] ? { Label: label } : {}),
      ...(m.Expression ? { Expression: rewrite(m.Expression) } : {}),
    }));
  }
  if (!alarm.Namespace || !alarm.MetricName || !alarm.Period) throw new ConfigError(`alarm ${q.alarm} has neither a metric nor metric math`);
  return [
    {
      Id: q.id,
      Label: label,
      ReturnData: true,
      MetricStat: {
        Metric: { Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions ?? [] },
        Period: alarm.Period,
        Stat: alarm.ExtendedStatistic ?? alarm.Statistic,
        ...(alarm.Unit ? { Unit: alarm.Unit } : {}),
      },
    },
  ];
}

/** The names of the alarms a service's queries read. */
export const alarmsRead = (service: ServicePolicy): string[] => [...new Set(service.queries.filter(isAlarmQuery).map((q) => q.alarm))];

/** Builds the GetMetricData request for a service over the last `lookbackMinutes`, aligned to the period. */
export function metricDataRequest(service: ServicePolicy, now: Date, alarms: AlarmDefinitions = new Map()): GetMetricDataCommandInput {
  const periodMs = service.periodSeconds * 1000;
  const end = Math.ceil(now.getTime() / periodMs) * periodMs;
  const start = end - service.lookbackMinutes * 60_000;
  const queries = service.queries.flatMap((q) => {
    if (!isAlarmQuery(q)) return [explicitQuery(q, service.periodSeconds)];
    const alarm = alarms.get(q.alarm);
    if (!alarm) throw new ConfigError(`responder query ${q.id} reads alarm ${q.alarm}, which CloudWatch does not have as a metric alarm`);
    return alarmQueries(q, alarm);
  });
  const ids = queries.map((q) => q.Id);
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (repeated.length > 0) throw new ConfigError(`responder queries repeat the GetMetricData id ${repeated.join(', ')}`);
  return { StartTime: new Date(start), EndTime: new Date(end), ScanBy: 'TimestampDescending', MetricDataQueries: queries };
}

const labelOf = (q: MetricQuery): string => (isAlarmQuery(q) ? `${q.alarm} (alarm metric)` : `${q.namespace}/${q.metric} ${q.stat}`);
const unitOf = (q: MetricQuery): string | undefined => (isAlarmQuery(q) ? undefined : q.unit);

/** Reads GetMetricData results into Diagnostics; pure. A query CloudWatch did not answer has no datapoints. */
export function readDiagnostics(service: ServicePolicy, request: Pick<GetMetricDataCommandInput, 'StartTime' | 'EndTime'>, results: readonly MetricDataResult[]): Diagnostics {
  const readings = service.queries.map((q): MetricReading => {
    const result = results.find((r) => r.Id === q.id);
    const points = pairs(result);
    const base = { id: q.id, role: q.role, label: labelOf(q), unit: unitOf(q), points: points.length };
    if (points.length === 0) return base;
    const latest = points.reduce((a, b) => (b.at > a.at ? b : a));
    const values = points.map((p) => p.value);
    return { ...base, latest: latest.value, latestAt: new Date(latest.at).toISOString(), max: Math.max(...values), min: Math.min(...values) };
  });
  const values: Partial<Record<MetricRole, number>> = {};
  for (const r of readings) {
    if (r.latest === undefined) continue;
    const seen = values[r.role];
    values[r.role] = seen === undefined ? r.latest : Math.max(seen, r.latest);
  }
  return {
    from: toIso(request.StartTime),
    to: toIso(request.EndTime),
    readings,
    values,
  };
}

function pairs(result: MetricDataResult | undefined): { at: number; value: number }[] {
  if (!result) return [];
  const timestamps = result.Timestamps ?? [];
  const values = result.Values ?? [];
  const out: { at: number; value: number }[] = [];
  for (let i = 0; i < Math.min(timestamps.length, values.length); i++) {
    const at = timestamps[i];
    const value = values[i];
    if (at === undefined || value === undefined || !Number.isFinite(value)) continue;
    out.push({ at: new Date(at).getTime(), value });
  }
  return out;
}

const toIso = (t: Date | undefined): string => (t ? t.toISOString() : '');

/** True when not one query returned a datapoint: the responder never acts blind. */
export const hasNoData = (d: Diagnostics): boolean => d.readings.every((r) => r.points === 0);

/**
 * Runs the one GetMetricData call for a service and reads the answer. When the call fails, a live run
 * throws (Lambda retries; the responder never decides on metrics it did not read). A dry run
 * (`options.dryRun`) returns diagnostics marked `unavailable` with no datapoints instead, so the plan
 * says the diagnosis was unavailable and takes the insufficient-data branch.
 */
export async function diagnose(service: ServicePolicy, source: MetricsSource, now: Date = new Date(), options: { readonly dryRun?: boolean } = {}): Promise<Diagnostics> {
  const names = alarmsRead(service);
  let alarms: AlarmDefinitions = new Map();
  if (names.length > 0) {
    if (!source.describeAlarms) throw new ConfigError('the responder policy reads alarms, but its metrics source cannot describe alarms');
    try {
      alarms = new Map((await source.describeAlarms(names)).map((a) => [a.AlarmName!, a]));
    } catch (error) {
      if (!options.dryRun) throw error;
      return unavailableDiagnostics(service, now, describeUnreadable(error, 'CloudWatch DescribeAlarms'));
    }
  }
  const request = metricDataRequest(service, now, alarms);
  let results: readonly MetricDataResult[];
  try {
    results = await source.getMetricData(request);
  } catch (error) {
    if (!options.dryRun) throw error;
    return unavailableDiagnostics(service, now, describeUnreadable(error, 'CloudWatch GetMetricData'));
  }
  return readDiagnostics(service, request, results);
}

/** Diagnostics of a dry run that could not read CloudWatch: every reading empty, with why. */
function unavailableDiagnostics(service: ServicePolicy, now: Date, unavailable: string): Diagnostics {
  logger.warn('DRY_RUN: diagnostics unavailable; planning as insufficient data', { unavailable });
  const periodMs = service.periodSeconds * 1000;
  const end = Math.ceil(now.getTime() / periodMs) * periodMs;
  const window = { StartTime: new Date(end - service.lookbackMinutes * 60_000), EndTime: new Date(end) };
  return { ...readDiagnostics(service, window, []), unavailable };
}
