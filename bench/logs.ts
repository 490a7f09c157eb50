// Benchmark: forwardLogs throughput against the decode floor, on a 10,000-event batch to a loopback HTTP sink.
//
// The measured code runs as Lambda runs it: bundled with the deployment's esbuild settings and run by
// plain `node` in a child process that holds only that bundle and one prepared delivery. The sink (and
// the Slack webhook) is served by this process, as a real sink runs elsewhere, and drains every byte.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { API_LOG_GROUP, API_LOG_STREAM, benchMessages, dataMessage, encodeSubscription } from '../test/support/logs-samples';
import type { WorkerOptions, WorkerResult } from './logs-worker';

const EVENTS = 10_000;
const ERROR_RATE = 0.02;
const WARMUP = 5;
const ROUNDS = 25;
/** Child processes for the figures with targets; their rounds are pooled, and the highest peak RSS is reported. */
const CHILDREN = 3;
const TARGET_MB_PER_S = 100;
const TARGET_RATIO = 2.5;
const TARGET_RSS_MB = 150;
/** The function's memory size in serverless.yml, for the run with the heap flags Lambda would pass. */
const DEPLOYED_MEMORY_MB = 1024;
/** A smaller size for comparison: the smallest power of two whose limit the handler's peak stays under (at 128 MB it does not). */
const SMALL_MEMORY_MB = 256;

/**
 * The heap flags the Lambda Node.js runtime's bootstrap passes for a memory size: a tenth of it for
 * the young generation (half of that per semi-space), the rest for the old generation.
 */
export function lambdaHeapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
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

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** Runs the child asynchronously, so this process keeps serving the sink meanwhile. */
function runWorker(bundle: string, options: WorkerOptions, nodeFlags: readonly string[]): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, bundle, JSON.stringify(options)], {
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`benchmark child exited with ${code}`));
      resolve(JSON.parse(output.trim().split('\n').at(-1) ?? '') as WorkerResult);
    });
  });
}

/** Several children in turn; every round of every child pooled. */
async function measure(bundle: string, options: WorkerOptions, nodeFlags: readonly string[], children = CHILDREN) {
  const results: WorkerResult[] = [];
  for (let i = 0; i < children; i++) results.push(await runWorker(bundle, options, nodeFlags));
  return {
    floorMs: median(results.flatMap((r) => r.floorMs)),
    handlerMs: median(results.flatMap((r) => r.handlerMs)),
    peakRssMb: Math.max(...results.map((r) => r.peakRssMb)),
    peakRssMbs: results.map((r) => r.peakRssMb),
    cpuMs: {
      floorMain: median(results.map((r) => r.cpuMs.floorMain)),
      floorAll: median(results.map((r) => r.cpuMs.floorAll)),
      handlerMain: median(results.map((r) => r.cpuMs.handlerMain)),
      handlerAll: median(results.map((r) => r.cpuMs.handlerAll)),
    },
    atPeak: results.reduce((a, b) => (b.peakRssMb > a.peakRssMb ? b : a)).atPeak,
    last: results.at(-1) as WorkerResult,
  };
}

