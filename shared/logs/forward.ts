// Log forwarding use case: decoded batch → filter → redact → parse → enrich → split → sink, digest and metrics.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SlackMessage } from '../channels/slack';
import { errorMessage, InvocationFailedError, type FailedPart } from '../errors';
import { recordLines, RequestSplitter, type SinkRequest } from './batch';
import { DigestBuilder, formatDigest, type ErrorDigest } from './digest';
import type { DigestGate } from './digest-gate';
import { filterFor, type GroupFilter } from './filter';
import { MetricsCollector, type BatchCounts } from './metrics';
import type { LogRecord, LogsBatch, LogsBatchInSlices, RawLogEvent } from './model';
import { parseLogMessage } from './parse';
import { ownLogGroup, type LogsPolicy } from './policy';
import { redact, redactorFor, type Redactor } from './redact';
import type { LogSink } from './sink';

/** How a batch's error digest is rate-limited and posted. */
export interface DigestDelivery {
  readonly gate: DigestGate;
  readonly post: (message: SlackMessage) => Promise<void>;
}

/** What the use case needs from the outside world; the handler passes the real ones. */
export interface ForwardDependencies {
  readonly policy: LogsPolicy;
  /** Region recorded on every event (the function's: subscriptions deliver within a region). */
  readonly region: string;
  /** This function's name: its own log group is never forwarded. */
  readonly functionName?: string;
  /** True: plan and log what would be sent, send nothing. */
  readonly dryRun: boolean;
  /** Required unless `dryRun`. */
  readonly sink?: LogSink;
  /** How digests are rate-limited and posted; without it no digest is posted. */
  readonly digest?: DigestDelivery;
  /** Writes one EMF line where CloudWatch picks it up (the function's stdout). */
  readonly writeMetric: (line: string) => void;
  readonly log: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly now?: () => number;
}

/** What became of a batch's error digest. */
export type DigestOutcome = 'sent' | 'rate-limited' | 'planned' | 'no-errors' | 'disabled' | 'failed';

/** What became of one batch: returned by the handler and logged. */
export interface ForwardSummary extends BatchCounts {
  readonly logGroup: string;
  readonly logStream: string;
  /** Set when the batch was refused as a whole (its events are not counted as failed). */
  readonly skipped?: 'own-log-group';
  readonly requests: number;
  readonly failedRequests: number;
  /** Uncompressed bytes planned for the sink. */
  readonly bytes: number;
  readonly compressedBytes: number;
  readonly digest: DigestOutcome;
  readonly dryRun: boolean;
  readonly durationMs: number;
}

const SINK = 'log sink';
const DIGEST = 'Slack error digest';

const redactors = new WeakMap<LogsPolicy['redaction'], Redactor>();
const redactorOf = (policy: LogsPolicy['redaction']): Redactor => {
  let redactor = redactors.get(policy);
  if (!redactor) redactors.set(policy, (redactor = redactorFor(policy)));
  return redactor;
};

/** One batch on its way through the phases: what they all read, and the requests streaming fills in. */
interface BatchRun {
  readonly batch: LogsBatch | LogsBatchInSlices;
  readonly deps: ForwardDependencies;
  readonly now: () => number;
  readonly started: number;
  /** The keys every summary of the batch starts with. */
  readonly base: SummaryBase;
  readonly filter: GroupFilter;
  readonly metrics: MetricsCollector;
  readonly digest: DigestBuilder;
  /** Only sizes are kept here: a request's body is let go as soon as it has been sent. */
  readonly requests: Pick<SinkRequest, 'events' | 'bytes'>[];
  /** The sends under way, one per request in the same order (none in dry run). */
  readonly deliveries: Promise<{ compressedBytes: number }>[];
  /** Dry run: how many documents the batch's planned requests have printed so far. */
  readonly planned: { documents: number };
}

type SummaryBase = Pick<ForwardSummary, 'logGroup' | 'logStream' | 'dryRun'>;

