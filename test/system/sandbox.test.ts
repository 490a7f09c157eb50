// System: `firebreak sandbox` starts stage local's world on 127.0.0.1, and a function bundled as deployed runs live in it with the flags it prints.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeTableCommand, DescribeTimeToLiveCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { build, type BuildOptions } from 'esbuild';
import { SAMPLE_EVENTS, SANDBOX_MAILBOX, SANDBOX_ROUTING_KEY, startSandbox, type Sandbox } from '../../shared/cli/sandbox';
import { deliveryKey } from '../../shared/delivery/ledger';
import { stagePolicy } from '../../shared/policy/load';
import { FUNCTION_NAMES, REPO_ROOT, type FunctionName } from '../packaging/serverless';
import { REFERENCE_WORKLOAD } from './account/prerequisites';

/** Every variable the sandbox's flags must set (the brief of `firebreak sandbox`, README "Running live on your machine"). */
const FLAG_NAMES = [
  'DRY_RUN',
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'STATE_TABLE',
  'EMAIL_TOPIC_ARN',
  'SLACK_WEBHOOK_URL',
  'PAGERDUTY_EVENTS_URL',
  'PAGERDUTY_ROUTING_KEY',
  'SLACK_SIGNING_SECRET',
  'LOG_SINK_URL',
  'KUBECONFIG',
];

interface HandlerRun {
  readonly code: number | null;
  readonly result?: Record<string, unknown>;
  readonly output: string;
}

/** Bundles a handler as serverless-esbuild does for `invoke local` and deployment (esbuild.config.js), into `dir`. */
async function bundle(fn: FunctionName, dir: string): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { exclude: _pluginOnly, ...options } = (require(join(REPO_ROOT, 'esbuild.config.js')) as () => BuildOptions & { exclude?: string[] })();
  const outfile = join(dir, fn, 'handler.js');
  await build({ ...options, entryPoints: [join(REPO_ROOT, 'functions', fn, 'handler.ts')], outfile, logLevel: 'silent' });
  return outfile;
}

/**
 * Runs the bundled handler once on a sample event in a fresh Node process whose environment is only what
 * `serverless invoke local` gives it (the stage's environment, then the -e flags): nothing of this shell's.
 * The process is asynchronous, as the receivers it calls live in this one.
 */
