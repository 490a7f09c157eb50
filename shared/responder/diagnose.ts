// Responder, step 2: gather the state of a service with one CloudWatch GetMetricData call (alarm queries spelled out from their alarms first), and read it by role.
import type { GetMetricDataCommandInput, MetricAlarm, MetricDataQuery, MetricDataResult, StandardUnit } from '@aws-sdk/client-cloudwatch';
import type { Alarm } from '../alarm/model';
import { logger } from '../logger';
import { describeUnreadable } from '../read-failure';
import { alarmQueries, alarmQueryLabel, definitionFromNotification, unreadableAlarm } from './alarm-definition';
import { isAlarmQuery, type ExplicitMetricQuery, type MetricQuery, type MetricRole, type ServicePolicy } from './policy';

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
  /** The GetMetricData queries as they were asked (absent when none was): what the graphs of a diagnosis draw. */
  readonly queries?: readonly MetricDataQuery[];
  /**
   * Set only in a dry run whose metrics could not be read (`could not read CloudWatch GetMetricData: no AWS
   * credentials`): every reading is empty, so the decision is the insufficient-data page.
   */
  readonly unavailable?: string;
}

/**
 * What the responder reads from CloudWatch to diagnose; an interface so tests pass a double
 * (`cloudWatchMetricsSource` is the real one).
 */
export interface MetricsSource {
  getMetricData(input: GetMetricDataCommandInput): Promise<readonly MetricDataResult[]>;
  /** The definitions of the named metric alarms, in one DescribeAlarms call; a name CloudWatch does not have is left out. */
  describeAlarms(names: readonly string[]): Promise<readonly MetricAlarm[]>;
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

/** The names of the alarms a service's queries read. */
export const alarmsRead = (service: ServicePolicy): string[] => [...new Set(service.queries.filter(isAlarmQuery).map((q) => q.alarm))];

/**
 * Builds the GetMetricData request for a service over the last `lookbackMinutes`, aligned to the period.
 * An alarm query is spelled out from its alarm's definition in `alarms` (see `alarmQueries`); one whose
 * alarm is missing there throws an UnreadableInputError.
 */
export function metricDataRequest(service: ServicePolicy, now: Date, alarms: AlarmDefinitions = new Map()): GetMetricDataCommandInput {
  // Every policy id is reserved before any alarm's inner ids are chosen, so none of those can take one.
  const taken = new Set(service.queries.map((q) => q.id));
  const queries = service.queries.flatMap((q) => {
    if (!isAlarmQuery(q)) return [explicitQuery(q, service.periodSeconds)];
    const alarm = alarms.get(q.alarm);
    if (!alarm) throw unreadableAlarm(q.alarm, 'CloudWatch DescribeAlarms has no metric alarm of that name');
    return alarmQueries(q, alarm, taken);
  });
  return { ...windowOf(service, now), ScanBy: 'TimestampDescending', MetricDataQueries: queries };
}

/** The lookback window ending at the period boundary after `now`. */
function windowOf(service: ServicePolicy, now: Date): { StartTime: Date; EndTime: Date } {
  const periodMs = service.periodSeconds * 1000;
  const end = Math.ceil(now.getTime() / periodMs) * periodMs;
  return { StartTime: new Date(end - service.lookbackMinutes * 60_000), EndTime: new Date(end) };
}

const labelOf = (q: MetricQuery): string => (isAlarmQuery(q) ? alarmQueryLabel(q) : `${q.namespace}/${q.metric} ${q.stat}`);

/** Reads GetMetricData results into Diagnostics; pure. A query CloudWatch did not answer has no datapoints. */
export function readDiagnostics(
  service: ServicePolicy,
  request: Pick<GetMetricDataCommandInput, 'StartTime' | 'EndTime'> & Partial<Pick<GetMetricDataCommandInput, 'MetricDataQueries'>>,
  results: readonly MetricDataResult[],
): Diagnostics {
  const readings = service.queries.map((q): MetricReading => {
    const result = results.find((r) => r.Id === q.id);
    const points = pairs(result);
    // The unit the query asked for: the policy's, or the alarm's own for a single-metric alarm.
    const unit = request.MetricDataQueries?.find((m) => m.Id === q.id)?.MetricStat?.Unit ?? (isAlarmQuery(q) ? undefined : q.unit);
    const base = { id: q.id, role: q.role, label: labelOf(q), unit, points: points.length };
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
    ...(request.MetricDataQueries ? { queries: request.MetricDataQueries } : {}),
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

/** What `diagnose` is told besides the service. */
export interface DiagnoseOptions {
  /** A dry run plans around CloudWatch it cannot read (diagnostics `unavailable`) instead of failing. */
  readonly dryRun?: boolean;
  /** The notification being handled: its Trigger is its alarm's definition, so that alarm needs no DescribeAlarms. */
  readonly notification?: Alarm;
}

/**
 * The definitions of the alarms a service's queries read. The notification's own alarm comes from its
 * Trigger, which is what CloudWatch evaluated for that state change; every other one (or that one, when
 * the Trigger is missing or incomplete) from one DescribeAlarms call for all of them, none when nothing is left.
 */
export async function alarmDefinitions(service: ServicePolicy, source: MetricsSource, notification?: Alarm): Promise<AlarmDefinitions> {
  const definitions = new Map<string, MetricAlarm>();
  const fromTrigger = notification ? definitionFromNotification(notification) : undefined;
  const described: string[] = [];
  for (const name of alarmsRead(service)) {
    if (fromTrigger && name === notification?.name) definitions.set(name, fromTrigger);
    else described.push(name);
  }
  if (described.length === 0) return definitions;
  for (const alarm of await source.describeAlarms(described)) {
    if (alarm.AlarmName !== undefined && described.includes(alarm.AlarmName)) definitions.set(alarm.AlarmName, alarm);
  }
  return definitions;
}

/**
 * Reads the definitions of the alarms the service's queries name, then runs the one GetMetricData call
 * and reads the answer. When either cannot be read (CloudWatch fails, an alarm is gone or watches no
 * metric), a live run throws (Lambda retries; the responder never decides on metrics it did not read).
 * A dry run (`options.dryRun`) returns diagnostics marked `unavailable` with no datapoints instead, so
 * the plan says the diagnosis was unavailable and takes the insufficient-data branch.
 */
export async function diagnose(service: ServicePolicy, source: MetricsSource, now: Date = new Date(), options: DiagnoseOptions = {}): Promise<Diagnostics> {
  let request: GetMetricDataCommandInput;
  try {
    request = metricDataRequest(service, now, await alarmDefinitions(service, source, options.notification));
  } catch (error) {
    if (!options.dryRun) throw error;
    return unavailableDiagnostics(service, now, describeUnreadable(error, 'CloudWatch DescribeAlarms'));
  }
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
  return { ...readDiagnostics(service, windowOf(service, now), []), unavailable };
}
