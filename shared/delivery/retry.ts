// Delivery: retries with exponential backoff and full jitter, honouring a receiver's Retry-After.
import { DeliveryError, errorMessage } from '../errors';

/** How a delivery is retried. Delays are in milliseconds. */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the attempt fails and Lambda's own retry takes over. */
  readonly maxRetryAfterMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1); injectable so tests are deterministic. */
  readonly random?: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 20_000,
};

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The wait before retry number `attempt` (1 = first retry): full jitter over an exponentially
 * growing window, but never shorter than what the receiver asked for with Retry-After.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number): number {
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor((policy.random ?? Math.random)() * window);
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}

/**
 * Runs `attempt` until it succeeds, fails permanently, or runs out of attempts. Only errors that are
 * `DeliveryError`s marked retryable are retried; anything else is a bug or a permanent refusal and
 * is thrown at once. The last error is thrown with the attempt count in its message.
 */
export async function withRetry<T>(
  label: string,
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<T> {
  const sleep = policy.sleep ?? realSleep;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const retryable = error instanceof DeliveryError && error.retryable;
      if (!retryable) throw error;
      const retryAfter = error.retryAfterMs;
      const tooLong = retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs;
      if (n >= policy.maxAttempts || tooLong) {
        const why = tooLong ? `receiver asked to wait ${retryAfter} ms` : `${n} attempts`;
        const detail = errorMessage(error).replace(`${label}: `, '');
        throw new DeliveryError(`${label}: gave up after ${why}: ${detail}`, {
          retryable: true,
          status: error.status,
          cause: error,
        });
      }
      await sleep(backoffDelay(n, policy, retryAfter));
    }
  }
}
