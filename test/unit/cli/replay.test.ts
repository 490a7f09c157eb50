// Unit tests: `firebreak replay` lists the dead-letter queue, replays only to the stage's own functions, and deletes a message only once Lambda accepted its event.
import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { GetSubscriptionAttributesCommand, NotFoundException, SNSClient } from '@aws-sdk/client-sns';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueUrlCommand, QueueDoesNotExist, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { CliIo } from '../../../shared/cli/command';
import { createReplayCommand, replayCommand } from '../../../shared/cli/replay';
import { readServerlessConfig, stageRegion } from '../../../shared/cli/stage-region';
import { readDeadLetter } from '../../../shared/replay/dead-letter';
import { loadEvent } from '../../support/events';

const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);
const sns = mockClient(SNSClient);

const ACCOUNT = '123456789012';
const QUEUE_URL = `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/firebreak-prod-dead-letters`;
const fnArn = (name: string, region = 'eu-west-1', account = ACCOUNT) => `arn:aws:lambda:${region}:${account}:function:${name}:$LATEST`;
const PAGERDUTY_DOWN = 'Delivery failed for pagerduty for RetailPrediction-HighErrorRate (PagerDuty answered 503 after 4 attempts)';

/** A Lambda on-failure destination record, as Lambda writes it to the queue. */
function failureRecord(functionName: string, payload: unknown, options: { arn?: string; errorType?: string; errorMessage?: string } = {}) {
  return {
    version: '1.0',
    timestamp: '2026-12-04T02:41:07.512Z',
    requestContext: { requestId: 'e4b46cbf-b738-4f6a-8880-a18cdf61200e', functionArn: options.arn ?? fnArn(functionName), condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload: payload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: options.errorType ?? 'InvocationFailedError', errorMessage: options.errorMessage ?? PAGERDUTY_DOWN, trace: [] },
  };
}

let sequence = 0;
/** An SQS message holding `body` (an object is JSON-encoded). */
function message(body: unknown): Message {
  sequence += 1;
  return {
    MessageId: `m-${sequence}`,
    ReceiptHandle: `receipt-${sequence}`,
    Body: typeof body === 'string' ? body : JSON.stringify(body),
    Attributes: { SentTimestamp: '1796352067600', ApproximateReceiveCount: '1' },
  };
}

const alarmFailure = () => message(failureRecord('firebreak-prod-notify', loadEvent('alarm-high-error-rate-alarm')));
const logsFailure = () => message(failureRecord('firebreak-prod-forwardLogs', loadEvent('logs-api'), { errorType: 'InvocationFailedError', errorMessage: 'Delivery failed for the log sink (503)' }));

/** The queue holds `messages` (received in one batch), then nothing. */
function queueHolds(...messages: Message[]): void {
  sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: QUEUE_URL });
  sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: messages }).resolves({ Messages: [] });
  sqs.on(DeleteMessageCommand).resolves({});
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
}

function capture(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { print: (line) => out.push(line), error: (line) => err.push(line), env };
  return { io, out: () => out.join('\n'), err: () => err.join('\n') };
}

const run = async (argv: string[], env?: Record<string, string | undefined>) => {
  const c = capture(env);
  const code = await replayCommand.run(argv, c.io);
  return { code, out: c.out(), err: c.err() };
};

const deleted = () => sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle);
const madeVisible = () => sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => `${c.args[0].input.ReceiptHandle}:${c.args[0].input.VisibilityTimeout}`);
const invoked = () => lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);

beforeEach(() => {
  sqs.reset();
  lambda.reset();
  sns.reset();
  sequence = 0;
});

