// The Slack adapter against a real HTTP server on loopback, through the real @slack/webhook.
import { DeliveryError } from '../../../shared/errors';
import { postSlackMessage } from '../../../shared/channels/slack';
import type { RetryPolicy } from '../../../shared/delivery/retry';
import { TestReceiver } from '../../support/receiver';

const fastRetry: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 3_000 };
const message = { text: 'ALARM: RetailPrediction-HighCPU', blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'hi' } }] };

describe('postSlackMessage', () => {
  let slack: TestReceiver;
  beforeAll(async () => {
    slack = await TestReceiver.start();
  });
  afterEach(() => slack.reset());
  afterAll(() => slack.close());

  it('posts the Block Kit message as JSON', async () => {
    await postSlackMessage(slack.url('/services/T/B/x'), message, { retry: fastRetry });
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(slack.requests[0]?.body ?? '')).toEqual(message);
  });

  it('retries a 500 and succeeds', async () => {
    slack.respondWith({ status: 500, body: 'oops' });
    await postSlackMessage(slack.url(), message, { retry: fastRetry });
    expect(slack.requests).toHaveLength(2);
  });

  it('waits for Retry-After on 429 before trying again', async () => {
    slack.respondWith({ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } });
    const started = Date.now();
    await postSlackMessage(slack.url(), message, { retry: fastRetry });
    expect(slack.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('does not retry a 400 and reports Slack\'s reason', async () => {
    slack.setFallback({ status: 400, body: 'invalid_blocks' });
    const error = await postSlackMessage(slack.url(), message, { retry: fastRetry }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: false, status: 400 });
    expect((error as Error).message).toContain('invalid_blocks');
    expect(slack.requests).toHaveLength(1);
  });

  it('times out a receiver that does not answer, and gives up after the attempts', async () => {
    slack.setFallback({ status: 200, delayMs: 2_000 });
    const error = await postSlackMessage(slack.url(), message, { retry: { ...fastRetry, maxAttempts: 2 }, timeoutMs: 100 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toMatch(/gave up after 2 attempts.*timed out after 100 ms/);
    expect(slack.requests).toHaveLength(2);
  });

  it('treats a refused connection as retryable and never puts the URL in the error', async () => {
    const closed = await TestReceiver.start();
    const url = closed.url('/services/SECRET/TOKEN');
    await closed.close();
    const error = await postSlackMessage(url, message, { retry: { ...fastRetry, maxAttempts: 1 } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).not.toContain('SECRET');
  });
});
