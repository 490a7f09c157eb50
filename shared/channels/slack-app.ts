// Adapter: the Slack app's Web API (post, update, upload into a thread, a user group's members, an interaction's reply) over @slack/web-api.
import type { KnownBlock, MessageAttachment } from '@slack/types';
import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  type Logger as SlackLogger,
} from '@slack/web-api';
import { httpPost, isRetryableStatus } from '../delivery/http';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from '../delivery/retry';
import { DeliveryError, errorMessage } from '../errors';
import { logger } from '../logger';

/** A message as chat.postMessage and chat.update take it: fallback `text` plus Block Kit `blocks`/`attachments`. */
export interface SlackAppMessage {
  readonly text: string;
  readonly blocks?: readonly KnownBlock[];
  readonly attachments?: readonly MessageAttachment[];
}

/** A file for `upload`: its bytes, the name Slack shows (with its extension), a title, and optionally alt text and a comment. */
export interface SlackAppFile {
  readonly bytes: Uint8Array;
  readonly filename: string;
  readonly title: string;
  readonly altText?: string;
  readonly comment?: string;
}

/** An ephemeral or in-channel reply to an interaction, or a replacement of the message it came from. */
export interface SlackInteractionReply {
  readonly text: string;
  readonly response_type?: 'ephemeral' | 'in_channel';
  readonly replace_original?: boolean;
}

/**
 * The Slack app's port. Every method throws DeliveryError when Slack refused or could not be reached
 * (`retryable` says whether trying again can help; Slack's error code is in the message), after the
 * client's own retries.
 */
export interface SlackAppClient {
  /** chat.postMessage; in a thread when threadTs is given. Returns where it landed. */
  post(channel: string, message: SlackAppMessage, threadTs?: string): Promise<{ channel: string; ts: string }>;
  /** chat.update of a message already posted. */
  update(channel: string, ts: string, message: SlackAppMessage): Promise<void>;
  /** files.uploadV2 (getUploadURLExternal, the upload, completeUploadExternal) into a thread. */
  upload(channel: string, threadTs: string, file: SlackAppFile): Promise<void>;
  /** usergroups.users.list: the user ids of a user group. */
  usersOfGroup(groupId: string): Promise<string[]>;
  /** POST to an interaction's response_url (ephemeral reply, or replacing the original). */
  respond(responseUrl: string, reply: SlackInteractionReply): Promise<void>;
}

/** How the client calls Slack. */
export interface SlackAppClientOptions {
  /** WebClient's `slackApiUrl`, ending in `/api/`; Slack's own unless given (tests pass a double's). */
  readonly apiUrl?: string;
  /** Limit on each HTTP request (each of an upload's three counts alone); 5 s unless given. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt of a retryable failure; DEFAULT_RETRY_POLICY's unless given. */
  readonly retries?: number;
}

/**
 * Platform errors (HTTP 200, `ok: false`) that may succeed later. Every other code (`channel_not_found`,
 * `not_in_channel`, `invalid_auth`, `missing_scope`, `invalid_blocks`, …) is a refusal that a retry repeats.
 */
const RETRYABLE_CODES: ReadonlySet<string> = new Set(['ratelimited', 'rate_limited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * The Slack app client. `token` is asked at each call (it is resolved from SSM and cached elsewhere);
 * a WebClient is made once per distinct token. WebClient's own retries are off and rate-limited calls
 * are rejected at once, so every retry goes through `withRetry` (backoff, Retry-After, and the cap on
 * how long to wait). The token never appears in an error or a log line.
 */
export function slackAppClient(token: () => Promise<string>, options: SlackAppClientOptions = {}): SlackAppClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxAttempts: (options.retries ?? DEFAULT_RETRY_POLICY.maxAttempts - 1) + 1 };
  let cached: { readonly token: string; readonly client: WebClient } | undefined;

  const web = async (): Promise<WebClient> => {
    const current = await token();
    if (cached?.token !== current) {
      cached = {
        token: current,
        client: new WebClient(current, {
          slackApiUrl: options.apiUrl,
          timeout: timeoutMs,
          retryConfig: { retries: 0 },
          rejectRateLimitedCalls: true,
          logger: webClientLogger,
        }),
      };
    }
    return cached.client;
  };

  /** Runs one Web API call with the retry policy, its failures as DeliveryErrors labelled with the method. */
  const call = async <T>(method: string, send: (client: WebClient) => Promise<T>): Promise<T> => {
    const client = await web();
    const label = `Slack ${method}`;
    return withRetry(label, async () => {
      try {
        return await send(client);
      } catch (error) {
        throw deliveryError(label, error, timeoutMs);
      }
    }, retry);
  };

  return {
    async post(channel, message, threadTs) {
      const result = await call('chat.postMessage', (client) => client.chat.postMessage({ channel, thread_ts: threadTs, ...contents(message) }));
      // A success without a ts cannot be threaded or updated; a retry would post the message twice.
      if (!result.ts) throw new DeliveryError('Slack chat.postMessage: the answer had no ts', { retryable: false });
      return { channel: result.channel ?? channel, ts: result.ts };
    },

    async update(channel, ts, message) {
      await call('chat.update', (client) => client.chat.update({ channel, ts, ...contents(message) }));
    },

    async upload(channel, threadTs, file) {
      // files.uploadV2 reads a Buffer (Buffer.isBuffer); this one shares the bytes' memory, no copy.
      const bytes = Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
      await call('files.uploadV2', (client) =>
        client.filesUploadV2({
          channel_id: channel,
          thread_ts: threadTs,
          file: bytes,
          filename: file.filename,
          title: file.title,
          alt_text: file.altText,
          initial_comment: file.comment,
        }),
      );
    },

    async usersOfGroup(groupId) {
      const result = await call('usergroups.users.list', (client) => client.usergroups.users.list({ usergroup: groupId }));
      return result.users ?? [];
    },

    async respond(responseUrl, reply) {
      // A response_url is a plain HTTPS URL that authorises itself; it is never put in an error either.
      const label = 'Slack response_url';
      await withRetry(label, () => httpPost(responseUrl, JSON.stringify(reply), { headers: { 'content-type': 'application/json' }, timeoutMs, receiver: label }), retry);
    },
  };
}

