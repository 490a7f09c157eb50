// Domain: the one normalised model of every alarm notification Firebreak receives, whatever its shape.

export const ALARM_STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;
export type AlarmState = (typeof ALARM_STATES)[number];

/** metric: one metric and a statistic; metric-math: an expression over metrics; anomaly: a band; composite: a rule over alarms. */
export type AlarmKind = 'metric' | 'metric-math' | 'anomaly' | 'composite';

/** The metric a metric or anomaly alarm watches. */
export interface AlarmMetric {
  readonly namespace?: string;
  readonly name?: string;
  /** `Average`, `Sum`, … or an extended statistic such as `p95`. */
  readonly statistic?: string;
  readonly unit?: string;
  readonly periodSeconds?: number;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  readonly comparison?: string;
  /** Absent for anomaly detection, whose threshold is a band. */
  readonly threshold?: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** One query of a metric-math or anomaly-detection alarm (`Trigger.Metrics`). */
export interface AlarmMetricQuery {
  readonly id: string;
  readonly expression?: string;
  readonly label?: string;
  readonly returnData: boolean;
  readonly namespace?: string;
  readonly name?: string;
  readonly stat?: string;
  /** The unit the alarm's MetricStat asks for, when it names one. */
  readonly unit?: string;
  readonly periodSeconds?: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

export interface Alarm {
  readonly kind: AlarmKind;
  readonly name: string;
  readonly arn: string;
  readonly accountId: string;
  /** Region code from the ARN (`us-east-1`), not the display name the message carries. */
  readonly region: string;
  readonly description?: string;
  readonly state: AlarmState;
  readonly previousState?: AlarmState;
  readonly reason: string;
  /** ISO-8601 time of the state change. */
  readonly changedAt: string;
  readonly metric?: AlarmMetric;
  readonly queries?: readonly AlarmMetricQuery[];
  /** Anomaly detection: the id of the band query. */
  readonly thresholdMetricId?: string;
  /** Composite alarms: the rule and the children that made it fire. */
  readonly rule?: string;
  readonly triggeringChildren?: readonly { readonly arn: string; readonly name: string; readonly state?: AlarmState }[];
  /** How it reached us: a CloudWatch SNS notification or an EventBridge state-change event. */
  readonly source: 'cloudwatch-sns' | 'eventbridge';
}

/** Anything on the topic that is not an alarm: still delivered, on the default route. */
export interface GenericNotification {
  readonly subject: string;
  readonly text: string;
  /** Why it was not understood as an alarm. */
  readonly reason: string;
}

/** One message from the alarms topic, with what identifies its delivery. */
export type ParsedMessage =
  | { readonly type: 'alarm'; readonly messageId: string; readonly topicArn?: string; readonly alarm: Alarm }
  | { readonly type: 'generic'; readonly messageId: string; readonly topicArn?: string; readonly generic: GenericNotification };
