// Log forwarding, step 4: serialise records as NDJSON or `_bulk` lines and split them into requests by bytes and count.
import type { LogRecord } from './model';
import type { LogsPolicy } from './policy';

/** One HTTP request body to the sink, uncompressed. */
export interface SinkRequest {
  readonly body: string;
  /** Log events in the body. */
  readonly events: number;
  /** UTF-8 bytes of `body`. */
  readonly bytes: number;
  /** CloudWatch event ids in the body, in order: what a failure of this request loses. */
  readonly ids: readonly string[];
}

export type SinkMode = LogsPolicy['sink']['mode'];

/** The document forwarded for one record: what a reader of the sink searches on. */
export function toDocument(record: LogRecord): Record<string, unknown> {
  return {
    '@timestamp': new Date(record.timestamp).toISOString(),
    id: record.id,
    level: record.level,
    message: record.message,
    service: record.service,
    logGroup: record.logGroup,
    logStream: record.logStream,
    owner: record.owner,
    region: record.region,
    format: record.format,
    fields: record.fields,
  };
}

/** `{service}` and `{date}` (UTC `yyyy.mm.dd` of the event) in a bulk index template. */
export function indexName(template: string, record: LogRecord): string {
  if (!template.includes('{')) return template;
  const date = new Date(record.timestamp).toISOString().slice(0, 10).replace(/-/g, '.');
  return template.replace('{service}', record.service.toLowerCase().replace(/[^a-z0-9._-]/g, '-')).replace('{date}', date);
}

/**
 * The lines of one record: its document for NDJSON; an `index` action whose `_id` is the CloudWatch
 * event id, then the document, for `_bulk` (so a redelivered batch overwrites rather than duplicates).
 */
export function serialise(record: LogRecord, mode: SinkMode, indexTemplate: string): string {
  const document = JSON.stringify(toDocument(record));
  if (mode === 'ndjson') return `${document}\n`;
  const action = JSON.stringify({ index: { _index: indexName(indexTemplate, record), _id: record.id } });
  return `${action}\n${document}\n`;
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
 */
export class RequestSplitter {
  private parts: string[] = [];
  private ids: string[] = [];
  private bytes = 0;

  constructor(
    private readonly limits: RequestLimits,
    private readonly onRequest: (request: SinkRequest) => void,
  ) {}

  add(id: string, lines: string): void {
    const size = Buffer.byteLength(lines);
    if (this.parts.length > 0 && (this.bytes + size > this.limits.maxRequestBytes || this.parts.length >= this.limits.maxRequestEvents)) {
      this.flush();
    }
    this.parts.push(lines);
    this.ids.push(id);
    this.bytes += size;
  }

  /** Emits what is left as a last request. */
  flush(): void {
    if (this.parts.length === 0) return;
    this.onRequest({ body: this.parts.join(''), events: this.parts.length, bytes: this.bytes, ids: this.ids });
    this.parts = [];
    this.ids = [];
    this.bytes = 0;
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
