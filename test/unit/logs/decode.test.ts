// Unit: decoding subscription deliveries, and refusing corrupt ones with a clear reason.
import { gzipSync } from 'node:zlib';
import { InvalidInputError } from '../../../shared/errors';
import { decodeLogsEvent } from '../../../shared/logs/decode';
import { controlMessage, dataMessage, encodeSubscription } from '../../support/logs-samples';

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
