// Property: forwardLogs at each layer — the awslogs envelope, the decoded batch, each event — with an in-memory sink, gate and Slack.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { SlackMessage } from '../../shared/channels/slack';
import { logger } from '../../shared/logger';
import type { SinkRequest } from '../../shared/logs/batch';
import type { DigestGate } from '../../shared/logs/digest-gate';
import { handleLogsDelivery } from '../../shared/logs/entry';
import type { ForwardDependencies } from '../../shared/logs/forward';
import { logsPolicySchema } from '../../shared/logs/policy';
import type { LogSink } from '../../shared/logs/sink';
import { API_LOG_GROUP, API_LOG_STREAM, apiLogMessages, dataMessage, encodeSubscription, lambdaTextMessages, SECRET_MESSAGES, SECRETS, trainingMessages } from '../support/logs-samples';
import { foreignJson, mutationsOf, oddString, type Json } from './arbitraries';
import { notFirebreakError } from './expectations';
import { propertyParameters } from './settings';

const EVENTS_DIR = join(__dirname, '..', '..', 'events');
const LOGS_SAMPLES = ['logs-api', 'logs-control-message', 'logs-lambda-text', 'logs-mixed-garbage', 'logs-training'];
const sampleEvent = (name: string): Json => JSON.parse(readFileSync(join(EVENTS_DIR, `${name}.json`), 'utf8')) as Json;
const decodedBatch = (name: string): Json => JSON.parse(gunzipSync(Buffer.from((sampleEvent(name) as { awslogs: { data: string } }).awslogs.data, 'base64')).toString('utf8')) as Json;

const envelope = (data: string): Json => ({ awslogs: { data } });

/** Bodies that are base64 but not a subscription batch: not gzip, truncated gzip, gzip of something other than JSON. */
const corruptBodies: fc.Arbitrary<Json> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((bytes) => envelope(Buffer.from(bytes).toString('base64'))),
  fc.tuple(fc.constantFrom(...LOGS_SAMPLES), fc.double({ min: 0, max: 1, noNaN: true })).map(([name, at]) => {
    const gzip = Buffer.from((sampleEvent(name) as { awslogs: { data: string } }).awslogs.data, 'base64');
    return envelope(gzip.subarray(0, Math.floor(gzip.length * at)).toString('base64'));
  }),
  oddString.map((text) => envelope(gzipSync(text).toString('base64'))),
);

const envelopes: fc.Arbitrary<Json> = fc.oneof(
  { weight: 5, arbitrary: fc.oneof(...LOGS_SAMPLES.map((name) => mutationsOf(sampleEvent(name)))) },
  { weight: 2, arbitrary: foreignJson },
  { weight: 3, arbitrary: corruptBodies },
);

/** Mutations of the decoded batch JSON, gzipped and base64-encoded again as CloudWatch would send them. */
const batches: fc.Arbitrary<Json> = fc.oneof(...LOGS_SAMPLES.map((name) => mutationsOf(decodedBatch(name)))).map((payload) => encodeSubscription(payload) as unknown as Json);

/** Log messages that are odd, real, or carry a secret, possibly with odd text around them. */
const oddMessage: fc.Arbitrary<string> = fc.oneof(
  oddString,
  fc.constantFrom(...SECRET_MESSAGES, ...lambdaTextMessages(), ...trainingMessages()),
  fc.tuple(oddString, fc.constantFrom(...SECRET_MESSAGES), oddString).map(([before, secret, after]) => `${before} ${secret} ${after}`),
);

/** A real batch with odd messages put among its events (ids stay unique and timestamps valid). */
const batchesWithOddEvents = fc
  .tuple(fc.array(fc.tuple(fc.nat(30), oddMessage), { minLength: 1, maxLength: 5 }), fc.nat(1000))
  .map(([inserts, seed]) => {
    const messages = apiLogMessages(20, { errorRate: 0.2, seed });
    for (const [at, message] of inserts) messages.splice(at % (messages.length + 1), 0, message);
    return dataMessage(API_LOG_GROUP, API_LOG_STREAM, messages);
  });

class MemorySink implements LogSink {
  readonly requests: SinkRequest[] = [];
  async send(request: SinkRequest) {
    this.requests.push(request);
    return { compressedBytes: Math.ceil(request.bytes / 10) };
  }
  text(): string {
    return this.requests.map((r) => Buffer.from(r.body.subarray(0, r.bytes)).toString('utf8')).join('\n');
  }
  ids(): unknown[] {
    return this.text()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => (JSON.parse(line) as { id?: unknown }).id);
  }
}

class MemoryGate implements DigestGate {
  opened = 0;
  async tryOpen(_logGroup: string, _errors: number, _interval: number, now: number) {
    this.opened++;
    return { open: true as const, suppressedErrors: 0, openedAt: now };
  }
  async release() {}
}