/** What streaming counts: the events received, and those dropped or changed on the way. */
type StreamTallies = Pick<BatchCounts, 'received' | 'filtered' | 'redacted' | 'duplicates'>;

/** What became of the requests and the digest once every one has settled. */
interface Settlement {
  readonly forwarded: number;
  readonly failed: number;
  readonly compressedBytes: number;
  readonly digest: DigestOutcome;
  readonly failures: FailedPart[];
}

/**
 * Forwards every event of one batch. Events are deduplicated by id, filtered by the policy group of
 * their log group, redacted, parsed and enriched, then sent in requests within the sink's limits
 * while the batch's error digest is posted. Every outcome is counted and logged, and EMF metrics
 * are written; then, if any sink request or the digest failed after its retries, a
 * InvocationFailedError is thrown so Lambda retries the batch and its on-failure destination keeps it.
 *
 * A batch in slices is a pipeline: each slice of events is parsed, processed and written into the
 * current request before the next is parsed. When a slice turns out malformed, the requests already
 * under way are awaited, nothing more is sent, and its InvalidInputError is thrown (the batch is
 * retried and kept like any failed one).
 */
export async function forwardLogBatch(batch: LogsBatch | LogsBatchInSlices, deps: ForwardDependencies): Promise<ForwardSummary> {
  const now = deps.now ?? Date.now;
  const started = now();
  const base: SummaryBase = { logGroup: batch.logGroup, logStream: batch.logStream, dryRun: deps.dryRun };
  // Forwarding our own output would feed it back to us without end.
  if (deps.functionName && batch.logGroup === ownLogGroup(deps.functionName)) return refuseOwnLogGroup(batch, deps, base, now, started);
  if (!deps.dryRun && !deps.sink) throw new Error('forwardLogBatch needs a sink unless in dry run');

  const run: BatchRun = {
    batch,
    deps,
    now,
    started,
    base,
    filter: filterFor(deps.policy, batch.logGroup),
    metrics: new MetricsCollector(),
    digest: new DigestBuilder(),
    requests: [],
    deliveries: [],
    planned: { documents: 0 },
  };
  const tallies = await streamIntoRequests(run);
  const settlement = await settleDeliveries(run);
  return report(run, tallies, settlement);
}

/** Phase 1: the function's own log group is refused as a whole, its events counted as received only. */
function refuseOwnLogGroup(batch: LogsBatch | LogsBatchInSlices, deps: ForwardDependencies, base: SummaryBase, now: () => number, started: number): ForwardSummary {
  const events = eventCount(batch);
  deps.log.error('Refusing to forward this function\'s own log group; remove it from the subscription filter', { logGroup: batch.logGroup, events });
  return { ...base, ...zeroCounts(events), skipped: 'own-log-group', requests: 0, failedRequests: 0, bytes: 0, compressedBytes: 0, digest: 'disabled', durationMs: now() - started };
}

/**
 * Phase 2: streams the batch's slices into sink requests. Each event is deduplicated, filtered,
 * redacted, parsed and enriched, then counted, added to the digest and written into the current
 * request; each request starts sending as soon as it is full. Returns the tallies once the last
 * request has been handed over (not once it has been delivered).
 */
