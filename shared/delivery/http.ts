// Delivery: one HTTP POST with a timeout, its outcome classified as success, retryable or permanent.
import { DeliveryError, errorMessage } from '../errors';

/** 408, 429 and 5xx may succeed later; every other 4xx is a permanent refusal. */
export const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** Parses Retry-After (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface HttpPostOptions {
  readonly headers?: Record<string, string>;
  readonly timeoutMs: number;
  /** What the receiver is, for error messages ("PagerDuty", "log sink"). Never the URL: it may hold a secret. */
  readonly receiver: string;
}

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

/**
 * POSTs `body` and returns the response when it is 2xx. Otherwise throws a DeliveryError that says
 * whether a retry can help, with the receiver's Retry-After and the start of its error body.
 */
export async function httpPost(url: string, body: string | Uint8Array, options: HttpPostOptions): Promise<HttpResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: options.headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === 'TimeoutError';
    const underlying = error instanceof Error && error.cause !== undefined ? error.cause : error;
    const reason = timedOut ? `timed out after ${options.timeoutMs} ms` : `network error: ${errorMessage(underlying)}`;
    throw new DeliveryError(`${options.receiver}: ${reason}`, { retryable: true, cause: error });
  }
  const text = await response.text();
  if (response.ok) return { status: response.status, body: text };
  throw new DeliveryError(`${options.receiver}: HTTP ${response.status}: ${text.slice(0, 300)}`, {
    retryable: isRetryableStatus(response.status),
    status: response.status,
    retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
  });
}
