// Log forwarding, step 1: decode a subscription delivery (base64 of gzip of JSON) and refuse anything corrupt.
import { gunzipSync } from 'node:zlib';
import { InvalidInputError, errorMessage } from '../errors';
import type { DecodedLogs, DecodedLogsInSlices, RawLogEvent } from './model';

/** Upper bound on a decompressed batch; CloudWatch sends at most ~1 MB compressed, so far above any real one. */
export const MAX_DECOMPRESSED_BYTES = 64 * 1_048_576;

const BASE64_PADDING_ONLY_AT_END = /^[A-Za-z0-9+/]{2}[A-Za-z0-9+/=]{2}$/;

/**
 * Decodes a CloudWatch Logs subscription event (`{ awslogs: { data } }`). A `CONTROL_MESSAGE` is
 * returned as such, to be acknowledged and skipped. Throws InvalidInputError, saying what is wrong,
 * for an event without `awslogs.data`, bad base64, corrupt or truncated gzip, or a payload that is not
 * a subscription batch: the invocation then fails and Lambda's retry and on-failure destination keep it.
 */
export function decodeLogsEvent(event: unknown, maxDecompressedBytes: number = MAX_DECOMPRESSED_BYTES): DecodedLogs {
  return toDecodedLogs(parsePayload(decompress(event, maxDecompressedBytes).toString('utf8')));
}

/**
 * Decodes a delivery as decodeLogsEvent does, refusing the same corrupt input up front, but leaves
 * the events as text: they are parsed a slice at a time (about EVENT_SLICE_BYTES each) while the
 * batch is forwarded, so no more than one slice of parsed events is alive at once and short-lived
 * objects die young. An event without a string id, a timestamp in whole epoch milliseconds from year 0000 to 9999 or a string message is refused
 * with InvalidInputError when its slice is reached. A payload laid out other than CloudWatch lays it
 * out (`"logEvents":[{"id":...` after a header without nested objects) is parsed whole, as one slice.
 */
export function decodeLogsEventInSlices(event: unknown, maxDecompressedBytes: number = MAX_DECOMPRESSED_BYTES): DecodedLogsInSlices {
  const json = decompress(event, maxDecompressedBytes);
  const sliced = slicedBatch(json);
  if (sliced) return sliced;
  const decoded = toDecodedLogs(parsePayload(json.toString('utf8')));
  if (decoded.kind === 'control') return decoded;
  const { logEvents, ...header } = decoded.batch;
  return { kind: 'data', batch: { ...header, eventSlices: () => [logEvents] } };
}

/** UTF-8 bytes of the events parsed together: small enough that a slice's objects die in V8's young generation. */
export const EVENT_SLICE_BYTES = 16 * 1024;

/** Decompressed batches at least this large are freed by `release`; smaller ones are left to the garbage collector. */
const MIN_RELEASED_BYTES = 64 * 1024;

const EVENTS_KEY = '"logEvents":[';
// `},{"id":"` can only be the boundary between two events: inside a JSON string every `"` is escaped,
// and a closing quote is never followed by `id`. JSON.parse of each slice checks it regardless.
const EVENT_BOUNDARY = '},{"id":"';
const FIRST_EVENT = '{"id":"';

/**
 * The fast layout: header and tail parsed on their own, the events left in place as UTF-8 in `json`
 * and decoded a slice at a time, so the batch never exists as one string. (Cutting at the ASCII
 * boundary between events never splits a multi-byte character.)
 */