const contents = (message: SlackAppMessage) => ({
  text: message.text,
  blocks: message.blocks ? [...message.blocks] : undefined,
  attachments: message.attachments ? [...message.attachments] : undefined,
});

/** A WebClient failure as a DeliveryError: retryable when Slack or the network may answer otherwise later. */
function deliveryError(label: string, error: unknown, timeoutMs: number): unknown {
  if (error instanceof WebAPIPlatformError) {
    const { error: code, needed, response_metadata: metadata } = error.data as WebAPIPlatformError['data'] & { needed?: string };
    const detail = code === 'missing_scope' && needed ? `${code} (needs ${needed})` : code;
    return new DeliveryError(`${label}: ${detail}`, {
      retryable: RETRYABLE_CODES.has(code),
      retryAfterMs: metadata?.retryAfter === undefined ? undefined : metadata.retryAfter * 1000,
      cause: error,
    });
  }
  if (error instanceof WebAPIRateLimitedError) {
    return new DeliveryError(`${label}: ratelimited (HTTP 429, retry after ${error.retryAfter} s)`, {
      retryable: true,
      status: 429,
      retryAfterMs: error.retryAfter * 1000,
      cause: error,
    });
  }
  if (error instanceof WebAPIHTTPError) {
    const body: unknown = error.body;
    const code = typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : String(body ?? '').slice(0, 200);
    return new DeliveryError(`${label}: HTTP ${error.statusCode}${code ? `: ${code}` : ''}`, {
      retryable: isRetryableStatus(error.statusCode),
      status: error.statusCode,
      cause: error,
    });
  }
  if (error instanceof WebAPIRequestError) {
    const original = error.original;
    // WebClient keeps the abort as it came only when it is an Error of its own realm; otherwise as text.
    const timedOut = original.name === 'TimeoutError' || /^TimeoutError\b|due to timeout/.test(original.message);
    const reason = timedOut ? `timed out after ${timeoutMs} ms` : `network error: ${errorMessage(original.cause ?? original)}`;
    return new DeliveryError(`${label}: ${reason}`, { retryable: true, cause: error });
  }
  // A 429 without a usable Retry-After is rejected by WebClient as a plain Error (p-retry's AbortError unwrapped).
  if (error instanceof Error && error.message.startsWith('Retry header did not contain a valid timeout')) {
    return new DeliveryError(`${label}: ratelimited (HTTP 429 without Retry-After)`, { retryable: true, status: 429, cause: error });
  }
  // Anything else (bad arguments to files.uploadV2, a bug) is not a delivery failure a retry can fix.
  return error;
}

/**
 * WebClient's log lines, sent to the project's logger: warnings and errors only (its info says what it
 * is about to retry, which it no longer does; its debug lines are per request). WebClient redacts the
 * token from what it logs.
 */
const webClientLogger: SlackLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (...message: unknown[]) => logger.warn(`Slack Web API: ${message.map(String).join(' ')}`),
  error: (...message: unknown[]) => logger.error(`Slack Web API: ${message.map(String).join(' ')}`),
  setLevel: () => undefined,
  getLevel: () => LogLevel.WARN,
  setName: () => undefined,
};
