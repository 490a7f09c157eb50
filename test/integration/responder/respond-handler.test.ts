// End to end through the respond handler: real Slack and PagerDuty adapters against receivers on 127.0.0.1;
// CloudWatch and SSM through aws-sdk-client-mock; STATE_TABLE's ports in memory (their DynamoDB adapters are
// proved in test/system/contract/).
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetParameterCommand, GetParametersByPathCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context, SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { loadEvent } from '../../support/events';
import { TestReceiver } from '../../support/receiver';
import { describedAlarms, ERROR_RATE_TRIGGER, metricResults } from '../../unit/responder/doubles';
import { auditModuleWith, ledgerModuleWith } from '../../support/remediation-stores';
import { memoryResponderStores } from '../../support/responder-stores';
import type { MetricRole } from '../../../shared/responder/policy';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const FLAG = '/firebreak/dev/breakers/retail-prediction-api';
const ALARM = 'RetailPrediction-HighErrorRate';
const context = { functionName: 'firebreak-dev-respond', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

let slack: TestReceiver;
let pagerDuty: TestReceiver;
let handler: Handler;
let metrics: Partial<Record<MetricRole, number>>;
let alarmState: string;
const parameters = new Map<string, string>();
const cloudWatch = mockClient(CloudWatchClient);
const ssm = mockClient(SSMClient);
const mockStores = memoryResponderStores();
jest.mock('../../../shared/responder/timeline', () => ({
  ...jest.requireActual('../../../shared/responder/timeline'),
  dynamoIncidentStore: () => mockStores.incidentPort,
}));
jest.mock('../../../shared/delivery/ledger', () => ({
  ...jest.requireActual('../../../shared/delivery/ledger'),
  // A constructor that returns an object makes `new` yield that object.
  DynamoDbDeliveryLedger: function DynamoDbDeliveryLedger() {
    return mockStores.deliveryPort;
  },
}));
jest.mock('../../../shared/remediation/ledger', () => ledgerModuleWith(mockStores.remediation));
jest.mock('../../../shared/remediation/audit', () => auditModuleWith(mockStores.remediation));
// No silences here: the stage's silences are read through this store, whose DynamoDB adapter is proved in test/system/contract/.
jest.mock('../../../shared/silence/store', () => ({
  ...jest.requireActual('../../../shared/silence/store'),
  // A constructor that returns an object makes `new` yield that object.
  DynamoDbSilenceStore: function DynamoDbSilenceStore() {
    const { InMemorySilenceStore } = jest.requireActual<typeof import('../../../shared/silence/store')>('../../../shared/silence/store');
    return new InMemorySilenceStore();
  },
}));
const savedEnv = { ...process.env };

function installAws() {
  cloudWatch.reset();
  ssm.reset();
  parameters.clear();
  cloudWatch.on(GetMetricDataCommand).callsFake(async () => ({ MetricDataResults: metricResults(metrics) }));
  cloudWatch.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[] }) => ({ MetricAlarms: describedAlarms(input.AlarmNames, alarmState) }));
  ssm.on(GetParameterCommand).callsFake(async (input: { Name: string }) => {
    const value = parameters.get(input.Name);
    if (value === undefined) throw new ParameterNotFound({ message: `${input.Name} not found`, $metadata: {} });
    return { Parameter: { Name: input.Name, Type: 'String', Value: value } };
  });
  ssm.on(PutParameterCommand).callsFake(async (input: { Name: string; Value: string }) => {
    parameters.set(input.Name, input.Value);
    return { Version: 1 };
  });
  ssm.on(GetParametersByPathCommand).callsFake(async (input: { Path: string }) => ({
    Parameters: [...parameters].filter(([name]) => name.startsWith(`${input.Path}/`)).map(([Name, Value]) => ({ Name, Value })),
  }));
  mockStores.reset();
}

const event = (name: string, messageId?: string): SNSEvent => {
  const e = loadEvent(name);
  if (messageId && e.Records[0]) e.Records[0].Sns.MessageId = messageId;
  return e;
};
const flag = () => JSON.parse(parameters.get(FLAG) ?? 'null') as Record<string, unknown> | null;
const slackTexts = () => slack.requests.map((r) => JSON.parse(r.body) as { text: string; blocks: unknown[] });
const pdEvents = () => pagerDuty.requests.map((r) => JSON.parse(r.body) as Record<string, unknown> & { payload?: Record<string, unknown> });

