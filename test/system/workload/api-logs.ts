// System suite: the reference workload's API writing its log lines, and CloudWatch Logs turning them into metrics
// by the stack's own metric filters and transformer (the emulator stores both but applies neither).
import { randomUUID } from 'node:crypto';
import {
  CreateLogStreamCommand,
  DescribeMetricFiltersCommand,
  PutLogEventsCommand,
  type CloudWatchLogsClient,
  type MetricFilter,
} from '@aws-sdk/client-cloudwatch-logs';
import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import type { JsonObject } from '../../packaging/serverless';

/** One minute of traffic: how many requests, what share failed, how slow the rest were. */
export interface TrafficMinute {
  readonly at: Date;
  readonly requests: number;
  readonly errorPercent: number;
  readonly latencyMs: number;
}

const stamp = (t: Date): string => t.toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');

/** The API's lines for a minute, in its own format (`API Request: {...}`, then `API Error: {...}` or `Inference completed: latency=..ms`). */
export function apiLogLines(minute: TrafficMinute): { timestamp: number; message: string }[] {
  const lines: { timestamp: number; message: string }[] = [];
  // Failures spread through the minute: request i fails when the running share of failures falls behind.
  const fails = (i: number) => Math.floor(((i + 1) * minute.errorPercent) / 100) > Math.floor((i * minute.errorPercent) / 100);
  const spacing = 50_000 / Math.max(1, minute.requests);
  for (let i = 0; i < minute.requests; i++) {
    const t = new Date(minute.at.getTime() + Math.floor(i * spacing));
    const request = { method: 'POST', path: '/predict', product_id: `P${1000 + i}`, store_id: `S${(i % 40) + 1}`, client: `10.0.${i % 8}.${i % 250}` };
    lines.push({ timestamp: t.getTime(), message: `${stamp(t)} [INFO] API Request: ${JSON.stringify(request)}` });
    if (fails(i)) {
      lines.push({ timestamp: t.getTime(), message: `${stamp(t)} [ERROR] API Error: {"error":"Model inference failed","detail":"feature store timeout after 1030ms","status":500}` });
    } else {
      const latency = (minute.latencyMs * (0.9 + (i % 5) * 0.05)).toFixed(2);
      lines.push({ timestamp: t.getTime(), message: `${stamp(t)} [INFO] Inference completed: latency=${latency}ms, prediction=High` });
    }
  }
  return lines;
}

/** The subset of the Logs transformer the template uses: Grok with literal text and %{NUMBER:key}, then TypeConverter. */
export function applyTransformer(config: JsonObject[], message: string): Record<string, unknown> | undefined {
  let fields: Record<string, unknown> | undefined;
  for (const step of config) {
    if ('Grok' in step) {
      const match = String((step.Grok as JsonObject).Match);
      const names: string[] = [];
      const source = match.split(/(%\{[A-Z]+:[\w.]+\})/).map((part) => {
        const token = /^%\{([A-Z]+):([\w.]+)\}$/.exec(part);
        if (!token) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        if (token[1] !== 'NUMBER') throw new Error(`the suite's transformer does not know grok pattern ${token[1]}`);
        names.push(token[2]!);
        return '([+-]?\\d+(?:\\.\\d+)?)';
      });
      const found = new RegExp(source.join('')).exec(message);
      if (!found) return undefined;
      fields = Object.fromEntries(names.map((n, i) => [n, found[i + 1]]));
    } else if ('TypeConverter' in step) {
      for (const entry of (step.TypeConverter as JsonObject).Entries as JsonObject[]) {
        const key = String(entry.Key);
        if (fields && key in fields && (entry.Type === 'double' || entry.Type === 'integer')) fields[key] = Number(fields[key]);
      }
    } else {
      throw new Error(`the suite's transformer does not know step ${Object.keys(step).join(',')}`);
    }
  }
  return fields;
}

/**
 * The subset of the filter-pattern syntax the template uses: one quoted term (the message contains it) or
 * `{ $.key = * }` on a JSON (or transformed) event. Anything else fails loudly, so a new pattern is noticed.
 */
