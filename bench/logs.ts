// Benchmark: forwardLogs throughput against the decode floor, on a 10,000-event batch to a loopback HTTP sink.
//
// The measured code runs as Lambda runs it: bundled with the deployment's esbuild settings and run by
// plain `node` in a child process that holds only that bundle and one prepared delivery. The sink (and
// the Slack webhook) is served by this process, as a real sink runs elsewhere, and drains every byte.
// Floor and handler run in processes of their own, alternating, so each pays for its own garbage only.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { API_LOG_GROUP, API_LOG_STREAM, benchMessages, dataMessage, encodeSubscription } from '../test/support/logs-samples';
import type { WorkerOptions, WorkerResult } from './logs-worker';
import type { BenchVerdict } from './verdict';

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
/** What forwardLogs' environment in serverless.yml sets for the process itself (a packaging test holds them equal). */
export const FORWARD_LOGS_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };

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
function runWorker(bundle: string, options: WorkerOptions, nodeFlags: readonly string[], processEnv = FORWARD_LOGS_PROCESS_ENV): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, bundle, JSON.stringify(options)], {
      env: { ...process.env, ...processEnv, POWERTOOLS_LOG_LEVEL: 'ERROR' },
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

/** Every round of every child pooled; the highest peak RSS kept. */
function summarise(results: WorkerResult[]) {
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

/** Several children in turn, summarised. */
async function measure(bundle: string, options: WorkerOptions, nodeFlags: readonly string[], children = CHILDREN) {
  const results: WorkerResult[] = [];
  for (let i = 0; i < children; i++) results.push(await runWorker(bundle, options, nodeFlags));
  return summarise(results);
}

export async function run(print: (line: string) => void): Promise<BenchVerdict[]> {
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
    // Each side in processes of its own, alternating floor and handler processes so both see the same
    // machine load: a deployed function runs only the handler, and neither side then collects the
    // other's garbage (the floor promotes its whole parsed batch every round).
    const floorRuns: WorkerResult[] = [];
    const handlerRuns: WorkerResult[] = [];
    for (let i = 0; i < CHILDREN; i++) {
      floorRuns.push(await runWorker(bundle, { ...options, only: 'floor' }, []));
      handlerRuns.push(await runWorker(bundle, { ...options, only: 'handler' }, []));
    }
    const floorAlone = summarise(floorRuns);
    const handlerOnly = summarise(handlerRuns);
    // Both in one process, rounds alternating, as a second view of the same comparison.
    const plain = await measure(bundle, options, [], 1);
    const lambdaFlags = lambdaHeapFlags(DEPLOYED_MEMORY_MB);
    const lambdaAlone = await measure(bundle, { ...options, only: 'handler' }, lambdaFlags, 1);
    const smallFlags = lambdaHeapFlags(SMALL_MEMORY_MB);
    const smallAlone = await measure(bundle, { ...options, only: 'handler' }, smallFlags, 1);
    const withoutProcessEnv = summarise([await runWorker(bundle, { ...options, only: 'handler' }, [], {})]);

    const throughput = decompressedMb / (handlerOnly.handlerMs / 1000);
    const ratio = handlerOnly.handlerMs / floorAlone.floorMs;
    const verdicts: BenchVerdict[] = [];
    /** Records a target's verdict and says it, as the line's last word. */
    const verdict = (target: string, met: boolean) => {
      verdicts.push({ target: `logs: ${target}`, met });
      return met ? 'OK' : 'MISSED';
    };
    const s = handlerOnly.last.summary;
    const m = handlerOnly.atPeak;
    const rounds = `${CHILDREN * ROUNDS} rounds in ${CHILDREN} processes`;
    print(`logs: batch of ${EVENTS} events, ${decompressedMb.toFixed(2)} MB decompressed, ${(event.awslogs.data.length / 1024).toFixed(0)} KB base64, ${ERROR_RATE * 100} % errors`);
    print(`logs: floor   (base64 + gunzip + JSON.parse of batch and messages)  median ${floorAlone.floorMs.toFixed(1)} ms over ${rounds}`);
    print(`logs: handler (decode, redact, parse, split, gzip, POST, digest)   median ${handlerOnly.handlerMs.toFixed(1)} ms over ${rounds}, alternating with the floor's processes`);
    print(`logs: CPU per round: floor ${floorAlone.cpuMs.floorMain.toFixed(1)} ms; handler ${handlerOnly.cpuMs.handlerMain.toFixed(1)} ms on the main thread, ${handlerOnly.cpuMs.handlerAll.toFixed(1)} ms with zlib's thread pool (ratio on the main thread ${(handlerOnly.cpuMs.handlerMain / floorAlone.cpuMs.floorMain).toFixed(2)})`);
    print(`logs: throughput ${throughput.toFixed(0)} MB/s decompressed (target >= ${TARGET_MB_PER_S}) ${verdict(`throughput >= ${TARGET_MB_PER_S} MB/s`, throughput >= TARGET_MB_PER_S)}`);
    print(`logs: handler/floor ratio ${ratio.toFixed(2)} (target <= ${TARGET_RATIO}) ${verdict(`handler/floor <= ${TARGET_RATIO}`, ratio <= TARGET_RATIO)}`);
    print(`logs: peak RSS of the handler ${handlerOnly.peakRssMb.toFixed(0)} MB with node's default heap (target <= ${TARGET_RSS_MB}) ${verdict(`peak RSS <= ${TARGET_RSS_MB} MB with node's default heap`, handlerOnly.peakRssMb <= TARGET_RSS_MB)}; per process ${handlerOnly.peakRssMbs.map((v) => v.toFixed(0)).join(', ')}; of the floor ${floorAlone.peakRssMb.toFixed(0)} MB`);
    const processEnv = Object.entries(FORWARD_LOGS_PROCESS_ENV).map(([k, v]) => `${k}=${v}`).join(' ');
    print(`logs: these processes run with forwardLogs' deployed ${processEnv}; without it one handler process peaks at ${withoutProcessEnv.peakRssMb.toFixed(0)} MB (median ${withoutProcessEnv.handlerMs.toFixed(1)} ms)`);
    if (m) print(`logs: handler, at its highest sampled RSS (${m.rss.toFixed(0)} MB): V8 heap ${m.heapTotal.toFixed(0)} MB committed / ${m.heapUsed.toFixed(0)} MB used, external ${m.external.toFixed(0)} MB (array buffers ${m.arrayBuffers.toFixed(0)} MB); ${m.loadedRss.toFixed(0)} MB once the bundle is loaded`);
    print(`logs: in one process, rounds alternating: floor ${plain.floorMs.toFixed(1)} ms, handler ${plain.handlerMs.toFixed(1)} ms, ratio ${(plain.handlerMs / plain.floorMs).toFixed(2)} (the handler then also collects the floor's promoted batch)`);
    print(`logs: with Lambda's heap flags for ${DEPLOYED_MEMORY_MB} MB (${lambdaFlags.join(' ')}): handler ${lambdaAlone.handlerMs.toFixed(1)} ms, peaks at ${lambdaAlone.peakRssMb.toFixed(0)} MB ${verdict(`peak RSS <= ${TARGET_RSS_MB} MB with Lambda's heap flags for ${DEPLOYED_MEMORY_MB} MB`, lambdaAlone.peakRssMb <= TARGET_RSS_MB)}`);
    print(`logs: with Lambda's heap flags for ${SMALL_MEMORY_MB} MB (${smallFlags.join(' ')}): handler ${smallAlone.handlerMs.toFixed(1)} ms, peaks at ${smallAlone.peakRssMb.toFixed(0)} MB ${verdict(`peak RSS <= ${TARGET_RSS_MB} MB with Lambda's heap flags for ${SMALL_MEMORY_MB} MB`, smallAlone.peakRssMb <= TARGET_RSS_MB)}`);
    if (s) print(`logs: per batch ${s.requests} requests, ${(s.bytes / 1_048_576).toFixed(2)} MB NDJSON -> ${(s.compressedBytes / 1024).toFixed(0)} KB gzip, ${s.forwarded} forwarded, digest ${s.digest}, ${handlerOnly.last.metricKb.toFixed(1)} KB of EMF`);
    return verdicts;
  } finally {
    await new Promise((resolve) => sink.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void run(console.log);
