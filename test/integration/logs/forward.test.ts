// Integration: forwardLogs against a real HTTP sink and Slack webhook on 127.0.0.1 that fail on demand.
import { postSlackMessage } from '../../../shared/channels/slack';
import type { RetryPolicy } from '../../../shared/delivery/retry';
import { InvalidInputError, InvocationFailedError } from '../../../shared/errors';
import type { DigestGate } from '../../../shared/logs/digest-gate';
import { handleLogsDelivery } from '../../../shared/logs/entry';
import type { ForwardDependencies, ForwardSummary } from '../../../shared/logs/forward';
import { logsPolicySchema } from '../../../shared/logs/policy';
import { httpLogSink } from '../../../shared/logs/sink';
import { memoryDigestGate } from '../../support/memory-digest-gate';
import { API_LOG_GROUP, API_LOG_STREAM, apiLogMessages, dataMessage, encodeSubscription, hugeLine, mixedMessages, SECRET_MESSAGES, SECRETS } from '../../support/logs-samples';
import { type RecordedRequest, TestReceiver } from '../../support/receiver';

const fastRetry: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 3_000 };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as ForwardDependencies['log'];
const T0 = 1_772_442_000_000;

const ids = (request: RecordedRequest): string[] => request.body.trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
const bulkIds = (request: RecordedRequest): string[] =>
  request.body.trim().split('\n').filter((_, i) => i % 2 === 0).map((line) => (JSON.parse(line) as { index: { _id: string } }).index._id);

