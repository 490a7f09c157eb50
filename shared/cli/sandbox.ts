// Operator CLI: `firebreak sandbox` runs stage local's world on 127.0.0.1 (the AWS emulator, Slack, PagerDuty, a log sink, a Kubernetes API) for every function to run live with `serverless invoke local`.
//
// A development tool, never bundled into a function: it runs the system suite's own emulator (moto with the
// gaps of moto_server.py closed), loopback receivers and Kubernetes API double, imported from test/ (dev
// dependencies), and creates in the emulator what stage local's template declares, read from
// `serverless print --stage local`, so the sandbox and the stage cannot disagree.
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EKSClient } from '@aws-sdk/client-eks';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { KubeApiDouble, type SeenRequest } from '../../test/integration/k8s/kube-api-double';
import { FUNCTION_NAMES, printStage, REPO_ROOT, type FunctionName, type JsonObject, type Resource } from '../../test/packaging/serverless';
import { TestReceiver, type RecordedRequest } from '../../test/support/receiver';
import { prerequisites, REFERENCE_WORKLOAD, stageParameters } from '../../test/system/account/prerequisites';
import { AlarmEvaluator } from '../../test/system/cloudwatch/alarms';
import { createStateTable, type StateTableProperties } from '../../test/system/contract/state-table';
import { ACCOUNT_ID, assertMotoAvailable, startEmulator, type Emulator } from '../../test/system/emulator/moto';
import { createFromDefinitions } from '../../test/system/stack/deploy';
import { apiLogLines, apiLogStream, ingest } from '../../test/system/workload/api-logs';
import { publishNodeMetrics } from '../../test/system/workload/container-insights';
import { errorMessage } from '../errors';
import { answerCommandLine, HELP_ASKED, parseCommandLine } from './args';
import { EXIT, UsageError, type CliCommand, type CliIo, type ExitCode } from './command';

/** The stage the sandbox stands in for: its template, its policy, its function environment. */
export const SANDBOX_STAGE = 'local';

/** The sample event each function is run with (events/, as the README's dry runs use them). */
export const SAMPLE_EVENTS: Readonly<Record<FunctionName, string>> = {
  notify: 'events/alarm-high-error-rate-alarm.json',
  scaleNodegroup: 'events/alarm-high-cpu-alarm.json',
  scaleDeployment: 'events/alarm-high-cpu-alarm.json',
  forwardLogs: 'events/logs-api.json',
  respond: 'events/alarm-high-error-rate-alarm.json',
  slackActions: 'events/slack-interaction.json',
};

/**
 * The reference API's traffic while the sandbox runs: errors above HighErrorRate's 5 %, as
 * events/alarm-high-error-rate-alarm.json reports them, with latency and the nodes normal.
 */
export const SANDBOX_TRAFFIC = { requests: 100, errorPercent: 7, latencyMs: 120 } as const;
export const SANDBOX_NODES = { cpuPercent: 45, memoryPercent: 60 } as const;
/** Minutes of metrics in place at start: more than the responder's lookback (10) and HighCPU's window (2 x 300 s). */
const HISTORY_MINUTES = 15;
const MINUTE_MS = 60_000;
/** How often the Auto Scaling group is read, to print a change of its desired capacity. */
const WATCH_MS = 2_000;

/** Where mail to the email topic arrives (moto delivers it to the mailbox, which prints it). */
export const SANDBOX_MAILBOX = 'oncall@sandbox.firebreak.invalid';
export const SANDBOX_ROUTING_KEY = 'R0UTINGKEYSANDBOX000000000000000';
/** The Slack app's signing secret slackActions is given in the sandbox. */
export const SANDBOX_SIGNING_SECRET = 'sandbox-slack-signing-secret';
/** Any keys do: the emulator runs with IAM open, as a developer's own account would let them do everything. */
const DUMMY_KEYS = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } as const;