function slicedBatch(json: Buffer): DecodedLogsInSlices | undefined {
  const key = json.indexOf(EVENTS_KEY);
  const start = key + EVENTS_KEY.length;
  const end = json.lastIndexOf(']');
  // The first event must be the first `{` after the opening one: with an object before it, the array
  // might not be the top-level one.
  if (key < 0 || end < start || json[0] !== 123 /* { */ || json.indexOf('{', 1) !== start) return undefined;
  if (json.toString('latin1', start, start + FIRST_EVENT.length) !== FIRST_EVENT || json[end - 1] !== 125 /* } */) return undefined;
  let skeleton: unknown;
  try {
    skeleton = JSON.parse(`${json.toString('utf8', 0, start)}${json.toString('utf8', end)}`);
  } catch {
    // Not this layout after all: the whole parse that follows refuses the payload with its reason.
    return undefined;
  }
  const decoded = toDecodedLogs(skeleton);
  if (decoded.kind === 'control' || decoded.batch.logEvents.length !== 0) return undefined;
  const { logEvents: _none, ...header } = decoded.batch;
  let released = false;
  const slices = () => {
    if (released) throw new Error('the decompressed batch was released');
    return eventSlices(json, start, end);
  };
  const release = () => {
    released = true;
    // Detaching the buffer frees its memory now. Only memory that holds this batch alone (gunzip's
    // output chunk, sized from the trailer, or the concatenation of its chunks) is detached, never a
    // pool that Node shares between buffers and does not allow to be detached.
    const bytes = json.buffer;
    const own = bytes instanceof ArrayBuffer && json.byteOffset === 0 && bytes.byteLength - json.length <= 1;
    if (own && bytes.byteLength >= MIN_RELEASED_BYTES && !bytes.detached) bytes.transfer(0);
  };
  return { kind: 'data', batch: { ...header, eventSlices: slices, release } };
}

/** The events between byte `start` and `end` of `json`, parsed and checked a slice at a time. */
function* eventSlices(json: Buffer, start: number, end: number): Generator<RawLogEvent[]> {
  let index = 0;
  for (let from = start; from < end; ) {
    const boundary = from + EVENT_SLICE_BYTES < end ? json.indexOf(EVENT_BOUNDARY, from + EVENT_SLICE_BYTES) : -1;
    const to = boundary === -1 || boundary >= end ? end : boundary + 1;
    let events: unknown;
    try {
      events = JSON.parse(arrayText(json, from, to));
    } catch (error) {
      throw notJson(error);
    }
    const slice = events as (Partial<Record<keyof RawLogEvent, unknown>> | null)[];
    for (let i = 0; i < slice.length; i++) {
      // The same test as checkLogEvent, without its call per event (an array from JSON has no `id`).
      const e = slice[i];
      if (typeof e !== 'object' || e === null || typeof e.id !== 'string' || !isEventTimestamp(e.timestamp) || typeof e.message !== 'string') checkLogEvent(e, index + i);
    }
    index += slice.length;
    yield slice as RawLogEvent[];
    from = to + 1;
  }
}

/**
 * The events between bytes `from` and `to` as the text of a JSON array, decoded in one step: the
 * separators around them (`[` or `,` before, `,` or `]` after) are briefly made brackets, so no
 * second string is built by joining brackets to the slice.
 */
function arrayText(json: Buffer, from: number, to: number): string {
  const before = json[from - 1] as number;
  const after = json[to] as number;
  json[from - 1] = 0x5b; // [
  json[to] = 0x5d; // ]
  try {
    return json.toString('utf8', from - 1, to + 1);
  } finally {
    json[from - 1] = before;
    json[to] = after;
  }
}

/** base64 and gunzip of `awslogs.data`, refusing what is not a complete stream. */
function decompress(event: unknown, maxDecompressedBytes: number): Buffer {
  const data = awslogsData(event);
  if (data.length === 0 || data.length % 4 !== 0) throw new InvalidInputError('awslogs.data is not valid base64');
  const compressed = Buffer.from(data, 'base64');
  // Node skips characters that are not base64, so foreign ones show as missing bytes: no need to
  // scan the text with a regular expression first.
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  if (compressed.length !== (data.length / 4) * 3 - padding || !BASE64_PADDING_ONLY_AT_END.test(data.slice(-4))) {
    throw new InvalidInputError('awslogs.data is not valid base64');
  }
  try {
    return gunzipSync(compressed, { maxOutputLength: maxDecompressedBytes, chunkSize: outputChunkSize(compressed, maxDecompressedBytes) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException | undefined)?.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InvalidInputError(`awslogs.data decompresses to more than ${maxDecompressedBytes} bytes`, { cause: error });
    }
    throw new InvalidInputError(`awslogs.data is not a complete gzip stream: ${errorMessage(error)}`, { cause: error });
  }
}

function parsePayload(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch (error) {
    throw notJson(error);
  }
}

