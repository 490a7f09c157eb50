// Unit tests: the scaleNodegroup handler in the local stage's DRY_RUN — plans only, writes nothing anywhere.
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeNodegroupCommand, EKSClient } from '@aws-sdk/client-eks';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { RemediationEventResult } from '../../../shared/remediation/remediate-event';
import { loadEvent } from '../../support/events';

const eks = mockClient(EKSClient);
const asg = mockClient(AutoScalingClient);
const ssm = mockClient(SSMClient);
// Answers nothing: a dry run must not send STATE_TABLE a single request.
const db = mockClient(DynamoDBDocumentClient);
const ASG_NAME = 'eks-retail-prediction-nodegroup-8ec5a6f2';
const context = { functionName: 'firebreak-local-scaleNodegroup', awsRequestId: 'req-1' } as Context;

type Handler = (event: unknown, context: Context) => Promise<RemediationEventResult>;
let handler: Handler;
const savedEnv = { ...process.env };
beforeAll(async () => {
  // Stage local: DRY_RUN by default, no STATE_TABLE.
  Object.assign(process.env, { STAGE: 'local', AWS_REGION: 'us-east-1' });
  delete process.env.DRY_RUN;
  delete process.env.STATE_TABLE;
  ({ handler } = (await import('../../../functions/scaleNodegroup/handler')) as unknown as { handler: Handler });
});
afterAll(() => {
  process.env = savedEnv;
});

beforeEach(() => {
  db.reset();
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
  eks.on(DescribeNodegroupCommand).resolves({ nodegroup: { resources: { autoScalingGroups: [{ name: ASG_NAME }] } } });
  asg.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [{ AutoScalingGroupName: ASG_NAME, DesiredCapacity: 3, MinSize: 2, MaxSize: 6, DefaultCooldown: 300, AvailabilityZones: [], HealthCheckType: 'EC2', CreatedTime: new Date() }],
  });
});

it('plans +1 for HighCPU ALARM without SetDesiredCapacity or any STATE_TABLE write, and ignores a redelivery', async () => {
  const first = await handler(loadEvent('alarm-high-cpu-alarm'), context);
  const again = await handler(loadEvent('alarm-high-cpu-alarm'), context);

  expect(first.dryRun).toBe(true);
  expect(first.messages[0]?.outcomes).toEqual([
    expect.objectContaining({ status: 'dry-run', before: 3, after: 4, plan: expect.stringContaining(`SetDesiredCapacity on ${ASG_NAME}`) }),
  ]);
  expect(again.messages[0]?.outcomes).toEqual([expect.objectContaining({ status: 'duplicate' })]);
  expect(asg).not.toHaveReceivedCommand(SetDesiredCapacityCommand);
  expect(db.calls()).toHaveLength(0);
});

it('with no AWS credentials at all, plans +1 with the size, kill switch and cooldowns stated as unknown, and calls nothing that writes', async () => {
  const noCredentials = () => Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
  ssm.on(GetParameterCommand).rejects(noCredentials());
  eks.on(DescribeNodegroupCommand).rejects(noCredentials());
  asg.on(DescribeAutoScalingGroupsCommand).rejects(noCredentials());
  const event = loadEvent('alarm-high-cpu-alarm');
  event.Records[0]!.Sns.MessageId = 'offline-laptop-run';

  const result = await handler(event, context);

  expect(result.dryRun).toBe(true);
  const [outcome] = result.messages[0]?.outcomes ?? [];
  expect(outcome).toMatchObject({ status: 'dry-run', target: 'retail-prediction-nodegroup', plan: expect.stringContaining('size unknown: would request +1') });
  expect(outcome?.status === 'dry-run' && outcome.unknown).toEqual([
    'kill switch: unknown (could not read /firebreak/local/kill-switch: no AWS credentials)',
    'node group size: unknown (could not read node group retail-prediction-cluster/retail-prediction-nodegroup through eks:DescribeNodegroup: no AWS credentials)',
  ]);
  expect(asg).not.toHaveReceivedCommand(SetDesiredCapacityCommand);
  expect(db.calls()).toHaveLength(0);
});
