// Benchmark: forwardLogs throughput against the decode floor, on a 10,000-event batch to a loopback HTTP sink.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { loadConfig } from '../shared/config';
import type { DigestGate } from '../shared/logs/digest-gate';
import { createForwardDependencies, handleLogsDelivery } from '../shared/logs/entry';
import { logsPolicySchema } from '../shared/logs/policy';
import { API_LOG_GROUP, API_LOG_STREAM, benchMessages, dataMessage, encodeSubscription } from '../test/support/logs-samples';

const EVENTS = 10_000;
const ERROR_RATE = 0.02;
const WARMUP = 5;
const ROUNDS = 25;
const TARGET_MB_PER_S = 100;
const TARGET_RATIO = 2.5;
const TARGET_RSS_MB = 150;

/** The floor: what any forwarder must do — base64, gunzip, parse the batch and every message. */
function floor(data: string): number {
  const batch = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as { logEvents: { message: string }[] };
  let fields = 0;
  for (const event of batch.logEvents) fields += Object.keys(JSON.parse(event.message) as object).length;
  return fields;
}

/** A sink and Slack webhook on 127.0.0.1 that drain every byte and answer 200. */
async function drainingServer(): Promise<{ server: Server; url: string; received: () => number }> {
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, received: () => bytes };
}

async function time(rounds: number, fn: () => unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

export async function run(): Promise<void> {
  const payload = dataMessage(API_LOG_GROUP, API_LOG_STREAM, benchMessages(EVENTS, ERROR_RATE));
  const event = encodeSubscription(payload);
  const decompressed = Buffer.byteLength(JSON.stringify(payload));
  const messageBytes = payload.logEvents.reduce((sum, e) => sum + Buffer.byteLength(e.message), 0);

  const sink = await drainingServer();
  const settings = loadConfig({ STAGE: 'bench', DRY_RUN: 'false', LOG_SINK_URL: `${sink.url}/ingest`, SLACK_WEBHOOK_URL: `${sink.url}/slack`, STATE_TABLE: 'bench-state' });
  const policy = logsPolicySchema.parse({ groups: [{ match: API_LOG_GROUP, service: 'retail-prediction-api' }] });
  // The digest rate limit always opens here: DynamoDB is not part of what is measured.
  const gate: DigestGate = { tryOpen: async (_g, _e, _i, now) => ({ open: true, suppressedErrors: 0, openedAt: now }), release: async () => undefined };
  let metricBytes = 0;
  const real = createForwardDependencies(settings, policy);
  const quiet = { info: () => undefined, warn: () => undefined, error: console.error };
  const deps = { ...real, digest: real.digest && { ...real.digest, gate }, writeMetric: (line: string) => void (metricBytes += line.length), log: quiet };

  try {
    await time(WARMUP, () => floor(event.awslogs.data));
    await time(WARMUP, () => handleLogsDelivery(event, deps));
    // Interleaved so both see the same machine load.
    const floorTimes: number[] = [];
    const handlerTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      floorTimes.push(...(await time(1, () => floor(event.awslogs.data))));
      handlerTimes.push(...(await time(1, () => handleLogsDelivery(event, deps))));
    }
    const floorMs = median(floorTimes);
    const handlerMs = median(handlerTimes);
    const throughput = decompressed / 1_048_576 / (handlerMs / 1000);
    const ratio = handlerMs / floorMs;
    const rssMb = process.resourceUsage().maxRSS / 1024;
    const summary = await handleLogsDelivery(event, deps);
    console.log(`logs: batch of ${EVENTS} events, ${(decompressed / 1_048_576).toFixed(2)} MB decompressed (${(messageBytes / 1_048_576).toFixed(2)} MB of messages), ${(event.awslogs.data.length / 1024).toFixed(0)} KB base64`);
    console.log(`logs: floor   (base64 + gunzip + JSON.parse batch and messages) median ${floorMs.toFixed(1)} ms over ${ROUNDS}`);
    console.log(`logs: handler (decode → parse → redact → split → gzip → POST)     median ${handlerMs.toFixed(1)} ms over ${ROUNDS}`);
    console.log(`logs: throughput ${throughput.toFixed(0)} MB/s (target >= ${TARGET_MB_PER_S}) ${throughput >= TARGET_MB_PER_S ? 'OK' : 'MISSED'}`);
    console.log(`logs: handler/floor ratio ${ratio.toFixed(2)} (target <= ${TARGET_RATIO}) ${ratio <= TARGET_RATIO ? 'OK' : 'MISSED'}`);
    console.log(`logs: peak RSS ${rssMb.toFixed(0)} MB (target <= ${TARGET_RSS_MB}) ${rssMb <= TARGET_RSS_MB ? 'OK' : 'MISSED'}`);
    if ('requests' in summary) {
      console.log(`logs: per batch ${summary.requests} requests, ${(summary.bytes / 1_048_576).toFixed(2)} MB NDJSON → ${(summary.compressedBytes / 1024).toFixed(0)} KB gzip, digest ${summary.digest}, ${summary.forwarded} forwarded, ${(metricBytes / (WARMUP + ROUNDS + 1) / 1024).toFixed(1)} KB EMF`);
    }
  } finally {
    await new Promise((resolve) => sink.server.close(resolve));
  }
}

if (require.main === module) void run();
