// Unit: serialising records as NDJSON and `_bulk`, and splitting them into requests by bytes and count.
import { BodyPool, indexName, isoTimestamp, type RecordLines, recordLines, RequestSplitter, serialiser, type SinkRequest, splitIntoRequests, toDocument } from '../../../shared/logs/batch';
import type { LogRecord } from '../../../shared/logs/model';
import { parseLogMessage } from '../../../shared/logs/parse';

const origin = { service: 'Retail API', logGroup: '/aws/containerinsights/retail/application', logStream: 'pod-1', owner: '123456789012', region: 'eu-west-1' };
const record = (message: string, id = '1', timestamp = Date.parse('2026-03-02T09:00:00.007Z')): LogRecord => ({ ...parseLogMessage(message), ...origin, id, timestamp });

describe('serialiser', () => {
  it('writes exactly the documented document on one line, for JSON and non-JSON messages', () => {
    const write = serialiser('ndjson', 'x', origin);
    for (const r of [record('{"level":"error","message":"boom","n":1}'), record('epoch 1 loss: 0.5'), record('multi\n    at line (x.js:1:1)'), record('quote " and \\ and ✓')]) {
      const line = write(r);
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
      expect(JSON.parse(line)).toEqual(toDocument(r));
    }
  });

  it('writes an index action whose _id is the event id before each bulk document', () => {
    const write = serialiser('bulk', 'logs-{service}-{date}', origin);
    const [action, document, rest] = write(record('hello', '3735928559')).split('\n');
    expect(JSON.parse(action ?? '')).toEqual({ index: { _index: 'logs-retail-api-2026.03.02', _id: '3735928559' } });
    expect(JSON.parse(document ?? '')).toMatchObject({ id: '3735928559', message: 'hello' });
    expect(rest).toBe('');
  });

  it('formats timestamps as toISOString does, across second boundaries', () => {
    for (const t of [0, 7, 999, 1000, 1_772_442_000_001, 1_772_442_000_010, 1_772_442_000_100, 1_772_442_001_000]) {
      expect(isoTimestamp(t)).toBe(new Date(t).toISOString());
    }
    expect(indexName('static', 'svc', 0)).toBe('static');
  });
});

describe('splitIntoRequests', () => {
  const item = (id: string, bytes: number) => ({ id, lines: `${'x'.repeat(bytes - 1)}\n` });

  it('closes a request before it would pass the byte limit', () => {
    const requests = splitIntoRequests([item('a', 400), item('b', 400), item('c', 400)], { maxRequestBytes: 1000, maxRequestEvents: 100 });
    expect(requests.map((r) => r.ids)).toEqual([['a', 'b'], ['c']]);
    expect(requests.map((r) => r.bytes)).toEqual([800, 400]);
    expect(requests[0]?.body.length).toBe(800);
  });

  it('closes a request at the event limit', () => {
    const requests = splitIntoRequests(['a', 'b', 'c', 'd', 'e'].map((id) => item(id, 10)), { maxRequestBytes: 1000, maxRequestEvents: 2 });
    expect(requests.map((r) => r.events)).toEqual([2, 2, 1]);
  });

  it('sends a record bigger than the limit alone rather than dropping it', () => {
    const requests = splitIntoRequests([item('a', 10), item('huge', 5000), item('b', 10)], { maxRequestBytes: 1000, maxRequestEvents: 100 });
    expect(requests.map((r) => r.ids)).toEqual([['a'], ['huge'], ['b']]);
  });

  it('counts bytes as UTF-8, not characters, and halves a request that multi-byte text pushed over the limit', () => {
    expect(splitIntoRequests([{ id: 'a', lines: '✓✓✓\n' }], { maxRequestBytes: 1000, maxRequestEvents: 100 })[0]?.bytes).toBe(10);
    // 4 lines of 300 characters but 900 bytes each: 1200 characters fit the limit, 3600 bytes do not.
    const wide = ['a', 'b', 'c', 'd'].map((id) => ({ id, lines: `${'✓'.repeat(299)}\n` }));
    const requests = splitIntoRequests(wide, { maxRequestBytes: 2000, maxRequestEvents: 100 });
    expect(requests.map((r) => r.ids)).toEqual([['a', 'b'], ['c', 'd']]);
    for (const request of requests) expect(request.bytes).toBeLessThanOrEqual(2000);
  });

  it('makes no request for no records', () => {
    expect(splitIntoRequests([], { maxRequestBytes: 1000, maxRequestEvents: 10 })).toEqual([]);
  });
});

describe('RequestSplitter bodies', () => {
  const limits = { maxRequestBytes: 1_000, maxRequestEvents: 100 };
  const line = (c: string) => `${c.repeat(399)}\n`;

  it('reuses a released body for a later request, and never one still held', () => {
    const pool = new BodyPool(4);
    const requests: SinkRequest[] = [];
    const splitter = new RequestSplitter(limits, (r) => requests.push(r), { bodies: pool });
    for (const c of 'abcde') splitter.add(c, line(c));
    splitter.flush();
    expect(requests.map((r) => Buffer.from(r.body).toString())).toEqual([line('a') + line('b'), line('c') + line('d'), line('e')]);
    // None released yet: every request had a buffer of its own.
    expect(new Set(requests.map((r) => r.body.buffer)).size).toBe(3);
    requests[0]?.release?.();
    requests[0]?.release?.();
    expect(pool.size).toBe(1);
    const first = requests[0]?.body.buffer;
    splitter.add('f', line('f'));
    splitter.flush();
    expect(requests[3]?.body.buffer).toBe(first);
    expect(Buffer.from(requests[1]?.body ?? []).toString()).toBe(line('c') + line('d'));
  });

  it('keeps at most its limit of buffers, and hands out only buffers of the size asked for', () => {
    const pool = new BodyPool(1);
    pool.give(Buffer.alloc(10));
    pool.give(Buffer.alloc(10));
    expect(pool.size).toBe(1);
    expect(pool.take(20).length).toBe(20);
    expect(pool.size).toBe(1);
    expect(pool.take(10).length).toBe(10);
    expect(pool.size).toBe(0);
  });

  it('leaves ids out when asked, counting events all the same', () => {
    const requests: SinkRequest[] = [];
    const splitter = new RequestSplitter(limits, (r) => requests.push(r), { keepIds: false });
    for (const c of 'abc') splitter.add(c, line(c));
    splitter.flush();
    expect(requests.map((r) => [r.events, r.ids])).toEqual([
      [2, undefined],
      [1, undefined],
    ]);
  });
});

