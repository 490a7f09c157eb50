// Unit: the forwarding use case with in-memory sink, gate and Slack: counts, dedup, failures, dry run, recursion guard.
import type { SlackMessage } from '../../../shared/channels/slack';
import { DeliveryError, InvocationFailedError } from '../../../shared/errors';
import type { SinkRequest } from '../../../shared/logs/batch';
import type { DigestGate } from '../../../shared/logs/digest-gate';
import { concurrencyLimit, type ForwardDependencies, forwardLogBatch, SeenIds } from '../../../shared/logs/forward';
import type { LogsBatch } from '../../../shared/logs/model';
import { logsPolicySchema, type LogsPolicy } from '../../../shared/logs/policy';
import type { LogSink } from '../../../shared/logs/sink';
import { API_LOG_GROUP, API_LOG_STREAM, apiLogMessages, dataMessage, SECRET_MESSAGES, SECRETS } from '../../support/logs-samples';

const batchOf = (messages: string[], logGroup = API_LOG_GROUP): LogsBatch => structuredClone(dataMessage(logGroup, API_LOG_STREAM, messages));

const text = (request: SinkRequest): string => Buffer.from(request.body).toString('utf8');

class MemorySink implements LogSink {
  readonly requests: SinkRequest[] = [];
  failOn = new Set<number>();
  async send(request: SinkRequest) {
    const n = this.requests.push(request) - 1;
    if (this.failOn.has(n)) throw new DeliveryError('log sink: gave up after 4 attempts: HTTP 503', { retryable: true, status: 503 });
    return { compressedBytes: Math.ceil(request.bytes / 10) };
  }
  documents(): Record<string, unknown>[] {
    return this.requests.flatMap((r) => text(r).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>));
  }
}

class MemoryGate implements DigestGate {
  opened = 0;
  released = 0;
  allow = true;
  async tryOpen(_logGroup: string, _errors: number, _interval: number, now: number) {
    if (!this.allow) return { open: false as const };
    this.opened++;
    return { open: true as const, suppressedErrors: 0, openedAt: now };
  }
  async release() {
    this.released++;
  }
}

function setup(overrides: Partial<ForwardDependencies> = {}, policyInput: unknown = { groups: [{ match: API_LOG_GROUP, service: 'retail-api' }] }) {
  const sink = new MemorySink();
  const gate = new MemoryGate();
  const posted: SlackMessage[] = [];
  const metrics: string[] = [];
  const logs: { level: string; message: string; extra: unknown[] }[] = [];
  const log = {
    info: (message: string, ...extra: unknown[]) => void logs.push({ level: 'info', message, extra }),
    warn: (message: string, ...extra: unknown[]) => void logs.push({ level: 'warn', message, extra }),
    error: (message: string, ...extra: unknown[]) => void logs.push({ level: 'error', message, extra }),
  };
  const policy: LogsPolicy = logsPolicySchema.parse(policyInput);
  const deps: ForwardDependencies = {
    policy,
    region: 'eu-west-1',
    functionName: 'firebreak-dev-forwardLogs',
    dryRun: false,
    sink,
    digest: { gate, post: async (m) => void posted.push(m) },
    writeMetric: (line) => void metrics.push(line),
    log: log as unknown as ForwardDependencies['log'],
    now: () => 1_772_442_000_000,
    ...overrides,
  };
  return { deps, sink, gate, posted, metrics, logs };
}