async function streamIntoRequests(run: BatchRun): Promise<StreamTallies> {
  const { batch, deps, filter, metrics, digest } = run;
  const { policy } = deps;
  const sinkPolicy = policy.sink;
  const redactor = redactorOf(policy.redaction);
  const seen = new SeenIds((count) => firstIds(batch, count));
  const origin = { service: filter.service, logGroup: batch.logGroup, logStream: batch.logStream, owner: batch.owner, region: deps.region };
  const lines = recordLines(sinkPolicy.mode, sinkPolicy.index, origin);
  const backlog = new Backlog();
  const splitter = sendingSplitter(run, backlog);
  let received = 0;
  let filtered = 0;
  let redacted = 0;
  let duplicates = 0;

  try {
    for (const slice of slicesOf(batch)) {
      received += slice.length;
      for (const event of slice) {
        if (seen.isRepeat(event.id)) {
          duplicates++;
          continue;
        }
        if (!filter.keeps(event.message)) {
          filtered++;
          continue;
        }
        const clean = redact(event.message, redactor);
        if (clean !== event.message) redacted++;
        const parsed = parseLogMessage(clean);
        // Built property by property: one stable shape, several times faster than spreading two objects.
        const record: LogRecord = {
          level: parsed.level,
          message: parsed.message,
          fields: parsed.fields,
          format: parsed.format,
          fieldsJson: parsed.fieldsJson,
          id: event.id,
          timestamp: event.timestamp,
          logGroup: origin.logGroup,
          logStream: origin.logStream,
          owner: origin.owner,
          region: origin.region,
          service: origin.service,
        };
        metrics.add(record);
        digest.add(record);
        splitter.addRecord(event.id, record, lines);
        // Backpressure: with every slot busy and a request waiting, finish one before building more, so a
        // huge batch holds at most `concurrency + 1` request bodies instead of all of them.
        if (backlog.pending > sinkPolicy.concurrency) await backlog.oneSettled();
      }
    }
  } catch (error) {
    await logStoppedAtMalformedEvent(run, error);
    throw error;
  }
  splitter.flush();
  return { received, filtered, redacted, duplicates };
}

/** A splitter that records each full request's size and starts sending it at once (in dry run, only lets it go). */
function sendingSplitter(run: BatchRun, backlog: Backlog): RequestSplitter {
  const { deps, requests, deliveries } = run;
  const limit = concurrencyLimit(deps.policy.sink.concurrency);
  const sink = deps.sink;
  return new RequestSplitter(
    deps.policy.sink,
    (request) => {
      requests.push({ events: request.events, bytes: request.bytes });
      // Sending starts as each request fills, so compression and I/O overlap the rest of the batch.
      if (!deps.dryRun && sink) deliveries.push(backlog.track(limit(() => sink.send(request))));
      else {
        if (deps.dryRun) logPlannedRequest(run, request);
        request.release?.();
      }
    },
    // A failed request is reported by its event count; its ids would only keep the batch's ids alive.
    { keepIds: false },
  );
}

/** Documents of a dry run's requests printed per batch: enough to check redaction and enrichment offline. */
export const DRY_RUN_DOCUMENTS = 20;

/**
 * Dry run: the documents a request would send, exactly as the sink would get them (redacted, enriched,
 * in the sink's mode), the first DRY_RUN_DOCUMENTS lines of the batch; the rest are counted.
 */
function logPlannedRequest(run: BatchRun, request: SinkRequest): void {
  const lines = new TextDecoder().decode(request.body.subarray(0, request.bytes)).split('\n').filter((line) => line.length > 0);
  const shown = lines.slice(0, Math.max(0, DRY_RUN_DOCUMENTS - run.planned.documents));
  run.planned.documents += shown.length;
  run.deps.log.info('DRY_RUN: would send a sink request', {
    logGroup: run.batch.logGroup,
    request: run.requests.length,
    events: request.events,
    bytes: request.bytes,
    lines: shown.map((line) => JSON.parse(line) as unknown),
    ...(lines.length > shown.length ? { moreLines: lines.length - shown.length } : {}),
  });
}

/** A malformed slice: what was sent stays sent, the rest of the batch is not; the caller refuses it. */
async function logStoppedAtMalformedEvent(run: BatchRun, error: unknown): Promise<void> {
  const { batch, requests } = run;
  const settled = await Promise.allSettled(run.deliveries);
  const sentEvents = settled.reduce((sum, outcome, i) => sum + (outcome.status === 'fulfilled' ? (requests[i]?.events ?? 0) : 0), 0);
  run.deps.log.error('Log batch stopped at a malformed event; failing so the batch is retried', { logGroup: batch.logGroup, logStream: batch.logStream, forwarded: sentEvents, error: errorMessage(error) });
}

