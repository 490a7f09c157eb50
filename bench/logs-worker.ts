// Benchmark child for forwardLogs: runs the floor and the bundled handler on a prepared batch and prints figures as JSON.
//
// Bundled on its own and run by plain `node`, so the process holds what the deployed function holds
// (the handler's code and one delivery) and not the batch generator, esbuild, the sink or the parent's data.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '../shared/config';
import type { DigestGate } from '../shared/logs/digest-gate';
import { createForwardDependencies, handleLogsDelivery } from '../shared/logs/entry';
import type { ForwardSummary } from '../shared/logs/forward';
import { logsPolicySchema } from '../shared/logs/policy';

/** What the parent passes on the command line. */
export interface WorkerOptions {
  readonly eventFile: string;
  readonly logGroup: string;
  /** The draining sink, served by the parent: `<sinkUrl>/ingest` for logs, `<sinkUrl>/slack` for the digest. */
  readonly sinkUrl: string;
  /** Run only one side, to see its own memory footprint; both, interleaved, when absent. */
  readonly only?: 'floor' | 'handler';
  readonly warmup: number;
  readonly rounds: number;
}

/** What the child prints as its last line. */
export interface WorkerResult {
  readonly floorMs: number[];
  readonly handlerMs: number[];
  /** Peak resident set of the whole child, from the kernel (getrusage ru_maxrss). */
  readonly peakRssMb: number;
  readonly summary?: ForwardSummary;
  readonly metricKb: number;
  /** CPU ms per measured round: main thread, and whole process (the thread pool's gzip included). */
  readonly cpuMs: { floorMain: number; floorAll: number; handlerMain: number; handlerAll: number };
  /** process.memoryUsage() (MB) at the highest RSS sampled between rounds, and RSS once the bundle was loaded. */
  readonly atPeak?: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number; loadedRss: number };
}

/** The floor: what any forwarder must do — base64, gunzip, parse the batch and every message. */
export function floor(data: string): number {
  const batch = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as { logEvents: { message: string }[] };
  let fields = 0;
  for (const event of batch.logEvents) fields += Object.keys(JSON.parse(event.message) as object).length;
  return fields;
}

/** CPU spent in measured steps: on the main thread, and in the whole process (zlib's thread pool too). */
const cpu = { floorMainMs: 0, floorAllMs: 0, handlerMainMs: 0, handlerAllMs: 0 };

/** Wall time of one step, in ms; its CPU time is added to `cpu` under `side`. */
async function timed(side: 'floor' | 'handler', fn: () => unknown): Promise<number> {
  const main = process.threadCpuUsage();
  const all = process.cpuUsage();
  const start = process.hrtime.bigint();
  await fn();
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const mainUsed = process.threadCpuUsage(main);
  const allUsed = process.cpuUsage(all);
  cpu[`${side}MainMs`] += (mainUsed.user + mainUsed.system) / 1000;
  cpu[`${side}AllMs`] += (allUsed.user + allUsed.system) / 1000;
  return wall;
}

const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;
const MB = 1_048_576;
const loadedRss = process.memoryUsage().rss / MB;

/** Keeps the process.memoryUsage() with the highest RSS, sampled after each step. */
class MemorySampler {
  peak: NonNullable<WorkerResult['atPeak']> | undefined;
  sample(): void {
    const m = process.memoryUsage();
    if (this.peak && m.rss / MB <= this.peak.rss) return;
    this.peak = { rss: m.rss / MB, heapTotal: m.heapTotal / MB, heapUsed: m.heapUsed / MB, external: m.external / MB, arrayBuffers: m.arrayBuffers / MB, loadedRss };
  }
}

const perRound = (floorRounds: number, handlerRounds: number): WorkerResult['cpuMs'] => {
  const per = (ms: number, rounds: number) => (rounds > 0 ? ms / rounds : 0);
  return {
    floorMain: per(cpu.floorMainMs, floorRounds),
    floorAll: per(cpu.floorAllMs, floorRounds),
    handlerMain: per(cpu.handlerMainMs, handlerRounds),
    handlerAll: per(cpu.handlerAllMs, handlerRounds),
  };
};

/** The real entry with real dependencies, except the digest's DynamoDB gate; floor and handler interleaved. */
async function work(options: WorkerOptions): Promise<WorkerResult> {
  const event = JSON.parse(readFileSync(options.eventFile, 'utf8')) as { awslogs: { data: string } };
  if (options.only === 'floor') {
    // The floor's own footprint, for comparison: the same rounds, nothing else run.
    const floorMs: number[] = [];
    for (let i = 0; i < options.warmup + options.rounds; i++) floorMs.push(await timed('floor', () => floor(event.awslogs.data)));
    return { floorMs: floorMs.slice(options.warmup), handlerMs: [], peakRssMb: peakRssMb(), metricKb: 0, cpuMs: perRound(options.warmup + options.rounds, 0) };
  }
  const sampler = new MemorySampler();
  const settings = loadConfig({ STAGE: 'bench', DRY_RUN: 'false', LOG_SINK_URL: `${options.sinkUrl}/ingest`, SLACK_WEBHOOK_URL: `${options.sinkUrl}/slack`, STATE_TABLE: 'bench-state' });
  const policy = logsPolicySchema.parse({ groups: [{ match: options.logGroup, service: 'retail-prediction-api' }] });
  // The digest rate limit always opens here: DynamoDB is not part of what is measured.
  const gate: DigestGate = { tryOpen: async (_g, _e, _i, now) => ({ open: true, suppressedErrors: 0, openedAt: now }), release: async () => undefined };
  let metricBytes = 0;
  const real = createForwardDependencies(settings, policy);
  const quiet = { info: () => undefined, warn: () => undefined, error: (message: string) => console.error(message) } as unknown as typeof real.log;
  const deps = { ...real, digest: real.digest && { ...real.digest, gate }, writeMetric: (line: string) => void (metricBytes += line.length), log: quiet };
  for (let i = 0; i < options.warmup; i++) {
    if (options.only !== 'handler') floor(event.awslogs.data);
    await handleLogsDelivery(event, deps);
  }
  // Interleaved so both see the same machine load.
  const floorMs: number[] = [];
  const handlerMs: number[] = [];
  for (let i = 0; i < options.rounds; i++) {
    if (options.only !== 'handler') floorMs.push(await timed('floor', () => floor(event.awslogs.data)));
    sampler.sample();
    handlerMs.push(await timed('handler', () => handleLogsDelivery(event, deps)));
    sampler.sample();
  }
  const cpuMs = perRound(options.only === 'handler' ? 0 : options.rounds, options.rounds);
  metricBytes = 0;
  const summary = (await handleLogsDelivery(event, deps)) as ForwardSummary;
  return { floorMs, handlerMs, peakRssMb: peakRssMb(), summary, metricKb: metricBytes / 1024, cpuMs, atPeak: sampler.peak };
}

const options = JSON.parse(process.argv[2] ?? '{}') as WorkerOptions;
work(options).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