describe('forwardLogBatch', () => {
  it('forwards every event exactly once, enriched, and counts the batch', async () => {
    const { deps, sink, metrics } = setup();
    const batch = batchOf(apiLogMessages(50, { errorRate: 0.1, seed: 3 }));
    const summary = await forwardLogBatch(batch, deps);
    const documents = sink.documents();
    expect(documents.map((d) => d.id)).toEqual(batch.logEvents.map((e) => e.id));
    expect(documents[0]).toMatchObject({ logGroup: API_LOG_GROUP, logStream: API_LOG_STREAM, owner: '123456789012', region: 'eu-west-1', service: 'retail-api', level: 'INFO', message: 'API Request' });
    expect(documents[0]?.['@timestamp']).toBe(new Date(batch.logEvents[0]?.timestamp ?? 0).toISOString());
    expect(summary).toMatchObject({ received: 50, forwarded: 50, failed: 0, filtered: 0, duplicates: 0, requests: 1, failedRequests: 0, dryRun: false });
    expect(JSON.parse(metrics[0] ?? '')).toMatchObject({ ForwardedEvents: 50, ReceivedEvents: 50, FailedEvents: 0 });
  });

  it('never lets a secret reach the sink or Slack, and counts redacted events', async () => {
    const { deps, sink, posted } = setup();
    const summary = await forwardLogBatch(batchOf([...SECRET_MESSAGES, 'clean line']), deps);
    const sent = sink.requests.map(text).join('') + JSON.stringify(posted);
    for (const secret of Object.values(SECRETS)) expect(sent).not.toContain(secret);
    expect(summary.redacted).toBe(SECRET_MESSAGES.length);
    expect(summary.forwarded).toBe(SECRET_MESSAGES.length + 1);
  });

  it('never lets a secret hidden by JSON escapes reach the sink or Slack, whatever decodes what is sent', async () => {
    const { deps, sink, posted } = setup();
    const hidden = [
      '{"level":"error","message":"login failed","body":"{\\"password\\":\\"hunter2\\"}"}',
      '{"level":"info","message":"mail sent to jane\\u0040example.com"}',
      '2026-03-02 09:00:01,000 [ERROR] API Error: {"request":"{\\"api_key\\":\\"k-123\\"}"}',
    ];
    const batch = batchOf([...hidden, '{"level":"info","message":"path C:\\\\tmp","n":1}']);
    const summary = await forwardLogBatch(batch, deps);
    const decode = (text: string) => {
      let view = text;
      for (let level = 0; level < 10; level++) view = view.replace(/\\u[0-9A-Fa-f]{4}|\\["\\/bfnrt]/g, (escape) => JSON.parse(`"${escape}"`) as string);
      return view;
    };
    const sent = decode(sink.requests.map(text).join('') + JSON.stringify(posted));
    for (const secret of ['hunter2', 'jane@example.com', 'k-123']) expect(sent).not.toContain(secret);
    expect(sink.documents().map((d) => d.id)).toEqual(batch.logEvents.map((e) => e.id));
    expect(sink.documents()[3]).toMatchObject({ format: 'json', fields: { n: 1, message: 'path C:\\tmp' } });
    expect(summary).toMatchObject({ redacted: hidden.length, forwarded: hidden.length + 1 });
  });

  it('posts one digest for a batch with errors, none for a clean one', async () => {
    const { deps, posted, gate } = setup();
    const withErrors = await forwardLogBatch(batchOf(apiLogMessages(200, { errorRate: 0.2, seed: 5 })), deps);
    expect(withErrors.digest).toBe('sent');
    expect(posted).toHaveLength(1);
    expect(gate.opened).toBe(1);
    expect(posted[0]?.text).toMatch(/^\d+ errors in retail-api/);
    const clean = await forwardLogBatch(batchOf(['all good']), deps);
    expect(clean.digest).toBe('no-errors');
    expect(posted).toHaveLength(1);
  });

  it('holds the digest back when the rate limit is closed, still forwarding the events', async () => {
    const { deps, posted, gate, logs } = setup();
    gate.allow = false;
    const summary = await forwardLogBatch(batchOf(['ERROR: boom', 'ERROR: boom again']), deps);
    expect(summary).toMatchObject({ digest: 'rate-limited', forwarded: 2 });
    expect(posted).toEqual([]);
    expect(logs.some((l) => l.message === 'Error digest held back by the rate limit')).toBe(true);
  });

  it('splits by the policy limits and fails the invocation when a request fails, counting its events', async () => {
    const { deps, sink, metrics, logs } = setup({}, { groups: [], sink: { maxRequestEvents: 10, concurrency: 2 } });
    sink.failOn.add(1);
    const batch = batchOf(apiLogMessages(35, { errorRate: 0, seed: 1 }));
    const error = await forwardLogBatch(batch, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvocationFailedError);
    expect((error as InvocationFailedError).failures.map((f) => f.what)).toEqual(['log sink']);
    expect(sink.requests.map((r) => r.events)).toEqual([10, 10, 10, 5]);
    const emf = JSON.parse(metrics[0] ?? '') as Record<string, number>;
    expect(emf).toMatchObject({ ForwardedEvents: 25, FailedEvents: 10 });
    const failure = logs.find((l) => l.level === 'error');
    expect(failure?.message).toBe('Log batch not fully delivered; failing so the batch is retried');
    expect(failure?.extra[0]).toMatchObject({ forwarded: 25, failed: 10, failedRequests: 1 });
  });

  it('fails the invocation when the digest cannot be posted, and reopens the rate limit for the retry', async () => {
    const { deps, gate, sink } = setup();
    const failing: ForwardDependencies = { ...deps, digest: { gate, post: async () => Promise.reject(new DeliveryError('Slack: HTTP 500', { retryable: true, status: 500 })) } };
    const error = await forwardLogBatch(batchOf(['ERROR: boom']), failing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvocationFailedError);
    expect((error as InvocationFailedError).failures.map((f) => f.what)).toEqual(['Slack error digest']);
    expect(gate.released).toBe(1);
    expect(sink.requests).toHaveLength(1); // the events themselves were still forwarded
  });

  it('drops duplicate ids within a batch and counts them', async () => {
    const { deps, sink } = setup();
    const batch = batchOf(['a', 'b']);
    const first = batch.logEvents[0];
    if (!first) throw new Error('sample has events');
    const withDuplicate: LogsBatch = { ...batch, logEvents: [...batch.logEvents, { ...first }] };
    const summary = await forwardLogBatch(withDuplicate, deps);
    expect(summary).toMatchObject({ received: 3, forwarded: 2, duplicates: 1 });
    expect(sink.documents().map((d) => d.id)).toEqual(batch.logEvents.map((e) => e.id));
  });

  it('filters by the group\'s patterns and counts what it dropped', async () => {
    const { deps, sink } = setup({}, { groups: [{ match: API_LOG_GROUP, exclude: ['GET /health'] }] });
    const summary = await forwardLogBatch(batchOf(['GET /health 200', 'POST /predict 200', 'GET /health 200']), deps);
    expect(summary).toMatchObject({ filtered: 2, forwarded: 1 });
    expect(sink.documents().map((d) => d.message)).toEqual(['POST /predict 200']);
  });

  it('in dry run plans and logs what it would send, and sends nothing', async () => {
    const { deps, sink, posted, gate, logs, metrics } = setup({ dryRun: true });
    const summary = await forwardLogBatch(batchOf(['ERROR: boom', 'ok']), deps);
    expect(sink.requests).toEqual([]);
    expect(posted).toEqual([]);
    expect(gate.opened).toBe(0);
    expect(summary).toMatchObject({ dryRun: true, forwarded: 0, requests: 1, digest: 'planned' });
    expect(summary.bytes).toBeGreaterThan(0);
    expect(logs.find((l) => l.message === 'DRY_RUN: log batch planned, nothing sent')?.extra[0]).toMatchObject({ requests: 1, bytes: summary.bytes });
    expect(metrics).not.toHaveLength(0);
  });

  it('in dry run prints the documents it would send, redacted and enriched, and the digest message itself', async () => {
    const { deps, logs } = setup({ dryRun: true });
    await forwardLogBatch(batchOf(['2026-03-02 09:00:00,000 [ERROR] Model load failed: timeout', ...SECRET_MESSAGES]), deps);

    const planned = logs.filter((l) => l.message === 'DRY_RUN: would send a sink request').map((l) => l.extra[0] as { lines: Record<string, unknown>[] });
    const documents = planned.flatMap((p) => p.lines);
    expect(documents).toHaveLength(1 + SECRET_MESSAGES.length);
    expect(documents[0]).toMatchObject({ level: 'ERROR', service: 'retail-api', logGroup: API_LOG_GROUP });
    const printed = JSON.stringify(planned);
    for (const secret of Object.values(SECRETS)) expect(printed).not.toContain(secret);
    expect(printed).toContain('[REDACTED');

    const digest = logs.find((l) => l.message === 'DRY_RUN: would post an error digest')?.extra[0] as { message?: SlackMessage } | undefined;
    expect(JSON.stringify(digest?.message)).toContain('Model load failed');
  });

  it('in dry run prints at most 20 documents of a batch and counts the rest', async () => {
    const { deps, logs } = setup({ dryRun: true });
    await forwardLogBatch(batchOf(Array.from({ length: 50 }, (_, i) => `INFO request ${i}`)), deps);

    const planned = logs.filter((l) => l.message === 'DRY_RUN: would send a sink request').map((l) => l.extra[0] as { lines: unknown[]; moreLines?: number });
    expect(planned.reduce((sum, p) => sum + p.lines.length, 0)).toBe(20);
    expect(planned.reduce((sum, p) => sum + (p.moreLines ?? 0), 0)).toBe(30);
  });

  it('refuses to forward its own log group and says so', async () => {
    const { deps, sink, posted, logs } = setup();
    const summary = await forwardLogBatch(batchOf(['ERROR: x'], '/aws/lambda/firebreak-dev-forwardLogs'), deps);
    expect(summary).toMatchObject({ skipped: 'own-log-group', forwarded: 0, received: 1 });
    expect(sink.requests).toEqual([]);
    expect(posted).toEqual([]);
    expect(logs.find((l) => l.level === 'error')?.message).toMatch(/own log group/);
  });

  it('sends _bulk bodies whose _id is the event id', async () => {
    const { deps, sink } = setup({}, { sink: { mode: 'bulk', index: 'logs-{service}' } });
    const batch = batchOf(['one', 'two']);
    await forwardLogBatch(batch, deps);
    const lines = (sink.requests[0] ? text(sink.requests[0]) : '').trim().split('\n').map((l) => JSON.parse(l) as Record<string, { _id?: string; _index?: string }>) ?? [];
    expect(lines.filter((_, i) => i % 2 === 0).map((a) => a.index?._id)).toEqual(batch.logEvents.map((e) => e.id));
    expect(lines[0]?.index?._index).toBe('logs-application');
  });

  it('keeps a batch with garbage and a 200 KB line whole', async () => {
    const { deps, sink } = setup();
    const { mixedMessages } = await import('../../support/logs-samples');
    const batch = batchOf(mixedMessages());
    const summary = await forwardLogBatch(batch, deps);
    expect(summary.forwarded).toBe(batch.logEvents.length);
    expect(sink.documents().map((d) => d.id)).toEqual(batch.logEvents.map((e) => e.id));
  });

  it('forwards an event whose level is named like a member of every object, with its batch', async () => {
    const { deps, sink } = setup();
    const batch = batchOf(['before', '{"level":"constructor","msg":"odd level"}', '{"level":"__proto__","msg":"odder level"}', 'after']);
    const summary = await forwardLogBatch(batch, deps);
    expect(summary).toMatchObject({ received: 4, forwarded: 4, failed: 0 });
    expect(sink.documents().map((d) => [d.id, d.level])).toEqual(batch.logEvents.map((e) => [e.id, 'INFO']));
  });

  it('forwards an event whose JSON is nested too deeply to be written again, as text, with its batch', async () => {
    const { deps, sink } = setup();
    const deep = `{"msg":"deep","a":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const batch = batchOf(['before', `2026-03-02T09:00:00.120Z\t6f1c2a44\tINFO\t${deep}`, deep.replace('{', '{\n'), 'after']);
    const summary = await forwardLogBatch(batch, deps);
    expect(summary).toMatchObject({ received: 4, forwarded: 4, failed: 0 });
    const documents = sink.documents();
    expect(documents.map((d) => d.id)).toEqual(batch.logEvents.map((e) => e.id));
    expect(documents[1]?.message).toBe(deep);
  });
});

describe('forwardLogBatch backpressure', () => {
  it('builds no more than concurrency + 1 requests ahead of the sink', async () => {
    const { deps } = setup({}, { sink: { maxRequestEvents: 10, concurrency: 1 } });
    const batch = batchOf(apiLogMessages(100, { errorRate: 0, seed: 2 }));
    let consumed = 0;
    const counted: LogsBatch = {
      ...batch,
      logEvents: new Proxy(batch.logEvents as LogsBatch['logEvents'], {
        get(target, key, receiver) {
          if (key === Symbol.iterator) {
            return function* () {
              for (const event of target) {
                consumed++;
                yield event;
              }
            };
          }
          return Reflect.get(target, key, receiver) as unknown;
        },
      }),
    };
    const readAtSend: number[] = [];
    const sink: LogSink = {
      async send(request) {
        readAtSend.push(consumed);
        await new Promise((resolve) => setTimeout(resolve, 1));
        return { compressedBytes: request.bytes };
      },
    };
    const summary = await forwardLogBatch(counted, { ...deps, sink });
    expect(summary.forwarded).toBe(100);
    expect(readAtSend).toHaveLength(10);
    // Request n is sent once the loop has read at most (n + 2) requests' worth of events.
    readAtSend.forEach((read, n) => expect(read).toBeLessThanOrEqual((n + 3) * 10));
  });
});

describe('concurrencyLimit', () => {
  it('never runs more than its limit at once, and runs everything', async () => {
    const limit = concurrencyLimit(2);
    let running = 0;
    let peak = 0;
    const task = async (n: number) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 2));
      running--;
      return n;
    };
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => limit(() => task(n))));
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it('frees the slot of a task that throws', async () => {
    const limit = concurrencyLimit(1);
    await expect(limit(() => { throw new Error('sync'); })).rejects.toThrow('sync');
    await expect(limit(async () => 'next')).resolves.toBe('next');
  });
});

describe('SeenIds', () => {
  it('passes ids in increasing order without a set, and catches repeats in any order', () => {
    const seen = new SeenIds();
    const verdicts = ['0001', '0002', '0010', '0002', '0005', '0010', '0005', '99', '00099'].map((id) => seen.isRepeat(id));
    expect(verdicts).toEqual([false, false, false, true, false, true, true, false, false]);
  });

  it('catches an immediate repeat of the last id', () => {
    const seen = new SeenIds();
    expect(['7', '7'].map((id) => seen.isRepeat(id))).toEqual([false, true]);
  });

  it('with a replay, builds its set from the replayed ids only once an id is out of order', () => {
    const ids = ['0001', '0002', '0010', '0002', '0005', '0010', '0005', '99', '00099'];
    const replayed: number[] = [];
    const seen = new SeenIds((count) => {
      replayed.push(count);
      return ids.slice(0, count);
    });
    expect(ids.slice(0, 3).map((id) => seen.isRepeat(id))).toEqual([false, false, false]);
    expect(replayed).toEqual([]);
    expect(ids.slice(3).map((id) => seen.isRepeat(id))).toEqual([true, false, true, true, false, false]);
    expect(replayed).toEqual([3]);
  });
});
