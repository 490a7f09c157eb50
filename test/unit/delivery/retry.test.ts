import { DeliveryError } from '../../../shared/errors';
import { backoffDelay, withRetry, type RetryPolicy } from '../../../shared/delivery/retry';
import { parseRetryAfter, isRetryableStatus } from '../../../shared/delivery/http';

const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 5_000,
  random: () => 0.5,
  ...overrides,
});

const retryable = (retryAfterMs?: number) => new DeliveryError('busy', { retryable: true, status: 503, retryAfterMs });

describe('withRetry', () => {
  it('retries retryable failures with growing jittered delays, then succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetry(
      'test',
      async () => {
        calls++;
        if (calls < 3) throw retryable();
        return 'ok';
      },
      policy({ sleep: async (ms) => void waits.push(ms) }),
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toEqual([50, 100]);
  });

  it('throws a permanent failure at once', async () => {
    let calls = 0;
    const permanent = new DeliveryError('bad request', { retryable: false, status: 400 });
    await expect(
      withRetry('test', async () => {
        calls++;
        throw permanent;
      }, policy({ sleep: async () => undefined })),
    ).rejects.toBe(permanent);
    expect(calls).toBe(1);
  });

  it('does not retry errors that are not delivery errors (bugs)', async () => {
    let calls = 0;
    await expect(
      withRetry('test', async () => {
        calls++;
        throw new TypeError('boom');
      }, policy()),
    ).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
  });

  it('gives up after maxAttempts with a retryable error naming the count', async () => {
    let calls = 0;
    const error = await withRetry('Slack', async () => {
      calls++;
      throw retryable();
    }, policy({ sleep: async () => undefined })).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toMatch(/^Slack: gave up after 4 attempts: busy/);
  });

  it('waits at least what Retry-After asks, and gives up when it asks too much', async () => {
    const waits: number[] = [];
    let calls = 0;
    await withRetry('t', async () => {
      calls++;
      if (calls === 1) throw retryable(2_000);
      return 1;
    }, policy({ sleep: async (ms) => void waits.push(ms) }));
    expect(waits).toEqual([2_000]);

    await expect(
      withRetry('t', async () => { throw retryable(60_000); }, policy({ sleep: async () => undefined })),
    ).rejects.toThrow(/receiver asked to wait 60000 ms/);
  });
});

describe('backoffDelay', () => {
  it('caps the window at maxDelayMs', () => {
    expect(backoffDelay(10, policy({ random: () => 0.999 }))).toBeLessThan(1_000);
    expect(backoffDelay(1, policy({ random: () => 0 }))).toBe(0);
  });
});

describe('HTTP classification', () => {
  it.each([[429, true], [500, true], [503, true], [408, true], [400, false], [403, false], [404, false]])(
    'status %i retryable=%s',
    (status, expected) => expect(isRetryableStatus(status)).toBe(expected),
  );

  it('parses Retry-After as seconds or as a date', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:05 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(5_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
