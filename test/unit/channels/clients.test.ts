// Unit tests: the channel clients resolve their secret at each send, send with the configuration's retries and timeout, and name what is unset.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { channelClients, pagerDutyClient, slackClient } from '../../../shared/channels/clients';
import { loadConfig } from '../../../shared/config';
import type { RetryPolicy } from '../../../shared/delivery/retry';
import { ConfigError, DeliveryError } from '../../../shared/errors';
import type { SecretReader } from '../../../shared/secrets';
import { TestReceiver } from '../../support/receiver';

const fastRetry: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 10 };
const PAGE = { event_action: 'trigger' as const, dedup_key: 'firebreak:test', payload: { summary: 'HighCPU', source: 'firebreak', severity: 'critical' as const } };

let receiver: TestReceiver;
beforeAll(async () => {
  receiver = await TestReceiver.start();
});
afterAll(() => receiver.close());
beforeEach(() => receiver.reset({ status: 202, body: '{"status":"success","dedup_key":"k"}' }));

/** A reader of SSM parameters from a map the test changes, counting its reads. */
function secrets(values: Record<string, string>): SecretReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    read: async (name) => {
      reads.push(name);
      const value = values[name];
      if (value === undefined) throw new ConfigError(`SSM parameter ${name} is empty or missing`);
      return value;
    },
  };
}

describe('slack', () => {
  it('posts to the webhook read at send time, so a rotated webhook is used from the next post', async () => {
    const values = { '/firebreak/dev/slack-webhook': receiver.url('/old') };
    const reader = secrets(values);
    const slack = slackClient(loadConfig({ STAGE: 'dev', SLACK_WEBHOOK_PARAM: '/firebreak/dev/slack-webhook' }), { secrets: reader, retry: fastRetry });

    await slack.post({ text: 'first' });
    values['/firebreak/dev/slack-webhook'] = receiver.url('/new');
    await slack.post({ text: 'second' });

    expect(receiver.requests.map((r) => [r.path, (JSON.parse(r.body) as { text: string }).text])).toEqual([['/old', 'first'], ['/new', 'second']]);
    expect(reader.reads).toEqual(['/firebreak/dev/slack-webhook', '/firebreak/dev/slack-webhook']);
  });

  it('throws ConfigError naming both variables when no webhook is configured, and posts nothing', async () => {
    const slack = slackClient(loadConfig({ STAGE: 'dev' }));

    await expect(slack.post({ text: 'x' })).rejects.toThrow(new ConfigError('SLACK_WEBHOOK_URL or SLACK_WEBHOOK_PARAM must be set to post to Slack'));
    expect(receiver.requests).toEqual([]);
  });

  it('tries as often as DELIVERY_MAX_ATTEMPTS says', async () => {
    receiver.setFallback({ status: 500, body: 'internal_error' });
    const slack = slackClient(loadConfig({ STAGE: 'dev', SLACK_WEBHOOK_URL: receiver.url('/slack'), DELIVERY_MAX_ATTEMPTS: '2' }));

    await expect(slack.post({ text: 'x' })).rejects.toThrow(/gave up after 2 attempts/);
    expect(receiver.requests).toHaveLength(2);
  });

  it('gives up an attempt after HTTP_TIMEOUT_MS', async () => {
    receiver.setFallback({ status: 200, body: 'ok', delayMs: 1_000 });
    const slack = slackClient(loadConfig({ STAGE: 'dev', SLACK_WEBHOOK_URL: receiver.url('/slack'), HTTP_TIMEOUT_MS: '100' }), { retry: { ...fastRetry, maxAttempts: 1 } });

    await expect(slack.post({ text: 'x' })).rejects.toThrow(DeliveryError);
    await expect(slack.post({ text: 'x' })).rejects.toThrow(/timed out after 100 ms/);
  });
});

describe('pagerduty', () => {
  it('sends the event with the routing key read at send time to PAGERDUTY_EVENTS_URL', async () => {
    const reader = secrets({ '/firebreak/dev/pd': 'routing-key-1' });
    const pagerduty = pagerDutyClient(loadConfig({ STAGE: 'dev', PAGERDUTY_ROUTING_KEY_PARAM: '/firebreak/dev/pd', PAGERDUTY_EVENTS_URL: receiver.url('/v2/enqueue') }), { secrets: reader, retry: fastRetry });

    await pagerduty.send(PAGE);

    expect(receiver.requests.map((r) => r.path)).toEqual(['/v2/enqueue']);
    expect(receiver.jsonBodies()[0]).toMatchObject({ routing_key: 'routing-key-1', event_action: 'trigger', dedup_key: 'firebreak:test' });
  });

  it('throws ConfigError naming both variables when no routing key is configured', async () => {
    const pagerduty = pagerDutyClient(loadConfig({ STAGE: 'dev', PAGERDUTY_EVENTS_URL: receiver.url('/v2/enqueue') }));

    await expect(pagerduty.send(PAGE)).rejects.toThrow(new ConfigError('PAGERDUTY_ROUTING_KEY or PAGERDUTY_ROUTING_KEY_PARAM must be set to send to PagerDuty'));
    expect(receiver.requests).toEqual([]);
  });
});

describe('email', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'email-1' });
  });

  it('publishes subject and body to EMAIL_TOPIC_ARN', async () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:firebreak-dev-email';
    const { email } = channelClients(loadConfig({ STAGE: 'dev', EMAIL_TOPIC_ARN: topic }), { sns: new SNSClient({ region: 'us-east-1' }) });

    await email.publish({ subject: 'ALARM: RetailPrediction-HighCPU', body: 'text' });

    expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: topic, Subject: 'ALARM: RetailPrediction-HighCPU', Message: 'text' });
  });

  it('throws ConfigError naming EMAIL_TOPIC_ARN when it is unset, and publishes nothing', async () => {
    const { email } = channelClients(loadConfig({ STAGE: 'dev' }), { sns: new SNSClient({ region: 'us-east-1' }) });

    await expect(email.publish({ subject: 's', body: 'b' })).rejects.toThrow(new ConfigError('EMAIL_TOPIC_ARN must be set to deliver email'));
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });
});
