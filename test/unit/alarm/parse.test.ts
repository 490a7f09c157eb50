import { parseAlarmMessage, parseSnsRecord } from '../../../shared/alarm/parse';
import { parseAlarmArn } from '../../../shared/alarm/arn';
import { loadAlarmMessage, loadSnsRecord } from '../../support/events';

const alarmOf = (name: string) => {
  const parsed = parseSnsRecord(loadSnsRecord(name));
  if (parsed.type !== 'alarm') throw new Error(`${name} parsed as generic: ${parsed.generic.reason}`);
  return parsed.alarm;
};

describe('parseSnsRecord: CloudWatch alarm shapes', () => {
  it('metric alarm with Statistic: kind, region code from the ARN, metric, threshold, dimensions', () => {
    const record = loadSnsRecord('alarm-high-cpu-alarm');
    const parsed = parseSnsRecord(record);
    expect(parsed).toMatchObject({ type: 'alarm', messageId: record.Sns.MessageId, topicArn: record.Sns.TopicArn });
    const alarm = alarmOf('alarm-high-cpu-alarm');
    expect(alarm).toMatchObject({
      kind: 'metric',
      name: 'RetailPrediction-HighCPU',
      region: 'eu-west-1',
      accountId: '123456789012',
      state: 'ALARM',
      previousState: 'OK',
      source: 'cloudwatch-sns',
      metric: {
        namespace: 'ContainerInsights',
        name: 'node_cpu_utilization',
        statistic: 'Average',
        periodSeconds: 300,
        evaluationPeriods: 2,
        threshold: 85,
        comparison: 'GreaterThanThreshold',
        dimensions: { ClusterName: 'retail-prediction-cluster' },
      },
    });
    expect(alarm.reason).toMatch(/Threshold Crossed/);
    expect(alarm.changedAt).toBe('2026-11-21T03:10:42.551Z');
  });

  it('metric alarm with ExtendedStatistic p95; no unit where the alarm names none (CloudWatch sends null)', () => {
    expect(alarmOf('alarm-high-latency-alarm').metric).toMatchObject({ statistic: 'p95', threshold: 200, unit: undefined });
    const message = loadAlarmMessage('alarm-high-latency-alarm');
    const withUnit = parseAlarmMessage(JSON.stringify({ ...message, Trigger: { ...(message.Trigger as object), Unit: 'Milliseconds' } }));
    expect(withUnit.type === 'alarm' && withUnit.alarm.metric).toMatchObject({ statistic: 'p95', unit: 'Milliseconds' });
  });

  it('metric-math alarm: queries, no metric name', () => {
    const alarm = alarmOf('alarm-metric-math-alarm');
    expect(alarm.kind).toBe('metric-math');
    expect(alarm.metric?.name).toBeUndefined();
    expect(alarm.metric?.threshold).toBe(5);
    expect(alarm.queries?.find((q) => q.returnData)?.expression).toContain('errors');
    expect(alarm.queries?.some((q) => q.name === 'APIRequestCount' && q.namespace === 'RetailMLOps')).toBe(true);
  });

  it('anomaly-detection alarm: band comparison, threshold metric id, no numeric threshold', () => {
    const alarm = alarmOf('alarm-anomaly-alarm');
    expect(alarm).toMatchObject({ kind: 'anomaly', thresholdMetricId: 'ad1' });
    expect(alarm.metric?.comparison).toBe('LessThanLowerOrGreaterThanUpperThreshold');
    expect(alarm.metric?.threshold).toBeUndefined();
    expect(alarm.queries?.some((q) => q.expression?.startsWith('ANOMALY_DETECTION_BAND'))).toBe(true);
  });

  it('composite alarm: rule and triggering children, no metric', () => {
    const alarm = alarmOf('alarm-critical-issue-alarm');
    expect(alarm.kind).toBe('composite');
    expect(alarm.rule).toBe('ALARM("RetailPrediction-HighLatency") AND ALARM("RetailPrediction-HighErrorRate")');
    expect(alarm.metric).toBeUndefined();
    expect(alarm.triggeringChildren?.[0]?.name).toMatch(/^RetailPrediction-/);
  });

  it('EventBridge alarm state-change event published to the topic', () => {
    const alarm = alarmOf('alarm-eventbridge-state-change');
    expect(alarm).toMatchObject({
      kind: 'metric',
      source: 'eventbridge',
      name: 'RetailPrediction-HighCPU',
      region: 'eu-west-1',
      state: 'ALARM',
      previousState: 'OK',
      metric: { namespace: 'ContainerInsights', name: 'node_cpu_utilization', dimensions: { ClusterName: 'retail-prediction-cluster' } },
    });
  });

  it.each([
    ['alarm-high-cpu-ok', 'OK', 'ALARM'],
    ['alarm-high-error-rate-ok', 'OK', 'ALARM'],
    ['alarm-critical-issue-ok', 'OK', 'ALARM'],
    ['alarm-metric-math-ok', 'OK', 'ALARM'],
    ['alarm-anomaly-ok', 'OK', 'ALARM'],
    ['alarm-insufficient-data', 'INSUFFICIENT_DATA', 'ALARM'],
  ])('%s: state %s from %s', (name, state, previous) => {
    expect(alarmOf(name)).toMatchObject({ state, previousState: previous });
  });

  it('takes the region from the ARN even when the display region disagrees', () => {
    const message = { ...loadAlarmMessage('alarm-high-cpu-alarm'), Region: 'EU (Ireland)', AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:X' };
    const parsed = parseAlarmMessage(JSON.stringify(message));
    expect(parsed.type === 'alarm' && parsed.alarm.region).toBe('eu-west-1');
  });
});

describe('parseSnsRecord: anything else becomes a generic notification', () => {
  it.each([
    ['sns-plain-text', /^not JSON/],
    ['sns-foreign-json', /not a CloudWatch alarm/],
    ['sns-malformed-alarm', /^malformed JSON/],
    ['sns-alarm-missing-fields', /incomplete CloudWatch alarm: .*NewStateValue.*AlarmArn/],
  ])('%s', (name, reason) => {
    const record = loadSnsRecord(name);
    const parsed = parseSnsRecord(record);
    expect(parsed.type).toBe('generic');
    if (parsed.type !== 'generic') return;
    expect(parsed.messageId).toBe(record.Sns.MessageId);
    expect(parsed.generic.reason).toMatch(reason);
    expect(parsed.generic.text).toBe(record.Sns.Message);
    expect(parsed.generic.subject.length).toBeGreaterThan(0);
  });

  it.each([
    ['an empty message', ''],
    ['a JSON array', '[1,2]'],
    ['JSON null', 'null'],
    ['an alarm whose ARN is not an alarm ARN', JSON.stringify({ ...loadAlarmMessage('alarm-high-cpu-alarm'), AlarmArn: 'arn:aws:sns:us-east-1:1:x' })],
    ['an alarm with an unknown state', JSON.stringify({ ...loadAlarmMessage('alarm-high-cpu-alarm'), NewStateValue: 'BROKEN' })],
    ['a state-change event without resources', JSON.stringify({ 'detail-type': 'CloudWatch Alarm State Change', source: 'aws.cloudwatch', detail: {} })],
  ])('%s', (_label, text) => {
    const parsed = parseAlarmMessage(text, 'subject');
    expect(parsed.type).toBe('generic');
    expect(parsed.type === 'generic' && parsed.generic.reason.length).toBeGreaterThan(5);
  });
});

describe('parseSnsRecord: an Sns.Subject that is not a string', () => {
  // Found by test/property/notify.property.test.ts: `"Subject": 0` crashed with TypeError (subject?.trim is not a function).
  it.each([0, true, {}, []])('is no subject: %j, as null is', (subject) => {
    const record = loadSnsRecord('sns-plain-text');
    const withoutSubject = parseSnsRecord({ ...record, Sns: { ...record.Sns, Subject: null as unknown as string } });
    (record.Sns as unknown as { Subject: unknown }).Subject = subject;

    const parsed = parseSnsRecord(record);

    expect(parsed).toEqual(withoutSubject);
  });

  it('reads an alarm whose Subject is a number as the alarm', () => {
    const record = loadSnsRecord('alarm-high-error-rate-alarm');
    (record.Sns as unknown as { Subject: unknown }).Subject = 0;

    expect(parseSnsRecord(record).type).toBe('alarm');
  });
});

describe('parseAlarmMessage: a message with a lone surrogate', () => {
  // Found by `npm run fuzz` on test/property/notify.property.test.ts: Message "a\udc00b" reached Slack and email as malformed text.
  it('is delivered as well-formed text, the surrogate replaced by U+FFFD', () => {
    const parsed = parseAlarmMessage('a\udc00b', '\ud800');

    expect(parsed).toMatchObject({ type: 'generic', generic: { subject: '\ufffd', text: 'a\ufffdb' } });
  });

  it('takes its subject from the well-formed text when there is none', () => {
    const parsed = parseAlarmMessage('a\udc00b');

    expect(parsed.type === 'generic' && parsed.generic.subject).toBe('a\ufffdb');
  });
});

describe('parseSnsRecord: a MessageId with a lone surrogate', () => {
  // Found by `npm run fuzz` on test/property/notify.property.test.ts: MessageId "\ud800" reached the email body as malformed text.
  it('is well-formed, the surrogate replaced by U+FFFD', () => {
    const record = loadSnsRecord('sns-foreign-json');
    record.Sns.MessageId = '\ud800';

    expect(parseSnsRecord(record).messageId).toBe('\ufffd');
  });
});

describe('parseAlarmMessage: the subject of a generic notification', () => {
  it('is cut from its first line without splitting an emoji', () => {
    for (const text of ['🔥'.repeat(60), `x${'🔥'.repeat(60)}`]) {
      const parsed = parseAlarmMessage(text);
      const subject = parsed.type === 'generic' ? parsed.generic.subject : '';
      expect(subject.length).toBeGreaterThanOrEqual(79);
      expect(() => encodeURIComponent(subject)).not.toThrow();
    }
  });
});

describe('parseAlarmArn', () => {
  it('reads partition, region, account and name', () => {
    expect(parseAlarmArn('arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:A:b')).toEqual({
      partition: 'aws-us-gov',
      region: 'us-gov-west-1',
      accountId: '123456789012',
      name: 'A:b',
    });
    expect(parseAlarmArn('arn:aws:sns:us-east-1:123456789012:topic')).toBeUndefined();
  });

  it('reads the regions of every partition, the European Sovereign Cloud included', () => {
    expect(parseAlarmArn('arn:aws-eusc:cloudwatch:eusc-de-east-1:123456789012:alarm:HighCPU')).toEqual({
      partition: 'aws-eusc',
      region: 'eusc-de-east-1',
      accountId: '123456789012',
      name: 'HighCPU',
    });
    expect(parseAlarmArn('arn:aws-cn:cloudwatch:cn-northwest-1:123456789012:alarm:A')?.region).toBe('cn-northwest-1');
    expect(parseAlarmArn('arn:aws:cloudwatch:US-EAST-1:123456789012:alarm:A')).toBeUndefined();
  });
});
