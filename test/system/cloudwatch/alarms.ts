// System suite: CloudWatch's alarm evaluation, which the emulator stores but never runs. Each alarm is evaluated
// from its own definition (as the emulator holds it) over the metrics in the emulator; a state change is recorded
// with SetAlarmState and published to the alarm's actions as CloudWatch's SNS notification.
import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  SetAlarmStateCommand,
  type CloudWatchClient,
  type CompositeAlarm,
  type MetricAlarm,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

type State = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** CloudWatch's names for regions in notifications. */
const REGION_NAMES: Record<string, string> = { 'eu-west-1': 'EU (Ireland)', 'us-east-1': 'US East (N. Virginia)' };

export interface Transition {
  readonly alarm: string;
  readonly from: State;
  readonly to: State;
  /** The message published to each action (the same JSON CloudWatch sends). */
  readonly message: Record<string, unknown>;
}

const cwTime = (t: Date): string => t.toISOString().replace('Z', '+0000');

/** The queries an alarm evaluates: its metric math as is, or its one metric as a MetricStat. */
export function alarmQueries(alarm: MetricAlarm): MetricDataQuery[] {
  if (alarm.Metrics && alarm.Metrics.length > 0) return alarm.Metrics;
  return [
    {
      Id: 'm',
      ReturnData: true,
      MetricStat: {
        Metric: { Namespace: alarm.Namespace, MetricName: alarm.MetricName, Dimensions: alarm.Dimensions ?? [] },
        Period: alarm.Period,
        Stat: alarm.ExtendedStatistic ?? alarm.Statistic,
        Unit: alarm.Unit,
      },
    },
  ];
}

const periodOf = (alarm: MetricAlarm): number => alarm.Period ?? alarm.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Period ?? 60;

function breaches(alarm: MetricAlarm, value: number): boolean {
  const t = alarm.Threshold ?? 0;
  switch (alarm.ComparisonOperator) {
    case 'GreaterThanThreshold':
      return value > t;
    case 'GreaterThanOrEqualToThreshold':
      return value >= t;
    case 'LessThanThreshold':
      return value < t;
    case 'LessThanOrEqualToThreshold':
      return value <= t;
    default:
      throw new Error(`the suite does not evaluate ${alarm.ComparisonOperator} (alarm ${alarm.AlarmName})`);
  }
}

/** The alarm's Trigger, as CloudWatch puts it in the notification. */
function trigger(alarm: MetricAlarm): Record<string, unknown> {
  const common = {
    Period: periodOf(alarm),
    EvaluationPeriods: alarm.EvaluationPeriods,
    DatapointsToAlarm: alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods,
    ComparisonOperator: alarm.ComparisonOperator,
    Threshold: alarm.Threshold,
    TreatMissingData: alarm.TreatMissingData ?? 'missing',
    EvaluateLowSampleCountPercentile: alarm.EvaluateLowSampleCountPercentile ?? '',
  };
  const dimensions = (list: { Name?: string; Value?: string }[] | undefined) => (list ?? []).map((d) => ({ value: d.Value, name: d.Name }));
  if (alarm.Metrics && alarm.Metrics.length > 0) {
    return {
      ...common,
      Metrics: alarm.Metrics.map((m) =>
        m.Expression
          ? { Expression: m.Expression, Id: m.Id, Label: m.Label, ReturnData: m.ReturnData ?? true }
          : {
              Id: m.Id,
              MetricStat: {
                Metric: { Dimensions: dimensions(m.MetricStat?.Metric?.Dimensions), MetricName: m.MetricStat?.Metric?.MetricName, Namespace: m.MetricStat?.Metric?.Namespace },
                Period: m.MetricStat?.Period,
                Stat: m.MetricStat?.Stat,
                ...(m.MetricStat?.Unit ? { Unit: m.MetricStat.Unit } : {}),
              },
              ReturnData: m.ReturnData ?? false,
            },
      ),
    };
  }
  return {
    MetricName: alarm.MetricName,
    Namespace: alarm.Namespace,
    StatisticType: alarm.ExtendedStatistic ? 'ExtendedStatistic' : 'Statistic',
    ...(alarm.ExtendedStatistic ? { ExtendedStatistic: alarm.ExtendedStatistic } : { Statistic: alarm.Statistic?.toUpperCase() }),
    Unit: alarm.Unit ?? null,
    Dimensions: dimensions(alarm.Dimensions),
    ...common,
  };
}