export function matchFilterPattern(pattern: string, message: string, fields: Record<string, unknown> | undefined): boolean {
  const term = /^"([^"]+)"$/.exec(pattern.trim());
  if (term) return message.includes(term[1]!);
  const exists = /^\{\s*\$\.([\w.]+)\s*=\s*\*\s*\}$/.exec(pattern.trim());
  if (exists) return fields !== undefined && fields[exists[1]!] !== undefined;
  throw new Error(`the suite cannot evaluate filter pattern ${pattern}`);
}

function metricValue(expression: string, fields: Record<string, unknown> | undefined): number | undefined {
  if (!expression.startsWith('$.')) return Number(expression);
  const value = fields?.[expression.slice(2)];
  return typeof value === 'number' ? value : undefined;
}

/** What CloudWatch Logs does at ingestion for one log group: each metric filter's datapoints for a batch of events. */
export function metricsFromFilters(
  filters: readonly MetricFilter[],
  transformer: JsonObject[] | undefined,
  events: readonly { timestamp: number; message: string }[],
): { namespace: string; datum: MetricDatum }[] {
  const data: { namespace: string; datum: MetricDatum }[] = [];
  for (const filter of filters) {
    const transformed = filter.applyOnTransformedLogs === true || (filter.filterPattern ?? '').includes('$.');
    for (const t of filter.metricTransformations ?? []) {
      const namespace = t.metricNamespace!;
      // CloudWatch reports the default value for each minute in which events arrived and none matched.
      const matchedMinutes = new Set<number>();
      const seenMinutes = new Set<number>();
      for (const event of events) {
        const minute = Math.floor(event.timestamp / 60_000) * 60_000;
        seenMinutes.add(minute);
        const fields = transformed && transformer ? applyTransformer(transformer, event.message) : undefined;
        if (!matchFilterPattern(filter.filterPattern ?? '', event.message, fields)) continue;
        const value = metricValue(t.metricValue ?? '1', fields);
        if (value === undefined) continue;
        matchedMinutes.add(minute);
        data.push({ namespace, datum: { MetricName: t.metricName, Value: value, Unit: t.unit as StandardUnit | undefined, Timestamp: new Date(event.timestamp) } });
      }
      if (t.defaultValue === undefined) continue;
      for (const minute of seenMinutes) {
        if (!matchedMinutes.has(minute)) data.push({ namespace, datum: { MetricName: t.metricName, Value: t.defaultValue, Unit: t.unit as StandardUnit | undefined, Timestamp: new Date(minute) } });
      }
    }
  }
  return data;
}

/**
 * Writes events to a log group as the workload does (the emulator then delivers them to the subscribed
 * function) and publishes what the group's metric filters make of them.
 */
export async function ingest(
  clients: { logs: CloudWatchLogsClient; cloudWatch: CloudWatchClient },
  logGroupName: string,
  logStreamName: string,
  events: readonly { timestamp: number; message: string }[],
  transformer?: JsonObject[],
): Promise<void> {
  await clients.logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName })).catch((error: Error) => {
    if (error.name !== 'ResourceAlreadyExistsException') throw error;
  });
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
  // One PutLogEvents is at most 10,000 events.
  for (let i = 0; i < sorted.length; i += 5_000) {
    await clients.logs.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: sorted.slice(i, i + 5_000) }));
  }
  const { metricFilters = [] } = await clients.logs.send(new DescribeMetricFiltersCommand({ logGroupName }));
  const byNamespace = new Map<string, MetricDatum[]>();
  for (const { namespace, datum } of metricsFromFilters(metricFilters, transformer, sorted)) {
    byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), datum]);
  }
  for (const [Namespace, all] of byNamespace) {
    for (let i = 0; i < all.length; i += 500) await clients.cloudWatch.send(new PutMetricDataCommand({ Namespace, MetricData: all.slice(i, i + 500) }));
  }
}

/** A log stream name like Container Insights' (`<pod>_<namespace>_<container>-<id>`). */
export const apiLogStream = (): string => `retail-forecast-api-7d9f8c6b5-x2k4q_mlops_api-${randomUUID().slice(0, 12)}`;
