// Adapter: posts a Block Kit message to a Slack incoming webhook, with timeout and retries.
import {
  IncomingWebhook,
  IncomingWebhookHTTPError,
  IncomingWebhookRequestError,
  type FetchFunction,
  type IncomingWebhookSendArguments,
} from '@slack/webhook';
import { DeliveryError, errorMessage } from '../errors';
import { isRetryableStatus, parseRetryAfter } from '../delivery/http';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from '../delivery/retry';

export { escapeSlackText, safeSlackText, truncate, SLACK_LIMITS } from './slack-text';

/** A message as an incoming webhook accepts it: fallback `text` plus Block Kit `blocks`/`attachments`. */
export type SlackMessage = IncomingWebhookSendArguments & { text: string };

export interface SlackPostOptions {
  readonly retry?: RetryPolicy;
  readonly timeoutMs?: number;
}

/**
 * Posts one message. Retries 429 (honouring Retry-After), 5xx and network errors; other 4xx are
 * permanent (Slack's body, e.g. `invalid_blocks`, is in the error). Throws DeliveryError when it
 * could not deliver. The webhook URL is a secret and never appears in an error.
 */
export async function postSlackMessage(
  webhookUrl: string,
  message: SlackMessage,
  options: SlackPostOptions = {},
): Promise<void> {
  await withRetry('Slack', () => postOnce(webhookUrl, message, options.timeoutMs ?? 5_000), options.retry ?? DEFAULT_RETRY_POLICY);
}

async function postOnce(webhookUrl: string, message: SlackMessage, timeoutMs: number): Promise<void> {
  // @slack/webhook's HTTP errors carry no headers, so a wrapped fetch keeps the Retry-After it saw.
  let retryAfter: string | null = null;
  const recordingFetch: FetchFunction = async (url, init) => {
    const response = await fetch(url, init);
    retryAfter = response.headers.get('retry-after');
    return response;
  };
  const webhook = new IncomingWebhook(webhookUrl, { timeout: timeoutMs, fetch: recordingFetch });
  try {
    await webhook.send(message);
  } catch (error) {
    if (error instanceof IncomingWebhookHTTPError) {
      throw new DeliveryError(`Slack: HTTP ${error.statusCode}: ${String(error.body).slice(0, 200)}`, {
        retryable: isRetryableStatus(error.statusCode),
        status: error.statusCode,
        retryAfterMs: parseRetryAfter(retryAfter),
        cause: error,
      });
    }
    if (error instanceof IncomingWebhookRequestError) {
      const original = error.original;
      // A timeout arrives as a DOMException turned into a plain Error by the library.
      const timedOut = original.name === 'TimeoutError' || /TimeoutError|due to timeout/.test(original.message);
      const reason = timedOut ? `timed out after ${timeoutMs} ms` : errorMessage(original.cause ?? original);
      // The request error's message can carry the URL; keep only the reason.
      throw new DeliveryError(`Slack: ${timedOut ? '' : 'network error: '}${reason.replace(/https:\/\/hooks\.slack\.com\/\S+/g, '<webhook>')}`, {
        retryable: true,
        cause: error,
      });
    }
    throw error;
  }
}