describe('recordLines', () => {
  const records = [
    record('{"level":"error","message":"boom","n":1}', '1'),
    record('epoch 1 loss: 0.5', '2'),
    record('multi\n    at line (x.js:1:1)', '3'),
    record('quote " and \\ and ✓ and 😀 in text', '4'),
    record('{"message":"ünï","nested":{"emoji":"😀"}}', '5'),
    record(`${'long line '.repeat(500)}`, '6'),
  ];

  /** Writes `r` at offset 7 of a buffer filled with 0xff and checks it is its text, within its bound, touching nothing around it. */
  const expectWrittenAsText = (lines: RecordLines, r: LogRecord): void => {
    const buffer = Buffer.alloc(20_000, 0xff);
    const bound = lines.prepare(r);
    const written = lines.write(buffer, 7);
    expect(buffer.subarray(7, 7 + written).toString('utf8')).toBe(lines.text(r));
    expect(written).toBeLessThanOrEqual(bound);
    expect(buffer[6]).toBe(0xff);
    expect(buffer[7 + written]).toBe(0xff);
  };

  it.each(['ndjson', 'bulk'] as const)('writes into a buffer exactly the bytes of its text, within its bound (%s)', (mode) => {
    const lines = recordLines(mode, 'logs-{service}-{date}', origin);
    const write = serialiser(mode, 'logs-{service}-{date}', origin);
    for (const r of records) {
      expectWrittenAsText(lines, r);
      expect(lines.text(r)).toBe(write(r));
    }
  });

  it('writes the head byte by byte exactly as JSON.stringify would, whatever its id, message and timestamp hold', () => {
    const odd = [
      record('tab\there, quote " backslash \\ and del \u007f', '7', Date.parse('2026-03-02T09:00:00.000Z')),
      record('ascii then ünïcode then 😀 then a lone \ud800 surrogate', 'id-"quoted"\\', Date.parse('2026-03-02T09:00:00.099Z')),
      record('control \u0001 and separators \u2028\u2029', '8', Date.parse('2026-03-02T09:00:59.100Z')),
      record('', '9', Date.parse('1970-01-01T00:00:00.010Z')),
      record('fractional millisecond', '10', 1_772_442_000_000.5),
      record('nothing to escape but "quotes"', 'id"11"', Date.parse('2026-03-02T09:00:01.001Z')),
      record('nothing to escape but a path C:\\logs\\api', 'id\\12', Date.parse('2026-03-02T09:00:01.002Z')),
      record('nothing to escape but a control \u0001 character', 'id\t13', Date.parse('2026-03-02T09:00:01.003Z')),
    ];
    for (const mode of ['ndjson', 'bulk'] as const) {
      const lines = recordLines(mode, 'logs-{service}-{date}', origin);
      const write = serialiser(mode, 'logs-{service}-{date}', origin);
      for (const r of odd) {
        expectWrittenAsText(lines, r);
        expect(lines.text(r)).toBe(write(r));
        if (mode === 'ndjson' && Number.isInteger(r.timestamp)) expect(JSON.parse(write(r))).toEqual(toDocument(r));
      }
    }
  });

  it('writes the document with its keys in the documented order, the fields as they were logged', () => {
    const lines = recordLines('ndjson', 'x', origin);
    const r = record('{"level":"error","message":"bo\\"om","n":1}', '42');
    expect(lines.text(r)).toBe(
      '{"@timestamp":"2026-03-02T09:00:00.007Z","id":"42","level":"ERROR","message":"bo\\"om","format":"json","service":"Retail API","logGroup":"/aws/containerinsights/retail/application","logStream":"pod-1","owner":"123456789012","region":"eu-west-1","fields":{"level":"error","message":"bo\\"om","n":1}}\n',
    );
  });

  it('splits records added with addRecord at the same places as their text', () => {
    const limits = { maxRequestBytes: 16_384, maxRequestEvents: 7 };
    const many = Array.from({ length: 60 }, (_, i) => records[i % records.length] as LogRecord);
    const lines = recordLines('ndjson', 'x', origin);
    const direct: SinkRequest[] = [];
    const splitter = new RequestSplitter(limits, (r) => direct.push(r), { bodies: new BodyPool(0) });
    many.forEach((r, i) => splitter.addRecord(String(i), r, lines));
    splitter.flush();
    const asText = splitIntoRequests(many.map((r, i) => ({ id: String(i), lines: lines.text(r) })), limits);
    expect(direct.map((r) => [r.ids, r.bytes, Buffer.from(r.body).toString()])).toEqual(asText.map((r) => [r.ids, r.bytes, Buffer.from(r.body).toString()]));
    expect(direct.length).toBeGreaterThan(5);
  });
});
