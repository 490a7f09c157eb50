// Domain: the shapes CloudWatch publishes, validated loosely (unknown fields are kept, never fatal).
import * as z from '../zod';
import { ALARM_STATES } from './model';

const state = z.enum(ALARM_STATES);
const num = z.union([z.number(), z.pipe(z.string().check(z.regex(/^-?\d+(\.\d+)?$/)), z.transform(Number))]);

/** SNS notifications use `{name, value}`; the API shape uses `{Name, Value}`. */
const dimension = z.union([
  z.pipe(
    z.object({ name: z.string(), value: z.string() }),
    z.transform((d: { name: string; value: string }) => [d.name, d.value] as const),
  ),
  z.pipe(
    z.object({ Name: z.string(), Value: z.string() }),
    z.transform((d: { Name: string; Value: string }) => [d.Name, d.Value] as const),
  ),
]);
export const dimensions = z.pipe(
  z.nullish(z.array(dimension)),
  z.transform((ds: (readonly [string, string])[] | null | undefined) => Object.fromEntries(ds ?? []) as Record<string, string>),
);

const metricQuery = z.looseObject({
  Id: z.string(),
  Expression: z.nullish(z.string()),
  Label: z.nullish(z.string()),
  ReturnData: z.nullish(z.boolean()),
  Period: z.nullish(num),
  MetricStat: z.nullish(
    z.looseObject({
      Metric: z.looseObject({ Namespace: z.nullish(z.string()), MetricName: z.nullish(z.string()), Dimensions: dimensions }),
      Period: z.nullish(num),
      Stat: z.nullish(z.string()),
      Unit: z.nullish(z.string()),
    }),
  ),
});

const trigger = z.looseObject({
  MetricName: z.nullish(z.string()),
  Namespace: z.nullish(z.string()),
  StatisticType: z.nullish(z.string()),
  Statistic: z.nullish(z.string()),
  ExtendedStatistic: z.nullish(z.string()),
  Unit: z.nullish(z.string()),
  Dimensions: dimensions,
  Period: z.nullish(num),
  EvaluationPeriods: z.nullish(num),
  DatapointsToAlarm: z.nullish(num),
  ComparisonOperator: z.nullish(z.string()),
  Threshold: z.nullish(num),
  ThresholdMetricId: z.nullish(z.string()),
  Metrics: z.nullish(z.array(metricQuery)),
});

/** The JSON message CloudWatch publishes to SNS for a metric or composite alarm. */
export const cloudWatchAlarmMessage = z.looseObject({
  AlarmName: z.string().check(z.minLength(1)),
  AlarmDescription: z.nullish(z.string()),
  AWSAccountId: z.nullish(z.string()),
  NewStateValue: state,
  NewStateReason: z.nullish(z.string()),
  StateChangeTime: z.string().check(z.minLength(1)),
  Region: z.nullish(z.string()),
  AlarmArn: z.string().check(z.minLength(1)),
  OldStateValue: z.nullish(state),
  Trigger: z.nullish(trigger),
  AlarmRule: z.nullish(z.string()),
  TriggeringChildren: z.nullish(z.array(z.looseObject({ Arn: z.string(), State: z.nullish(z.looseObject({ Value: z.nullish(state) })) }))),
});
export type CloudWatchAlarmMessage = z.infer<typeof cloudWatchAlarmMessage>;

const eventBridgeState = z.looseObject({ value: state, reason: z.nullish(z.string()), timestamp: z.nullish(z.string()) });

/** An EventBridge "CloudWatch Alarm State Change" event (someone routed it to the alarms topic). */
export const alarmStateChangeEvent = z.looseObject({
  'detail-type': z.literal('CloudWatch Alarm State Change'),
  source: z.literal('aws.cloudwatch'),
  account: z.string(),
  region: z.string(),
  time: z.string(),
  resources: z.array(z.string()).check(z.minLength(1)),
  detail: z.looseObject({
    alarmName: z.string().check(z.minLength(1)),
    state: eventBridgeState,
    previousState: z.nullish(eventBridgeState),
    configuration: z.nullish(
      z.looseObject({
        description: z.nullish(z.string()),
        alarmRule: z.nullish(z.string()),
        metrics: z.nullish(
          z.array(
            z.looseObject({
              id: z.string(),
              expression: z.nullish(z.string()),
              label: z.nullish(z.string()),
              returnData: z.nullish(z.boolean()),
              metricStat: z.nullish(
                z.looseObject({
                  metric: z.looseObject({
                    namespace: z.nullish(z.string()),
                    name: z.nullish(z.string()),
                    dimensions: z.nullish(z.record(z.string(), z.string())),
                  }),
                  period: z.nullish(num),
                  stat: z.nullish(z.string()),
                  unit: z.nullish(z.string()),
                }),
              ),
            }),
          ),
        ),
      }),
    ),
  }),
});
export type AlarmStateChangeEvent = z.infer<typeof alarmStateChangeEvent>;
