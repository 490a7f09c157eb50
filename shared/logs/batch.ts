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
  /** CloudWatch event ids in the body, in order (what a failure of this request loses), when the splitter keeps them. */
  readonly ids?: readonly string[];
  /**
   * Hands the body's memory back for the next request to reuse. A sink calls it once it has read the
   * body for the last time (compressed it) and never touches the body afterwards; not calling it is
   * always safe (the memory is then left to the garbage collector).
   */
  readonly release?: () => void;
}

/**
 * Request-sized buffers, kept for reuse once a sink has read them. Allocating a fresh buffer of
 * about a megabyte per request costs more than its contents: each one is memory outside V8's heap
 * that is returned only by a full garbage collection, and enough of them trigger one.
 */
export class BodyPool {
  private readonly free: Buffer[] = [];

  constructor(private readonly maxKept: number) {}

  /** A buffer of exactly `size` bytes (its contents are old). */
  take(size: number): Buffer {
    const index = this.free.findIndex((buffer) => buffer.length === size);
    if (index === -1) return Buffer.allocUnsafeSlow(size);
    const [buffer] = this.free.splice(index, 1);
    return buffer as Buffer;
  }

  /** Keeps `buffer` for a later `take`, unless enough are kept already. */
  give(buffer: Buffer): void {
    if (this.free.length < this.maxKept) this.free.push(buffer);
  }

  /** Buffers kept now. */
  get size(): number {
    return this.free.length;
  }
}

/** Enough for every request of a batch in flight at the highest concurrency a policy allows, plus the one being built. */
const SHARED_BODIES = new BodyPool(17);

/** How documents are framed for the sink: plain NDJSON, or OpenSearch `_bulk` with an action line each. */
export type SinkMode = LogsPolicy['sink']['mode'];

// Events of a batch share their second; formatting each timestamp with Date costs more than the rest of serialising.
let cachedSecond = Number.NaN;
let cachedPrefix = '';

let cachedPrefixBytes = Buffer.alloc(0);

