// Adapter: sends NDJSON or `_bulk` request bodies, gzip-compressed, to the HTTP log sink with retries.
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { httpPost } from '../delivery/http';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from '../delivery/retry';
import { DeliveryError } from '../errors';
import type { SinkMode, SinkRequest } from './batch';

const gzip = promisify(gzipCallback);
const GZIP_CHUNK_BYTES = 64 * 1024;

/** Where forwarded log requests go; an interface so tests and dry runs can pass another. */
export interface LogSink {
  /** Delivers one request or throws a DeliveryError once retries are spent. Returns compressed bytes sent. */
  send(request: SinkRequest): Promise<{ compressedBytes: number }>;
}

/** Where and how the HTTP sink sends: its URL (never logged), framing, gzip level, timeout per attempt and retries. */
export interface HttpLogSinkOptions {
  readonly url: string;
  readonly mode: SinkMode;
  readonly compressionLevel: number;
  readonly timeoutMs: number;
  readonly retry?: RetryPolicy;
}

const RECEIVER = 'log sink';

/**
 * The HTTP sink. Bodies are gzip-compressed off the main thread (zlib's thread pool), so one request
 * compresses while the next is being built. In `bulk` mode the URL gets `/_bulk` unless it already
 * ends so, and a 200 response whose items failed is still a failure: retried when every failed item
 * is retryable (429, 5xx), permanent otherwise. Resending a whole bulk request is safe because each
 * document's `_id` is its event id.
 */
export function httpLogSink(options: HttpLogSinkOptions): LogSink {
  const url = options.mode === 'bulk' ? bulkUrl(options.url) : options.url;
  const headers = {
    'content-type': 'application/x-ndjson',
    'content-encoding': 'gzip',
  };
  return {
    async send(request) {
      // Output in large chunks: each chunk is a round trip from zlib's thread to this one.
      let body: Buffer;
      try {
        body = await gzip(request.body, { level: options.compressionLevel, chunkSize: GZIP_CHUNK_BYTES });
      } finally {
        // Retries resend the compressed body: the uncompressed one is not read again.
        request.release?.();
      }
      await withRetry(
        RECEIVER,
        async () => {
          const response = await httpPost(url, body, { headers, timeoutMs: options.timeoutMs, receiver: RECEIVER });
          if (options.mode === 'bulk') checkBulkResponse(response.body);
        },
        options.retry ?? DEFAULT_RETRY_POLICY,
      );
      return { compressedBytes: body.byteLength };
    },
  };
}

/** `url` with `/_bulk` appended to its path, unless the path already ends so. */
export function bulkUrl(url: string): string {
  const parsed = new URL(url);
  if (!parsed.pathname.endsWith('/_bulk')) parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/_bulk`;
  return parsed.toString();
}

interface BulkItemResult {
  readonly status?: number;
  readonly error?: { readonly type?: string; readonly reason?: string };
}

/**
 * Throws a DeliveryError when a `_bulk` response reports failed items. Only the response's
 * top-level `errors` flag is read in the common case, so a large success is not parsed twice.
 */
export function checkBulkResponse(body: string): void {
  if (!/"errors"\s*:\s*true/.test(body.slice(0, 200))) return;
  let items: BulkItemResult[];
  try {
    const parsed = JSON.parse(body) as { items?: Record<string, BulkItemResult>[] };
    items = (parsed.items ?? []).map((item) => Object.values(item)[0] ?? {});
  } catch (error) {
    throw new DeliveryError(`${RECEIVER}: _bulk response reports errors and is not JSON`, { retryable: true, cause: error });
  }
  const failed = items.filter((item) => (item.status ?? 500) >= 300);
  if (failed.length === 0) return;
  const retryable = failed.every((item) => item.status === 429 || (item.status ?? 500) >= 500);
  const first = failed[0]?.error;
  throw new DeliveryError(
    `${RECEIVER}: _bulk rejected ${failed.length} of ${items.length} documents (first: ${first?.type ?? 'unknown'}: ${(first?.reason ?? '').slice(0, 200)})`,
    { retryable, status: failed[0]?.status },
  );
}
