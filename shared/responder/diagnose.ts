// Responder, step 2: gather the state of a service with one CloudWatch GetMetricData call, and read it by role.
import type { GetMetricDataCommandInput, MetricDataResult, StandardUnit } from '@aws-sdk/client-cloudwatch';
import { logger } from '../logger';
import { describeUnreadable } from '../read-failure';
import type { MetricQuery, MetricRole, ServicePolicy } from './policy';

/** One query's result over the window: the latest value drives decisions, the rest is context for people. */
export interface MetricReading {
  readonly id: string;
  readonly role: MetricRole;
  /** `RetailMLOps/ErrorRate Average`, for messages. */
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

/** The one call the responder makes to CloudWatch; an interface so tests pass a double (`cloudWatchMetricsSource` is the real one). */
export interface MetricsSource {
  getMetricData(input: GetMetricDataCommandInput): Promise<readonly MetricDataResult[]>;
}

/** Builds the GetMetricData request for a service over the last `lookbackMinutes`, aligned to the period. */
export function metricDataRequest(service: ServicePolicy, now: Date): GetMetricDataCommandInput {
  const periodMs = service.periodSeconds * 1000;
  const end = Math.ceil(now.getTime() / periodMs) * periodMs;
  const start = end - service.lookbackMinutes * 60_000;
  return {
    StartTime: new Date(start),
    EndTime: new Date(end),
    ScanBy: 'TimestampDescending',
    MetricDataQueries: service.queries.map((q) => ({
      Id: q.id,
      Label: labelOf(q),
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: q.namespace,
          MetricName: q.metric,
          Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: service.periodSeconds,
        Stat: q.stat,
        ...(q.unit ? { Unit: q.unit as StandardUnit } : {}),
      },
    })),
  };
}

const labelOf = (q: MetricQuery): string => `${q.namespace}/${q.metric} ${q.stat}`;

/** Reads GetMetricData results into Diagnostics; pure. A query CloudWatch did not answer has no datapoints. */
export function readDiagnostics(service: ServicePolicy, request: GetMetricDataCommandInput, results: readonly MetricDataResult[]): Diagnostics {
  const readings = service.queries.map((q): MetricReading => {
    const result = results.find((r) => r.Id === q.id);
    const points = pairs(result);
    const base = { id: q.id, role: q.role, label: labelOf(q), unit: q.unit, points: points.length };
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
  const request = metricDataRequest(service, now);
  let results: readonly MetricDataResult[];
  try {
    results = await source.getMetricData(request);
  } catch (error) {
    if (!options.dryRun) throw error;
    const unavailable = describeUnreadable(error, 'CloudWatch GetMetricData');
    logger.warn('DRY_RUN: diagnostics unavailable; planning as insufficient data', { unavailable });
    return { ...readDiagnostics(service, request, []), unavailable };
  }
  return readDiagnostics(service, request, results);
}
