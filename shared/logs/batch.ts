// Log forwarding, step 4: serialise records as NDJSON or `_bulk` lines and split them into requests by bytes and count.
import type { LogRecord } from './model';
import type { LogsPolicy } from './policy';

/** One HTTP request body to the sink, uncompressed UTF-8. */
export interface SinkRequest {
  readonly body: Uint8Array;
  /** Log events in the body. */
  readonly events: number;
  /** UTF-8 bytes of `body`. */
  readonly bytes: number;
  /** CloudWatch event ids in the body, in order: what a failure of this request loses. */
  readonly ids: readonly string[];
}

/** How documents are framed for the sink: plain NDJSON, or OpenSearch `_bulk` with an action line each. */
export type SinkMode = LogsPolicy['sink']['mode'];

// Events of a batch share their second; formatting each timestamp with Date costs more than the rest of serialising.
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** ISO 8601 UTC with milliseconds, as Date#toISOString writes it. */
export function isoTimestamp(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const millis = epochMs - second * 1000;
  return `${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

/** What every record of one batch shares: serialised once per batch, not once per event. */
export interface BatchOrigin {
  readonly service: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly owner: string;
  readonly region: string;
}

/**
 * The document forwarded for one record, as an object: `@timestamp`, `id`, `level`, `message`,
 * `format`, the origin (`service`, `logGroup`, `logStream`, `owner`, `region`) and `fields`.
 * `serialiser` writes exactly this, faster; this form documents it and checks it in tests.
 */
export function toDocument(record: LogRecord): Record<string, unknown> {
  return {
    '@timestamp': isoTimestamp(record.timestamp),
    id: record.id,
    level: record.level,
    message: record.message,
    format: record.format,
    service: record.service,
    logGroup: record.logGroup,
    logStream: record.logStream,
    owner: record.owner,
    region: record.region,
    fields: record.fields,
  };
}

/** `{service}` and `{date}` (UTC `yyyy.mm.dd` of the event) in a bulk index template. */
export function indexName(template: string, service: string, timestamp: number): string {
  if (!template.includes('{')) return template;
  const date = isoTimestamp(timestamp).slice(0, 10).replace(/-/g, '.');
  return template.replace('{service}', service.toLowerCase().replace(/[^a-z0-9._-]/g, '-')).replace('{date}', date);
}

/**
 * A serialiser for the records of one batch. Each record becomes its document (see toDocument) on
 * one line for NDJSON; for `_bulk`, an `index` action whose `_id` is the CloudWatch event id comes
 * first, so a redelivered batch overwrites rather than duplicates. The origin is serialised once,
 * and fields that arrived as JSON text are copied rather than serialised again.
 */
export function serialiser(mode: SinkMode, indexTemplate: string, origin: BatchOrigin): (record: LogRecord) => string {
  const originJson = `,"service":${JSON.stringify(origin.service)},"logGroup":${JSON.stringify(origin.logGroup)},"logStream":${JSON.stringify(origin.logStream)},"owner":${JSON.stringify(origin.owner)},"region":${JSON.stringify(origin.region)},"fields":`;
  let lastIndex = '';
  let lastIndexJson = '';
  return (record) => {
    const document = `{"@timestamp":"${isoTimestamp(record.timestamp)}","id":${JSON.stringify(record.id)},"level":"${record.level}","message":${JSON.stringify(record.message)},"format":"${record.format}"${originJson}${record.fieldsJson ?? JSON.stringify(record.fields)}}\n`;
    if (mode === 'ndjson') return document;
    const index = indexName(indexTemplate, origin.service, record.timestamp);
    if (index !== lastIndex) {
      lastIndex = index;
      lastIndexJson = JSON.stringify(index);
    }
    return `{"index":{"_index":${lastIndexJson},"_id":${JSON.stringify(record.id)}}}\n${document}`;
  };
}

/** Limits a request body is kept within. */
export interface RequestLimits {
  readonly maxRequestBytes: number;
  readonly maxRequestEvents: number;
}

/**
 * Accumulates serialised records into requests that stay within the limits. A record bigger than
 * `maxRequestBytes` on its own is sent alone rather than dropped. `onRequest` is called as each
 * request fills, so sending can begin while later records are still being prepared.
 *
 * Lines are encoded straight into a request-sized buffer: no joined string, no second UTF-8 pass,
 * and the buffer (outside V8's heap) goes to gzip as it is.
 */
export class RequestSplitter {
  private buffer: Buffer | undefined;
  private length = 0;
  private ids: string[] = [];

  constructor(
    private readonly limits: RequestLimits,
    private readonly onRequest: (request: SinkRequest) => void,
  ) {}

  add(id: string, lines: string): void {
    if (this.ids.length >= this.limits.maxRequestEvents) this.flush();
    if (!this.tryAppend(lines)) {
      this.flush();
      if (!this.tryAppend(lines)) {
        // Alone and still too big: it goes in a request of its own size.
        this.buffer = Buffer.from(lines);
        this.length = this.buffer.length;
      }
    }
    this.ids.push(id);
  }

  /** Emits what is left as a last request. */
  flush(): void {
    if (this.ids.length === 0 || !this.buffer) return;
    this.onRequest({ body: this.buffer.subarray(0, this.length), events: this.ids.length, bytes: this.length, ids: this.ids });
    this.buffer = undefined;
    this.length = 0;
    this.ids = [];
  }

  // Writes `lines` if all of it fits; `write` stops short only when space runs out, so a write that
  // leaves room behind it is complete, and only one near the end needs its size checked.
  private tryAppend(lines: string): boolean {
    this.buffer ??= Buffer.allocUnsafe(this.limits.maxRequestBytes);
    const room = this.buffer.length - this.length;
    if (lines.length > room) return false;
    const written = this.buffer.write(lines, this.length);
    if (written >= room - 3 && Buffer.byteLength(lines) !== written) return false;
    this.length += written;
    return true;
  }
}

/** Splits already serialised records into requests; the pure, whole-batch form of RequestSplitter. */
export function splitIntoRequests(items: readonly { id: string; lines: string }[], limits: RequestLimits): SinkRequest[] {
  const requests: SinkRequest[] = [];
  const splitter = new RequestSplitter(limits, (request) => requests.push(request));
  for (const item of items) splitter.add(item.id, item.lines);
  splitter.flush();
  return requests;
}