/** Thrown when the sandbox cannot start; its message says what to do. */
export class SandboxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxError';
  }
}

export interface SandboxEndpoints {
  /** The emulator: every function's AWS_ENDPOINT_URL. */
  readonly aws: string;
  readonly slack: string;
  readonly pagerDuty: string;
  readonly logSink: string;
  readonly kubernetes: string;
  readonly kubeconfig: string;
}

/** One function's live run: the sample event, and the line to paste. */
export interface SandboxInvocation {
  readonly fn: FunctionName;
  readonly event: string;
  /** `serverless invoke local` arguments after the CLI's name, the flags included. */
  readonly args: readonly string[];
  /** The same, ready to paste into a shell at the repository root. */
  readonly command: string;
}

export interface Sandbox {
  readonly region: string;
  readonly endpoints: SandboxEndpoints;
  /** What the functions are given with `-e`, by variable. */
  readonly env: Readonly<Record<string, string>>;
  /** `-e NAME=value` pairs, as `serverless invoke local` takes them. */
  readonly flags: readonly string[];
  /** What `serverless invoke local --stage local -f <fn>` with `flags` gives the function: the stage's provider and function environment, then the flags. */
  invokeEnvironment(fn: FunctionName): Record<string, string>;
  readonly invocations: readonly SandboxInvocation[];
  readonly stateTable: string;
  readonly emailTopicArn: string;
  readonly asgName: string;
  /** What the receivers got so far: Slack, PagerDuty, the log sink, and mail to the email topic. */
  readonly received: { readonly slack: TestReceiver; readonly pagerDuty: TestReceiver; readonly sink: TestReceiver; readonly mail: TestReceiver };
  readonly kube: KubeApiDouble;
  /** What was created, one line each, for the start-up summary. */
  readonly created: readonly string[];
  /** Clients on the emulator with its administrator's keys, to read back what the functions did. */
  readonly clients: { readonly dynamoDb: DynamoDBClient; readonly autoScaling: AutoScalingClient };
  stop(): Promise<void>;
}

export interface SandboxOptions {
  /** Each payload a receiver gets and each change the sandbox sees, as it happens; nothing when absent. */
  readonly report?: (line: string) => void;
}

/** Quotes a value for a POSIX shell when it holds anything but the characters of URLs, ARNs and paths. */
export const shellQuote = (value: string): string => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

const pretty = (body: string): string => {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
};
const indent = (text: string): string =>
  text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');