/** Phase 3: waits for every request and the digest, and counts what was delivered and what failed. */
async function settleDeliveries(run: BatchRun): Promise<Settlement> {
  const { deps, requests } = run;
  const built = run.digest.build({ ...run.base, service: run.filter.service, region: deps.region, topMessages: deps.policy.digest.topMessages });
  const [sent, digestResult] = await Promise.all([Promise.allSettled(run.deliveries), settle(deliverDigest(built, deps, run.now))]);

  const failures: FailedPart[] = [];
  let forwarded = 0;
  let failed = 0;
  let compressedBytes = 0;
  sent.forEach((outcome, i) => {
    const events = requests[i]?.events ?? 0;
    if (outcome.status === 'fulfilled') {
      forwarded += events;
      compressedBytes += outcome.value.compressedBytes;
    } else {
      failed += events;
      failures.push({ what: SINK, error: asError(outcome.reason) });
    }
  });
  let digest: DigestOutcome;
  if (digestResult.ok) digest = digestResult.value;
  else {
    digest = 'failed';
    failures.push({ what: DIGEST, error: asError(digestResult.error) });
  }
  return { forwarded, failed, compressedBytes, digest, failures };
}

/**
 * Phase 4: summarises the batch, writes its EMF metrics and logs the outcome; throws
 * InvocationFailedError when a request or the digest failed (never in dry run).
 */
function report(run: BatchRun, tallies: StreamTallies, settlement: Settlement): ForwardSummary {
  const { batch, deps, now, filter, metrics, requests } = run;
  const { policy, log } = deps;
  const { failures } = settlement;
  const bytes = requests.reduce((sum, r) => sum + r.bytes, 0);
  const counts: BatchCounts = {
    received: tallies.received,
    forwarded: settlement.forwarded,
    filtered: tallies.filtered,
    redacted: tallies.redacted,
    duplicates: tallies.duplicates,
    failed: settlement.failed,
  };
  const durationMs = now() - run.started;
  const summary: ForwardSummary = {
    ...run.base,
    ...counts,
    requests: requests.length,
    failedRequests: failures.filter((f) => f.what === SINK).length,
    bytes,
    compressedBytes: settlement.compressedBytes,
    digest: settlement.digest,
    durationMs,
  };

  for (const line of metrics.toEmf({
    namespace: policy.metrics.namespace,
    service: filter.service,
    logGroup: batch.logGroup,
    counts,
    extra: { ForwardDuration: durationMs, ForwardedBytes: deps.dryRun ? 0 : bytes },
    now: now(),
  })) {
    deps.writeMetric(line);
  }

  if (deps.dryRun) {
    log.info('DRY_RUN: log batch planned, nothing sent', { ...summary, errors: metrics.errorCount, mode: policy.sink.mode });
  } else if (failures.length > 0) {
    log.error('Log batch not fully delivered; failing so the batch is retried', { ...summary, failures: failures.map((f) => `${f.what}: ${errorMessage(f.error)}`) });
    throw new InvocationFailedError(failures);
  } else {
    log.info('Log batch forwarded', { ...summary, errors: metrics.errorCount });
  }
  return summary;
}