/** ISO 8601 UTC with milliseconds, as Date#toISOString writes it. */
export function isoTimestamp(epochMs: number): string {
  const millis = epochMs - cacheSecondOf(epochMs) * 1000;
  return `${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

/** Writes isoTimestamp(epochMs) at `at` without building it; returns the offset after it. */
function writeIsoTimestamp(buffer: Buffer, at: number, epochMs: number): number {
  const millis = epochMs - cacheSecondOf(epochMs) * 1000;
  if (!Number.isInteger(millis)) return writeAscii(buffer, at, isoTimestamp(epochMs));
  at = copyBytes(buffer, at, cachedPrefixBytes);
  buffer[at] = 0x30 + Math.floor(millis / 100);
  buffer[at + 1] = 0x30 + (Math.floor(millis / 10) % 10);
  buffer[at + 2] = 0x30 + (millis % 10);
  buffer[at + 3] = 0x5a; // Z
  return at + 4;
}

/** The second of `epochMs`, its text and bytes cached for the events that share it. */
function cacheSecondOf(epochMs: number): number {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    cachedPrefixBytes = Buffer.from(cachedPrefix, 'latin1');
  }
  return second;
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
  const lines = recordLines(mode, indexTemplate, origin);
  return (record) => lines.text(record);
}

/**
 * A record's lines, written straight into a request buffer: `prepare` takes the record (and builds
 * the bulk action) and returns an upper bound on the line's UTF-8 bytes; `write` then writes the
 * head byte by byte, copies the origin from bytes encoded once per batch, and writes the fields'
 * JSON text as it is. No string of the line or its head is built. `text` is the same bytes as one string.
 */
export interface RecordLines {
  prepare(record: LogRecord): number;
  /** Writes the record last prepared at `offset` (where at least its bound is free); returns the bytes written. */
  write(buffer: Buffer, offset: number): number;
  text(record: LogRecord): string;
}

/** UTF-8 takes at most three bytes for each UTF-16 code unit. */
const MAX_UTF8_PER_UNIT = 3;
/** JSON.stringify writes a code unit as at most six ASCII bytes (`\uXXXX`), or as itself (at most three UTF-8 bytes). */
const MAX_JSON_BYTES_PER_UNIT = 6;

// The head's keys and the punctuation around its values, encoded once.
const HEAD_TIMESTAMP = Buffer.from('{"@timestamp":"');
const HEAD_ID = Buffer.from('","id":');
const HEAD_LEVEL = Buffer.from(',"level":"');
const HEAD_MESSAGE = Buffer.from('","message":');
const HEAD_FORMAT = Buffer.from(',"format":"');
/** Bytes of the head besides its id and message, whose words (timestamp, level, format) are at most 24 ASCII characters each. */
const HEAD_FIXED_BYTES = HEAD_TIMESTAMP.length + HEAD_ID.length + HEAD_LEVEL.length + HEAD_MESSAGE.length + HEAD_FORMAT.length + 3 * 24 + 1;

/** The RecordLines of one batch (see serialiser for what they hold). */
export function recordLines(mode: SinkMode, indexTemplate: string, origin: BatchOrigin): RecordLines {
  const originJson = `,"service":${JSON.stringify(origin.service)},"logGroup":${JSON.stringify(origin.logGroup)},"logStream":${JSON.stringify(origin.logStream)},"owner":${JSON.stringify(origin.owner)},"region":${JSON.stringify(origin.region)},"fields":`;
  const originBytes = Buffer.from(originJson, 'utf8');
  let lastIndex = '';
  let lastIndexJson = '';
  const action = (record: LogRecord): string => {
    if (mode === 'ndjson') return '';
    const index = indexName(indexTemplate, origin.service, record.timestamp);
    if (index !== lastIndex) {
      lastIndex = index;
      lastIndexJson = JSON.stringify(index);
    }
    return `{"index":{"_index":${lastIndexJson},"_id":${JSON.stringify(record.id)}}}\n`;
  };
  // The head's closing brace is left out. Level and format are words of closed sets (LogLevel,
  // LogFormat) that need no escaping.
  const head = (record: LogRecord): string =>
    `${action(record)}{"@timestamp":"${isoTimestamp(record.timestamp)}","id":${JSON.stringify(record.id)},"level":"${record.level}","message":${JSON.stringify(record.message)},"format":"${record.format}"`;
  const fieldsOf = (record: LogRecord): string => record.fieldsJson ?? JSON.stringify(record.fields);
  let prepared: LogRecord | undefined;
  let preparedAction = '';
  let preparedFields = '';
  return {
    prepare(record) {
      prepared = record;
      preparedAction = action(record);
      preparedFields = fieldsOf(record);
      const headBytes = HEAD_FIXED_BYTES + MAX_JSON_BYTES_PER_UNIT * (record.id.length + record.message.length + 4);
      return MAX_UTF8_PER_UNIT * (preparedAction.length + preparedFields.length) + headBytes + originBytes.length + 2;
    },
    write(buffer, offset) {
      const record = prepared as LogRecord;
      let at = preparedAction === '' ? offset : offset + buffer.write(preparedAction, offset);
      at = copyBytes(buffer, at, HEAD_TIMESTAMP);
      at = writeIsoTimestamp(buffer, at, record.timestamp);
      at = copyBytes(buffer, at, HEAD_ID);
      at = writeJsonString(buffer, at, record.id);
      at = copyBytes(buffer, at, HEAD_LEVEL);
      at = writeAscii(buffer, at, record.level);
      at = copyBytes(buffer, at, HEAD_MESSAGE);
      at = writeJsonString(buffer, at, record.message);
      at = copyBytes(buffer, at, HEAD_FORMAT);
      at = writeAscii(buffer, at, record.format);
      buffer[at++] = 0x22; // "
      buffer.set(originBytes, at);
      at += originBytes.length;
      at += buffer.write(preparedFields, at);
      buffer[at++] = 0x7d; // }
      buffer[at++] = 0x0a; // \n
      return at - offset;
    },
    text: (record) => `${head(record)}${originJson}${fieldsOf(record)}}\n`,
  };
}

// Head pieces are a few dozen bytes: a loop copies them faster than a call into Buffer or TypedArray#set.
function copyBytes(buffer: Buffer, at: number, bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) buffer[at + i] = bytes[i] as number;
  return at + bytes.length;
}

/** Writes `text`, known to be ASCII (a timestamp, a level or format name). */
function writeAscii(buffer: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) buffer[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/**
 * Writes `text` as JSON.stringify writes it: ASCII that needs no escaping is copied between quotes
 * byte by byte; on the first character that needs escaping or is not ASCII, JSON.stringify's text
 * is encoded over what was copied. Returns the offset after it.
 */
function writeJsonString(buffer: Buffer, at: number, text: string): number {
  buffer[at] = 0x22; // "
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return at + buffer.write(JSON.stringify(text), at);
    buffer[at + 1 + i] = c;
  }
  buffer[at + 1 + text.length] = 0x22; // "
  return at + text.length + 2;
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
  private events = 0;
  private pooled = false;

  /**
   * `keepIds: false` leaves `ids` out of the requests: a batch's ids then need not stay alive
   * until its last request is sent.
   */
  constructor(
    private readonly limits: RequestLimits,
    private readonly onRequest: (request: SinkRequest) => void,
    private readonly options: { readonly keepIds?: boolean; readonly bodies?: BodyPool } = {},
  ) {}

  add(id: string, lines: string): void {
    if (this.events >= this.limits.maxRequestEvents) this.flush();
    if (!this.tryAppend(lines)) {
      this.flush();
      if (!this.tryAppend(lines)) {
        // Alone and still too big: it goes in a request of its own size.
        if (this.buffer && this.pooled) this.bodyPool.give(this.buffer);
        this.buffer = Buffer.from(lines);
        this.length = this.buffer.length;
        this.pooled = false;
      }
    }
    this.events++;
    if (this.options.keepIds !== false) this.ids.push(id);
  }

  /**
   * Adds one record's lines, written straight into the request buffer when they surely fit; near the
   * end of a request, as text, so the exact size decides where the request ends.
   */
  addRecord(id: string, record: LogRecord, lines: RecordLines): void {
    if (this.events >= this.limits.maxRequestEvents) this.flush();
    const bound = lines.prepare(record);
    const buffer = this.currentBuffer();
    if (bound > buffer.length - this.length) return this.add(id, lines.text(record));
    this.length += lines.write(buffer, this.length);
    this.events++;
    if (this.options.keepIds !== false) this.ids.push(id);
  }

  /** Emits what is left as a last request. */
  flush(): void {
    if (this.events === 0 || !this.buffer) return;
    const buffer = this.buffer;
    const release = this.pooled ? once(() => this.bodyPool.give(buffer)) : undefined;
    const ids = this.options.keepIds === false ? undefined : this.ids;
    this.onRequest({ body: buffer.subarray(0, this.length), events: this.events, bytes: this.length, ids, release });
    this.buffer = undefined;
    this.length = 0;
    this.events = 0;
    this.ids = [];
  }

  private currentBuffer(): Buffer {
    if (!this.buffer) {
      this.buffer = this.bodyPool.take(this.limits.maxRequestBytes);
      this.pooled = true;
    }
    return this.buffer;
  }

  private get bodyPool(): BodyPool {
    return this.options.bodies ?? SHARED_BODIES;
  }

  // Writes `lines` if all of it fits; `write` stops short only when space runs out, so a write that
  // leaves room behind it is complete, and only one near the end needs its size checked.
  private tryAppend(lines: string): boolean {
    const buffer = this.currentBuffer();
    const room = buffer.length - this.length;
    if (lines.length > room) return false;
    const written = buffer.write(lines, this.length);
    if (written >= room - 3 && Buffer.byteLength(lines) !== written) return false;
    this.length += written;
    return true;
  }
}

const once = (fn: () => void): (() => void) => {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    fn();
  };
};

/** Splits already serialised records into requests; the pure, whole-batch form of RequestSplitter. */
export function splitIntoRequests(items: readonly { id: string; lines: string }[], limits: RequestLimits): SinkRequest[] {
  const requests: SinkRequest[] = [];
  const splitter = new RequestSplitter(limits, (request) => requests.push(request));
  for (const item of items) splitter.add(item.id, item.lines);
  splitter.flush();
  return requests;
}
