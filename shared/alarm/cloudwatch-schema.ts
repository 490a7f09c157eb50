// Domain: the shapes CloudWatch publishes, validated loosely (unknown fields are kept, never fatal).
import { z } from 'zod';
import { ALARM_STATES } from './model';

const state = z.enum(ALARM_STATES);
const num = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

/** SNS notifications use `{name, value}`; the API shape uses `{Name, Value}`. */
const dimension = z.union([
  z.object({ name: z.string(), value: z.string() }).transform((d) => [d.name, d.value] as const),
  z.object({ Name: z.string(), Value: z.string() }).transform((d) => [d.Name, d.Value] as const),
]);
export const dimensions = z
  .array(dimension)
  .nullish()
  .transform((ds) => Object.fromEntries(ds ?? []) as Record<string, string>);

const metricQuery = z.looseObject({
  Id: z.string(),
  Expression: z.string().nullish(),
  Label: z.string().nullish(),
  ReturnData: z.boolean().nullish(),
  Period: num.nullish(),
  MetricStat: z
    .looseObject({
      Metric: z.looseObject({ Namespace: z.string().nullish(), MetricName: z.string().nullish(), Dimensions: dimensions }),
      Period: num.nullish(),
      Stat: z.string().nullish(),
      Unit: z.string().nullish(),
    })
    .nullish(),
});

const trigger = z.looseObject({
  MetricName: z.string().nullish(),
  Namespace: z.string().nullish(),
  StatisticType: z.string().nullish(),
  Statistic: z.string().nullish(),
  ExtendedStatistic: z.string().nullish(),
  Unit: z.string().nullish(),
  Dimensions: dimensions,
  Period: num.nullish(),
  EvaluationPeriods: num.nullish(),
  DatapointsToAlarm: num.nullish(),
  ComparisonOperator: z.string().nullish(),
  Threshold: num.nullish(),
  ThresholdMetricId: z.string().nullish(),
  Metrics: z.array(metricQuery).nullish(),
});

/** The JSON message CloudWatch publishes to SNS for a metric or composite alarm. */
export const cloudWatchAlarmMessage = z.looseObject({
  AlarmName: z.string().min(1),
  AlarmDescription: z.string().nullish(),
  AWSAccountId: z.string().nullish(),
  NewStateValue: state,
  NewStateReason: z.string().nullish(),
  StateChangeTime: z.string().min(1),
  Region: z.string().nullish(),
  AlarmArn: z.string().min(1),
  OldStateValue: state.nullish(),
  Trigger: trigger.nullish(),
  AlarmRule: z.string().nullish(),
  TriggeringChildren: z
    .array(z.looseObject({ Arn: z.string(), State: z.looseObject({ Value: state.nullish() }).nullish() }))
    .nullish(),
});
export type CloudWatchAlarmMessage = z.infer<typeof cloudWatchAlarmMessage>;

const eventBridgeState = z.looseObject({ value: state, reason: z.string().nullish(), timestamp: z.string().nullish() });

/** An EventBridge "CloudWatch Alarm State Change" event (someone routed it to the alarms topic). */
export const alarmStateChangeEvent = z.looseObject({
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  account: z.string(),
  region: z.string(),
  time: z.string(),
  resources: z.array(z.string()).min(1),
  detail: z.looseObject({
    alarmName: z.string().min(1),
    state: eventBridgeState,
    previousState: eventBridgeState.nullish(),
    configuration: z
      .looseObject({
        description: z.string().nullish(),
        alarmRule: z.string().nullish(),
        metrics: z
          .array(
            z.looseObject({
              id: z.string(),
              expression: z.string().nullish(),
              label: z.string().nullish(),
              returnData: z.boolean().nullish(),
              metricStat: z
                .looseObject({
                  metric: z.looseObject({
                    namespace: z.string().nullish(),
                    name: z.string().nullish(),
                    dimensions: z.record(z.string(), z.string()).nullish(),
                  }),
                  period: num.nullish(),
                  stat: z.string().nullish(),
                  unit: z.string().nullish(),
                })
                .nullish(),
            }),
          )
          .nullish(),
      })
      .nullish(),
  }),
});
export type AlarmStateChangeEvent = z.infer<typeof alarmStateChangeEvent>;