beforeAll(async () => {
  slack = await TestReceiver.start();
  pagerDuty = await TestReceiver.start({ status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"k"}' });
  Object.assign(process.env, {
    STAGE: 'dev',
    DRY_RUN: 'false',
    AWS_REGION: 'us-east-1',
    STATE_TABLE: 'firebreak-dev-state',
    SLACK_WEBHOOK_URL: slack.url('/services/T000/B000/secret'),
    PAGERDUTY_ROUTING_KEY: 'routing-key-0123',
    PAGERDUTY_EVENTS_URL: pagerDuty.url('/v2/enqueue'),
    DELIVERY_MAX_ATTEMPTS: '2',
  });
  ({ handler } = (await import('../../../functions/respond/handler')) as { handler: Handler });
});

afterAll(async () => {
  process.env = savedEnv;
  await slack.close();
  await pagerDuty.close();
});

beforeEach(() => {
  installAws();
  slack.reset();
  pagerDuty.reset({ status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"k"}' });
  alarmState = 'ALARM';
});

describe('respond handler, end to end', () => {
  it('HighErrorRate at 62 %: opens the breaker, tells Slack; OK with healthy metrics: closes it, drafts the review, resolves', async () => {
    metrics = { errorRate: 62.5, latency: 450, requests: 1200, cpu: 71 };
    const fired = (await handler(event('alarm-high-error-rate-alarm'), context)) as { messages: { outcome: { status: string; decision: string; incidentId: string } }[] };

    expect(fired.messages[0]?.outcome).toMatchObject({ status: 'responded', decision: 'extreme-error-rate' });
    expect(flag()).toMatchObject({ state: 'open', alarm: ALARM, reason: expect.stringContaining('62.50%') });
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    expect(slackTexts()).toHaveLength(1);
    expect(slackTexts()[0]?.text).toContain('opening the circuit breaker');
    expect(JSON.stringify(slackTexts()[0]?.blocks)).toContain('RetailPrediction-HighErrorRate (alarm metric): 62.50');
    expect(pagerDuty.requests).toHaveLength(0);
    const incidentId = fired.messages[0]?.outcome.incidentId ?? '';
    expect(await mockStores.incidents.current(ALARM)).toMatchObject({ id: incidentId, status: 'open', actionCount: 1 });
    // The opening took one unit of the remediation budgets.
    expect([...mockStores.remediation.ledger.used.values()]).toEqual([1, 1]);

    metrics = { errorRate: 1.1, latency: 110, requests: 1400, cpu: 40 };
    await handler(event('alarm-high-error-rate-ok'), context);

    expect(flag()).toMatchObject({ state: 'closed', expiresAt: null, reason: expect.stringContaining('metrics healthy') });
    // Resolved: the alarm no longer has an open incident, and the review is drafted.
    expect(await mockStores.incidents.current(ALARM)).toBeUndefined();
    const review = String(mockStores.incidents.reviews.get(incidentId));
    expect(review).toContain('# Post-incident review: RetailPrediction-HighErrorRate');
    expect(review).toMatch(/\| .* \| firebreak \| decision: open-breaker \(extreme-error-rate\)/);
    expect(review).toContain('open breaker retail-prediction-api: opened');
    expect(review).not.toMatch(/\{\{[a-z_]+\}\}/);

    expect(pdEvents()).toEqual([{ routing_key: 'routing-key-0123', event_action: 'resolve', dedup_key: incidentId }]);
    const resolved = slackTexts()[1];
    expect(resolved?.text).toContain('Resolved');
    expect(JSON.stringify(resolved?.blocks)).toContain('dynamodbv2/home?region=us-east-1#item-explorer?table=firebreak-dev-state');
  });

  it('no datapoints: pages PagerDuty with the diagnostics and tells Slack, acting on nothing', async () => {
    metrics = {};
    await handler(event('alarm-high-error-rate-alarm', 'no-data-1'), context);

    const [page] = pdEvents();
    expect(page).toMatchObject({ routing_key: 'routing-key-0123', event_action: 'trigger', payload: { severity: 'critical', source: 'retail-prediction' } });
    expect(String(page?.payload?.summary)).toContain('not acting blind');
    expect(JSON.stringify(page?.payload?.custom_details)).toContain('RetailPrediction-HighErrorRate (alarm metric): no datapoints');
    expect(slackTexts()[0]?.text).toContain('paging on-call');
    expect(parameters.has(FLAG)).toBe(false);
  });

  it('kill switch on: the breaker stays as it was and on-call is paged with why', async () => {
    metrics = { errorRate: 80 };
    parameters.set('/firebreak/dev/kill-switch', '{"engaged": true, "reason": "game day"}');
    await handler(event('alarm-high-error-rate-alarm', 'kill-1'), context);
    expect(parameters.has(FLAG)).toBe(false);
    expect(String(pdEvents()[0]?.payload?.summary)).toContain('kill switch is on: game day');
  });

  it('PagerDuty down: every channel is tried, the invocation fails, and the retry pages without telling Slack twice', async () => {
    metrics = {};
    pagerDuty.setFallback({ status: 503, body: 'unavailable' });
    await expect(handler(event('alarm-high-error-rate-alarm', 'pd-down-1'), context)).rejects.toThrow(/PagerDuty/);
    expect(pagerDuty.requests).toHaveLength(2);
    expect(slack.requests).toHaveLength(1);

    pagerDuty.setFallback({ status: 202, body: '{"status":"success","dedup_key":"k"}' });
    await handler(event('alarm-high-error-rate-alarm', 'pd-down-1'), context);
    expect(pdEvents().at(-1)).toMatchObject({ event_action: 'trigger' });
    // Slack took the first attempt's message: the retry does not send it again.
    expect(slack.requests).toHaveLength(1);
    expect(mockStores.deliveries.records.get('respond:pd-down-1/slack')).toBe('delivered');
  });

  it('a redelivered SNS message sends nothing twice', async () => {
    metrics = { errorRate: 62.5 };
    await handler(event('alarm-high-error-rate-alarm', 'dup-1'), context);
    const second = (await handler(event('alarm-high-error-rate-alarm', 'dup-1'), context)) as { messages: { outcome: { status: string } }[] };
    expect(second.messages[0]?.outcome.status).toBe('duplicate');
    expect(slack.requests).toHaveLength(1);
    expect(cloudWatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
  });

  it('the schedule closes a breaker that came due once the alarm is OK and the metrics are healthy', async () => {
    parameters.set(FLAG, JSON.stringify({ state: 'open', reason: 'error rate 62%', alarm: ALARM, openedAt: '2026-11-21T02:00:00.000Z', expiresAt: '2026-11-21T02:30:00.000Z' }));
    alarmState = 'OK';
    metrics = { errorRate: 0.8, latency: 100, cpu: 30 };
    const result = (await handler(loadEvent('respond-schedule'), context)) as { sweep: unknown[] };
    expect(result.sweep).toEqual([{ flag: 'retail-prediction-api', result: 'closed' }]);
    expect(flag()).toMatchObject({ state: 'closed' });
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: [ALARM] });
    // No notification on the schedule: every alarm the queries read is described, in one call.
    expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: [ALARM, 'RetailPrediction-HighLatency'], AlarmTypes: ['MetricAlarm'] });
    expect(slackTexts()[0]?.text).toContain('Breaker retail-prediction-api came due');
  });

  it("HighErrorRate's metric-math Trigger: the error rate is asked for as the alarm computes it, and only HighLatency is described", async () => {
    metrics = { errorRate: 62.5, latency: 450, requests: 1200, cpu: 71 };
    const e = event('alarm-high-error-rate-alarm', 'math-1');
    const record = e.Records[0]!;
    record.Sns.Message = JSON.stringify({ ...(JSON.parse(record.Sns.Message) as Record<string, unknown>), Trigger: ERROR_RATE_TRIGGER });

    await handler(e, context);

    const queries = cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input.MetricDataQueries ?? [];
    expect(queries.filter((q) => q.Id?.startsWith('errorRate')).map((q) => [q.Id, q.ReturnData, q.Expression ?? q.MetricStat?.Metric?.MetricName])).toEqual([
      ['errorRate', true, '100 * errorRate_apiErrors / errorRate_apiRequests'],
      ['errorRate_apiErrors', false, 'APIErrorCount'],
      ['errorRate_apiRequests', false, 'APIRequestCount'],
    ]);
    const definitionsAsked = cloudWatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input).filter((i) => i.AlarmTypes?.length === 1);
    expect(definitionsAsked.map((i) => i.AlarmNames)).toEqual([['RetailPrediction-HighLatency']]);
    expect(flag()).toMatchObject({ state: 'open' });
  });

  it('refuses an event that is neither SNS nor a schedule with a clear error', async () => {
    await expect(handler({ hello: 'world' }, context)).rejects.toThrow('Expected an SNS event with Records');
  });
});
