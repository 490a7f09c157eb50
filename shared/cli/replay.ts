// Operator CLI: `firebreak replay` lists what the stage's dead-letter queue kept and, with --yes, re-invokes each event's function and deletes the message once Lambda accepted it.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSubscriptionAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { ConfigError, errorMessage } from '../errors';
import { readDeadLetter, type DeadLetter } from '../replay/dead-letter';
import { describeDeadLetter, describeOutcome, describePlan, type QueuedMessage, type ReplayOutcome } from '../replay/describe';
import { deadLetterQueueName, stageFunctions } from '../replay/stage';
import { decideReplay, type ReplayScope, type SubscriptionEndpoint } from '../replay/target';
import { answerCommandLine, HELP_ASKED, parseCommandLine } from './args';
import { EXIT, UsageError, type CliCommand, type CliIo, type ExitCode } from './command';
import { resolveStageContext, STAGE_OPTIONS, STAGE_OPTIONS_HELP } from './stage-options';
import { readServerlessConfig, stageRegion, type ServerlessConfig } from './stage-region';

/** Messages received when --max is not given. */
export const DEFAULT_MAX_MESSAGES = 100;
export const MAX_MESSAGES = 1000;
/** SQS's largest receive. */
const RECEIVE_BATCH = 10;
/**
 * How long the received messages stay hidden from other consumers while this run lists and replays
 * them; whatever it does not delete is made visible again when it ends, and if it is interrupted SQS
 * shows them again after this.
 */
export const HOLD_SECONDS = 300;
/** Long polling asks every SQS server, so a short queue is read whole (short polling samples some). */
const WAIT_SECONDS = 1;

/** The AWS clients one run uses, all in the stage's region. */
export interface ReplayClients {
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  readonly sns: SNSClient;
}

export interface ReplayCommandOptions {
  /** The clients for a region; by default the SDK's, with the usual credentials (AWS_PROFILE, the environment, SSO). */
  readonly clients?: (region: string) => ReplayClients;
  /** serverless.yml, parsed; by default the repository's. */
  readonly serverless?: () => ServerlessConfig;
}

const defaultClients = (region: string): ReplayClients => ({
  sqs: new SQSClient({ region, maxAttempts: 3 }),
  lambda: new LambdaClient({ region, maxAttempts: 3 }),
  sns: new SNSClient({ region, maxAttempts: 3 }),
});

const HELP = `usage: firebreak replay [--stage S] [--region R] [--queue-url U] [--max N] [--yes | --dry-run]
   or: npm run replay -- [options]

Lists what the stage's dead-letter queue kept: for each message, the function that failed, its error,
when, and the event (an alarm's name and state, a log batch's log group). With --yes, re-invokes that
function asynchronously (InvocationType Event) with the original event, and deletes the message only
once Lambda accepted it (202). Every message it receives and does not delete is made visible again.

${STAGE_OPTIONS_HELP}
  --queue-url U  the queue (default: the URL of the stage's custom.deadLetterQueueName, by sqs:GetQueueUrl)
  --max N        receive at most N messages, 1 to ${MAX_MESSAGES} (default ${DEFAULT_MAX_MESSAGES})
  --yes          replay: re-invoke and delete. Without it, or in a dry run, nothing in the queue changes.
  -h, --help     this text

A replay runs the function as deployed now ($LATEST): fix the cause and deploy first. notify's delivery
records skip the channels that already received an alarm, and remediations their done actions, so a
replay sends only what is missing. A message for a function outside the stage (or its region or
account), and one that is neither a Lambda failure record nor an SNS notification, is listed and left
in the queue.

Credentials: the usual AWS ones (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws sso
login), allowed sqs:GetQueueUrl, sqs:ReceiveMessage, sqs:DeleteMessage and sqs:ChangeMessageVisibility on
the queue, lambda:InvokeFunction on the stage's functions and sns:GetSubscriptionAttributes on the alarms
topic's subscriptions; AWS_ENDPOINT_URL points them at an emulator.

Exit codes: 0 done; 1 AWS refused something, or with --yes a message stayed in the queue; 2 bad usage.

examples:
  firebreak replay --stage prod          # list
  firebreak replay --stage prod --yes    # replay, once the cause is fixed`;

interface ReplayArgs {
  readonly stage: string;
  readonly region: string;
  readonly queueUrl?: string;
  readonly max: number;
  /** --yes, and not a dry run. */
  readonly replay: boolean;
  /** Why --yes only lists: a dry run (`DRY_RUN=true`, the default in stage local). */
  readonly dryRunFrom?: string;
}

const OPTIONS = { ...STAGE_OPTIONS, 'queue-url': { type: 'string' }, max: { type: 'string' }, yes: { type: 'boolean' } } as const;

/**
 * Parses the command line and resolves the stage and its region (`regionOfStage` when --region is not
 * given); HELP_ASKED when it asks for the help text. Throws UsageError with the fix.
 */