/** Stage local's configuration as the framework resolves it, without building anything. */
function localTemplate(): { resources: Record<string, Resource>; region: string; alarmPrefix: string; environment: (fn: FunctionName) => Record<string, string> } {
  let printed: JsonObject;
  try {
    printed = printStage(SANDBOX_STAGE);
  } catch (error) {
    throw new SandboxError(`could not read stage ${SANDBOX_STAGE}'s template: ${errorMessage(error)}`, { cause: error });
  }
  const resources = ((printed.resources as JsonObject | undefined)?.Resources ?? {}) as unknown as Record<string, Resource>;
  const region = String((printed.provider as JsonObject | undefined)?.region ?? 'us-east-1');
  const params = (printed.params ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const alarmPrefix = String(params[SANDBOX_STAGE]?.alarmPrefix ?? params.default?.alarmPrefix ?? '');
  if (!resources.StateTable || resources.StateTable.Type !== 'AWS::DynamoDB::Table') throw new SandboxError(`stage ${SANDBOX_STAGE}'s template declares no StateTable of type AWS::DynamoDB::Table`);
  if (!alarmPrefix) throw new SandboxError(`serverless.yml gives stage ${SANDBOX_STAGE} no alarmPrefix param`);
  const functions = (printed.functions ?? {}) as Record<string, { environment?: Record<string, unknown> } | undefined>;
  const strings = (vars: Record<string, unknown> | undefined) => Object.fromEntries(Object.entries(vars ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const providerEnvironment = strings((printed.provider as { environment?: Record<string, unknown> } | undefined)?.environment);
  return { resources, region, alarmPrefix, environment: (fn) => ({ ...providerEnvironment, ...strings(functions[fn]?.environment) }) };
}

/** What start-up opened, closed newest first: by `stop()`, or as soon as start-up fails. */
class Closers {
  private readonly all: (() => Promise<void>)[] = [];
  add(close: () => Promise<void>): void {
    this.all.unshift(close);
  }
  async closeAll(): Promise<void> {
    for (const close of this.all.splice(0)) await close().catch(() => undefined);
  }
}

/**
 * Starts stage local's world on 127.0.0.1: moto (IAM open), Slack, PagerDuty, a log sink, a mailbox for the
 * email topic and the Kubernetes API double; creates from stage local's template the state table, the topics,
 * the reference alarms with the API's metric filters, and the account's prerequisites (kill switch off, the
 * EKS cluster and node group, its Auto Scaling group); seeds the API's traffic and the nodes' metrics and keeps
 * them coming every minute. Resolves once every function can run live with `flags`.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const report = options.report ?? (() => undefined);
  try {
    assertMotoAvailable('firebreak sandbox');
  } catch (error) {
    throw new SandboxError(errorMessage(error), { cause: error });
  }
  const template = localTemplate();
  const { region } = template;
  const closers = new Closers();
  let emulator: Emulator | undefined;
  try {
    const receiver = async (name: string, fallback: { status: number; body: string }, show: (r: RecordedRequest) => string) => {
      const r = await TestReceiver.start(fallback);
      closers.add(() => r.close());
      r.onRequest((request) => report(`[${name}] ${request.method} ${request.path}\n${show(request)}`));
      return r;
    };
    const slack = await receiver('slack', { status: 200, body: 'ok' }, (r) => indent(pretty(r.body)));
    const pagerDuty = await receiver('pagerduty', { status: 202, body: '{"status":"success","message":"Event processed"}' }, (r) => indent(pretty(r.body)));
    const sink = await receiver('log sink', { status: 200, body: '{}' }, (r) => indent(r.body.trimEnd()));
    // moto posts what SNS mails to its email subscriptions here (moto_server.py, gap 1).
    const mail = await TestReceiver.start({ status: 200, body: '{}' });
    closers.add(() => mail.close());
    mail.onRequest((request) => {
      const m = JSON.parse(request.body) as { endpoint?: string; subject?: string; message?: string };
      report(`[email] to ${m.endpoint}: ${m.subject ?? '(no subject)'}\n${indent(m.message ?? '')}`);
    });

    const kube = await KubeApiDouble.start();
    closers.add(() => kube.close());
    const d = REFERENCE_WORKLOAD.deployment;
    kube.seedDeployment({ namespace: d.namespace, name: d.name, replicas: d.replicas });
    const kubeconfig = kube.writeKubeconfig();
    kube.onRequest((request: SeenRequest, code: number) => {
      if (request.method === 'GET') return;
      // Called once the double has stored the write, before it answers.
      const replicas = (kube.deployment(d.namespace, d.name)?.spec as { replicas?: number } | undefined)?.replicas;
      const dryRun = request.query.getAll('dryRun').length > 0 ? ' (dryRun=All: validated, not stored)' : '';
      report(`[kubernetes] ${request.method} ${request.path}${dryRun} -> ${code}\n${indent(pretty(request.body))}\n    deployment ${d.namespace}/${d.name}: ${replicas} replicas`);
    });

    emulator = await startEmulator(mail.url(''), { iam: 'open', who: 'firebreak sandbox' });
    const running = emulator;
    closers.add(() => running.stop());
    const config = { endpoint: emulator.endpoint, region, credentials: emulator.admin, maxAttempts: 1 };
    const clients = {
      dynamoDb: new DynamoDBClient(config),
      sns: new SNSClient(config),
      // moto cannot read the gzip bodies the SDK sends for large PutMetricData requests.
      cloudWatch: new CloudWatchClient({ ...config, disableRequestCompression: true }),
      logs: new CloudWatchLogsClient(config),
      ssm: new SSMClient(config),
      eks: new EKSClient(config),
      autoScaling: new AutoScalingClient(config),
    };
    closers.add(async () => {
      for (const client of Object.values(clients)) client.destroy();
    });
    const created: string[] = [];

    const stateTable = template.resources.StateTable!.Properties as unknown as StateTableProperties;
    await createStateTable(clients.dynamoDb, stateTable);
    created.push(`STATE_TABLE ${stateTable.TableName} (${stateTable.KeySchema.map((k) => k.AttributeName).join(', ')}; TTL ${stateTable.TimeToLiveSpecification.AttributeName})`);

    const physicalIds = new Map<string, string>();
    for (const [id, r] of Object.entries(template.resources).filter(([, r]) => r.Type === 'AWS::SNS::Topic')) {
      const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: String(r.Properties.TopicName) }));
      if (!TopicArn) throw new SandboxError(`the emulator made no topic for ${id}`);
      physicalIds.set(id, TopicArn);
    }
    const emailTopicArn = physicalIds.get('EmailTopic');
    if (!emailTopicArn) throw new SandboxError(`stage ${SANDBOX_STAGE}'s template declares no EmailTopic`);
    await clients.sns.send(new SubscribeCommand({ TopicArn: emailTopicArn, Protocol: 'email', Endpoint: SANDBOX_MAILBOX }));
    created.push(`email topic ${emailTopicArn}, ${SANDBOX_MAILBOX} subscribed`);

    const params = stageParameters(SANDBOX_STAGE);
    const asgName = await prerequisites(clients, { stage: SANDBOX_STAGE, region });
    const c = REFERENCE_WORKLOAD.nodegroupCapacity;
    created.push(`kill switch ${params.killSwitchParam} = off`);
    created.push(`EKS cluster ${REFERENCE_WORKLOAD.cluster}, node group ${REFERENCE_WORKLOAD.nodegroup}, its Auto Scaling group ${asgName} (desired ${c.desired}, ${c.min} to ${c.max})`);
    created.push(`log groups ${REFERENCE_WORKLOAD.apiLogGroup}, ${REFERENCE_WORKLOAD.trainingLogGroup}`);

    // The reference alarms and the metric filters that make their metrics from the API's log lines; Firebreak's
    // own alarms watch deployed functions and the dead-letter queue, which a local run has not.
    const workloadResources = Object.entries(template.resources).filter(
      ([, r]) =>
        r.Type === 'AWS::Logs::Transformer' ||
        r.Type === 'AWS::Logs::MetricFilter' ||
        ((r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm') && String(r.Properties.AlarmName).startsWith(`${template.alarmPrefix}-`)),
    );
    const definitions = await createFromDefinitions(clients, `firebreak-${SANDBOX_STAGE}`, workloadResources, { region, accountId: ACCOUNT_ID, physicalIds, attributes: new Map() });
    const transformer = [...definitions.values()].find((r) => r.type === 'AWS::Logs::Transformer')?.properties.TransformerConfig as JsonObject[] | undefined;

    // The workload, as it runs: the API's log lines through the metric filters, Container Insights' node metrics.
    const publishMinutes = async (from: number, to: number) => {
      const events = [];
      for (let at = from; at <= to; at += MINUTE_MS) events.push(...apiLogLines({ at: new Date(at), ...SANDBOX_TRAFFIC }));
      await ingest(clients, REFERENCE_WORKLOAD.apiLogGroup, apiLogStream(), events, transformer);
      await publishNodeMetrics(clients.cloudWatch, REFERENCE_WORKLOAD.cluster, SANDBOX_NODES, (to - from) / MINUTE_MS + 1, new Date(to + MINUTE_MS / 2));
    };
    const lastCompleteMinute = () => Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
    let published = lastCompleteMinute();
    await publishMinutes(published - (HISTORY_MINUTES - 1) * MINUTE_MS, published);
    created.push(
      `the API's traffic (${SANDBOX_TRAFFIC.requests} requests a minute, ${SANDBOX_TRAFFIC.errorPercent} % errors, ${SANDBOX_TRAFFIC.latencyMs} ms) and node metrics (CPU ${SANDBOX_NODES.cpuPercent} %, memory ${SANDBOX_NODES.memoryPercent} %) for the last ${HISTORY_MINUTES} minutes, and each minute from now`,
    );

    // The alarms in the states that traffic puts them in, as CloudWatch would have them; nobody is subscribed to the alarms topic.
    const alarms = new AlarmEvaluator(clients.cloudWatch, clients.sns, region, ACCOUNT_ID);
    await alarms.settle();
    await alarms.evaluate(new Date());
    const { MetricAlarms = [], CompositeAlarms = [] } = await clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    created.push(`alarms ${[...MetricAlarms, ...CompositeAlarms].map((a) => `${a.AlarmName} (${a.StateValue})`).join(', ')}`);

    const background: Promise<void>[] = [];
    let tickBusy = false;
    const traffic = setInterval(() => {
      const to = lastCompleteMinute();
      if (tickBusy || to <= published) return;
      tickBusy = true;
      const from = published + MINUTE_MS;
      const run = publishMinutes(from, to).then(
        () => {
          published = to;
        },
        (error: unknown) => report(`[sandbox] could not publish the workload's metrics: ${errorMessage(error)}`),
      );
      background.push(run.finally(() => (tickBusy = false)));
    }, 10_000);
    let desired = c.desired as number | undefined;
    let watchBusy = false;
    const watch = setInterval(() => {
      if (watchBusy) return;
      watchBusy = true;
      const run = clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] })).then(
        ({ AutoScalingGroups }) => {
          const now = AutoScalingGroups?.[0]?.DesiredCapacity;
          if (now !== desired) report(`[auto scaling] ${asgName}: desired capacity ${desired} -> ${now}`);
          desired = now;
        },
        () => undefined,
      );
      background.push(run.finally(() => (watchBusy = false)));
    }, WATCH_MS);
    closers.add(async () => {
      clearInterval(traffic);
      clearInterval(watch);
      await Promise.allSettled(background);
    });

    const endpoints: SandboxEndpoints = {
      aws: emulator.endpoint,
      slack: slack.url('/services/T000/B000/XXXX'),
      pagerDuty: pagerDuty.url('/v2/enqueue'),
      logSink: sink.url('/ingest'),
      kubernetes: kube.url,
      kubeconfig,
    };
    const env: Record<string, string> = {
      DRY_RUN: 'false',
      AWS_ENDPOINT_URL: endpoints.aws,
      AWS_ACCESS_KEY_ID: DUMMY_KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DUMMY_KEYS.secretAccessKey,
      AWS_REGION: region,
      STATE_TABLE: stateTable.TableName,
      EMAIL_TOPIC_ARN: emailTopicArn,
      SLACK_WEBHOOK_URL: endpoints.slack,
      PAGERDUTY_EVENTS_URL: endpoints.pagerDuty,
      PAGERDUTY_ROUTING_KEY: SANDBOX_ROUTING_KEY,
      // slackActions verifies every request with it; the sample click is signed with another, so it answers 401.
      SLACK_SIGNING_SECRET: SANDBOX_SIGNING_SECRET,
      LOG_SINK_URL: endpoints.logSink,
      KUBECONFIG: kubeconfig,
    };
    const flags = Object.entries(env).flatMap(([name, value]) => ['-e', `${name}=${value}`]);
    const invocations = FUNCTION_NAMES.map((fn): SandboxInvocation => {
      const args = ['invoke', 'local', '--stage', SANDBOX_STAGE, '-f', fn, '-p', SAMPLE_EVENTS[fn], ...flags];
      return { fn, event: SAMPLE_EVENTS[fn], args, command: ['npx', 'serverless', ...args].map(shellQuote).join(' ') };
    });

    let stopped: Promise<void> | undefined;
    return {
      region,
      endpoints,
      env,
      flags,
      invokeEnvironment: (fn) => ({ ...template.environment(fn), ...env }),
      invocations,
      stateTable: stateTable.TableName,
      emailTopicArn,
      asgName,
      received: { slack, pagerDuty, sink, mail },
      kube,
      created,
      clients: { dynamoDb: clients.dynamoDb, autoScaling: clients.autoScaling },
      stop: () => (stopped ??= closers.closeAll()),
    };
  } catch (error) {
    const output = emulator?.output() ?? '';
    await closers.closeAll();
    if (error instanceof SandboxError) throw error;
    const tail = output ? `\n--- emulator output ---\n${output.slice(-4000)}` : '';
    throw new SandboxError(`could not start: ${errorMessage(error)}${tail}`, { cause: error });
  }
}

/** The start-up summary: where everything is, what was created, the flags, and one line to paste per function. */
export function describeSandbox(sandbox: Sandbox): string[] {
  const e = sandbox.endpoints;
  const d = REFERENCE_WORKLOAD.deployment;
  return [
    `firebreak sandbox: stage ${SANDBOX_STAGE}, live, on 127.0.0.1. Ctrl-C stops it and removes what it made.`,
    '',
    `  AWS (moto)      ${e.aws}   region ${sandbox.region}, IAM open: any access key`,
    `  Slack           ${e.slack}`,
    `  PagerDuty       ${e.pagerDuty}`,
    `  log sink        ${e.logSink}`,
    `  Kubernetes API  ${e.kubernetes}   kubeconfig ${e.kubeconfig}`,
    `  mail            ${SANDBOX_MAILBOX}, subscribed to the email topic`,
    '',
    `In the emulator, from stage ${SANDBOX_STAGE}'s template (serverless print --stage ${SANDBOX_STAGE}):`,
    ...sandbox.created.map((line) => `  ${line}`),
    `In the Kubernetes API double: deployment ${d.namespace}/${d.name}, ${d.replicas} replicas.`,
    '',
    'The flags (serverless invoke local gives a function only its -e variables, not your shell\'s):',
    ...Object.entries(sandbox.env).map(([name, value]) => `  -e ${shellQuote(`${name}=${value}`)}`),
    '',
    `In another shell, from ${REPO_ROOT}, run each function live:`,
    '',
    ...sandbox.invocations.flatMap((i) => [`  ${i.command}`, '']),
    'What each does here:',
    '  notify           delivers to Slack, PagerDuty and the email topic (printed below); the delivery records go to STATE_TABLE',
    `  scaleNodegroup   raises ${sandbox.asgName} from 3 to 4 (printed below as [auto scaling])`,
    `  scaleDeployment  scales ${d.namespace}/${d.name} from 3 to 6 replicas (printed below as [kubernetes])`,
    '  forwardLogs      posts the batch to the log sink, and a digest of its errors to Slack',
    `  respond          diagnoses from the emulator's CloudWatch (errors at ${SANDBOX_TRAFFIC.errorPercent} %, latency and nodes normal): pages on-call and tells Slack`,
    'Run the same event again and it is a duplicate: its MessageId is recorded, nothing is sent or done twice',
    '(a remediation on a new event meets its cooldown). Restart the sandbox for a clean account.',
    '',
    'Waiting. What the receivers get is printed below as it arrives.',
  ];
}

const HELP = `usage: firebreak sandbox

Runs stage ${SANDBOX_STAGE}'s world on 127.0.0.1, on free ports, until Ctrl-C: the AWS emulator (moto in
server mode with the system suite's fixes, IAM open), Slack and PagerDuty receivers, a log sink, a mailbox
subscribed to the email topic, and a Kubernetes API double with its kubeconfig. In the emulator it creates,
from stage ${SANDBOX_STAGE}'s template: STATE_TABLE with its key schema and TTL, the topics, the reference
alarms and the API's metric filters; and the account's prerequisites: the kill switch (off), the EKS cluster
and node group the policy names, and the node group's Auto Scaling group. It seeds the API's traffic and
the nodes' metrics (and keeps them coming each minute), so respond has something to diagnose.

It then prints the -e flags (DRY_RUN=false, AWS_ENDPOINT_URL, dummy keys, AWS_REGION, STATE_TABLE,
EMAIL_TOPIC_ARN, SLACK_WEBHOOK_URL, PAGERDUTY_EVENTS_URL, PAGERDUTY_ROUTING_KEY, LOG_SINK_URL, KUBECONFIG)
and one \`npx serverless invoke local\` line per function to paste into another shell, and prints every
payload the receivers get. Ctrl-C stops every process it started and removes its temporary files.

Needs python3 with moto[server]:  pip install "moto[server]"   (FIREBREAK_PYTHON=<interpreter> for another)

  -h, --help   this text

example:
  npm run sandbox
  npx serverless invoke local --stage ${SANDBOX_STAGE} -f notify -p events/alarm-high-error-rate-alarm.json -e DRY_RUN=false -e ...`;

function parseSandboxArgs(argv: readonly string[]): 'run' | typeof HELP_ASKED {
  const { values, positionals } = parseCommandLine('firebreak sandbox', argv, {});
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}: firebreak sandbox takes only --help`);
  return values.help ? HELP_ASKED : 'run';
}

/** Resolves on the first SIGINT or SIGTERM; `dispose` removes the handlers. */
function untilInterrupted(): { readonly interrupted: Promise<void>; dispose(): void } {
  let done: () => void = () => undefined;
  const interrupted = new Promise<void>((resolve) => (done = resolve));
  const onSignal = () => done();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    interrupted,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export interface SandboxCommandOptions {
  readonly start?: (options: SandboxOptions) => Promise<Sandbox>;
  /** Resolves when the sandbox should stop; by default on Ctrl-C (SIGINT) or SIGTERM. */
  readonly until?: () => { readonly interrupted: Promise<void>; dispose(): void };
}

export function createSandboxCommand(options: SandboxCommandOptions = {}): CliCommand {
  const start = options.start ?? startSandbox;
  const until = options.until ?? untilInterrupted;
  const command: CliCommand = {
    name: 'sandbox',
    summary: 'run every function live on 127.0.0.1 until Ctrl-C: the AWS emulator, Slack, PagerDuty, a log sink, a Kubernetes API',
    help: HELP,
    run: (argv, io) => answerCommandLine(command, io, () => parseSandboxArgs(argv), () => runSandbox(io)),
  };
  return command;

  async function runSandbox(io: CliIo): Promise<ExitCode> {
    // Listening before start-up, so a Ctrl-C while it starts still stops what it started.
    const signal = until();
    try {
      io.print(`firebreak sandbox: starting stage ${SANDBOX_STAGE}'s world on 127.0.0.1 ...`);
      let sandbox: Sandbox;
      try {
        sandbox = await start({ report: (line) => io.print(line) });
      } catch (error) {
        io.error(`sandbox: ${errorMessage(error)}`);
        return EXIT.failed;
      }
      for (const line of describeSandbox(sandbox)) io.print(line);
      await signal.interrupted;
      io.print('firebreak sandbox: stopping ...');
      await sandbox.stop();
      io.print('firebreak sandbox: stopped; its processes and temporary files are gone.');
      return EXIT.done;
    } finally {
      signal.dispose();
    }
  }
}

export const sandboxCommand: CliCommand = createSandboxCommand();