// V8 quotes the text around an unexpected token: `Unexpected token 'p', ..."message":password=h"... is not valid JSON`.
const QUOTED_INPUT = /, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s;

/**
 * The refusal of a payload that is not JSON. The refusal is logged, and the text V8 quotes from the
 * input may hold part of a secret that redaction never saw, so the quote is left out, and the
 * SyntaxError, which holds it too, is not kept as the cause.
 */
function notJson(error: unknown): InvalidInputError {
  return new InvalidInputError(`awslogs.data does not hold JSON: ${errorMessage(error).replace(QUOTED_INPUT, '')}`);
}

/** Deflate expands at most about 1032 to 1: a trailer claiming more is not believed. */
const MAX_DEFLATE_RATIO = 1032;
const MIN_CHUNK_BYTES = 16 * 1024;

/**
 * The output chunk for gunzip: the size the gzip trailer (ISIZE, the last four bytes) announces, plus
 * one byte so the stream ends with room to spare. One chunk then holds the whole batch, instead of
 * hundreds of 16 KB chunks concatenated into a second copy. The trailer is only a hint: it is bounded
 * by what the input can expand to and by the limit, and a wrong one costs only extra chunks.
 */
function outputChunkSize(compressed: Buffer, maxDecompressedBytes: number): number {
  if (compressed.length < 18) return MIN_CHUNK_BYTES;
  const announced = compressed.readUInt32LE(compressed.length - 4) + 1;
  return Math.max(MIN_CHUNK_BYTES, Math.min(announced, compressed.length * MAX_DEFLATE_RATIO, maxDecompressedBytes + 1));
}

function awslogsData(event: unknown): string {
  if (!isObject(event) || !isObject(event.awslogs)) {
    throw new InvalidInputError('event has no awslogs field: not a CloudWatch Logs subscription delivery');
  }
  const { data } = event.awslogs;
  if (typeof data !== 'string') throw new InvalidInputError('awslogs.data is missing or not a string');
  return data;
}

function toDecodedLogs(payload: unknown): DecodedLogs {
  if (!isObject(payload)) throw new InvalidInputError('subscription payload is not a JSON object');
  const { messageType, owner, logGroup, logStream, subscriptionFilters, logEvents } = payload;
  if (messageType === 'CONTROL_MESSAGE') return { kind: 'control', logGroup: typeof logGroup === 'string' ? logGroup : '' };
  if (messageType !== 'DATA_MESSAGE') throw new InvalidInputError(`unknown messageType ${JSON.stringify(messageType)}`);
  if (typeof owner !== 'string' || typeof logGroup !== 'string' || typeof logStream !== 'string') {
    throw new InvalidInputError('DATA_MESSAGE lacks owner, logGroup or logStream');
  }
  if (!Array.isArray(logEvents)) throw new InvalidInputError('DATA_MESSAGE has no logEvents array');
  logEvents.forEach(checkLogEvent);
  return {
    kind: 'data',
    batch: {
      owner,
      logGroup,
      logStream,
      subscriptionFilters: Array.isArray(subscriptionFilters) ? subscriptionFilters.filter((f) => typeof f === 'string') : [],
      logEvents: logEvents as RawLogEvent[],
    },
  };
}

/**
 * 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z in epoch milliseconds: the times ISO 8601
 * writes with a four-digit year, as `@timestamp` and the index date are written. Beyond them (up to
 * the ±8.64e15 a Date holds) the time would be forwarded garbled (`+011476-08-15T05:20:000Z`) and the
 * digest's query window would overflow a Date; a fraction of a millisecond would be garbled too.
 */
const MIN_EVENT_MS = -62_167_219_200_000;
const MAX_EVENT_MS = 253_402_300_799_999;

const isEventTimestamp = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= MIN_EVENT_MS && (value as number) <= MAX_EVENT_MS;

// An event without an id, time or message cannot be forwarded or deduplicated: the whole delivery is malformed.
function checkLogEvent(value: unknown, index: number): void {
  if (!isObject(value) || typeof value.id !== 'string' || !isEventTimestamp(value.timestamp) || typeof value.message !== 'string') {
    throw new InvalidInputError(`logEvents[${index}] lacks a string id, a timestamp in whole epoch milliseconds from year 0000 to 9999, or a string message`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
