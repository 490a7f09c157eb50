// Domain: turns whatever arrives on the alarms topic into one Alarm, or a generic notification. Never throws.
import type { SNSEventRecord } from 'aws-lambda';
import type * as z from '../zod';
import { sliceWhole } from '../text';
import { describeIssues } from '../validation';
import { parseAlarmArn } from './arn';
import {
  alarmStateChangeEvent,
  cloudWatchAlarmMessage,
  type AlarmStateChangeEvent,
  type CloudWatchAlarmMessage,
} from './cloudwatch-schema';
import type { Alarm, AlarmKind, AlarmMetricQuery, GenericNotification, ParsedMessage } from './model';

/** Anomaly-detection alarms compare against a band, not a number. */
const BAND_COMPARISONS = new Set([
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
]);

type Content = { type: 'alarm'; alarm: Alarm } | { type: 'generic'; generic: GenericNotification };

/** Parses one SNS record of the alarms topic. */
export function parseSnsRecord(record: SNSEventRecord): ParsedMessage {
  const sns = record.Sns;
  // SNS sends a string or null; anything else (a number, an object from a hand-made event) is no subject at all.
  const content = parseAlarmMessage(sns.Message ?? '', typeof sns.Subject === 'string' ? sns.Subject : undefined);
  // The MessageId is shown in every channel's text: well-formed there (SNS's are UUIDs; a hand-made event's may not be).
  const envelope = { messageId: sns.MessageId.toWellFormed(), topicArn: sns.TopicArn };
  return content.type === 'alarm' ? { ...envelope, ...content } : { ...envelope, ...content };
}

/**
 * Parses the body of a message from the alarms topic: a CloudWatch alarm notification, an
 * EventBridge alarm state-change event, or anything else (which becomes a generic notification that
 * says why it was not understood).
 */
export function parseAlarmMessage(text: string, subject?: string): Content {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return generic(subject, text, 'not JSON: delivered as plain text');
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch (error) {
    return generic(subject, text, `malformed JSON (${(error as Error).message})`);
  }
  if (!isObject(json)) return generic(subject, text, 'JSON that is not an object');

  if ('AlarmName' in json) {
    const parsed = cloudWatchAlarmMessage.safeParse(json);
    if (!parsed.success) return generic(subject ?? String(json.AlarmName), text, `incomplete CloudWatch alarm: ${describe(parsed.error)}`);
    const alarm = fromCloudWatch(parsed.data);
    return alarm ? { type: 'alarm', alarm } : generic(subject, text, `AlarmArn is not a CloudWatch alarm ARN: ${parsed.data.AlarmArn}`);
  }
  if (json['detail-type'] === 'CloudWatch Alarm State Change') {
    const parsed = alarmStateChangeEvent.safeParse(json);
    if (!parsed.success) return generic(subject, text, `incomplete alarm state-change event: ${describe(parsed.error)}`);
    const alarm = fromEventBridge(parsed.data);
    return alarm ? { type: 'alarm', alarm } : generic(subject, text, 'alarm state-change event without an alarm ARN');
  }
  return generic(subject, text, 'JSON that is not a CloudWatch alarm');
}

function fromCloudWatch(m: CloudWatchAlarmMessage): Alarm | undefined {
  const arn = parseAlarmArn(m.AlarmArn);
  if (!arn) return undefined;
  const t = m.Trigger ?? undefined;
  const queries = t?.Metrics?.map(
    (q): AlarmMetricQuery => ({
      id: q.Id,
      expression: q.Expression ?? undefined,
      label: q.Label ?? undefined,
      returnData: q.ReturnData ?? false,
      namespace: q.MetricStat?.Metric.Namespace ?? undefined,
      name: q.MetricStat?.Metric.MetricName ?? undefined,
      stat: q.MetricStat?.Stat ?? undefined,
      unit: q.MetricStat?.Unit ?? undefined,
      periodSeconds: q.MetricStat?.Period ?? q.Period ?? undefined,
      dimensions: q.MetricStat?.Metric.Dimensions ?? {},
    }),
  );
  const kind: AlarmKind = m.AlarmRule || !t
    ? 'composite'
    : t.ThresholdMetricId || BAND_COMPARISONS.has(t.ComparisonOperator ?? '')
      ? 'anomaly'
      : !t.MetricName && queries?.length
        ? 'metric-math'
        : 'metric';
  return {
    kind,
    name: m.AlarmName,
    arn: m.AlarmArn,
    accountId: m.AWSAccountId ?? arn.accountId,
    region: arn.region,
    description: m.AlarmDescription ?? undefined,
    state: m.NewStateValue,
    previousState: m.OldStateValue ?? undefined,
    reason: m.NewStateReason ?? '',
    changedAt: isoTime(m.StateChangeTime),
    metric: t && kind !== 'composite'
      ? {
          namespace: t.Namespace ?? undefined,
          name: t.MetricName ?? undefined,
          statistic: t.ExtendedStatistic ?? normaliseStatistic(t.Statistic),
          unit: t.Unit ?? undefined,
          periodSeconds: t.Period ?? undefined,
          evaluationPeriods: t.EvaluationPeriods ?? undefined,
          datapointsToAlarm: t.DatapointsToAlarm ?? undefined,
          comparison: t.ComparisonOperator ?? undefined,
          threshold: kind === 'anomaly' ? undefined : (t.Threshold ?? undefined),
          dimensions: t.Dimensions,
        }
      : undefined,
    queries: queries?.length ? queries : undefined,
    thresholdMetricId: t?.ThresholdMetricId ?? undefined,
    rule: m.AlarmRule ?? undefined,
    triggeringChildren: m.TriggeringChildren?.map((c) => ({
      arn: c.Arn,
      name: parseAlarmArn(c.Arn)?.name ?? c.Arn,
      state: c.State?.Value ?? undefined,
    })),
    source: 'cloudwatch-sns',
  };
}

