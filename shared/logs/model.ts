// Log forwarding model: the shapes a CloudWatch Logs batch goes through, from raw event to forwarded record.

/** Severity of a log record, normalised from whatever the line said. */
export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

/** Levels at and above which a record counts as an error (digest, ErrorEvents metric). */
export const ERROR_LEVELS: ReadonlySet<LogLevel> = new Set(['ERROR', 'FATAL']);

/** One event of a CloudWatch Logs subscription batch, as delivered. */
export interface RawLogEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

/** A decoded `DATA_MESSAGE`: every event of one log stream. */
export interface LogsBatch {
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly RawLogEvent[];
}

/**
 * A decoded `DATA_MESSAGE` whose events are parsed slice by slice as they are forwarded, so the
 * parsed events of the whole batch never exist at once.
 */
export interface LogsBatchInSlices extends Omit<LogsBatch, 'logEvents'> {
  /** The events in order, a slice at a time; throws InvalidInputError when it reaches a malformed one. */
  readonly eventSlices: () => Iterable<readonly RawLogEvent[]>;
  /**
   * Frees the decompressed batch at once, once the batch is done with: megabytes outside V8's heap
   * that would otherwise wait for a full garbage collection. `eventSlices` throws afterwards.
   */
  readonly release?: () => void;
}

/** What a subscription delivery turned out to be, its events left to be parsed in slices. */
export type DecodedLogsInSlices = { readonly kind: 'control'; readonly logGroup: string } | { readonly kind: 'data'; readonly batch: LogsBatchInSlices };

/** What a subscription delivery turned out to be. */
export type DecodedLogs = { readonly kind: 'control'; readonly logGroup: string } | { readonly kind: 'data'; readonly batch: LogsBatch };

/** How a message was understood; `text` means it parsed as nothing in particular. */
export type LogFormat = 'json' | 'lambda' | 'api' | 'training' | 'stacktrace' | 'text';

/** A message understood: its level, its human message and any structured fields it carried. */
export interface ParsedLog {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: Record<string, unknown>;
  readonly format: LogFormat;
  /** `fields` as single-line JSON text, when the parser has it (the message itself when it was exactly that object): forwarded as is. */
  readonly fieldsJson?: string;
}

/** A log event ready to forward: parsed and enriched with where it came from. */
export interface LogRecord extends ParsedLog {
  readonly id: string;
  /** Epoch milliseconds of the CloudWatch event. */
  readonly timestamp: number;
  readonly logGroup: string;
  readonly logStream: string;
  readonly owner: string;
  readonly region: string;
  readonly service: string;
}
