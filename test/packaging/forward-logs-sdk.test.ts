// Packaging: the deployed forwardLogs bundle evaluates the AWS SDK (and Slack's client) only once a batch has an error digest to send.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluatedPackages } from '../support/bundle-evaluation';
import { API_LOG_GROUP, API_LOG_STREAM, apiLogMessages, dataMessage, encodeSubscription } from '../support/logs-samples';
import { REPO_ROOT } from './serverless';

jest.setTimeout(120_000);

const ENTRY = join(REPO_ROOT, 'functions/forwardLogs/handler.ts');
/** The clients only the Slack error digest uses: the AWS SDK (its gate's DynamoDB, the webhook's SSM) and Slack's webhook client. */
const DIGEST_CLIENTS = /^@aws-sdk\/|^@slack\/webhook$/;

/**
 * A receiver in a process of its own (the bundle runs in a synchronous child, which would block one in
 * this process), on 127.0.0.1 port 0: it stands in for the log sink, the Slack webhook and DynamoDB,
 * answers every request with success, and prints one JSON line per request.
 */
const RECEIVER = `
  const server = require('node:http').createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      console.log(JSON.stringify({ method: req.method, url: req.url, target }));
      // An UpdateItem that returns no attributes: the digest's gate opens with nothing held back.
      if (target) res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));`;

interface Received {
  readonly method: string;
  readonly url: string;
  readonly target?: string;
}

let receiver: ChildProcessWithoutNullStreams;
let port: number;
let output = '';
let outDir: string;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'firebreak-forward-logs-sdk-'));
  receiver = spawn(process.execPath, ['-e', RECEIVER], { env: { PATH: process.env.PATH } });
  receiver.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  port = await new Promise<number>((resolve, reject) => {
    receiver.once('error', reject);
    receiver.stdout.on('data', () => {
      const first = output.split('\n')[0];
      if (output.includes('\n') && first) resolve((JSON.parse(first) as { port: number }).port);
    });
  });
});

afterAll(async () => {
  const exited = new Promise((resolve) => receiver.once('exit', resolve));
  receiver.kill();
  await exited;
  rmSync(outDir, { recursive: true, force: true });
});

/** What the receiver has seen since `before` (a length of its output). */
async function receivedSince(before: number): Promise<Received[]> {
  // Its lines arrive while this process was blocked on the bundle's run: let them be read.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return output
    .slice(before)
    .split('\n')
    .filter((line) => line.startsWith('{"method"'))
    .map((line) => JSON.parse(line) as Received);
}

/** The local stage as `serverless invoke local` runs it: offline, dry run. */
const LOCAL = { STAGE: 'local', AWS_REGION: 'us-east-1', POWERTOOLS_DEV: 'false' };

/** A live function (not a dry run, digests enabled) whose sink, Slack webhook and DynamoDB are the receiver. */
const live = (): NodeJS.ProcessEnv => ({
  ...LOCAL,
  DRY_RUN: 'false',
  LOG_SINK_URL: `http://127.0.0.1:${port}/ingest`,
  SLACK_WEBHOOK_URL: `http://127.0.0.1:${port}/slack`,
  STATE_TABLE: 'firebreak-local-state',
  DELIVERY_MAX_ATTEMPTS: '1',
  AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
  AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
  AWS_SECRET_ACCESS_KEY: 'local-test-secret',
  AWS_EC2_METADATA_DISABLED: 'true',
});

const CONTEXT = {
  functionName: 'firebreak-local-forwardLogs',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:firebreak-local-forwardLogs',
  memoryLimitInMB: '1024',
  functionVersion: '$LATEST',
};

/** JavaScript that invokes the handler with `event` and fails unless its summary matches `expected`. */
function invoke(event: unknown, expected: Record<string, unknown>): string {
  return `
    const context = { ...${JSON.stringify(CONTEXT)}, getRemainingTimeInMillis: () => 10000 };
    const summary = await handler(${JSON.stringify(event)}, context);
    const expected = ${JSON.stringify(expected)};
    for (const [key, value] of Object.entries(expected)) {
      if (summary[key] !== value) throw new Error('unexpected summary: ' + JSON.stringify(summary));
    }`;
}

const withErrors = (): unknown => JSON.parse(readFileSync(join(REPO_ROOT, 'events/logs-api.json'), 'utf8'));
const withoutErrors = (): unknown => encodeSubscription(dataMessage(API_LOG_GROUP, API_LOG_STREAM, apiLogMessages(40, { errorRate: 0, seed: 7 })));

it('evaluates nothing of the AWS SDK nor Slack\'s client when it loads, in the local stage and live', async () => {
  await expect(evaluatedPackages(ENTRY, DIGEST_CLIENTS, LOCAL, outDir)).resolves.toEqual([]);
  await expect(evaluatedPackages(ENTRY, DIGEST_CLIENTS, live(), outDir)).resolves.toEqual([]);
});

it('evaluates none of it for a batch without errors, which it forwards', async () => {
  const before = output.length;
  const packages = await evaluatedPackages(ENTRY, DIGEST_CLIENTS, live(), outDir, invoke(withoutErrors(), { received: 40, forwarded: 40, failed: 0, digest: 'no-errors', dryRun: false }));
  expect(packages).toEqual([]);
  expect(await receivedSince(before)).toEqual([{ method: 'POST', url: '/ingest' }]);
});

it('evaluates none of it in a dry run, which plans the digest of a batch with errors without sending it', async () => {
  await expect(evaluatedPackages(ENTRY, DIGEST_CLIENTS, LOCAL, outDir, invoke(withErrors(), { received: 43, digest: 'planned', dryRun: true }))).resolves.toEqual([]);
});

it('loads DynamoDB, SSM and Slack\'s client for the first batch whose errors need a digest, and sends it through them', async () => {
  const before = output.length;
  const packages = await evaluatedPackages(ENTRY, DIGEST_CLIENTS, live(), outDir, invoke(withErrors(), { received: 43, forwarded: 43, failed: 0, digest: 'sent' }));
  expect(packages).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/client-ssm', '@aws-sdk/core', '@slack/webhook']));
  const received = await receivedSince(before);
  expect(received).toContainEqual({ method: 'POST', url: '/', target: 'DynamoDB_20120810.UpdateItem' });
  // UpdateItem is the one table action forwardLogs' role grants (cloudformation.test.ts): the bundle calls no other.
  expect(new Set(received.flatMap((r) => (r.target ? [r.target] : [])))).toEqual(new Set(['DynamoDB_20120810.UpdateItem']));
  expect(received).toContainEqual({ method: 'POST', url: '/slack' });
});