async function deliverDigest(built: ErrorDigest | undefined, deps: ForwardDependencies, now: () => number): Promise<DigestOutcome> {
  if (!built) return 'no-errors';
  const settings = deps.policy.digest;
  if (!settings.enabled) return 'disabled';
  if (deps.dryRun) {
    // The message itself, as Slack would get it (the rate limit is not looked at in a dry run).
    const message = formatDigest(built, { queryWindowMinutes: settings.queryWindowMinutes, suppressedErrors: 0 });
    deps.log.info('DRY_RUN: would post an error digest', { logGroup: built.logGroup, errors: built.errors, distinctMessages: built.distinctMessages, message });
    return 'planned';
  }
  if (!deps.digest) return 'disabled';
  const { gate, post } = deps.digest;
  const decision = await gate.tryOpen(built.logGroup, built.errors, settings.minIntervalSeconds, now());
  if (!decision.open) {
    deps.log.info('Error digest held back by the rate limit', { logGroup: built.logGroup, errors: built.errors });
    return 'rate-limited';
  }
  try {
    await post(formatDigest(built, { queryWindowMinutes: settings.queryWindowMinutes, suppressedErrors: decision.suppressedErrors }));
  } catch (error) {
    try {
      await gate.release(built.logGroup, decision);
    } catch (releaseError) {
      deps.log.error('Could not reopen the digest rate limit after a failed post', { logGroup: built.logGroup, error: errorMessage(releaseError) });
    }
    throw error;
  }
  return 'sent';
}

/**
 * Recognises event ids already seen in a batch. CloudWatch delivers ids in increasing order, which
 * alone proves them distinct, so a set is built only once an id arrives out of order. Given
 * `replay`, the ids seen so far are not even kept: the set is built from `replay(count)`, the
 * batch's first `count` ids read again, which spares a large batch's ids from being kept alive
 * (and copied by the garbage collector) in the usual case where no set is ever needed.
 */
export class SeenIds {
  private last: string | undefined;
  private count = 0;
  private readonly inOrder: string[] | undefined;
  private set: Set<string> | undefined;

  constructor(private readonly replay?: (count: number) => Iterable<string>) {
    this.inOrder = replay ? undefined : [];
  }

  isRepeat(id: string): boolean {
    if (!this.set) {
      const last = this.last;
      if (last === undefined || id.length > last.length || (id.length === last.length && id > last)) {
        this.last = id;
        this.count++;
        this.inOrder?.push(id);
        return false;
      }
      this.set = new Set(this.replay ? this.replay(this.count) : this.inOrder);
    }
    if (this.set.has(id)) return true;
    this.set.add(id);
    return false;
  }
}

/** Counts deliveries not yet settled and lets the producer wait for the next one to settle. */
class Backlog {
  pending = 0;
  private waiters: (() => void)[] = [];

  track<T>(delivery: Promise<T>): Promise<T> {
    this.pending++;
    const settled = () => {
      this.pending--;
      this.waiters.splice(0).forEach((wake) => wake());
    };
    delivery.then(settled, settled);
    return delivery;
  }

  oneSettled(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** The batch's events, a slice at a time (a whole batch is one slice). */
const slicesOf = (batch: LogsBatch | LogsBatchInSlices): Iterable<readonly RawLogEvent[]> => ('logEvents' in batch ? [batch.logEvents] : batch.eventSlices());

/** The ids of the batch's first `count` events, read again from the batch. */
function* firstIds(batch: LogsBatch | LogsBatchInSlices, count: number): Generator<string> {
  let left = count;
  for (const slice of slicesOf(batch)) {
    for (const event of slice) {
      if (left-- <= 0) return;
      yield event.id;
    }
  }
}

const eventCount = (batch: LogsBatch | LogsBatchInSlices): number => {
  let count = 0;
  for (const slice of slicesOf(batch)) count += slice.length;
  return count;
};

const zeroCounts = (received: number): BatchCounts => ({ received, forwarded: 0, filtered: 0, redacted: 0, duplicates: 0, failed: 0 });

const asError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

/** Runs at most `max` tasks at once; tasks start synchronously while a slot is free. */
export function concurrencyLimit(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  // A finishing task hands its slot straight to the next waiting one, so at most `max` ever run.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  const run = <T>(task: () => Promise<T>): Promise<T> => {
    let running: Promise<T>;
    try {
      running = task();
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.finally(release);
  };
  return <T>(task: () => Promise<T>) => {
    if (active < max) {
      active++;
      return run(task);
    }
    return new Promise<void>((resolve) => waiting.push(resolve)).then(() => run(task));
  };
}
