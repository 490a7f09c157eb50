// System suite: the Lambda service. Receives the emulator's deliveries (SNS, CloudWatch Logs, asynchronous Invoke; mail and
// the widgets GetMetricWidgetImage was asked to draw are recorded) and runs each
// function's deployed artifact in a fresh Node 24 process, under its own role, as an asynchronous invocation:
// retries, then the on-failure destination; the function's output goes to its log group with its role.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { REPO_ROOT, type FunctionName } from '../../packaging/serverless';
import type { Credentials, Emulator } from '../emulator/moto';
import type { SystemClock } from '../clock';
import type { DeployedFunction, DeployedStack } from '../stack/deploy';

const NODE_24 = join(REPO_ROOT, 'node_modules/node/bin/node');
const BOOTSTRAP = join(__dirname, 'bootstrap.cjs');
/** Functions running at once: the machine has two cores, shared with the emulator. */
const CONCURRENCY = 3;

/**
 * `invoke`: lambda:Invoke with InvocationType Event, as an operator's replay calls it (moto_server.py, gap 13);
 * `url`: a request to the function's Function URL (synchronous: answered with the handler's result, never retried).
 */
export type EventSource = 'sns' | 'logs' | 'schedule' | 'invoke' | 'url';

/** One run of a function on one event (an attempt: a retried event has several). */
export interface Invocation {
  readonly function: FunctionName;
  readonly source: EventSource;
  readonly event: unknown;
  readonly attempt: number;
  readonly ok: boolean;
  readonly result?: unknown;
  readonly errorType?: string;
  readonly errorMessage?: string;
  /** What the function wrote to stdout and stderr. */
  readonly output: string;
  readonly durationMs: number;
}

/** A message SNS would have mailed to an email subscription. */
export interface Mail {
  readonly endpoint: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
}

interface Job {
  readonly fn: DeployedFunction;
  readonly source: EventSource;
  readonly event: unknown;
  attempt: number;
  /** A synchronous invocation's caller, handed its one attempt. */
  readonly settle?: (invocation: Invocation) => void;
}

/**
 * Environment the suite sets on top of what the template gives a function: only endpoints outside AWS
 * (PagerDuty, the log sink, the Kubernetes API), which point at loopback doubles. Everything else is the
 * template's.
 */
export type ExternalEndpoints = Partial<Record<FunctionName, Readonly<Record<string, string>>>>;

