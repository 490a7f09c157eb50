// Benchmark: notify's own processing time per alarm, and fan-out wall time against slow loopback receivers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SNSClient } from '@aws-sdk/client-sns';
import type { SNSEvent } from 'aws-lambda';
import { loadConfig } from '../shared/config';
import { parseSnsRecord } from '../shared/alarm/parse';
import { policyForStage } from '../shared/policy/load';
import { planNotification } from '../shared/notify/plan';
import { fanOut } from '../shared/notify/fan-out';
import { InMemoryDeliveryLedger } from '../shared/delivery/ledger';
import { createNotifiers } from '../shared/notify/notifiers';
import { fanOutDeps, inMemoryNotifyState } from '../shared/notify/deps';
import { TestReceiver } from '../test/support/receiver';
import type { BenchVerdict } from './verdict';

/** Each receiver answers after this long: the fan-out must take at most 1.2x it, not 3x. */
const CHANNEL_DELAY_MS = 200;
const ROUNDS = 7;
const PROCESSING_ITERATIONS = 20_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const SNS_PUBLISH_RESPONSE =
  '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>bench</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>';

function sampleRecords() {
  const dir = join(__dirname, '..', 'events');
  return readdirSync(dir)
    .filter((f) => f.startsWith('alarm-'))
    .map((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as SNSEvent).Records[0]!);
}

function processingTime(): number {
  const records = sampleRecords();
  const ctx = { policy: policyForStage('prod').notify, stage: 'prod', runbookBaseUrl: 'https://runbooks.example.com/' };
  for (let i = 0; i < 2_000; i++) planNotification(parseSnsRecord(records[i % records.length]!), ctx); // warm-up
  const started = performance.now();
  for (let i = 0; i < PROCESSING_ITERATIONS; i++) planNotification(parseSnsRecord(records[i % records.length]!), ctx);
  return ((performance.now() - started) * 1000) / PROCESSING_ITERATIONS;
}

async function fanOutTimes(): Promise<{ slowestAlone: number; fanOut: number }> {
  const slow = { delayMs: CHANNEL_DELAY_MS };
  const slack = await TestReceiver.start({ status: 200, body: 'ok', ...slow });
  const pagerduty = await TestReceiver.start({ status: 202, body: '{"status":"success","dedup_key":"k"}', ...slow });
  const sns = await TestReceiver.start({ status: 200, body: SNS_PUBLISH_RESPONSE, headers: { 'content-type': 'text/xml' }, ...slow });
  try {
    const config = loadConfig({
      STAGE: 'prod',
      DRY_RUN: 'false',
      SLACK_WEBHOOK_URL: slack.url('/services/T/B/x'),
      PAGERDUTY_ROUTING_KEY: 'bench-key',
      PAGERDUTY_EVENTS_URL: pagerduty.url('/v2/enqueue'),
      EMAIL_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:bench-email',
    });
    const snsClient = new SNSClient({ region: 'us-east-1', endpoint: sns.url(), credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
    const notifiers = createNotifiers(config, { sns: snsClient });
    const message = parseSnsRecord(sampleRecords().find((r) => r.Sns.Message.includes('HighErrorRate') && r.Sns.Message.includes('"NewStateValue":"ALARM"'))!);
    const deps = { ...fanOutDeps(config, policyForStage('prod'), inMemoryNotifyState()), notifiers };
    const alone: number[] = [];
    const together: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Interleaved, so machine noise hits both measurements alike.
      const plan = planNotification(message, deps);
      for (const delivery of plan.deliveries) {
        const started = performance.now();
        await fanOut(message, { ...deps, ledger: new InMemoryDeliveryLedger(), policy: { ...deps.policy, routes: [], defaultRoute: { channels: [delivery.channel] } } });
        alone.push(performance.now() - started);
      }
      const started = performance.now();
      const summary = await fanOut(message, { ...deps, ledger: new InMemoryDeliveryLedger() });
      together.push(performance.now() - started);
      if (summary.outcomes.some((o) => o.status !== 'delivered')) throw new Error(`bench fan-out did not deliver: ${JSON.stringify(summary.outcomes)}`);
    }
    // The slowest single channel: the largest per-round median of the three channels alone.
    const perChannel = [0, 1, 2].map((c) => median(alone.filter((_, i) => i % 3 === c)));
    return { slowestAlone: Math.max(...perChannel), fanOut: median(together) };
  } finally {
    await Promise.all([slack.close(), pagerduty.close(), sns.close()]);
  }
}

export async function run(print: (line: string) => void): Promise<BenchVerdict[]> {
  print('notify');
  const perAlarmUs = processingTime();
  print(`  processing per alarm (parse + severity + route + format 3 channels, no network): ${perAlarmUs.toFixed(1)} µs`);
  const { slowestAlone, fanOut: together } = await fanOutTimes();
  const ratio = together / slowestAlone;
  const met = ratio <= 1.2;
  print(`  slowest channel alone (receivers answer after ${CHANNEL_DELAY_MS} ms): ${slowestAlone.toFixed(1)} ms (median of ${ROUNDS})`);
  print(`  three-channel fan-out: ${together.toFixed(1)} ms (median of ${ROUNDS})`);
  print(`  ratio fan-out / slowest channel: ${ratio.toFixed(3)}x (target <= 1.2x) ${met ? 'OK' : 'MISSED'}`);
  return [{ target: 'notify: three-channel fan-out <= 1.2x the slowest channel alone', met }];
}

if (require.main === module) void run(console.log);
