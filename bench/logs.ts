// Benchmark: forwardLogs throughput against the decode floor, on a 10,000-event batch to a loopback HTTP sink.
//
// The measured code runs as Lambda runs it: bundled by esbuild and executed by plain `node` in a
// child process (so neither the TypeScript loader nor this process's own data count in its RSS).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { loadConfig } from '../shared/config';
import type { DigestGate } from '../shared/logs/digest-gate';
import { createForwardDependencies, handleLogsDelivery } from '../shared/logs/entry';
import type { ForwardSummary } from '../shared/logs/forward';
import { logsPolicySchema } from '../shared/logs/policy';
import { API_LOG_GROUP, API_LOG_STREAM, benchMessages, dataMessage, encodeSubscription } from '../test/support/logs-samples';

const EVENTS = 10_000;
const ERROR_RATE = 0.02;
const WARMUP = 5;
const ROUNDS = 25;
const TARGET_MB_PER_S = 100;
const TARGET_RATIO = 2.5;
const TARGET_RSS_MB = 150;
const WORKER_FLAG = '--firebreak-logs-bench-worker';
const FLOOR_ONLY_FLAG = '--floor-only';
/** A heap capped the way a small function's memory caps it; the second run shows RSS under that cap. */
const CAPPED_HEAP_FLAGS = ['--max-old-space-size=96', '--max-semi-space-size=2'];

interface WorkerResult {
  floorMs: number;
  handlerMs: number;
  peakRssMb: number;
  summary: ForwardSummary;
  metricKb: number;
}

/** The floor: what any forwarder must do — base64, gunzip, parse the batch and every message. */
function floor(data: string): number {
  const batch = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as { logEvents: { message: string }[] };
  let fields = 0;
  for (const event of batch.logEvents) fields += Object.keys(JSON.parse(event.message) as object).length;
  return fields;
}

/** A sink and Slack webhook on 127.0.0.1 that drain every byte and answer 200. */
async function drainingServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