describe('firebreak replay: listing', () => {
  it("shows each failed event's function, error, time, and its alarm or log group, and changes nothing", async () => {
    // Prepare
    queueHolds(alarmFailure(), logsFailure());

    // Act
    const { code, out } = await run(['--stage', 'prod']);

    // Assess
    expect(code).toBe(0);
    expect(out).toBe(
      [
        'dead-letter queue firebreak-prod-dead-letters (stage prod, eu-west-1): 2 messages',
        '',
        '[1] firebreak-prod-notify failed (SQS message m-1)',
        `    function:     ${fnArn('firebreak-prod-notify')}`,
        '    when:         2026-12-04T02:41:07.512Z after 3 attempts (RetriesExhausted)',
        `    error:        InvocationFailedError: ${PAGERDUTY_DOWN}`,
        '    alarm:        RetailPrediction-HighErrorRate OK -> ALARM (SNS message 54447434-10cf-42e5-a4ce-2f3de072c0db)',
        '    replay:       would re-invoke firebreak-prod-notify (notify) asynchronously with the original event; give --yes to do it',
        '',
        '[2] firebreak-prod-forwardLogs failed (SQS message m-2)',
        `    function:     ${fnArn('firebreak-prod-forwardLogs')}`,
        '    when:         2026-12-04T02:41:07.512Z after 3 attempts (RetriesExhausted)',
        '    error:        InvocationFailedError: Delivery failed for the log sink (503)',
        '    log group:    /aws/containerinsights/retail-prediction-cluster/application (stream retail-prediction-api-7d9f8c6b5-x2k4q_default_api-0123456789abcdef, 43 events)',
        '    replay:       would re-invoke firebreak-prod-forwardLogs (forwardLogs) asynchronously with the original event; give --yes to do it',
        '',
        '2 listed: 2 would be replayed with --yes, 0 would stay in the queue. Nothing was changed.',
      ].join('\n'),
    );
    expect(invoked()).toEqual([]);
    expect(deleted()).toEqual([]);
    // Nothing hides in the queue: every message received is visible again at once.
    expect(madeVisible()).toEqual(['receipt-1:0', 'receipt-2:0']);
  });

  it("resolves the stage's queue by name, in the stage's region from serverless.yml, holding what it receives while it works", async () => {
    queueHolds(alarmFailure());
    const regions: string[] = [];
    const command = createReplayCommand({
      clients: (region) => {
        regions.push(region);
        return { sqs: new SQSClient({ region }), lambda: new LambdaClient({ region }), sns: new SNSClient({ region }) };
      },
    });

    const code = await command.run(['--stage', 'prod'], capture().io);

    expect(code).toBe(0);
    expect(regions).toEqual(['eu-west-1']);
    expect(sqs.commandCalls(GetQueueUrlCommand).map((c) => c.args[0].input)).toEqual([{ QueueName: 'firebreak-prod-dead-letters' }]);
    const receive = sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input;
    expect(receive).toMatchObject({ QueueUrl: QUEUE_URL, MaxNumberOfMessages: 10, VisibilityTimeout: 300, WaitTimeSeconds: 1 });
  });

  it('takes --region and --queue-url as given, and the stage from STAGE', async () => {
    queueHolds(message(failureRecord('firebreak-dev-notify', loadEvent('alarm-high-cpu-alarm'), { arn: fnArn('firebreak-dev-notify', 'us-west-2') })));
    const regions: string[] = [];
    const command = createReplayCommand({
      clients: (region) => {
        regions.push(region);
        return { sqs: new SQSClient({ region }), lambda: new LambdaClient({ region }), sns: new SNSClient({ region }) };
      },
    });
    const c = capture({ STAGE: 'dev' });

    const code = await command.run(['--region', 'us-west-2', '--queue-url', 'https://sqs.us-west-2.amazonaws.com/123456789012/my-queue'], c.io);

    expect(code).toBe(0);
    expect(regions).toEqual(['us-west-2']);
    expect(sqs.commandCalls(GetQueueUrlCommand)).toEqual([]);
    expect(c.out()).toContain('dead-letter queue my-queue (stage dev, us-west-2): 1 message');
    expect(c.out()).toContain('would re-invoke firebreak-dev-notify (notify)');
  });

  it('receives at most --max messages, saying more may be waiting', async () => {
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: QUEUE_URL });
    sqs.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages: number }) => ({ Messages: Array.from({ length: input.MaxNumberOfMessages }, () => alarmFailure()) }));
    sqs.on(ChangeMessageVisibilityCommand).resolves({});

    const { code, out } = await run(['--stage', 'prod', '--max', '12']);

    expect(code).toBe(0);
    expect(sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input.MaxNumberOfMessages)).toEqual([10, 2]);
    expect(out).toContain('12 messages (--max 12: more may be waiting)');
    expect(madeVisible()).toHaveLength(12);
  });

  it('says so when the queue is empty', async () => {
    queueHolds();

    const { code, out } = await run(['--stage', 'prod', '--yes']);

    expect(code).toBe(0);
    expect(out).toBe('the dead-letter queue firebreak-prod-dead-letters (stage prod, eu-west-1) is empty');
  });

  it('shows the schedule, a generic SNS message and an undecodable log batch for what they are', async () => {
    const generic = loadEvent('sns-plain-text');
    queueHolds(
      message(failureRecord('firebreak-prod-respond', loadEvent('respond-schedule'))),
      message(failureRecord('firebreak-prod-notify', generic)),
      message(failureRecord('firebreak-prod-forwardLogs', { awslogs: { data: 'bm90IGd6aXA=' } })),
    );

    const { out } = await run(['--stage', 'prod']);

    expect(out).toContain('    event:        the schedule firebreak-dev-respond-breaker-sweep at 2026-11-21T03:45:00Z');
    expect(out).toMatch(/ {4}message: {6}".*", not an alarm: not JSON: delivered as plain text \(SNS message /);
    expect(out).toContain('    log group:    unknown: a CloudWatch Logs delivery that does not decode (awslogs.data is not a complete gzip stream');
  });
});