describe('forwardLogs over HTTP', () => {
  let sink: TestReceiver;
  let slack: TestReceiver;
  // One gate per test: a retried batch within a test sees what the first attempt recorded.
  let gate: DigestGate;
  let clock: number;

  beforeAll(async () => {
    sink = await TestReceiver.start();
    slack = await TestReceiver.start();
  });
  beforeEach(() => {
    gate = memoryDigestGate();
    clock = T0;
  });
  afterEach(() => {
    sink.reset();
    slack.reset();
  });
  afterAll(async () => {
    await sink.close();
    await slack.close();
  });

  function deps(policyInput: unknown = {}, timeoutMs = 2_000): ForwardDependencies {
    const policy = logsPolicySchema.parse(policyInput);
    return {
      policy,
      region: 'us-east-1',
      functionName: 'firebreak-test-forwardLogs',
      dryRun: false,
      sink: httpLogSink({ url: sink.url('/ingest'), mode: policy.sink.mode, compressionLevel: policy.sink.compressionLevel, timeoutMs, retry: fastRetry }),
      digest: {
        gate,
        post: (message) => postSlackMessage(slack.url('/services/T/B/x'), message, { retry: fastRetry, timeoutMs: 2_000 }),
      },
      writeMetric: () => undefined,
      log: quiet,
      now: () => clock,
    };
  }

  const deliver = (messages: string[], d: ForwardDependencies) => {
    const payload = dataMessage(API_LOG_GROUP, API_LOG_STREAM, messages);
    return { payload, result: handleLogsDelivery(encodeSubscription(payload), d) as Promise<ForwardSummary> };
  };

  it('gets every event id to the sink exactly once, gzip NDJSON split into requests, with no secret and one digest', async () => {
    const messages = [...apiLogMessages(600, { errorRate: 0.05, seed: 11 }), ...mixedMessages(), ...SECRET_MESSAGES];
    const { payload, result } = deliver(messages, deps({ sink: { maxRequestBytes: 65_536 } }));
    const summary = await result;
    expect(sink.requests.length).toBeGreaterThan(3);
    for (const request of sink.requests) {
      expect(request.headers['content-encoding']).toBe('gzip');
      expect(request.headers['content-type']).toBe('application/x-ndjson');
      expect(request.path).toBe('/ingest');
    }
    const received = sink.requests.flatMap(ids);
    expect([...received].sort()).toEqual(payload.logEvents.map((e) => e.id).sort());
    expect(new Set(received).size).toBe(received.length);
    const everything = sink.requests.map((r) => r.body).join('') + slack.requests.map((r) => r.body).join('');
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
    expect(everything).toContain(hugeLine().slice(-500));
    expect(slack.requests).toHaveLength(1);
    expect(summary).toMatchObject({ received: messages.length, forwarded: messages.length, failed: 0, digest: 'sent', redacted: SECRET_MESSAGES.length * 2 });
  });

  it('retries a 500 and delivers the events once', async () => {
    sink.respondWith({ status: 500, body: 'internal error' });
    const { payload, result } = deliver(['one', 'two', 'three'], deps());
    await expect(result).resolves.toMatchObject({ forwarded: 3, failed: 0 });
    expect(sink.requests).toHaveLength(2);
    expect(ids(sink.requests[1] as RecordedRequest)).toEqual(payload.logEvents.map((e) => e.id));
  });

  it('waits out a 429\'s Retry-After, then delivers', async () => {
    sink.respondWith({ status: 429, body: 'slow down', headers: { 'retry-after': '1' } });
    const started = Date.now();
    const { result } = deliver(['one'], deps());
    await expect(result).resolves.toMatchObject({ forwarded: 1 });
    expect(sink.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('retries a request that timed out', async () => {
    sink.respondWith({ status: 200, body: 'late', delayMs: 1_000 });
    const { payload, result } = deliver(['one', 'two'], deps({}, 150));
    await expect(result).resolves.toMatchObject({ forwarded: 2 });
    expect(sink.requests).toHaveLength(2);
    expect(ids(sink.requests[1] as RecordedRequest)).toEqual(payload.logEvents.map((e) => e.id));
  });

  it('fails the invocation when the sink stays down, and a retry of the batch delivers it without a second digest', async () => {
    sink.setFallback({ status: 503, body: 'unavailable' });
    const messages = ['ERROR: feature store unreachable', 'ok'];
    const first = deliver(messages, deps());
    const error = await first.result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvocationFailedError);
    expect((error as Error).message).toMatch(/log sink.*gave up after 3 attempts.*503/);
    expect(sink.requests).toHaveLength(3);
    expect(slack.requests).toHaveLength(1);

    sink.reset();
    clock += 1_000; // Lambda's retry, shortly after
    const retried = await deliver(messages, deps()).result;
    expect(retried).toMatchObject({ forwarded: 2, digest: 'rate-limited' });
    expect(sink.requests.flatMap(ids)).toEqual(first.payload.logEvents.map((e) => e.id));
    expect(slack.requests).toHaveLength(1);
  });

  it('rate-limits digests per log group, then reports what it held back', async () => {
    const d = deps({ digest: { minIntervalSeconds: 60 } });
    await deliver(['ERROR: a'], d).result;
    clock += 10_000;
    await expect(deliver(['ERROR: b', 'ERROR: c'], d).result).resolves.toMatchObject({ digest: 'rate-limited' });
    clock += 10_000;
    await expect(deliver(['ERROR: d'], d).result).resolves.toMatchObject({ digest: 'rate-limited' });
    expect(slack.requests).toHaveLength(1);
    clock += 60_000;
    await expect(deliver(['ERROR: e'], d).result).resolves.toMatchObject({ digest: 'sent' });
    expect(slack.requests).toHaveLength(2);
    expect(slack.requests[1]?.body).toContain('3 more errors since the last digest were not posted (rate limit)');
  });

  it('fails the invocation when Slack refuses the digest, so the retry can post it', async () => {
    slack.setFallback({ status: 500, body: 'oops' });
    const first = await deliver(['ERROR: boom'], deps()).result.catch((e: unknown) => e);
    expect(first).toBeInstanceOf(InvocationFailedError);
    expect((first as Error).message).toMatch(/Slack error digest/);
    slack.reset();
    clock += 1_000;
    await expect(deliver(['ERROR: boom'], deps()).result).resolves.toMatchObject({ digest: 'sent' });
    expect(slack.requests).toHaveLength(1);
  });

  describe('OpenSearch _bulk mode', () => {
    const bulkOk = (n: number) => JSON.stringify({ took: 3, errors: false, items: Array.from({ length: n }, () => ({ index: { status: 201 } })) });

    it('posts to /_bulk with each event id as the document _id, so a redelivery overwrites', async () => {
      sink.setFallback({ status: 200, body: bulkOk(3), headers: { 'content-type': 'application/json' } });
      const { payload, result } = deliver(['one', 'two', 'three'], deps({ sink: { mode: 'bulk' } }));
      await result;
      expect(sink.requests[0]?.path).toBe('/ingest/_bulk');
      expect(bulkIds(sink.requests[0] as RecordedRequest)).toEqual(payload.logEvents.map((e) => e.id));
      await deliver(['one', 'two', 'three'], deps({ sink: { mode: 'bulk' } })).result;
      expect(bulkIds(sink.requests[1] as RecordedRequest)).toEqual(bulkIds(sink.requests[0] as RecordedRequest));
    });

    it('retries when items were rejected with 429, and fails on a mapping error', async () => {
      const partial = JSON.stringify({ took: 1, errors: true, items: [{ index: { status: 201 } }, { index: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } }] });
      sink.respondWith({ status: 200, body: partial });
      sink.setFallback({ status: 200, body: bulkOk(2) });
      await expect(deliver(['one', 'two'], deps({ sink: { mode: 'bulk' } })).result).resolves.toMatchObject({ forwarded: 2 });
      expect(sink.requests).toHaveLength(2);

      sink.reset({ status: 200, body: JSON.stringify({ errors: true, items: [{ index: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [fields.status]' } } }] }) });
      const error = await deliver(['one'], deps({ sink: { mode: 'bulk' } })).result.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvocationFailedError);
      expect((error as Error).message).toContain('mapper_parsing_exception');
      expect(sink.requests).toHaveLength(1);
    });
  });

  it('fails a batch whose malformed event is reached midway, having sent only whole requests and reporting only what reached the sink', async () => {
    const payload = dataMessage(API_LOG_GROUP, API_LOG_STREAM, apiLogMessages(3_000, { errorRate: 0.02, seed: 21 }));
    const bad = 2_500;
    const events = payload.logEvents.map((e, i) => (i === bad ? { id: e.id, timestamp: e.timestamp } : e));
    const errors: { message: string; details: Record<string, unknown> }[] = [];
    const log = { ...quiet, error: (message: string, details: Record<string, unknown>) => void errors.push({ message, details }) } as unknown as ForwardDependencies['log'];
    const d = { ...deps({ sink: { maxRequestBytes: 16_384 } }), log };
    const error = await handleLogsDelivery(encodeSubscription({ ...payload, logEvents: events }), d).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/^logEvents\[2500\] lacks/);
    const received = sink.requests.flatMap(ids);
    // Earlier requests went out whole (concurrently, so in any order), each event once; nothing at or after the malformed event did.
    expect(received.length).toBeGreaterThan(0);
    expect([...received].sort()).toEqual(payload.logEvents.slice(0, received.length).map((e) => e.id).sort());
    expect(received.length).toBeLessThanOrEqual(bad);
    const stopped = errors.find((e) => e.message.startsWith('Log batch stopped at a malformed event'));
    expect(stopped?.details.forwarded).toBe(received.length);
    expect(slack.requests).toEqual([]);
  });

  it('drops a repeated event id that comes back out of order in a later slice, forwarding each id once', async () => {
    const payload = dataMessage(API_LOG_GROUP, API_LOG_STREAM, apiLogMessages(1_500, { errorRate: 0.02, seed: 22 }));
    const repeated = { ...payload, logEvents: [...payload.logEvents, { ...(payload.logEvents[10] as (typeof payload.logEvents)[number]) }] };
    const summary = (await handleLogsDelivery(encodeSubscription(repeated), deps())) as ForwardSummary;
    expect(summary).toMatchObject({ received: 1_501, forwarded: 1_500, duplicates: 1 });
    expect([...sink.requests.flatMap(ids)].sort()).toEqual(payload.logEvents.map((e) => e.id).sort());
  });

  it('hands a request body back once it is compressed, whether or not the post succeeds', async () => {
    const body = Buffer.from('{"id":"1"}\n');
    for (const status of [200, 400]) {
      sink.respondWith({ status });
      const release = jest.fn();
      const send = httpLogSink({ url: sink.url('/ingest'), mode: 'ndjson', compressionLevel: 1, timeoutMs: 2_000, retry: fastRetry }).send({ body, events: 1, bytes: body.length, release });
      await send.catch(() => undefined);
      expect(release).toHaveBeenCalledTimes(1);
    }
    expect(sink.requests.map((r) => r.body)).toEqual(['{"id":"1"}\n', '{"id":"1"}\n']);
  });

  it('refuses corrupt input and sends nothing', async () => {
    await expect(handleLogsDelivery({ awslogs: { data: 'not base64 at all' } }, deps())).rejects.toBeInstanceOf(InvalidInputError);
    expect(sink.requests).toEqual([]);
    expect(slack.requests).toEqual([]);
  });
});