export function parseReplayArgs(argv: readonly string[], io: Pick<CliIo, 'env'>, regionOfStage?: (stage: string) => string): ReplayArgs | typeof HELP_ASKED {
  const { values, positionals } = parseCommandLine('firebreak replay', argv, OPTIONS);
  if (values.help) return HELP_ASKED;
  if (positionals.length > 0) throw new UsageError(`unexpected ${positionals.join(' ')}: firebreak replay takes options only (firebreak replay --help)`);
  if (values.yes && values['dry-run']) throw new UsageError('--yes and --dry-run contradict each other: give one');
  const { config, dryRunFrom } = resolveStageContext(values, io, regionOfStage);
  const queueUrl = values['queue-url'];
  if (queueUrl !== undefined && !URL.canParse(queueUrl)) throw new UsageError(`--queue-url ${queueUrl} is not a URL: give the queue's URL, like https://sqs.eu-west-1.amazonaws.com/123456789012/firebreak-prod-dead-letters`);
  const max = values.max === undefined ? DEFAULT_MAX_MESSAGES : Number(values.max);
  if (!Number.isInteger(max) || max < 1 || max > MAX_MESSAGES) throw new UsageError(`--max ${values.max} is not a whole number from 1 to ${MAX_MESSAGES}`);
  const yes = values.yes === true;
  return {
    stage: config.stage,
    region: config.region,
    ...(queueUrl ? { queueUrl } : {}),
    max,
    replay: yes && dryRunFrom === undefined,
    ...(yes && dryRunFrom !== undefined ? { dryRunFrom } : {}),
  };
}

/** The `firebreak replay` subcommand, with the given clients and serverless.yml (tests), else the real ones. */
export function createReplayCommand(options: ReplayCommandOptions = {}): CliCommand {
  const clientsFor = options.clients ?? defaultClients;
  const serverless = options.serverless ?? (() => readServerlessConfig());
  const command: CliCommand = {
    name: 'replay',
    summary: "list the dead-letter queue's failed events and, with --yes, re-invoke their functions",
    help: HELP,
    run(argv, io) {
      let config: ServerlessConfig | undefined;
      const configOnce = () => (config ??= serverless());
      return answerCommandLine(
        command,
        io,
        () => parseReplayArgs(argv, io, (stage) => stageRegion(stage, configOnce())),
        async (args) => {
          try {
            return await replay(args, configOnce(), clientsFor(args.region), io);
          } catch (error) {
            io.error(`replay: ${explainAwsError(error)}`);
            return EXIT.failed;
          }
        },
      );
    },
  };
  return command;
}

/** The subcommand the `firebreak` bin registers. */
export const replayCommand: CliCommand = createReplayCommand();

async function replay(args: ReplayArgs, config: ServerlessConfig, clients: ReplayClients, io: CliIo): Promise<ExitCode> {
  const { region } = args;
  const queueUrl = args.queueUrl ?? (await resolveQueueUrl(clients.sqs, deadLetterQueueName(args.stage, config), args.stage, region));
  const scope: ReplayScope = { stage: args.stage, region, ...accountOf(queueUrl), functions: stageFunctions(args.stage, config) };
  const messages = await receiveAll(clients.sqs, queueUrl, args.max);
  const queueName = queueUrl.split('/').pop();
  if (messages.length === 0) {
    io.print(`the dead-letter queue ${queueName} (stage ${args.stage}, ${region}) is empty`);
    return EXIT.done;
  }
  io.print(`dead-letter queue ${queueName} (stage ${args.stage}, ${region}): ${messages.length} message${messages.length === 1 ? '' : 's'}${messages.length === args.max ? ` (--max ${args.max}: more may be waiting)` : ''}`);
  if (args.dryRunFrom) io.print(`dry run (${args.dryRunFrom}): --yes only lists; DRY_RUN=false replays`);

  const deleted = new Set<Message>();
  let wouldReplay = 0;
  let stayed = 0;
  try {
    for (const [index, message] of messages.entries()) {
      const letter = readDeadLetter(message.Body ?? '');
      const decision = decideReplay(letter, scope, await subscriptionOf(clients.sns, letter));
      io.print('');
      for (const text of describeDeadLetter(index + 1, letter, queued(message))) io.print(text);
      if (!args.replay || decision.kind === 'keep') {
        io.print(describePlan(decision));
        if (decision.kind === 'replay') wouldReplay++;
        else stayed++;
        continue;
      }
      const outcome = await replayOne(clients, queueUrl, message, decision.functionName, decision.payload);
      io.print(describeOutcome(outcome));
      if (outcome.kind === 'replayed' && outcome.deleted) deleted.add(message);
      else stayed++;
    }
  } finally {
    // Whatever was not deleted, listed or refused or not reached (an error stopped the run), is shown again at once.
    const hidden = await release(clients.sqs, queueUrl, messages.filter((m) => !deleted.has(m)));
    if (hidden.length > 0) io.error(`replay: ${hidden.length} message(s) could not be made visible again (${hidden.join('; ')}); SQS shows them again within ${HOLD_SECONDS} s`);
  }

  io.print('');
  if (!args.replay) {
    io.print(`${messages.length} listed: ${wouldReplay} would be replayed ${args.dryRunFrom ? 'outside a dry run' : 'with --yes'}, ${stayed} would stay in the queue. Nothing was changed.`);
    return EXIT.done;
  }
  io.print(`${deleted.size} replayed and deleted, ${stayed} still in the queue.`);
  return stayed > 0 ? EXIT.failed : EXIT.done;
}

