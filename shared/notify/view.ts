// Domain: what every channel says about one message — severity, links, metric summary — computed once.
import type { Alarm, GenericNotification, ParsedMessage } from '../alarm/model';
import { parseAlarmArn } from '../alarm/arn';
import { decideSeverity, runbookPath, type SeverityDecision } from '../policy/routing';
import type { RoutingPolicy } from '../policy/schema';

export interface AlarmView extends SeverityDecision {
  readonly type: 'alarm';
  readonly messageId: string;
  readonly alarm: Alarm;
  readonly consoleUrl: string;
  readonly runbookUrl: string;
  /** "ContainerInsights node_cpu_utilization (Average) > 85 Percent for 2 x 300 s", when there is a metric. */
  readonly metricSummary?: string;
  /** "ClusterName=retail-prediction-cluster", when there are dimensions. */
  readonly dimensionsSummary?: string;
}

export interface GenericView extends SeverityDecision {
  readonly type: 'generic';
  readonly messageId: string;
  readonly generic: GenericNotification;
  readonly runbookUrl: string;
}

export type NotificationView = AlarmView | GenericView;

/** Builds the view of a parsed message under a routing policy. Pure. */
export function buildView(message: ParsedMessage, policy: RoutingPolicy, runbookBaseUrl: string): NotificationView {
  if (message.type === 'generic') {
    return {
      type: 'generic',
      messageId: message.messageId,
      generic: message.generic,
      ...decideSeverity(policy, undefined),
      runbookUrl: runbookBaseUrl + runbookPath(policy, undefined),
    };
  }
  const alarm = message.alarm;
  return {
    type: 'alarm',
    messageId: message.messageId,
    alarm,
    ...decideSeverity(policy, alarm.name, alarm.description),
    consoleUrl: consoleUrl(alarm),
    runbookUrl: runbookBaseUrl + runbookPath(policy, alarm.name),
    metricSummary: metricSummary(alarm),
    dimensionsSummary: dimensionsSummary(alarm),
  };
}

/** The alarm's page in the CloudWatch console of its own partition and region. */
export function consoleUrl(alarm: Pick<Alarm, 'arn' | 'region' | 'name'>): string {
  const partition = parseAlarmArn(alarm.arn)?.partition ?? 'aws';
  const host =
    partition === 'aws-cn'
      ? 'console.amazonaws.cn'
      : partition === 'aws-us-gov'
        ? 'console.amazonaws-us-gov.com'
        : `${alarm.region}.console.aws.amazon.com`;
  return `https://${host}/cloudwatch/home?region=${alarm.region}#alarmsV2:alarm/${encodeURIComponent(alarm.name)}`;
}

const COMPARISON: Readonly<Record<string, string>> = {
  GreaterThanThreshold: '>',
  GreaterThanOrEqualToThreshold: '>=',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the band',
  LessThanLowerThreshold: 'below the band',
  GreaterThanUpperThreshold: 'above the band',
};

function metricSummary(alarm: Alarm): string | undefined {
  if (alarm.kind === 'composite') return undefined;
  const m = alarm.metric;
  const returned = alarm.queries?.find((q) => q.returnData && q.expression);
  const subject =
    m?.name !== undefined
      ? `${m.namespace ? `${m.namespace} ` : ''}${m.name}${m.statistic ? ` (${m.statistic})` : ''}`
      : returned
        ? `${returned.label ?? returned.id} = ${returned.expression}`
        : undefined;
  if (!subject) return undefined;
  const comparison = m?.comparison ? (COMPARISON[m.comparison] ?? m.comparison) : undefined;
  const threshold = m?.threshold !== undefined ? ` ${m.threshold}${m.unit ? ` ${m.unit}` : ''}` : '';
  const window =
    m?.evaluationPeriods && m.periodSeconds
      ? ` for ${m.datapointsToAlarm && m.datapointsToAlarm !== m.evaluationPeriods ? `${m.datapointsToAlarm} of ` : ''}${m.evaluationPeriods} x ${m.periodSeconds} s`
      : '';
  return `${subject}${comparison ? ` ${comparison}${threshold}` : ''}${window}`;
}

function dimensionsSummary(alarm: Alarm): string | undefined {
  const dims = alarm.metric?.dimensions ?? {};
  const pairs = Object.entries(dims).map(([k, v]) => `${k}=${v}`);
  return pairs.length ? pairs.join(', ') : undefined;
}

/** "ALARM: RetailPrediction-HighCPU (us-east-1)" or the generic message's subject. */
export function headline(view: NotificationView): string {
  return view.type === 'alarm' ? `${view.alarm.state}: ${view.alarm.name} (${view.alarm.region})` : view.generic.subject;
}