describe('firebreak replay --yes', () => {
  it('re-invokes the function named in the record, asynchronously, with the original event, and deletes the message only after 202', async () => {
    // Prepare
    const order: string[] = [];
    queueHolds(alarmFailure(), logsFailure());
    lambda.on(InvokeCommand).callsFake((input: { FunctionName: string }) => {
      order.push(`invoke ${input.FunctionName}`);
      return { StatusCode: 202 };
    });
    sqs.on(DeleteMessageCommand).callsFake((input: { ReceiptHandle: string }) => {
      order.push(`delete ${input.ReceiptHandle}`);
      return {};
    });

    // Act
    const { code, out } = await run(['--stage', 'prod', '--yes']);

    // Assess
    expect(code).toBe(0);
    expect(order).toEqual(['invoke firebreak-prod-notify', 'delete receipt-1', 'invoke firebreak-prod-forwardLogs', 'delete receipt-2']);
    const [first, second] = invoked();
    expect(first?.InvocationType).toBe('Event');
    expect(JSON.parse(Buffer.from(first!.Payload as Uint8Array).toString('utf8'))).toEqual(loadEvent('alarm-high-error-rate-alarm'));
    expect(JSON.parse(Buffer.from(second!.Payload as Uint8Array).toString('utf8'))).toEqual(loadEvent('logs-api'));
    expect(out).toContain('    replayed:     firebreak-prod-notify accepted the event (202); the message is deleted');
    expect(out).toContain('2 replayed and deleted, 0 still in the queue.');
    expect(madeVisible()).toEqual([]);
  });

  it('keeps a message whose invocation Lambda refused, makes it visible again, and exits 1', async () => {
    queueHolds(alarmFailure(), logsFailure());
    lambda
      .on(InvokeCommand, { FunctionName: 'firebreak-prod-notify' })
      .rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {}, Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' }));
    lambda.on(InvokeCommand, { FunctionName: 'firebreak-prod-forwardLogs' }).resolves({ StatusCode: 202 });

    const { code, out } = await run(['--stage', 'prod', '--yes']);

    expect(code).toBe(1);
    expect(deleted()).toEqual(['receipt-2']);
    expect(madeVisible()).toEqual(['receipt-1:0']);
    expect(out).toContain('    refused:      firebreak-prod-notify did not accept the event (TooManyRequestsException: Rate exceeded); the message stays in the queue');
    expect(out).toContain('1 replayed and deleted, 1 still in the queue.');
  });

  it('keeps the message when Lambda answers anything but 202', async () => {
    queueHolds(alarmFailure());
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });

    const { code, out } = await run(['--stage', 'prod', '--yes']);

    expect(code).toBe(1);
    expect(deleted()).toEqual([]);
    expect(madeVisible()).toEqual(['receipt-1:0']);
    expect(out).toContain('did not accept the event (Lambda answered 200, not 202)');
  });

  it('says so, and keeps the message visible, when the replay was accepted but the delete failed', async () => {
    queueHolds(alarmFailure());
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    sqs.on(DeleteMessageCommand).rejects(new Error('ReceiptHandle expired'));

    const { code, out } = await run(['--stage', 'prod', '--yes']);

    expect(code).toBe(1);
    expect(out).toContain('accepted the event (202), but the message could not be deleted (ReceiptHandle expired): it stays in the queue');
    expect(madeVisible()).toEqual(['receipt-1:0']);
  });

  it.each([
    ['another stage', fnArn('firebreak-dev-notify'), 'firebreak-dev-notify is not a function of stage prod (firebreak-prod-notify, firebreak-prod-scaleNodegroup, firebreak-prod-scaleDeployment, firebreak-prod-forwardLogs, firebreak-prod-respond, firebreak-prod-slackActions): refused'],
    ['another function', fnArn('billing-export'), 'billing-export is not a function of stage prod'],
    ['another region', fnArn('firebreak-prod-notify', 'us-east-1'), 'firebreak-prod-notify is in us-east-1, not eu-west-1 where stage prod is: refused'],
    ['another account', fnArn('firebreak-prod-notify', 'eu-west-1', '999999999999'), 'firebreak-prod-notify belongs to account 999999999999, not 123456789012 where the queue is: refused'],
    ['no function at all', 'arn:aws:sqs:eu-west-1:123456789012:firebreak-prod-notify', 'arn:aws:sqs:eu-west-1:123456789012:firebreak-prod-notify is not a Lambda function ARN: refused'],
  ])('refuses a record of %s: never invoked, kept, exit 1', async (_what, arn, reason) => {
    queueHolds(message(failureRecord('x', loadEvent('alarm-high-error-rate-alarm'), { arn })));
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    const { code, out } = await run(['--stage', 'prod', '--yes']);

    expect(code).toBe(1);
    expect(invoked()).toEqual([]);
    expect(deleted()).toEqual([]);
    expect(madeVisible()).toEqual(['receipt-1:0']);
    expect(out).toContain(`    kept:         ${reason}`);
  });

  it('lists and keeps messages it cannot read, and never deletes them', async () => {
    queueHolds(
      message('this is not json'),
      message({ detail: 'a foreign JSON message' }),
      message(loadEvent('alarm-high-cpu-alarm')), // a raw event, as a Lambda DeadLetterConfig queue would hold it
      message({ requestContext: { requestId: 'x' }, requestPayload: {} }),
      message(''),
    );
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    const { code, out } = await run(['--stage', 'prod', '--yes']);

    expect(code).toBe(1);
    expect(invoked()).toEqual([]);
    expect(deleted()).toEqual([]);
    expect(madeVisible()).toEqual(['receipt-1:0', 'receipt-2:0', 'receipt-3:0', 'receipt-4:0', 'receipt-5:0']);
    expect(out).toContain('[1] unreadable message (SQS message m-1)');
    expect(out).toMatch(/ {4}why: {10}not JSON \(Unexpected token/);
    expect(out).toContain('    body:         this is not json');
    expect(out).toContain('    why:          neither a Lambda invocation record (requestContext.functionArn) nor an SNS notification (Type, MessageId, TopicArn, Message)');
    expect(out).toContain('    why:          an incomplete Lambda invocation record: requestContext.functionArn: Invalid input: expected string, received undefined');
    expect(out).toContain('    body:         (empty)');
    expect(out.match(/kept: {9}not a dead letter this stack writes/g)).toHaveLength(5);
    expect(out).toContain('0 replayed and deleted, 5 still in the queue.');
  });

  it('keeps a record without the original event', async () => {
    const { requestPayload: _dropped, ...record } = failureRecord('firebreak-prod-notify', {});
    queueHolds(message(record));

    const { code, out } = await run(['--stage', 'prod', '--yes']);

    expect(code).toBe(1);
    expect(invoked()).toEqual([]);
    expect(out).toContain('    event:        (the record holds no requestPayload)');
    expect(out).toContain('    kept:         the record holds no requestPayload: there is no event to replay');
  });
});