function runHandler(file: string, fn: FunctionName, eventFile: string, env: Record<string, string>): Promise<HandlerRun> {
  const script = [
    `const { handler } = require(${JSON.stringify(file)});`,
    `const event = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(join(REPO_ROOT, eventFile))}, 'utf8'));`,
    `const context = { functionName: 'firebreak-local-${fn}', functionVersion: '$LATEST', awsRequestId: 'sandbox-test', memoryLimitInMB: '1024', getRemainingTimeInMillis: () => 30000 };`,
    `Promise.resolve(handler(event, context)).then((r) => console.log('RESULT ' + JSON.stringify(r)), (e) => { console.error(e); process.exitCode = 1; });`,
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: REPO_ROOT, env: { ...env, AWS_LAMBDA_FUNCTION_NAME: `firebreak-local-${fn}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => {
      const line = output.split('\n').find((l) => l.startsWith('RESULT '));
      resolve({ code, output, result: line ? (JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>) : undefined });
    });
  });
}

const messageIdOf = (eventFile: string): string =>
  (JSON.parse(readFileSync(join(REPO_ROOT, eventFile), 'utf8')) as { Records: { Sns: { MessageId: string } }[] }).Records[0]!.Sns.MessageId;

describe('firebreak sandbox', () => {
  let sandbox: Sandbox | undefined;
  const reported: string[] = [];
  const bundles = mkdtempSync(join(tmpdir(), 'firebreak-sandbox-test-'));
  const running = (): Sandbox => {
    if (!sandbox) throw new Error('the sandbox did not start (see the beforeAll failure)');
    return sandbox;
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ report: (line) => reported.push(line) });
  }, 120_000);

  afterAll(async () => {
    await sandbox?.stop();
    rmSync(bundles, { recursive: true, force: true });
  });

  it("creates STATE_TABLE as stage local's template declares it, and the targets stage local's policy names", async () => {
    const s = running();
    const { Table } = await s.clients.dynamoDb.send(new DescribeTableCommand({ TableName: 'firebreak-local-state' }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const { TimeToLiveDescription } = await s.clients.dynamoDb.send(new DescribeTimeToLiveCommand({ TableName: 'firebreak-local-state' }));
    expect(TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });

    const remediation = stagePolicy('local').remediation;
    expect(remediation?.nodegroups?.map((n) => [n.cluster, n.nodegroup])).toEqual([[REFERENCE_WORKLOAD.cluster, REFERENCE_WORKLOAD.nodegroup]]);
    const { namespace, name } = REFERENCE_WORKLOAD.deployment;
    expect(remediation?.deployments?.map((d) => [d.namespace, d.name])).toEqual([[namespace, name]]);
    expect(s.kube.deployment(namespace, name)).toBeDefined();
    const { AutoScalingGroups } = await s.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [s.asgName] }));
    expect(AutoScalingGroups?.[0]?.DesiredCapacity).toBe(REFERENCE_WORKLOAD.nodegroupCapacity.desired);
  });

  it('gives every flag, and one invoke local line per function with its sample event', () => {
    const s = running();
    expect(Object.keys(s.env)).toEqual(FLAG_NAMES);
    expect(s.env.DRY_RUN).toBe('false');
    for (const value of Object.values(s.env)) expect(value).not.toBe('');
    expect(s.invocations.map((i) => i.fn)).toEqual([...FUNCTION_NAMES]);
    for (const i of s.invocations) {
      expect(existsSync(join(REPO_ROOT, i.event))).toBe(true);
      expect(i.command.startsWith(`npx serverless invoke local --stage local -f ${i.fn} -p ${SAMPLE_EVENTS[i.fn]} -e DRY_RUN=false -e AWS_ENDPOINT_URL=${s.endpoints.aws} `)).toBe(true);
      for (const name of FLAG_NAMES) expect(i.args).toContain(`${name}=${s.env[name]}`);
    }
  });

  it('notify, bundled as deployed and given only what invoke local gives it, delivers to every receiver and records each delivery in STATE_TABLE', async () => {
    const s = running();
    const event = SAMPLE_EVENTS.notify;
    const file = await bundle('notify', bundles);

    const run = await runHandler(file, 'notify', event, s.invokeEnvironment('notify'));

    expect({ code: run.code, result: run.result }).toMatchObject({ code: 0, result: { dryRun: false } });
    const [slack] = s.received.slack.jsonBodies<{ text: string }>();
    expect(slack?.text).toContain('RetailPrediction-HighErrorRate');
    expect(s.received.pagerDuty.jsonBodies()).toEqual([expect.objectContaining({ routing_key: SANDBOX_ROUTING_KEY, event_action: 'trigger' })]);
    expect(s.received.mail.jsonBodies()).toEqual([expect.objectContaining({ endpoint: SANDBOX_MAILBOX, topicArn: s.emailTopicArn, subject: expect.stringContaining('RetailPrediction-HighErrorRate') })]);
    for (const channel of ['pagerduty', 'slack', 'email'] as const) {
      const { pk, sk } = deliveryKey(messageIdOf(event), channel);
      const { Item } = await s.clients.dynamoDb.send(new GetItemCommand({ TableName: s.stateTable, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }));
      expect({ channel, status: Item?.status, expiresAt: Item?.expiresAt?.N !== undefined }).toEqual({ channel, status: { S: 'delivered' }, expiresAt: true });
    }
    // What a developer sees in the sandbox's own output: each payload as it arrives.
    expect(reported.filter((line) => /^\[(slack|pagerduty|email)\]/.test(line))).toHaveLength(3);
  });

  it('stops every process it started and removes its files', async () => {
    const s = running();
    await s.stop();
    await expect(fetch(`${s.endpoints.aws}/moto-api/`)).rejects.toThrow();
    await expect(fetch(s.endpoints.slack, { method: 'POST', body: '{}' })).rejects.toThrow();
    expect(existsSync(s.endpoints.kubeconfig)).toBe(false);
  });
});

describe('firebreak sandbox without moto', () => {
  it('says what to install and exits 1', async () => {
    const script = `require('./shared/cli/sandbox').sandboxCommand.run([], { print: console.log, error: console.error, env: process.env }).then((code) => (process.exitCode = code));`;
    const run = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), '-e', script], {
        cwd: REPO_ROOT,
        env: { ...process.env, FIREBREAK_PYTHON: join(tmpdir(), 'no-such-python3') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, output }));
    });
    expect(run.code).toBe(1);
    expect(run.output).toContain('firebreak sandbox needs moto in server mode');
    expect(run.output).toContain('pip install "moto[server]"');
  });
});
