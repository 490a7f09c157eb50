// Adapter: sends an Events API v2 event to PagerDuty, with timeout and retries.
import { DeliveryError } from '../errors';
import { httpPost } from '../delivery/http';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from '../delivery/retry';
import { pagerDutyDedupKey, type PagerDutyEvent } from '../notify/format/pagerduty';

export interface PagerDutySendOptions {
  readonly eventsUrl: string;
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
}

/**
 * Sends one event. PagerDuty answers 202 with the dedup key; 429 and 5xx are retried (honouring
 * Retry-After); 400 means the event is invalid and is not retried. The routing key is a secret: it
 * goes in the body and nowhere else. Every caller's dedup key (an alarm's ARN, a remediation's alarm
 * and target, an incident) is kept within PagerDuty's limit here, the same way for trigger and resolve.
 */
export async function sendPagerDutyEvent(event: PagerDutyEvent, routingKey: string, options: PagerDutySendOptions): Promise<{ dedupKey: string }> {
  const dedupKey = pagerDutyDedupKey(event.dedup_key);
  const body = JSON.stringify({ routing_key: routingKey, ...event, dedup_key: dedupKey });
  const result = await withRetry(
    'PagerDuty',
    () => httpPost(options.eventsUrl, body, { headers: { 'content-type': 'application/json' }, timeoutMs: options.timeoutMs ?? 5_000, receiver: 'PagerDuty' }),
    options.retry ?? DEFAULT_RETRY_POLICY,
  );
  let answer: { status?: string; dedup_key?: string } = {};
  try {
    answer = JSON.parse(result.body) as typeof answer;
  } catch {
    // A 2xx that is not JSON still means PagerDuty took the event.
  }
  if (answer.status !== undefined && answer.status !== 'success') {
    throw new DeliveryError(`PagerDuty: accepted with status ${answer.status}`, { retryable: false, status: result.status });
  }
  return { dedupKey: answer.dedup_key ?? dedupKey };
}