describe('firebreak replay --dry-run', () => {
  it('does nothing but list and say what --yes would do', async () => {
    queueHolds(alarmFailure(), message('garbage'));
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    const { code, out } = await run(['--stage', 'prod', '--dry-run']);

    expect(code).toBe(0);
    expect(invoked()).toEqual([]);
    expect(deleted()).toEqual([]);
    expect(madeVisible()).toEqual(['receipt-1:0', 'receipt-2:0']);
    expect(out).toContain('would re-invoke firebreak-prod-notify (notify) asynchronously with the original event; give --yes to do it');
    expect(out).toContain('2 listed: 1 would be replayed with --yes, 1 would stay in the queue. Nothing was changed.');
  });
});

describe('firebreak replay --yes in a dry run', () => {
  it.each([
    [{ DRY_RUN: 'true' }, ['--stage', 'prod', '--yes'], 'DRY_RUN=true'],
    [{}, ['--stage', 'local', '--region', 'eu-west-1', '--yes'], 'the default in stage local'],
  ])('with %j and %j only lists, saying why', async (env, argv, why) => {
    queueHolds(alarmFailure());
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    const { code, out } = await run(argv, env);

    expect(code).toBe(0);
    expect(invoked()).toEqual([]);
    expect(deleted()).toEqual([]);
    expect(out).toContain(`dry run (${why}): --yes only lists; DRY_RUN=false replays`);
  });
});

