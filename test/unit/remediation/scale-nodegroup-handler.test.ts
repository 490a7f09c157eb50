// Unit tests: the scaleNodegroup handler end to end — sample SNS events in, guarded AWS calls out, redeliveries ignored.
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeNodegroupCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { RemediationEventResult } from '../../../shared/remediation/remediate-event';
import { loadEvent } from '../../support/events';
import { TestReceiver } from '../../support/receiver';
import { auditModuleWith, ledgerModuleWith, memoryRemediationStores } from '../../support/remediation-stores';

const eks = mockClient(EKSClient);
const asg = mockClient(AutoScalingClient);
const ssm = mockClient(SSMClient);
// STATE_TABLE's ports in memory; their DynamoDB adapters are proved in test/system/contract/.
const mockStores = memoryRemediationStores();
jest.mock('../../../shared/remediation/ledger', () => ledgerModuleWith(mockStores));
jest.mock('../../../shared/remediation/audit', () => auditModuleWith(mockStores));
// No silences here: the stage's silences are read through this store, whose DynamoDB adapter is proved in test/system/contract/.
jest.mock('../../../shared/silence/store', () => ({
  ...jest.requireActual('../../../shared/silence/store'),
  // A constructor that returns an object makes `new` yield that object.
  DynamoDbSilenceStore: function DynamoDbSilenceStore() {
    const { InMemorySilenceStore } = jest.requireActual<typeof import('../../../shared/silence/store')>('../../../shared/silence/store');
    return new InMemorySilenceStore();
  },
}));
const ASG_NAME = 'eks-retail-prediction-nodegroup-8ec5a6f2';
const context = { functionName: 'firebreak-test-scaleNodegroup', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:x' } as Context;

type Handler = (event: unknown, context: Context) => Promise<RemediationEventResult>;

// Config and policy are read once, when the handler module loads: the environment is set first.
let handler: Handler;
let slack: TestReceiver;
const savedEnv = { ...process.env };
beforeAll(async () => {
  slack = await TestReceiver.start();
  Object.assign(process.env, { STAGE: 'dev', AWS_REGION: 'us-east-1', DRY_RUN: 'false', STATE_TABLE: 'firebreak-dev-state', SLACK_WEBHOOK_URL: slack.url('/slack') });
  ({ handler } = (await import('../../../functions/scaleNodegroup/handler')) as unknown as { handler: Handler });
});
afterAll(async () => {
  process.env = savedEnv;
  await slack.close();
});

beforeEach(() => {
  eks.reset();
  asg.reset();
  ssm.reset();
  mockStores.reset();
  slack.reset();
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
  eks.on(DescribeNodegroupCommand).resolves({ nodegroup: { resources: { autoScalingGroups: [{ name: ASG_NAME }] } } });
  asg.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [{ AutoScalingGroupName: ASG_NAME, DesiredCapacity: 3, MinSize: 2, MaxSize: 6, DefaultCooldown: 300, AvailabilityZones: [], HealthCheckType: 'EC2', CreatedTime: new Date() }],
  });
  asg.on(SetDesiredCapacityCommand).resolves({});
});

describe('scaleNodegroup handler', () => {
  it('HighCPU ALARM adds one node through the Auto Scaling group and audits it in the audit trail', async () => {
    const event = loadEvent('alarm-high-cpu-alarm');

    const result = await handler(event, context);

    expect(result.messages[0]?.outcomes).toEqual([expect.objectContaining({ status: 'done', target: 'retail-prediction-nodegroup', before: 3, after: 4 })]);
    expect(asg).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: ASG_NAME, DesiredCapacity: 4, HonorCooldown: true });
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: '/firebreak/dev/kill-switch' });
    expect(mockStores.audit.entries).toEqual([expect.objectContaining({ target: 'retail-prediction-nodegroup', status: 'done', before: 3, after: 4, alarm: 'RetailPrediction-HighCPU' })]);
    expect(mockStores.ledger.messages.get(`${event.Records[0]!.Sns.MessageId}|scale-nodegroup#retail-prediction-nodegroup`)).toMatchObject({ status: 'done' });
  });

  it('the same SNS message delivered again does nothing', async () => {

    await handler(loadEvent('alarm-high-cpu-alarm'), context);
    const again = await handler(loadEvent('alarm-high-cpu-alarm'), context);

    expect(again.messages[0]?.outcomes).toEqual([expect.objectContaining({ status: 'duplicate' })]);
    expect(asg).toHaveReceivedCommandTimes(SetDesiredCapacityCommand, 1);
  });

  it('HighCPU OK does not scale the node group down (no rule says so)', async () => {

    const result = await handler(loadEvent('alarm-high-cpu-ok'), context);

    expect(result.messages[0]?.outcomes).toEqual([]);
    expect(asg.calls()).toHaveLength(0);
  });

  it('alarms with no remediation rule, and messages that are not alarms, do nothing', async () => {

    const latency = await handler(loadEvent('alarm-high-latency-alarm'), context);
    const text = await handler(loadEvent('sns-plain-text'), context);

    expect(latency.messages[0]?.outcomes).toEqual([]);
    expect(text.messages[0]).toMatchObject({ outcomes: [], skipped: expect.any(String) });
    expect(asg.calls()).toHaveLength(0);
  });

  it('the kill switch parameter stops it, and Slack is told why', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '{"engaged":true,"reason":"game day"}' } });

    const result = await handler(loadEvent('alarm-high-cpu-alarm'), context);

    expect(result.messages[0]?.outcomes).toEqual([expect.objectContaining({ status: 'refused', guard: 'kill-switch' })]);
    expect(asg.calls()).toHaveLength(0);
    expect(slack.jsonBodies()).toEqual([expect.objectContaining({ text: expect.stringContaining('game day') })]);
  });

  it('a kill switch that cannot be read fails the invocation: nothing resized, nothing audited, Slack not told', async () => {
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));

    await expect(handler(loadEvent('alarm-high-cpu-alarm'), context)).rejects.toThrow(
      'Remediation failed for retail-prediction-nodegroup (could not read /firebreak/dev/kill-switch: no AWS credentials)',
    );
    expect(asg).not.toHaveReceivedCommand(SetDesiredCapacityCommand);
    expect(asg).not.toHaveReceivedCommand(DescribeAutoScalingGroupsCommand);
    expect(mockStores.audit.entries).toEqual([]);
    expect([...mockStores.ledger.cooldownUntil.keys(), ...mockStores.ledger.used.keys()]).toEqual([]);
    expect(slack.jsonBodies()).toEqual([]);
  });

  it('rejects an event that is not from SNS with a clear error', async () => {
    await expect(handler({ Records: [{ EventSource: 'aws:sqs', body: '{}' }] }, context)).rejects.toThrow(/not an SNS notification/);
  });
});
