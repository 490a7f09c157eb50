// Unit: decoding subscription deliveries, and refusing corrupt ones with a clear reason.
import { gzipSync } from 'node:zlib';
import { InvalidInputError } from '../../../shared/errors';
import { decodeLogsEvent, decodeLogsEventInSlices, EVENT_SLICE_BYTES } from '../../../shared/logs/decode';
import type { RawLogEvent } from '../../../shared/logs/model';
import { API_LOG_GROUP, API_LOG_STREAM, apiLogMessages, controlMessage, dataMessage, encodeSubscription } from '../../support/logs-samples';

const refusal = (event: unknown): InvalidInputError => {
  try {
    decodeLogsEvent(event);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected the event to be refused');
};

describe('decodeLogsEvent', () => {
  it('keeps every event of a DATA_MESSAGE, in order', () => {
    const payload = dataMessage('/aws/lambda/orders', 'stream-1', ['one', 'two', 'three']);
    const decoded = decodeLogsEvent(encodeSubscription(payload));
    expect(decoded.kind).toBe('data');
    if (decoded.kind !== 'data') return;
    expect(decoded.batch.logGroup).toBe('/aws/lambda/orders');
    expect(decoded.batch.logStream).toBe('stream-1');
    expect(decoded.batch.owner).toBe('123456789012');
    expect(decoded.batch.logEvents.map((e) => e.message)).toEqual(['one', 'two', 'three']);
    expect(decoded.batch.logEvents.map((e) => e.id)).toEqual(payload.logEvents.map((e) => e.id));
  });

  it('recognises a CONTROL_MESSAGE', () => {
    expect(decodeLogsEvent(encodeSubscription(controlMessage()))).toEqual({ kind: 'control', logGroup: '' });
  });

  it('refuses an event without awslogs', () => {
    expect(refusal({ Records: [] }).message).toMatch(/no awslogs field/);
    expect(refusal(null).message).toMatch(/no awslogs field/);
    expect(refusal({ awslogs: {} }).message).toMatch(/awslogs.data is missing/);
  });

  it('refuses data that is not base64', () => {
    expect(refusal({ awslogs: { data: 'this is *not* base64!' } }).message).toBe('awslogs.data is not valid base64');
    expect(refusal({ awslogs: { data: '' } }).message).toBe('awslogs.data is not valid base64');
    expect(refusal({ awslogs: { data: 'abc' } }).message).toBe('awslogs.data is not valid base64');
    const valid = encodeSubscription(dataMessage('/g', 's', ['x'])).awslogs.data;
    const withForeign = `${valid.slice(0, 8)}*!${valid.slice(10)}`;
    expect(refusal({ awslogs: { data: withForeign } }).message).toBe('awslogs.data is not valid base64');
    expect(refusal({ awslogs: { data: `${valid.slice(0, 8)}=A${valid.slice(10)}` } }).message).toBe('awslogs.data is not valid base64');
    expect(refusal({ awslogs: { data: `${valid.slice(0, -4)}A=AA` } }).message).toBe('awslogs.data is not valid base64');
  });

  it('refuses truncated gzip', () => {
    const full = encodeSubscription(dataMessage('/g', 's', ['a line that fills the stream'])).awslogs.data;
    const bytes = Buffer.from(full, 'base64');
    const truncated = bytes.subarray(0, bytes.length - 12).toString('base64');
    expect(refusal({ awslogs: { data: truncated } }).message).toMatch(/^awslogs.data is not a complete gzip stream/);
  });

  it('decodes a large batch whole, and refuses one whose gzip trailer misstates its size', () => {
    const messages = Array.from({ length: 2_000 }, (_, i) => `line ${i} ${'y'.repeat(200)}`);
    const bytes = Buffer.from(encodeSubscription(dataMessage('/g', 's', messages)).awslogs.data, 'base64');
    const decoded = decodeLogsEvent({ awslogs: { data: bytes.toString('base64') } });
    expect(decoded.kind === 'data' && decoded.batch.logEvents.map((e) => e.message)).toEqual(messages);
    // The size in the trailer only sizes the output buffer; zlib still checks it, so a wrong one is refused.
    for (const claimed of [1, 0xffff_ffff]) {
      const lying = Buffer.from(bytes);
      lying.writeUInt32LE(claimed, lying.length - 4);
      expect(refusal({ awslogs: { data: lying.toString('base64') } }).message).toMatch(/^awslogs.data is not a complete gzip stream/);
    }
  });

  it('refuses a batch that decompresses beyond the limit', () => {
    const event = encodeSubscription(dataMessage('/g', 's', ['x'.repeat(5_000)]));
    expect(() => decodeLogsEvent(event, 1_000)).toThrow(/^awslogs.data decompresses to more than 1000 bytes$/);
    expect(decodeLogsEvent(event).kind).toBe('data');
  });

  it('refuses base64 that is not gzip at all', () => {
    expect(refusal({ awslogs: { data: Buffer.from('plain text, no gzip').toString('base64') } }).message).toMatch(/not a complete gzip stream/);
  });

  it('refuses gzip that does not hold a subscription batch', () => {
    const wrap = (text: string) => ({ awslogs: { data: gzipSync(text).toString('base64') } });
    expect(refusal(wrap('{"messageType":')).message).toMatch(/does not hold JSON/);
    expect(refusal(wrap('[1,2]')).message).toMatch(/not a JSON object/);
    expect(refusal(wrap('{"messageType":"SOMETHING"}')).message).toMatch(/unknown messageType/);
    expect(refusal(wrap('{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s"}')).message).toMatch(/no logEvents/);
    expect(
      refusal(wrap('{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","logEvents":[{"id":"1","timestamp":1,"message":"ok"},{"id":2}]}')).message,
    ).toMatch(/logEvents\[1\]/);
  });
});

describe('decodeLogsEventInSlices', () => {
  const wrap = (text: string) => ({ awslogs: { data: gzipSync(text).toString('base64') } });
  /** Every slice's events, in order, and how many slices there were. */
  const sliced = (event: unknown) => {
    const decoded = decodeLogsEventInSlices(event);
    if (decoded.kind !== 'data') throw new Error(`expected data, got ${decoded.kind}`);
    const slices = [...decoded.batch.eventSlices()];
    const { eventSlices: _slices, release: _release, ...header } = decoded.batch;
    return { header, slices: slices.length, events: slices.flat() as RawLogEvent[] };
  };
  const whole = (event: unknown) => {
    const decoded = decodeLogsEvent(event);
    if (decoded.kind !== 'data') throw new Error(`expected data, got ${decoded.kind}`);
    const { logEvents, ...header } = decoded.batch;
    return { header, events: logEvents };
  };

  it('yields the same header and events as a whole parse, in several slices for a large batch', () => {
    // Messages that look like the boundary between events, and braces and brackets of every kind.
    const tricky = ['},{"id":"1","timestamp":1,"message":"x"}', 'ends with },{', '{"nested":{"id":"x"},"list":[1,[2]]}', 'quote " and \\ backslash', 'ünïcødé ☃ 😀', ']}'];
    const messages = [...apiLogMessages(3_000, { errorRate: 0.05, seed: 3 }), ...tricky, ...apiLogMessages(500, { errorRate: 0, seed: 4 })];
    const event = encodeSubscription(dataMessage(API_LOG_GROUP, API_LOG_STREAM, messages));
    const result = sliced(event);
    expect(result.slices).toBeGreaterThan(10);
    expect(result.events).toEqual(whole(event).events);
    expect(result.header).toEqual(whole(event).header);
    expect(result.events.map((e) => e.message)).toEqual(messages);
  });

  it('reads a payload with keys after logEvents (account-level subscription filters)', () => {
    const payload = { ...dataMessage(API_LOG_GROUP, API_LOG_STREAM, apiLogMessages(400, { errorRate: 0.02, seed: 8 })), policyLevel: 'ACCOUNT_LEVEL_POLICY' };
    const event = encodeSubscription(payload as never);
    expect(sliced(event).events).toEqual(payload.logEvents);
    expect(sliced(event).slices).toBeGreaterThan(1);
  });

  it('falls back to one whole parse for any other layout, with the same result', () => {
    const payload = dataMessage(API_LOG_GROUP, 'stream {with} braces', apiLogMessages(300, { errorRate: 0.02, seed: 9 }));
    const reordered = { ...payload, logEvents: payload.logEvents.map((e) => ({ message: e.message, timestamp: e.timestamp, id: e.id })) };
    for (const layout of [payload, reordered, { ...payload, logEvents: [] }]) {
      const event = encodeSubscription(layout as never);
      const result = sliced(event);
      expect(result.slices).toBe(1);
      expect(result.events).toEqual(whole(event).events);
      expect(result.header).toEqual(whole(event).header);
    }
    expect(decodeLogsEventInSlices(encodeSubscription(controlMessage()))).toEqual({ kind: 'control', logGroup: '' });
  });

  it('frees the decompressed batch on release, after which its events can no longer be read', () => {
    for (const count of [1, 40, 3_000]) {
      const payload = dataMessage(API_LOG_GROUP, API_LOG_STREAM, apiLogMessages(count, { errorRate: 0.02, seed: 13 }));
      const decoded = decodeLogsEventInSlices(encodeSubscription(payload));
      if (decoded.kind !== 'data') throw new Error('expected data');
      expect([...decoded.batch.eventSlices()].flat()).toEqual(payload.logEvents);
      const before = process.memoryUsage().arrayBuffers;
      decoded.batch.release?.();
      if (count === 3_000) expect(before - process.memoryUsage().arrayBuffers).toBeGreaterThanOrEqual(JSON.stringify(payload).length);
      expect(() => [...decoded.batch.eventSlices()]).toThrow(/released/);
      decoded.batch.release?.();
    }
  });

  it('refuses corrupt input up front, as decodeLogsEvent does', () => {
    expect(() => decodeLogsEventInSlices({ awslogs: { data: 'H4sIAAAA' } })).toThrow(InvalidInputError);
    expect(() => decodeLogsEventInSlices(wrap('{"messageType":'))).toThrow(/does not hold JSON/);
    expect(() => decodeLogsEventInSlices(wrap('{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s"}'))).toThrow(/no logEvents/);
  });

  it('refuses a malformed event when its slice is reached, naming its index in the batch', () => {
    const payload = dataMessage(API_LOG_GROUP, API_LOG_STREAM, apiLogMessages(2_000, { errorRate: 0.02, seed: 10 }));
    const bad = 1_500;
    const events: unknown[] = payload.logEvents.map((e, i) => (i === bad ? { id: e.id, timestamp: String(e.timestamp), message: e.message } : e));
    const decoded = decodeLogsEventInSlices(encodeSubscription({ ...payload, logEvents: events } as never));
    if (decoded.kind !== 'data') throw new Error('expected data');
    let yielded = 0;
    let refusal: unknown;
    try {
      for (const slice of decoded.batch.eventSlices()) yielded += slice.length;
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(InvalidInputError);
    expect((refusal as Error).message).toMatch(/^logEvents\[1500\] lacks/);
    // The slices before the malformed event were yielded; the one holding it was not.
    expect(yielded).toBeGreaterThan(0);
    expect(yielded).toBeLessThanOrEqual(bad);
  });

  it.each(['9e15', '-9e15', '1e400', '253402300800000', '3e14', '-62167219200001', '1700000000000.5'])('refuses an event whose timestamp (%s) no ISO 8601 time with a four-digit year writes, saying so, whole or in slices', (timestamp) => {
    const text = `{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":1700000000000,"message":"ok"},{"id":"2","timestamp":${timestamp},"message":"late"}]}`;
    const refusal = /^logEvents\[1\] lacks a string id, a timestamp in whole epoch milliseconds from year 0000 to 9999, or a string message$/;
    expect(() => decodeLogsEvent(wrap(text))).toThrow(refusal);
    const decoded = decodeLogsEventInSlices(wrap(text));
    if (decoded.kind !== 'data') throw new Error('expected data');
    expect(() => [...decoded.batch.eventSlices()]).toThrow(InvalidInputError);
    expect(() => [...decoded.batch.eventSlices()]).toThrow(refusal);
  });

  it.each(['253402300799999', '-62167219200000', '0'])('accepts a timestamp (%s) at the edge of four-digit years', (timestamp) => {
    const text = `{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":${timestamp},"message":"ok"}]}`;
    const decoded = decodeLogsEvent(wrap(text));
    expect(decoded.kind === 'data' && decoded.batch.logEvents[0]?.timestamp).toBe(Number(timestamp));
  });

  it('refuses text that is not JSON inside the events when its slice is reached', () => {
    const payload = dataMessage(API_LOG_GROUP, API_LOG_STREAM, apiLogMessages(1_000, { errorRate: 0.02, seed: 12 }));
    const json = JSON.stringify(payload);
    const cut = json.indexOf('},{"id":"', json.length - EVENT_SLICE_BYTES / 2);
    const broken = `${json.slice(0, cut)}},{"id":"x",,${json.slice(cut + 9)}`;
    const decoded = decodeLogsEventInSlices(wrap(broken));
    if (decoded.kind !== 'data') throw new Error('expected data');
    expect(() => [...decoded.batch.eventSlices()]).toThrow(/^awslogs.data does not hold JSON/);
  });

  it('refuses text that is not JSON without quoting it, whole or in slices: the refusal is logged, and the text was never redacted', () => {
    const broken = `{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":1700000000000,"message":"ok"},{"id":"2","timestamp":1700000000000,"message":password=hunter2 and more}]}`;
    const refusals: unknown[] = [];
    try {
      decodeLogsEvent(wrap(broken));
    } catch (error) {
      refusals.push(error);
    }
    const decoded = decodeLogsEventInSlices(wrap(broken));
    try {
      if (decoded.kind === 'data') for (const slice of decoded.batch.eventSlices()) expect(slice.length).toBeGreaterThan(0);
    } catch (error) {
      refusals.push(error);
    }
    expect(refusals).toHaveLength(2);
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(InvalidInputError);
      expect((refusal as Error).message).toBe("awslogs.data does not hold JSON: Unexpected token 'p'");
      expect((refusal as Error).cause).toBeUndefined();
    }
  });
});