/** Evaluates `ALARM("a") AND ALARM("b")`-style rules (ALARM/OK/INSUFFICIENT_DATA, AND, OR, NOT, parentheses). */
function evaluateRule(rule: string, states: ReadonlyMap<string, State>): boolean {
  const tokens = rule.match(/\(|\)|AND|OR|NOT|(?:ALARM|OK|INSUFFICIENT_DATA)\("[^"]+"\)|TRUE|FALSE/g) ?? [];
  let i = 0;
  const primary = (): boolean => {
    const t = tokens[i++];
    if (t === '(') {
      const v = or();
      i++;
      return v;
    }
    if (t === 'NOT') return !primary();
    if (t === 'TRUE') return true;
    if (t === 'FALSE') return false;
    const m = /^(ALARM|OK|INSUFFICIENT_DATA)\("([^"]+)"\)$/.exec(t ?? '');
    if (!m) throw new Error(`cannot evaluate alarm rule ${rule}`);
    const name = m[2]!.split(':alarm:').pop()!;
    return states.get(name) === m[1];
  };
  const and = (): boolean => {
    let v = primary();
    while (tokens[i] === 'AND') {
      i++;
      v = primary() && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (tokens[i] === 'OR') {
      i++;
      v = and() || v;
    }
    return v;
  };
  return or();
}

export class AlarmEvaluator {
  constructor(
    private readonly cloudWatch: CloudWatchClient,
    private readonly sns: SNSClient,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  private async alarms(): Promise<{ metric: MetricAlarm[]; composite: CompositeAlarm[] }> {
    const out = await this.cloudWatch.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    return { metric: out.MetricAlarms ?? [], composite: out.CompositeAlarms ?? [] };
  }

  /** Puts every alarm in OK without notifying anyone: the stack has been running quietly before a scenario. */
  async settle(): Promise<void> {
    const { metric, composite } = await this.alarms();
    for (const a of [...metric, ...composite]) {
      await this.cloudWatch.send(new SetAlarmStateCommand({ AlarmName: a.AlarmName, StateValue: 'OK', StateReason: 'settled by the system suite' }));
    }
  }

  private async metricState(alarm: MetricAlarm, now: Date): Promise<{ state: State; reason: string }> {
    const period = periodOf(alarm);
    const periods = alarm.EvaluationPeriods ?? 1;
    const needed = alarm.DatapointsToAlarm ?? periods;
    // CloudWatch evaluates complete periods only: the one in progress is not a datapoint yet.
    const end = Math.floor(now.getTime() / (period * 1000)) * period * 1000;
    const start = end - periods * period * 1000;
    const { MetricDataResults = [] } = await this.cloudWatch.send(
      new GetMetricDataCommand({ StartTime: new Date(start), EndTime: new Date(end), MetricDataQueries: alarmQueries(alarm), ScanBy: 'TimestampDescending' }),
    );
    const result = MetricDataResults[0];
    const values = result?.Values ?? [];
    const stamps = result?.Timestamps ?? [];
    const breaching = values.filter((v) => breaches(alarm, v)).length;
    const shown = values.map((v, k) => `${Number(v.toFixed(3))} (${stamps[k]?.toISOString().slice(11, 16)})`).join(', ');
    const op = alarm.ComparisonOperator === 'GreaterThanThreshold' ? 'greater than' : alarm.ComparisonOperator;
    if (breaching >= needed) {
      return { state: 'ALARM', reason: `Threshold Crossed: ${breaching} out of the last ${periods} datapoints [${shown}] were ${op} the threshold (${alarm.Threshold}) (minimum ${needed} datapoints for OK -> ALARM transition).` };
    }
    if (values.length === 0 && alarm.TreatMissingData !== 'notBreaching' && alarm.TreatMissingData !== 'breaching' && alarm.TreatMissingData !== 'ignore') {
      return { state: 'INSUFFICIENT_DATA', reason: 'Insufficient Data: no datapoints were received.' };
    }
    return { state: 'OK', reason: `Threshold Crossed: ${periods - breaching} out of the last ${periods} datapoints [${shown}] were not ${op} the threshold (${alarm.Threshold}) (minimum 1 datapoint for ALARM -> OK transition).` };
  }

  /** Evaluates every alarm once at `now` (metric alarms first, then composites) and notifies on each change. */
  async evaluate(now: Date = new Date()): Promise<Transition[]> {
    const { metric, composite } = await this.alarms();
    const transitions: Transition[] = [];
    const states = new Map<string, State>();
    const changedAt = new Map<string, string>();
    for (const alarm of metric) {
      const { state, reason } = await this.metricState(alarm, now);
      states.set(alarm.AlarmName!, state);
      if (state === alarm.StateValue) continue;
      const message = this.notification(alarm, alarm.StateValue as State, state, reason, now, { Trigger: trigger(alarm) });
      transitions.push(await this.transition(alarm.AlarmName!, alarm.StateValue as State, state, reason, message, state === 'ALARM' ? alarm.AlarmActions : state === 'OK' ? alarm.OKActions : alarm.InsufficientDataActions));
      changedAt.set(alarm.AlarmName!, cwTime(now));
    }
    for (const alarm of composite) {
      const state: State = evaluateRule(alarm.AlarmRule ?? '', states) ? 'ALARM' : 'OK';
      if (state === alarm.StateValue) continue;
      const children = [...(alarm.AlarmRule ?? '').matchAll(/\("([^"]+)"\)/g)].map((m) => m[1]!).filter((name) => changedAt.has(name));
      const arn = (name: string) => `arn:aws:cloudwatch:${this.region}:${this.accountId}:alarm:${name}`;
      const reason = children.map((c) => `${arn(c)} transitioned to ${states.get(c)} at ${now.toUTCString()}`).join('; ') || 'children changed state';
      const message = this.notification(alarm, alarm.StateValue as State, state, reason, now, {
        AlarmRule: alarm.AlarmRule,
        TriggeringChildren: children.map((c) => ({ Arn: arn(c), State: { Value: states.get(c), Timestamp: changedAt.get(c) } })),
      });
      transitions.push(await this.transition(alarm.AlarmName!, alarm.StateValue as State, state, reason, message, state === 'ALARM' ? alarm.AlarmActions : alarm.OKActions));
    }
    return transitions;
  }

  private notification(alarm: MetricAlarm | CompositeAlarm, from: State, to: State, reason: string, now: Date, detail: Record<string, unknown>): Record<string, unknown> {
    return {
      AlarmName: alarm.AlarmName,
      AlarmDescription: alarm.AlarmDescription ?? null,
      AWSAccountId: this.accountId,
      AlarmConfigurationUpdatedTimestamp: cwTime(alarm.AlarmConfigurationUpdatedTimestamp ?? now),
      NewStateValue: to,
      NewStateReason: reason,
      StateChangeTime: cwTime(now),
      Region: REGION_NAMES[this.region] ?? this.region,
      AlarmArn: alarm.AlarmArn,
      OldStateValue: from,
      OKActions: alarm.OKActions ?? [],
      AlarmActions: alarm.AlarmActions ?? [],
      InsufficientDataActions: alarm.InsufficientDataActions ?? [],
      ...detail,
    };
  }

  private async transition(name: string, from: State, to: State, reason: string, message: Record<string, unknown>, actions: string[] | undefined): Promise<Transition> {
    await this.cloudWatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: to, StateReason: reason.slice(0, 1023) }));
    for (const topic of actions ?? []) {
      await this.sns.send(new PublishCommand({ TopicArn: topic, Subject: `${to}: "${name}" in ${REGION_NAMES[this.region] ?? this.region}`.slice(0, 100), Message: JSON.stringify(message) }));
    }
    return { alarm: name, from, to, message };
  }
}