/** Fresh fakes, and every line logged: by the use case's logger and by the module logger entry.ts uses. */
function setup(dryRun: boolean) {
  const sink = new MemorySink();
  const gate = new MemoryGate();
  const posted: SlackMessage[] = [];
  const metrics: string[] = [];
  const logs: unknown[] = [];
  const log = {
    info: (...args: unknown[]) => void logs.push(args),
    warn: (...args: unknown[]) => void logs.push(args),
    error: (...args: unknown[]) => void logs.push(args),
  };
  const deps: ForwardDependencies = {
    policy: logsPolicySchema.parse({ groups: [{ match: API_LOG_GROUP, service: 'retail-api' }] }),
    region: 'eu-west-1',
    functionName: 'firebreak-dev-forwardLogs',
    dryRun,
    sink,
    digest: { gate, post: async (m) => void posted.push(m) },
    writeMetric: (line) => void metrics.push(line),
    log: log as unknown as ForwardDependencies['log'],
    now: () => 1_772_442_000_000,
  };
  return { deps, sink, gate, posted, metrics, logs };
}

const moduleLogs: unknown[] = [];
beforeAll(() => {
  for (const level of ['debug', 'info', 'warn', 'error'] as const) jest.spyOn(logger, level).mockImplementation((...args: unknown[]) => void moduleLogs.push(args));
});
afterAll(() => jest.restoreAllMocks());

/** Runs one delivery; returns why its failure is not a Firebreak error, or undefined. */
async function deliver(event: Json, world: ReturnType<typeof setup>): Promise<{ problem?: string; error?: unknown }> {
  moduleLogs.length = 0;
  // The spies keep every call's arguments until cleared: over npm run fuzz's 100,000 runs they would fill the heap.
  jest.clearAllMocks();
  try {
    await handleLogsDelivery(structuredClone(event), world.deps);
    return {};
  } catch (error) {
    return { problem: notFirebreakError(error), error };
  }
}

/** The secrets of logs-samples.ts found in what was sent, posted or logged. */
function leakedSecrets(world: ReturnType<typeof setup>, error?: unknown): string[] {
  const seen = [world.sink.text(), JSON.stringify(world.posted), JSON.stringify(world.logs), JSON.stringify(moduleLogs), world.metrics.join('\n'), error instanceof Error ? error.message : ''].join('\n');
  return Object.values(SECRETS).filter((secret) => seen.includes(secret));
}

/** The checks every layer shares: a Firebreak error or none, no secret anywhere, nothing sent in a dry run. */
async function checkDelivery(event: Json, dryRun: boolean) {
  const world = setup(dryRun);
  const { problem, error } = await deliver(event, world);
  expect(problem).toBeUndefined();
  expect(leakedSecrets(world, error)).toEqual([]);
  if (dryRun) {
    expect(world.sink.requests).toHaveLength(0);
    expect(world.posted).toHaveLength(0);
    expect(world.gate.opened).toBe(0);
  }
  return world;
}

describe('forwardLogs over generated deliveries', () => {
  it('forwards every event of the unmutated API sample, whose secrets the detector sees before redaction (so the properties are not vacuous)', async () => {
    const world = await checkDelivery(sampleEvent('logs-api'), false);
    const events = (decodedBatch('logs-api') as { logEvents: unknown[] }).logEvents;
    expect(world.sink.ids()).toHaveLength(events.length);
    expect(Object.values(SECRETS).filter((secret) => JSON.stringify(events).includes(secret)).length).toBeGreaterThan(0);
  });

  it('the envelope: mutated samples, foreign JSON and corrupt bodies resolve or throw a named error, leak no secret, and a dry run sends nothing', async () => {
    await fc.assert(
      fc.asyncProperty(envelopes, fc.boolean(), async (event, dryRun) => void (await checkDelivery(event, dryRun))),
      propertyParameters(),
    );
  });

  it('the batch: mutations of the decoded batch, gzipped again, resolve or throw a named error, leak no secret, and a dry run sends nothing', async () => {
    await fc.assert(
      fc.asyncProperty(batches, fc.boolean(), async (event, dryRun) => void (await checkDelivery(event, dryRun))),
      propertyParameters(),
    );
  });

  it('each event: odd messages never drop their batch — every event is forwarded, no secret leaks', async () => {
    await fc.assert(
      fc.asyncProperty(batchesWithOddEvents, async (payload) => {
        const world = await checkDelivery(encodeSubscription(payload) as unknown as Json, false);
        expect(world.sink.ids()).toEqual(payload.logEvents.map((e) => e.id));
      }),
      propertyParameters(),
    );
  });

  it('each event in a dry run: resolves, sends nothing, leaks no secret', async () => {
    await fc.assert(
      fc.asyncProperty(batchesWithOddEvents, async (payload) => void (await checkDelivery(encodeSubscription(payload) as unknown as Json, true))),
      propertyParameters(),
    );
  });
});