describe('an alarm SNS could not deliver', () => {
  const SUBSCRIPTION = `arn:aws:sns:eu-west-1:${ACCOUNT}:firebreak-prod-alarms:6f1c2a9e-4b7d-4e3a-9c51-8d2f0b7a1e64`;
  /** The notification in SNS's JSON envelope, as the subscription's redrive policy sends it to the queue. */
  const redriven = () => {
    const sent = loadEvent('alarm-high-error-rate-alarm').Records[0]!.Sns;
    return message({
      Type: 'Notification',
      MessageId: sent.MessageId,
      TopicArn: sent.TopicArn,
      Subject: sent.Subject,
      Message: sent.Message,
      Timestamp: sent.Timestamp,
      SignatureVersion: '1',
      Signature: 'c2lnbmF0dXJl',
      SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem',
      UnsubscribeURL: `https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${SUBSCRIPTION}`,
    });
  };

  it("is replayed to the function of the subscription it missed, as that subscription's record, with the same MessageId", async () => {
    queueHolds(redriven());
    sns.on(GetSubscriptionAttributesCommand, { SubscriptionArn: SUBSCRIPTION }).resolves({ Attributes: { Protocol: 'lambda', Endpoint: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:firebreak-prod-respond` } });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    const { code, out } = await run(['--stage', 'prod', '--yes']);

    expect(code).toBe(0);
    expect(out).toContain('[1] SNS could not deliver message 54447434-10cf-42e5-a4ce-2f3de072c0db to a subscription (SQS message m-1)');
    expect(out).toContain(`    subscription: ${SUBSCRIPTION}`);
    expect(out).toContain('    alarm:        RetailPrediction-HighErrorRate OK -> ALARM');
    const [call] = invoked();
    expect(call?.FunctionName).toBe('firebreak-prod-respond');
    const event = JSON.parse(Buffer.from(call!.Payload as Uint8Array).toString('utf8')) as SNSEvent;
    const original = loadEvent('alarm-high-error-rate-alarm').Records[0]!;
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toMatchObject({ EventSource: 'aws:sns', EventSubscriptionArn: SUBSCRIPTION, Sns: { MessageId: original.Sns.MessageId, Message: original.Sns.Message, TopicArn: original.Sns.TopicArn } });
    expect(deleted()).toEqual(['receipt-1']);
  });

  it('is kept when its subscription no longer exists', async () => {
    queueHolds(redriven());
    sns.on(GetSubscriptionAttributesCommand).rejects(new NotFoundException({ message: 'Subscription does not exist', $metadata: {} }));

    const { code, out } = await run(['--stage', 'prod', '--yes']);

    expect(code).toBe(1);
    expect(invoked()).toEqual([]);
    expect(out).toContain(`kept:         subscription ${SUBSCRIPTION} no longer exists: which function missed it is unknown; it stays in the queue`);
  });
});

describe('firebreak replay: the command line and the account', () => {
  it('--help prints the usage with every flag and exits 0', async () => {
    const { code, out } = await run(['--help']);

    expect(code).toBe(0);
    for (const flag of ['--stage', '--region', '--queue-url', '--max', '--yes', '--dry-run', '--help']) expect(out).toContain(flag);
    expect(replayCommand.help).toBe(out);
    expect(sqs.calls()).toEqual([]);
  });

  it.each([
    [['--bogus'], 'unknown option --bogus: firebreak replay takes --stage <value>, --region <value>, --dry-run, --queue-url <value>, --max <value>, --yes, --help'],
    [['--stage'], '--stage needs a value'],
    [['--stage', 'staging'], 'unknown stage "staging": give --stage dev|local|prod, or add shared/policy/stages/staging.json to make it one'],
    [['--region', 'Ireland'], '--region Ireland is not a region code: give one such as eu-west-1'],
    [['--queue-url', 'firebreak-prod-dead-letters'], '--queue-url firebreak-prod-dead-letters is not a URL'],
    [['--max', 'all'], '--max all is not a whole number from 1 to 1000'],
    [['--yes', '--dry-run'], '--yes and --dry-run contradict each other: give one'],
    [['--yes=no'], '--yes takes no value'],
    [['prod'], 'unexpected prod: firebreak replay takes options only'],
  ])('%j exits 2 with the fix', async (argv, fix) => {
    const { code, err } = await run(argv);

    expect(code).toBe(2);
    expect(err).toContain(`replay: ${fix}`);
    expect(err).toContain('see: firebreak replay --help');
    expect(sqs.calls()).toEqual([]);
  });

  it('without credentials, says how to provide them and exits 1', async () => {
    sqs.on(GetQueueUrlCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));

    const { code, err } = await run(['--stage', 'prod']);

    expect(code).toBe(1);
    expect(err).toMatch(/^replay: no AWS credentials \(Could not load credentials from any providers\): sign in with `aws sso login --profile <name>` and set AWS_PROFILE=<name>, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });

  it('with expired credentials, says to refresh them', async () => {
    sqs.on(GetQueueUrlCommand).rejects(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' }));

    const { code, err } = await run(['--stage', 'prod']);

    expect(code).toBe(1);
    expect(err).toContain('AWS refused these credentials (ExpiredToken: The security token included in the request is expired): refresh them');
  });

  it('names the queue it could not find and how to point at the right one', async () => {
    sqs.on(GetQueueUrlCommand).rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }));

    const { code, err } = await run(['--stage', 'dev']);

    expect(code).toBe(1);
    expect(err).toBe('replay: there is no queue firebreak-dev-dead-letters in eu-west-1 in the account of these credentials: is stage dev deployed there? Check --stage and --region, or give --queue-url');
  });

  it('makes every message it did not delete visible again when AWS stops the run midway', async () => {
    const first = alarmFailure();
    const undelivered = message({ Type: 'Notification', MessageId: 'sns-1', TopicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:firebreak-prod-alarms`, Message: 'x', UnsubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:eu-west-1:123456789012:firebreak-prod-alarms:1' });
    queueHolds(first, undelivered, alarmFailure());
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    sns.on(GetSubscriptionAttributesCommand).rejects(Object.assign(new Error('User is not authorized to perform: SNS:GetSubscriptionAttributes'), { name: 'AuthorizationError' }));

    const { code, err } = await run(['--stage', 'prod', '--yes']);

    expect(code).toBe(1);
    expect(err).toBe('replay: AuthorizationError: User is not authorized to perform: SNS:GetSubscriptionAttributes');
    expect(deleted()).toEqual(['receipt-1']);
    expect(madeVisible()).toEqual(['receipt-2:0', 'receipt-3:0']);
  });
});

describe('stageRegion', () => {
  const config = (yaml: string) => readServerlessConfig(`service: firebreak\n${yaml}`);

  it("is the stage's params region, else the default's", () => {
    expect(stageRegion('prod')).toBe('eu-west-1');
    expect(stageRegion('local')).toBe('us-east-1');
    expect(stageRegion('qa', config('params:\n  default:\n    region: ap-south-1\n'))).toBe('ap-south-1');
  });

  it('refuses a region only the framework can resolve, saying to give --region', () => {
    expect(() => stageRegion('prod', config("params:\n  prod:\n    region: ${env:REGION}\n"))).toThrow('serverless.yml gives stage prod no plain region in params ("${env:REGION}"): give --region');
    expect(() => stageRegion('prod', config('params: {}\n'))).toThrow('no plain region in params (none): give --region');
  });
});

describe('readDeadLetter', () => {
  it('reads a destination record whose error is a plain string, and a record with an unqualified ARN', () => {
    const letter = readDeadLetter(JSON.stringify({ ...failureRecord('f', {}, { arn: 'arn:aws:lambda:eu-west-1:123456789012:function:firebreak-prod-notify' }), responsePayload: 'Task timed out' }));

    expect(letter).toMatchObject({ kind: 'failed-invocation', function: { name: 'firebreak-prod-notify', region: 'eu-west-1', accountId: ACCOUNT }, error: { message: 'Task timed out' } });
    expect(letter.kind === 'failed-invocation' && letter.function?.qualifier).toBeUndefined();
  });
});