function fromEventBridge(e: AlarmStateChangeEvent): Alarm | undefined {
  const arnText = e.resources.find((r) => parseAlarmArn(r));
  const arn = arnText ? parseAlarmArn(arnText) : undefined;
  if (!arnText || !arn) return undefined;
  const d = e.detail;
  const queries = d.configuration?.metrics?.map(
    (q): AlarmMetricQuery => ({
      id: q.id,
      expression: q.expression ?? undefined,
      label: q.label ?? undefined,
      returnData: q.returnData ?? false,
      namespace: q.metricStat?.metric.namespace ?? undefined,
      name: q.metricStat?.metric.name ?? undefined,
      stat: q.metricStat?.stat ?? undefined,
      unit: q.metricStat?.unit ?? undefined,
      periodSeconds: q.metricStat?.period ?? undefined,
      dimensions: q.metricStat?.metric.dimensions ?? {},
    }),
  );
  const single = queries?.length === 1 && !queries[0]?.expression ? queries[0] : undefined;
  const kind: AlarmKind = d.configuration?.alarmRule
    ? 'composite'
    : queries?.some((q) => q.expression?.includes('ANOMALY_DETECTION_BAND'))
      ? 'anomaly'
      : single || !queries?.length
        ? 'metric'
        : 'metric-math';
  return {
    kind,
    name: d.alarmName,
    arn: arnText,
    accountId: e.account,
    region: arn.region,
    description: d.configuration?.description ?? undefined,
    state: d.state.value,
    previousState: d.previousState?.value,
    reason: d.state.reason ?? '',
    changedAt: isoTime(d.state.timestamp ?? e.time),
    // EventBridge events carry no threshold: the reason text states it.
    metric: single
      ? { namespace: single.namespace, name: single.name, statistic: single.stat, unit: single.unit, periodSeconds: single.periodSeconds, dimensions: single.dimensions }
      : undefined,
    queries: single ? undefined : queries?.length ? queries : undefined,
    rule: d.configuration?.alarmRule ?? undefined,
    source: 'eventbridge',
  };
}

function generic(rawSubject: string | undefined, rawText: string, reason: string): Content {
  // A lone surrogate (a message cut mid-character upstream) is not text Slack, PagerDuty or SES can show: U+FFFD in its place.
  const subject = rawSubject?.toWellFormed();
  const text = rawText.toWellFormed();
  const firstLine = text.trim().split('\n', 1)[0] ?? '';
  return {
    type: 'generic',
    generic: { subject: subject?.trim() || sliceWhole(firstLine, 80) || '(empty message)', text, reason },
  };
}

/** CloudWatch writes `2026-11-21T03:13:05.123+0000`; ISO-8601 wants the offset as `+00:00`. */
function isoTime(value: string): string {
  const normalised = value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  const ms = Date.parse(normalised);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/** SNS spells statistics `AVERAGE`, `SAMPLE_COUNT`; the console and API say `Average`, `SampleCount`. */
function normaliseStatistic(statistic: string | null | undefined): string | undefined {
  if (!statistic) return undefined;
  if (statistic !== statistic.toUpperCase()) return statistic;
  return statistic
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const describe = (error: z.core.$ZodError): string => describeIssues(error, '', 5);