export class LambdaService {
  readonly invocations: Invocation[] = [];
  readonly mail: Mail[] = [];
  /** The widgets CloudWatch was asked to draw (GetMetricWidgetImage, emulator gap 14), in order. */
  readonly widgets: { readonly widget: Record<string, unknown>; readonly outputFormat?: string }[] = [];
  private readonly queue: Job[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  private stack?: DeployedStack;
  private emulator?: Emulator;
  private external: ExternalEndpoints = {};
  private readonly credentials = new Map<FunctionName, Promise<Credentials>>();
  private readonly taskRoots = new Map<FunctionName, string>();
  private readonly workDir = mkdtempSync(join(tmpdir(), 'firebreak-lambda-'));
  private deliveryErrors: string[] = [];

  private constructor(
    private readonly server: Server,
    private readonly clock: SystemClock,
  ) {}

  static async start(clock: SystemClock): Promise<LambdaService> {
    const server = createServer();
    const service = new LambdaService(server, clock);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          service.receive(req.url ?? '', JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
          res.writeHead(202).end('{}');
        } catch (error) {
          service.deliveryErrors.push(`${req.url}: ${(error as Error).message}`);
          res.writeHead(400).end(JSON.stringify({ error: (error as Error).message }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return service;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Binds the service to a deployed stack; `external` points endpoints outside AWS at doubles. */
  attach(emulator: Emulator, stack: DeployedStack, external: ExternalEndpoints): void {
    this.emulator = emulator;
    this.stack = stack;
    this.external = external;
  }

  /** Invokes a function asynchronously, as EventBridge Scheduler or a rule does. */
  invokeAsync(name: FunctionName, source: EventSource, event: unknown): void {
    this.enqueue({ fn: this.deployed(name), source, event, attempt: 1 });
  }

  /**
   * A request to the function's Function URL (AuthType NONE: no caller is authorised), as Lambda hands it
   * over: payload format 2.0, run once, the handler's result the HTTP answer. Resolves with that invocation.
   */
  invokeFunctionUrl(name: FunctionName, request: unknown): Promise<Invocation> {
    return new Promise((settle) => this.enqueue({ fn: this.deployed(name), source: 'url', event: request, attempt: 1, settle }));
  }

  /** Resolves once no invocation is queued or running (including retries). */
  async idle(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Deliveries the service could not accept (unknown function, bad body): a test fails on any. */
  problems(): readonly string[] {
    return this.deliveryErrors;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.workDir, { recursive: true, force: true });
  }

  private deployed(name: FunctionName): DeployedFunction {
    const fn = this.stack?.functions.get(name);
    if (!fn) throw new Error(`no deployed function ${name}`);
    return fn;
  }

  private receive(path: string, body: Record<string, unknown>): void {
    if (path === '/mail') {
      this.mail.push(body as unknown as Mail);
      return;
    }
    if (path === '/metric-widget-image') {
      this.widgets.push(body as unknown as (typeof this.widgets)[number]);
      return;
    }
    if (path !== '/invoke') throw new Error(`unknown delivery path ${path}`);
    const arn = String(body.functionArn);
    const fn = [...(this.stack?.functions.values() ?? [])].find((f) => f.arn === arn || arn.endsWith(`:function:${f.functionName}`));
    if (!fn) throw new Error(`delivery to ${arn}, which is not a deployed function`);
    this.enqueue({ fn, source: body.source as EventSource, event: body.event, attempt: 1 });
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (this.running < CONCURRENCY && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      void this.run(job)
        .catch((error: Error) => {
          this.deliveryErrors.push(`${job.fn.name}: the service failed: ${error.stack ?? error.message}`);
          // A synchronous caller is answered even so (with the failure), never left waiting.
          job.settle?.({ function: job.fn.name, source: job.source, event: job.event, attempt: job.attempt, ok: false, errorType: 'ServiceException', errorMessage: error.message, output: '', durationMs: 0 });
        })
        .finally(() => {
          this.running--;
          this.pump();
          if (this.queue.length === 0 && this.running === 0) this.idleWaiters.splice(0).forEach((w) => w());
        });
    }
  }

  private roleCredentials(fn: DeployedFunction): Promise<Credentials> {
    let found = this.credentials.get(fn.name);
    if (!found) {
      const emulator = this.emulator!;
      const sts = new STSClient({ endpoint: emulator.endpoint, region: this.stack!.facts.region, credentials: emulator.lambdaService });
      found = sts.send(new AssumeRoleCommand({ RoleArn: fn.roleArn, RoleSessionName: fn.functionName, DurationSeconds: 3600 })).then(({ Credentials: c }) => {
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole of ${fn.roleArn} returned no credentials`);
        return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
      });
      this.credentials.set(fn.name, found);
    }
    return found;
  }

  private taskRoot(fn: DeployedFunction): string {
    let root = this.taskRoots.get(fn.name);
    if (!root) {
      root = join(this.workDir, fn.name);
      const unzip = spawnSync('unzip', ['-q', '-o', fn.zipPath, '-d', root], { encoding: 'utf8' });
      if (unzip.status !== 0) throw new Error(`could not unzip ${fn.zipPath}: ${unzip.stderr}`);
      this.taskRoots.set(fn.name, root);
    }
    return root;
  }

  private async run(job: Job): Promise<void> {
    const { fn } = job;
    const credentials = await this.roleCredentials(fn);
    const requestId = randomUUID();
    const day = this.clock.now().toISOString().slice(0, 10).replace(/-/g, '/');
    const logStream = `${day}/[$LATEST]${requestId.replace(/-/g, '')}`;
    const eventFile = join(this.workDir, `${requestId}.event.json`);
    const outcomeFile = join(this.workDir, `${requestId}.outcome.json`);
    writeFileSync(eventFile, JSON.stringify(job.event));
    const env: Record<string, string> = {
      ...fn.environment,
      ...(this.external[fn.name] ?? {}),
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TZ: 'UTC',
      LANG: 'en_US.UTF-8',
      AWS_REGION: this.stack!.facts.region,
      AWS_DEFAULT_REGION: this.stack!.facts.region,
      AWS_ENDPOINT_URL: this.emulator!.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: logStream,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      LAMBDA_TASK_ROOT: this.taskRoot(fn),
      FIREBREAK_FUNCTION_ARN: fn.arn,
      FIREBREAK_REQUEST_ID: requestId,
      FIREBREAK_FUNCTION_TIMEOUT_MS: String(fn.timeoutSeconds * 1000),
      FIREBREAK_SYSTEM_CLOCK_OFFSET_MS: String(this.clock.offset),
    };
    const started = Date.now();
    let output = '';
    const exit = await new Promise<{ code: number | null; timedOut: boolean }>((resolve) => {
      const child = spawn(NODE_24, [BOOTSTRAP, env.LAMBDA_TASK_ROOT!, fn.handler, eventFile, outcomeFile], { cwd: env.LAMBDA_TASK_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve({ code: null, timedOut: true });
      }, fn.timeoutSeconds * 1000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, timedOut: false });
      });
    });
    let outcome: { ok: boolean; result?: unknown; errorType?: string; errorMessage?: string };
    try {
      outcome = JSON.parse(readFileSync(outcomeFile, 'utf8')) as typeof outcome;
    } catch {
      outcome = exit.timedOut
        ? { ok: false, errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${fn.timeoutSeconds} seconds` }
        : { ok: false, errorType: 'Runtime.ExitError', errorMessage: `the process exited with ${exit.code} before the handler settled` };
    }
    rmSync(eventFile, { force: true });
    rmSync(outcomeFile, { force: true });
    const invocation: Invocation = { function: fn.name, source: job.source, event: job.event, attempt: job.attempt, output, durationMs: Date.now() - started, ...outcome };
    this.invocations.push(invocation);
    await this.shipLogs(fn, credentials, logStream, requestId, invocation);
    if (job.settle) return job.settle(invocation);
    if (invocation.ok) return;
    if (job.attempt <= fn.maximumRetryAttempts) {
      // Lambda waits a minute, then two, between attempts; the suite retries at once.
      this.enqueue({ ...job, attempt: job.attempt + 1 });
      return;
    }
    await this.sendToOnFailureDestination(fn, credentials, requestId, job, invocation);
  }

  /** Lambda writes a function's output to its log group under the function's own role. */
  private async shipLogs(fn: DeployedFunction, credentials: Credentials, logStream: string, requestId: string, invocation: Invocation): Promise<void> {
    const logs = new CloudWatchLogsClient({ endpoint: this.emulator!.endpoint, region: this.stack!.facts.region, credentials, maxAttempts: 1 });
    const logGroupName = `/aws/lambda/${fn.functionName}`;
    const now = this.clock.now().getTime();
    const lines = [`START RequestId: ${requestId} Version: $LATEST`, ...invocation.output.split('\n').filter((l) => l.trim().length > 0), `END RequestId: ${requestId}`];
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: logStream }));
    await logs.send(new PutLogEventsCommand({ logGroupName, logStreamName: logStream, logEvents: lines.map((message) => ({ timestamp: now, message })) }));
  }

  /** After the last retry, the event goes to the on-failure destination, sent with the function's role. */
  private async sendToOnFailureDestination(fn: DeployedFunction, credentials: Credentials, requestId: string, job: Job, invocation: Invocation): Promise<void> {
    const destination = fn.onFailureDestination;
    if (!destination) return;
    const [, , , region, account, queueName] = destination.split(':');
    const sqs = new SQSClient({ endpoint: this.emulator!.endpoint, region, credentials, maxAttempts: 1 });
    const record = {
      version: '1.0',
      timestamp: this.clock.now().toISOString(),
      requestContext: { requestId, functionArn: `${fn.arn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: job.attempt },
      requestPayload: job.event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: invocation.errorType, errorMessage: invocation.errorMessage },
    };
    await sqs.send(new SendMessageCommand({ QueueUrl: `${this.emulator!.endpoint}/${account}/${queueName}`, MessageBody: JSON.stringify(record) }));
  }
}
