// Delivery: one HTTP POST with a timeout, its outcome classified as success, retryable or permanent.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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
  /** Limit on the whole exchange: connecting, sending, and reading the response to its end. */
  readonly timeoutMs: number;
  /** What the receiver is, for error messages ("PagerDuty", "log sink"). Never the URL: it may hold a secret. */
  readonly receiver: string;
}

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

// Connections are kept open between requests and invocations: a batch's requests and the next
// invocation's skip the TCP (and TLS) handshake. A connection the receiver closed meanwhile (or one
// left stale while Lambda froze the process) fails as a network error, which is retried.
const agents = {
  'http:': new HttpAgent({ keepAlive: true, scheduling: 'lifo' }),
  'https:': new HttpsAgent({ keepAlive: true, scheduling: 'lifo' }),
};

/**
 * POSTs `body` and returns the response when it is 2xx. Otherwise throws a DeliveryError that says
 * whether a retry can help, with the receiver's Retry-After and the start of its error body.
 * Sent with node:http/node:https over kept-alive connections.
 */
export function httpPost(url: string, body: string | Uint8Array, options: HttpPostOptions): Promise<HttpResult> {
  const target = new URL(url);
  const protocol = target.protocol;
  if (protocol !== 'http:' && protocol !== 'https:') {
    return Promise.reject(new DeliveryError(`${options.receiver}: unsupported URL scheme ${protocol}`, { retryable: false }));
  }
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return new Promise<HttpResult>((resolve, reject) => {
    // Settled once: by the answer, a network error or the timer, whichever comes first (always after this function returns).
    let settled = false;
    const fail = (error: DeliveryError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    const answered = (status: number, retryAfter: string | undefined, text: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (status >= 200 && status < 300) return resolve({ status, body: text });
      reject(
        new DeliveryError(`${options.receiver}: HTTP ${status}: ${text.slice(0, 300)}`, {
          retryable: isRetryableStatus(status),
          status,
          retryAfterMs: parseRetryAfter(retryAfter),
        }),
      );
    };
    const send = protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      target,
      { method: 'POST', agent: agents[protocol], headers: { ...options.headers, 'content-length': String(payload.byteLength) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => fail(networkError(options.receiver, error)));
        response.on('end', () => answered(response.statusCode ?? 0, response.headers['retry-after'], Buffer.concat(chunks).toString('utf8')));
      },
    );
    request.on('error', (error) => fail(networkError(options.receiver, error)));
    const timer = setTimeout(() => {
      fail(new DeliveryError(`${options.receiver}: timed out after ${options.timeoutMs} ms`, { retryable: true }));
      // The connection is not reused: a late answer must not be read as the next request's.
      request.destroy();
    }, options.timeoutMs);
    request.end(payload);
  });
}

const networkError = (receiver: string, error: unknown): DeliveryError =>
  new DeliveryError(`${receiver}: network error: ${errorMessage(error)}`, { retryable: true, cause: error });