export async function run(): Promise<void> {
  const payload = dataMessage(API_LOG_GROUP, API_LOG_STREAM, benchMessages(EVENTS, ERROR_RATE));
  const event = encodeSubscription(payload);
  const decompressedMb = Buffer.byteLength(JSON.stringify(payload)) / 1_048_576;
  const dir = mkdtempSync(join(tmpdir(), 'firebreak-bench-logs-'));
  const sink = await drainingServer();
  try {
    const eventFile = join(dir, 'event.json');
    const bundle = join(dir, 'logs-worker.js');
    writeFileSync(eventFile, JSON.stringify(event));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the deployment's own esbuild settings (CommonJS)
    const deployed = (require('../esbuild.config.js') as () => BuildOptions)();
    await build({ ...deployed, sourcemap: false, entryPoints: [join(__dirname, 'logs-worker.ts')], outfile: bundle, logLevel: 'error' });
    const options: WorkerOptions = { eventFile, logGroup: API_LOG_GROUP, sinkUrl: sink.url, warmup: WARMUP, rounds: ROUNDS };
    const plain = await measure(bundle, options, []);
    const lambdaFlags = lambdaHeapFlags(DEPLOYED_MEMORY_MB);
    const lambda = await measure(bundle, options, lambdaFlags, 1);
    const lambdaAlone = await measure(bundle, { ...options, only: 'handler' }, lambdaFlags, 1);
    const smallFlags = lambdaHeapFlags(SMALL_MEMORY_MB);
    const smallAlone = await measure(bundle, { ...options, only: 'handler' }, smallFlags, 1);
    // Each side alone: a deployed function runs only the handler, so its own peak is what the target is about.
    const handlerOnly = await measure(bundle, { ...options, only: 'handler' }, []);
    const floorOnly = await measure(bundle, { ...options, only: 'floor' }, [], 1);

    const throughput = decompressedMb / (plain.handlerMs / 1000);
    const ratio = plain.handlerMs / plain.floorMs;
    const verdict = (ok: boolean) => (ok ? 'OK' : 'MISSED');
    const s = plain.last.summary;
    const m = handlerOnly.atPeak;
    const rounds = `${CHILDREN * ROUNDS} rounds in ${CHILDREN} processes`;
    console.log(`logs: batch of ${EVENTS} events, ${decompressedMb.toFixed(2)} MB decompressed, ${(event.awslogs.data.length / 1024).toFixed(0)} KB base64, ${ERROR_RATE * 100} % errors`);
    console.log(`logs: floor   (base64 + gunzip + JSON.parse of batch and messages)  median ${plain.floorMs.toFixed(1)} ms over ${rounds}`);
    console.log(`logs: handler (decode, redact, parse, split, gzip, POST, digest)   median ${plain.handlerMs.toFixed(1)} ms, interleaved with the floor`);
    const c = plain.cpuMs;
    console.log(`logs: CPU per round: floor ${c.floorMain.toFixed(1)} ms; handler ${c.handlerMain.toFixed(1)} ms on the main thread, ${c.handlerAll.toFixed(1)} ms with zlib's thread pool (ratio on the main thread ${(c.handlerMain / c.floorMain).toFixed(2)})`);
    console.log(`logs: throughput ${throughput.toFixed(0)} MB/s decompressed (target >= ${TARGET_MB_PER_S}) ${verdict(throughput >= TARGET_MB_PER_S)}`);
    console.log(`logs: handler/floor ratio ${ratio.toFixed(2)} (target <= ${TARGET_RATIO}) ${verdict(ratio <= TARGET_RATIO)}`);
    console.log(`logs: peak RSS of the handler alone ${handlerOnly.peakRssMb.toFixed(0)} MB with node's default heap (target <= ${TARGET_RSS_MB}) ${verdict(handlerOnly.peakRssMb <= TARGET_RSS_MB)}; per process ${handlerOnly.peakRssMbs.map((v) => v.toFixed(0)).join(', ')}; handler alone median ${handlerOnly.handlerMs.toFixed(1)} ms`);
    console.log(`logs: peak RSS of the floor alone ${floorOnly.peakRssMb.toFixed(0)} MB; of floor and handler interleaved ${plain.peakRssMb.toFixed(0)} MB`);
    if (m) console.log(`logs: handler alone, at its highest sampled RSS (${m.rss.toFixed(0)} MB): V8 heap ${m.heapTotal.toFixed(0)} MB committed / ${m.heapUsed.toFixed(0)} MB used, external ${m.external.toFixed(0)} MB (array buffers ${m.arrayBuffers.toFixed(0)} MB); ${m.loadedRss.toFixed(0)} MB once the bundle is loaded`);
    console.log(`logs: with Lambda's heap flags for ${DEPLOYED_MEMORY_MB} MB (${lambdaFlags.join(' ')}): handler ${lambda.handlerMs.toFixed(1)} ms, floor ${lambda.floorMs.toFixed(1)} ms, handler alone peaks at ${lambdaAlone.peakRssMb.toFixed(0)} MB ${verdict(lambdaAlone.peakRssMb <= TARGET_RSS_MB)}`);
    console.log(`logs: with Lambda's heap flags for ${SMALL_MEMORY_MB} MB (${smallFlags.join(' ')}): handler alone ${smallAlone.handlerMs.toFixed(1)} ms, peaks at ${smallAlone.peakRssMb.toFixed(0)} MB ${verdict(smallAlone.peakRssMb <= TARGET_RSS_MB)}`);
    if (s) console.log(`logs: per batch ${s.requests} requests, ${(s.bytes / 1_048_576).toFixed(2)} MB NDJSON -> ${(s.compressedBytes / 1024).toFixed(0)} KB gzip, ${s.forwarded} forwarded, digest ${s.digest}, ${plain.last.metricKb.toFixed(1)} KB of EMF`);
  } finally {
    await new Promise((resolve) => sink.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void run();