async function timed(fn: () => unknown): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Runs in the child: the real entry with real dependencies, except the digest's DynamoDB gate. */
async function worker(eventFile: string, floorOnly: boolean): Promise<void> {
  const event = JSON.parse(readFileSync(eventFile, 'utf8')) as { awslogs: { data: string } };
  if (floorOnly) {
    // The floor's own footprint, for comparison: the same rounds, nothing else loaded.
    for (let i = 0; i < WARMUP + ROUNDS; i++) floor(event.awslogs.data);
    process.stdout.write(`${JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
    return;
  }
  const sink = await drainingServer();
  const settings = loadConfig({ STAGE: 'bench', DRY_RUN: 'false', LOG_SINK_URL: `${sink.url}/ingest`, SLACK_WEBHOOK_URL: `${sink.url}/slack`, STATE_TABLE: 'bench-state' });
  const policy = logsPolicySchema.parse({ groups: [{ match: API_LOG_GROUP, service: 'retail-prediction-api' }] });
  // The digest rate limit always opens here: DynamoDB is not part of what is measured.
  const gate: DigestGate = { tryOpen: async (_g, _e, _i, now) => ({ open: true, suppressedErrors: 0, openedAt: now }), release: async () => undefined };
  let metricBytes = 0;
  const real = createForwardDependencies(settings, policy);
  const quiet = { info: () => undefined, warn: () => undefined, error: (message: string) => console.error(message) } as unknown as typeof real.log;
  const deps = { ...real, digest: real.digest && { ...real.digest, gate }, writeMetric: (line: string) => void (metricBytes += line.length), log: quiet };
  try {
    for (let i = 0; i < WARMUP; i++) {
      floor(event.awslogs.data);
      await handleLogsDelivery(event, deps);
    }
    // Interleaved so both see the same machine load.
    const floorTimes: number[] = [];
    const handlerTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      floorTimes.push(await timed(() => floor(event.awslogs.data)));
      handlerTimes.push(await timed(() => handleLogsDelivery(event, deps)));
    }
    metricBytes = 0;
    const summary = (await handleLogsDelivery(event, deps)) as ForwardSummary;
    const result: WorkerResult = {
      floorMs: median(floorTimes),
      handlerMs: median(handlerTimes),
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      summary,
      metricKb: metricBytes / 1024,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await new Promise((resolve) => sink.server.close(resolve));
  }
}

function runWorker<T = WorkerResult>(bundle: string, eventFile: string, nodeFlags: string[], floorOnly = false): T {
  const args = [...nodeFlags, bundle, WORKER_FLAG, eventFile, ...(floorOnly ? [FLOOR_ONLY_FLAG] : [])];
  const output = execFileSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' } });
  const last = output.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}

export async function run(): Promise<void> {
  const payload = dataMessage(API_LOG_GROUP, API_LOG_STREAM, benchMessages(EVENTS, ERROR_RATE));
  const event = encodeSubscription(payload);
  const decompressedMb = Buffer.byteLength(JSON.stringify(payload)) / 1_048_576;
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-bench-logs-'));
  try {
    const eventFile = join(dir, 'event.json');
    const bundle = join(dir, 'bench-logs.js');
    writeFileSync(eventFile, JSON.stringify(event));
    buildSync({ entryPoints: [__filename], bundle: true, platform: 'node', target: 'node24', format: 'cjs', outfile: bundle, logLevel: 'error' });
    const plain = runWorker(bundle, eventFile, []);
    const capped = runWorker(bundle, eventFile, CAPPED_HEAP_FLAGS);
    const floorRss = runWorker<{ peakRssMb: number }>(bundle, eventFile, [], true).peakRssMb;
    const floorRssCapped = runWorker<{ peakRssMb: number }>(bundle, eventFile, CAPPED_HEAP_FLAGS, true).peakRssMb;

    const throughput = decompressedMb / (plain.handlerMs / 1000);
    const ratio = plain.handlerMs / plain.floorMs;
    const verdict = (ok: boolean) => (ok ? 'OK' : 'MISSED');
    const s = plain.summary;
    console.log(`logs: batch of ${EVENTS} events, ${decompressedMb.toFixed(2)} MB decompressed, ${(event.awslogs.data.length / 1024).toFixed(0)} KB base64, ${ERROR_RATE * 100} % errors`);
    console.log(`logs: floor   (base64 + gunzip + JSON.parse of batch and messages)  median ${plain.floorMs.toFixed(1)} ms over ${ROUNDS}`);
    console.log(`logs: handler (decode, redact, parse, split, gzip, POST, digest)   median ${plain.handlerMs.toFixed(1)} ms over ${ROUNDS}`);
    console.log(`logs: throughput ${throughput.toFixed(0)} MB/s decompressed (target >= ${TARGET_MB_PER_S}) ${verdict(throughput >= TARGET_MB_PER_S)}`);
    console.log(`logs: handler/floor ratio ${ratio.toFixed(2)} (target <= ${TARGET_RATIO}) ${verdict(ratio <= TARGET_RATIO)}`);
    console.log(`logs: peak RSS ${plain.peakRssMb.toFixed(0)} MB with node's default heap (target <= ${TARGET_RSS_MB}) ${verdict(plain.peakRssMb <= TARGET_RSS_MB)}; the floor alone peaks at ${floorRss.toFixed(0)} MB`);
    console.log(`logs: peak RSS ${capped.peakRssMb.toFixed(0)} MB with ${CAPPED_HEAP_FLAGS.join(' ')} (handler ${capped.handlerMs.toFixed(1)} ms) ${verdict(capped.peakRssMb <= TARGET_RSS_MB)}; the floor alone peaks at ${floorRssCapped.toFixed(0)} MB`);
    console.log(`logs: per batch ${s.requests} requests, ${(s.bytes / 1_048_576).toFixed(2)} MB NDJSON -> ${(s.compressedBytes / 1024).toFixed(0)} KB gzip, ${s.forwarded} forwarded, digest ${s.digest}, ${plain.metricKb.toFixed(1)} KB of EMF`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes(WORKER_FLAG)) {
  void worker(process.argv[process.argv.indexOf(WORKER_FLAG) + 1] ?? '', process.argv.includes(FLOOR_ONLY_FLAG)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
} else if (require.main === module) {
  void run();
}
