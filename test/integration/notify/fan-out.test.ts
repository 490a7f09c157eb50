// notify end to end below the handler: real Slack and PagerDuty receivers on loopback, SNS mocked,
// the delivery ledger in memory (its DynamoDB adapter is proved in test/system/contract/delivery-ledger.test.ts).
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig } from '../../../shared/config';
import { InvocationFailedError } from '../../../shared/errors';
import { policyForStage } from '../../../shared/policy/load';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbDeliveryLedger, InMemoryDeliveryLedger } from '../../../shared/delivery/ledger';
import { createNotifiers } from '../../../shared/notify/notifiers';
import { notifyEvent } from '../../../shared/notify/process-event';
import { fanOutDeps, inMemoryNotifyState } from '../../../shared/notify/deps';
import type { FanOutDeps } from '../../../shared/notify/fan-out';
import { loadEvent, snsEventWithMessage } from '../../support/events';
import { TestReceiver } from '../../support/receiver';

const EMAIL_TOPIC = 'arn:aws:sns:us-east-1:123456789012:firebreak-dev-email';
const ROUTING_KEY = 'R0UT1NGKEY0000000000000000000000';
const quietLogger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() } as unknown as Logger;

describe('notify fan-out against loopback receivers', () => {
  let slack: TestReceiver;
  let pagerduty: TestReceiver;
  // One ledger per test: a retry within a test sees what the first attempt recorded.
  let ledger: InMemoryDeliveryLedger;
  const sns = mockClient(SNSClient);

  beforeAll(async () => {
    slack = await TestReceiver.start({ status: 200, body: 'ok' });
    pagerduty = await TestReceiver.start({ status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"k"}' });
  });
  afterAll(async () => {
    await slack.close();
    await pagerduty.close();
  });
  beforeEach(() => {
    slack.reset({ status: 200, body: 'ok' });
    pagerduty.reset({ status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"k"}' });
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'email-1' });
    ledger = new InMemoryDeliveryLedger();
  });

  const deps = (): FanOutDeps => {
    const config = loadConfig({
      STAGE: 'dev',
      DRY_RUN: 'false',
      SLACK_WEBHOOK_URL: slack.url('/services/T000/B000/XXXX'),
      PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      PAGERDUTY_EVENTS_URL: pagerduty.url('/v2/enqueue'),
      EMAIL_TOPIC_ARN: EMAIL_TOPIC,
      STATE_TABLE: 'firebreak-dev-state',
      HTTP_TIMEOUT_MS: '500',
    });
    return {
      ...fanOutDeps(config, policyForStage('dev'), { ...inMemoryNotifyState(), ledger }),
      notifiers: createNotifiers(config, { sns: new SNSClient({ region: 'us-east-1' }), retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 2_000 } }),
    };
  };

  it('a delivery ledger it cannot reach (no AWS credentials) is named as the ledger, not as the channels, and nothing is sent', async () => {
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(PutCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const unreachable = new DynamoDbDeliveryLedger(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 'firebreak-local-state');

    const error = await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), { ...deps(), ledger: unreachable }, quietLogger).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvocationFailedError);
    const failures = (error as InvocationFailedError).failures.map((f) => `${f.what}: ${String((f.error as Error).message)}`);
    expect(failures).toHaveLength(3);
    for (const failure of failures) expect(failure).toMatch(/: could not read the delivery ledger in STATE_TABLE firebreak-local-state: no AWS credentials$/);
    expect(slack.requests).toHaveLength(0);
    expect(pagerduty.requests).toHaveLength(0);
    ddb.restore();
  });

  it('delivers a critical alarm to PagerDuty, Slack and email', async () => {
    const result = await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger);
    expect(result.messages[0]?.outcomes.map((o) => [o.channel, o.status])).toEqual([
      ['pagerduty', 'delivered'],
      ['slack', 'delivered'],
      ['email', 'delivered'],
    ]);
    const [event] = pagerduty.jsonBodies<Record<string, unknown>>();
    expect(event).toMatchObject({ routing_key: ROUTING_KEY, event_action: 'trigger' });
    expect(slack.jsonBodies<{ text: string }>()[0]?.text).toContain('RetailPrediction-HighErrorRate');
    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: EMAIL_TOPIC, Subject: 'ALARM: RetailPrediction-HighErrorRate (eu-west-1)' });
  });

  it('Slack down: PagerDuty and email still delivered, the invocation fails, the retry sends Slack only', async () => {
    slack.setFallback({ status: 500, body: 'internal_error' });
    const event = loadEvent('alarm-high-error-rate-alarm');
    const observe = jest.fn();
    const error = await notifyEvent(event, deps(), quietLogger, observe).catch((e: unknown) => e);
    // Metrics see every outcome, the failure included, before the invocation fails.
    expect(observe).toHaveBeenCalledTimes(1);
    expect(observe.mock.calls[0][0].outcomes.map((o: { channel: string; status: string }) => `${o.channel}:${o.status}`)).toEqual(['pagerduty:delivered', 'slack:failed', 'email:delivered']);
    expect(error).toBeInstanceOf(InvocationFailedError);
    expect((error as InvocationFailedError).failures.map((f) => f.what)).toEqual(['slack for RetailPrediction-HighErrorRate']);
    expect(pagerduty.requests).toHaveLength(1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(slack.requests).toHaveLength(3); // every attempt of the retry policy

    // Lambda's retry of the same event, Slack back up:
    slack.reset({ status: 200, body: 'ok' });
    const retried = await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger);
    expect(retried.messages[0]?.outcomes.map((o) => [o.channel, o.status])).toEqual([
      ['pagerduty', 'already-delivered'],
      ['slack', 'delivered'],
      ['email', 'already-delivered'],
    ]);
    expect(slack.requests).toHaveLength(1);
    expect(pagerduty.requests).toHaveLength(1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('the same MessageId twice notifies nobody twice', async () => {
    await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger);
    const second = await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger);
    expect(second.messages[0]?.outcomes.every((o) => o.status === 'already-delivered')).toBe(true);
    expect(pagerduty.requests).toHaveLength(1);
    expect(slack.requests).toHaveLength(1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('two concurrent deliveries of one MessageId: each channel is sent once, and a loser\'s retry finds it delivered', async () => {
    const results = await Promise.allSettled([
      notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger),
      notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger),
    ]);
    expect(pagerduty.requests).toHaveLength(1);
    expect(slack.requests).toHaveLength(1);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    // Depending on timing the second sees the claim in flight (and fails so Lambda retries) or already delivered.
    for (const result of results) {
      if (result.status === 'rejected') expect(String(result.reason)).toMatch(/another invocation is delivering this message/);
    }
    const retry = await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger);
    expect(retry.messages[0]?.outcomes.every((o) => o.status === 'already-delivered')).toBe(true);
    expect(pagerduty.requests).toHaveLength(1);
  });

  it('a channel another invocation is sending right now fails this one (so Lambda retries), the others are delivered', async () => {
    const d = deps();
    const messageId = loadEvent('alarm-high-error-rate-alarm').Records[0]!.Sns.MessageId;
    await d.ledger.claim(messageId, 'slack');
    const error = await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), d, quietLogger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvocationFailedError);
    expect((error as Error).message).toMatch(/slack for RetailPrediction-HighErrorRate \(another invocation is delivering this message right now/);
    expect(slack.requests).toHaveLength(0);
    expect(pagerduty.requests).toHaveLength(1);
  });

  it('PagerDuty 429 with Retry-After is retried after the wait; a 400 is not retried and fails the invocation', async () => {
    pagerduty.respondWith({ status: 429, body: '{"status":"throttle event"}', headers: { 'retry-after': '1' } });
    await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger);
    expect(pagerduty.requests).toHaveLength(2);

    pagerduty.reset({ status: 400, body: '{"status":"invalid event","errors":["\'payload.summary\' is missing"]}' });
    const error = await notifyEvent(loadEvent('alarm-high-cpu-alarm'), { ...deps(), policy: { ...deps().policy, routes: [], defaultRoute: { channels: ['pagerduty'] } } }, quietLogger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvocationFailedError);
    expect((error as Error).message).toContain("'payload.summary' is missing");
    expect(pagerduty.requests).toHaveLength(1);
  });

  it('OK resolves the PagerDuty incident the ALARM opened', async () => {
    await notifyEvent(loadEvent('alarm-high-error-rate-alarm'), deps(), quietLogger);
    await notifyEvent(loadEvent('alarm-high-error-rate-ok'), deps(), quietLogger);
    const [trigger, resolve] = pagerduty.jsonBodies<{ event_action: string; dedup_key: string }>();
    expect(trigger?.event_action).toBe('trigger');
    expect(resolve).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: trigger?.dedup_key });
  });

  it('INSUFFICIENT_DATA pages nobody but still reaches Slack and email', async () => {
    const result = await notifyEvent(loadEvent('alarm-insufficient-data'), { ...deps(), policy: { ...deps().policy, routes: [], defaultRoute: { channels: ['pagerduty', 'slack', 'email'] } } }, quietLogger);
    expect(pagerduty.requests).toHaveLength(0);
    expect(slack.requests).toHaveLength(1);
    expect(result.messages[0]?.outcomes.find((o) => o.channel === 'pagerduty')?.status).toBe('withheld');
  });

  it.each(['sns-plain-text', 'sns-foreign-json', 'sns-malformed-alarm', 'sns-alarm-missing-fields'])(
    '%s becomes a generic notification on the default route',
    async (name) => {
      const result = await notifyEvent(loadEvent(name), deps(), quietLogger);
      expect(result.messages[0]).toMatchObject({ type: 'generic', routes: ['default'] });
      expect(slack.requests).toHaveLength(1);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    },
  );

  it('every record of a multi-record event is delivered, not only the last', async () => {
    const first = snsEventWithMessage('first plain message', 'm-first');
    const second = snsEventWithMessage('second plain message', 'm-second');
    const event = { Records: [...first.Records, ...second.Records] };
    const result = await notifyEvent(event, deps(), quietLogger);
    expect(result.messages.map((m) => m.messageId)).toEqual(['m-first', 'm-second']);
    expect(slack.requests).toHaveLength(2);
  });

  it.each([
    ['no Records', {}],
    ['an empty Records list', { Records: [] }],
    ['a record that is not SNS', { Records: [{ EventSource: 'aws:sqs', body: '{}' }] }],
    ['null', null],
  ])('an event with %s is refused with a clear error and notifies nobody', async (_label, event) => {
    await expect(notifyEvent(event, deps(), quietLogger)).rejects.toThrow(/SNS/);
    expect(slack.requests).toHaveLength(0);
    expect(pagerduty.requests).toHaveLength(0);
  });
});