async function resolveQueueUrl(sqs: SQSClient, queueName: string, stage: string, region: string): Promise<string> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
    if (!QueueUrl) throw new Error(`SQS returned no URL for ${queueName}`);
    return QueueUrl;
  } catch (error) {
    const name = (error as { name?: string } | null)?.name;
    if (name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue') {
      throw new ConfigError(`there is no queue ${queueName} in ${region} in the account of these credentials: is stage ${stage} deployed there? Check --stage and --region, or give --queue-url`, { cause: error });
    }
    throw error;
  }
}

/** Every message up to `max`, each received once, all hidden from other consumers until this run releases them. */
async function receiveAll(sqs: SQSClient, queueUrl: string, max: number): Promise<Message[]> {
  const received = new Map<string, Message>();
  while (received.size < max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(RECEIVE_BATCH, max - received.size),
        VisibilityTimeout: HOLD_SECONDS,
        WaitTimeSeconds: WAIT_SECONDS,
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((m) => m.MessageId && !received.has(m.MessageId));
    if (fresh.length === 0) break;
    for (const m of fresh) received.set(m.MessageId!, m);
  }
  return [...received.values()];
}

/** For an SNS message: the endpoint of the subscription it missed, as SNS states it now. */
async function subscriptionOf(sns: SNSClient, letter: DeadLetter): Promise<SubscriptionEndpoint | undefined> {
  if (letter.kind !== 'undelivered-sns' || !letter.subscriptionArn) return undefined;
  try {
    const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: letter.subscriptionArn }));
    if (Attributes?.Protocol !== 'lambda' || !Attributes.Endpoint) return { unknown: `subscription ${letter.subscriptionArn} is not a Lambda subscription (${Attributes?.Protocol ?? 'no protocol'})` };
    return { arn: Attributes.Endpoint };
  } catch (error) {
    if ((error as { name?: string } | null)?.name === 'NotFoundException') return { unknown: `subscription ${letter.subscriptionArn} no longer exists: which function missed it is unknown` };
    throw error;
  }
}

/** Re-invokes the function asynchronously; deletes the message only once Lambda accepted the event. */
async function replayOne(clients: ReplayClients, queueUrl: string, message: Message, functionName: string, payload: unknown): Promise<ReplayOutcome> {
  let status: number | undefined;
  try {
    ({ StatusCode: status } = await clients.lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) })));
  } catch (error) {
    return { kind: 'refused', functionName, why: `${(error as { name?: string }).name ?? 'Error'}: ${errorMessage(error)}` };
  }
  if (status !== 202) return { kind: 'refused', functionName, why: `Lambda answered ${status ?? 'no status'}, not 202` };
  try {
    await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    return { kind: 'replayed', functionName, deleted: true };
  } catch (error) {
    return { kind: 'replayed', functionName, deleted: false, why: errorMessage(error) };
  }
}

/** Makes every message this run received and did not delete visible again; returns what could not be. */
async function release(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<string[]> {
  const settled = await Promise.allSettled(messages.map((m) => sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }))));
  return settled.flatMap((s, i) => (s.status === 'rejected' ? [`${messages[i]?.MessageId}: ${errorMessage(s.reason)}`] : []));
}

const queued = (message: Message): QueuedMessage => {
  const sent = Number(message.Attributes?.SentTimestamp);
  const count = Number(message.Attributes?.ApproximateReceiveCount);
  return {
    messageId: message.MessageId ?? '(no id)',
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
    ...(Number.isInteger(count) && count > 0 ? { receiveCount: count } : {}),
  };
};

/** The account in a queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`), when it has one. */
const accountOf = (queueUrl: string): { accountId?: string } => {
  const account = new URL(queueUrl).pathname.split('/').filter(Boolean).at(-2);
  return account && /^\d{12}$/.test(account) ? { accountId: account } : {};
};

const NO_CREDENTIALS = new Set(['CredentialsProviderError', 'TokenProviderError']);
const REFUSED_CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'InvalidSecurity']);

/** An AWS error as the operator can act on it: missing or refused credentials say how to give them. */
function explainAwsError(error: unknown): string {
  const name = (error as { name?: string } | null)?.name ?? '';
  if (NO_CREDENTIALS.has(name)) {
    return `no AWS credentials (${errorMessage(error)}): sign in with \`aws sso login --profile <name>\` and set AWS_PROFILE=<name>, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), then run again`;
  }
  if (REFUSED_CREDENTIALS.has(name)) {
    return `AWS refused these credentials (${name}: ${errorMessage(error)}): refresh them (\`aws sso login\`, or new keys in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), then run again`;
  }
  if (error instanceof ConfigError) return error.message;
  return `${name || 'Error'}: ${errorMessage(error)}`;
}
