// End to end: a capacity problem behind HighErrorRate scales through the real bounded remediation — the node group
// via mocked EKS and Auto Scaling, the deployment via KUBECONFIG against the strict Kubernetes API double — and
// a guard's refusal pages on-call through PagerDuty on loopback.
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeNodegroupCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import type { Context, SNSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { loadEvent } from '../../support/events';
import { TestReceiver } from '../../support/receiver';
import { describedAlarms, metricResults } from '../../unit/responder/doubles';
import { KubeApiDouble } from '../k8s/kube-api-double';
import { auditModuleWith, ledgerModuleWith } from '../../support/remediation-stores';
import { memoryResponderStores } from '../../support/responder-stores';

type Handler = (event: unknown, context: Context) => Promise<{ messages: { outcome: { status: string; decision: string; actions: string[]; incidentId: string } }[] }>;

const ASG_NAME = 'eks-retail-prediction-nodegroup-8ec5a6f2';
const context = { functionName: 'firebreak-dev-respond', awsRequestId: 'req-1' } as Context;
const cloudWatch = mockClient(CloudWatchClient);
const eks = mockClient(EKSClient);
const asg = mockClient(AutoScalingClient);
const ssm = mockClient(SSMClient);
const savedEnv = { ...process.env };

let handler: Handler;
let api: KubeApiDouble;
let slack: TestReceiver;
let pagerDuty: TestReceiver;
// STATE_TABLE's ports in memory; their DynamoDB adapters are proved in test/system/contract/.
const mockStores = memoryResponderStores();
jest.mock('../../../shared/responder/timeline', () => ({
  ...jest.requireActual('../../../shared/responder/timeline'),
  dynamoIncidentStore: () => mockStores.incidentPort,
}));
jest.mock('../../../shared/delivery/ledger', () => ({
  ...jest.requireActual('../../../shared/delivery/ledger'),
  // A constructor that returns an object makes `new` yield that object.
  DynamoDbDeliveryLedger: function DynamoDbDeliveryLedger() {
    return mockStores.deliveryPort;
  },
}));
jest.mock('../../../shared/remediation/ledger', () => ledgerModuleWith(mockStores.remediation));
jest.mock('../../../shared/remediation/audit', () => auditModuleWith(mockStores.remediation));
// No silences here: the stage's silences are read through this store, whose DynamoDB adapter is proved in test/system/contract/.
jest.mock('../../../shared/silence/store', () => ({
  ...jest.requireActual('../../../shared/silence/store'),
  // A constructor that returns an object makes `new` yield that object.
  DynamoDbSilenceStore: function DynamoDbSilenceStore() {
    const { InMemorySilenceStore } = jest.requireActual<typeof import('../../../shared/silence/store')>('../../../shared/silence/store');
    return new InMemorySilenceStore();
  },
}));

const alarmEvent = (messageId: string): SNSEvent => {
  const e = loadEvent('alarm-high-error-rate-alarm');
  if (e.Records[0]) e.Records[0].Sns.MessageId = messageId;
  return e;
};

beforeAll(async () => {
  api = await KubeApiDouble.start();
  slack = await TestReceiver.start();
  pagerDuty = await TestReceiver.start({ status: 202, body: '{"status":"success","dedup_key":"k"}' });
  Object.assign(process.env, {
    STAGE: 'dev',
    DRY_RUN: 'false',
    AWS_REGION: 'us-east-1',
    STATE_TABLE: 'firebreak-dev-state',
    KUBECONFIG: api.writeKubeconfig(),
    SLACK_WEBHOOK_URL: slack.url('/services/T000/B000/secret'),
    PAGERDUTY_ROUTING_KEY: 'routing-key-0123',
    PAGERDUTY_EVENTS_URL: pagerDuty.url('/v2/enqueue'),
    DELIVERY_MAX_ATTEMPTS: '2',
  });
  ({ handler } = (await import('../../../functions/respond/handler')) as unknown as { handler: Handler });
});

afterAll(async () => {
  process.env = savedEnv;
  await api.close();
  await slack.close();
  await pagerDuty.close();
});

beforeEach(() => {
  for (const m of [cloudWatch, eks, asg, ssm]) m.reset();
  api.reset();
  slack.reset();
  pagerDuty.reset({ status: 202, body: '{"status":"success","dedup_key":"k"}' });
  mockStores.reset();
  api.seedDeployment({ namespace: 'mlops', name: 'retail-forecast-api', replicas: 3 });
  cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: metricResults({ errorRate: 7.3, latency: 240, requests: 1500, cpu: 91 }) });
  cloudWatch.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[] }) => ({ MetricAlarms: describedAlarms(input.AlarmNames, 'ALARM') }));
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
  eks.on(DescribeNodegroupCommand).resolves({ nodegroup: { resources: { autoScalingGroups: [{ name: ASG_NAME }] } } });
  asg.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [{ AutoScalingGroupName: ASG_NAME, DesiredCapacity: 3, MinSize: 2, MaxSize: 6, DefaultCooldown: 300, AvailabilityZones: [], HealthCheckType: 'EC2', CreatedTime: new Date() }],
  });
  asg.on(SetDesiredCapacityCommand).resolves({});
});

describe('respond handler scaling through the bounded remediation', () => {
  it('CPU at 91 % behind HighErrorRate: one more node and the deployment to 6 replicas, audited, the team told', async () => {
    const result = await handler(alarmEvent('cap-1'), context);

    expect(result.messages[0]?.outcome).toMatchObject({ status: 'responded', decision: 'cpu-high' });
    expect(asg).toHaveReceivedCommandWith(SetDesiredCapacityCommand, { AutoScalingGroupName: ASG_NAME, DesiredCapacity: 4, HonorCooldown: true });
    expect(api.deployment('mlops', 'retail-forecast-api')).toMatchObject({ spec: { replicas: 6 } });
    const slackText = slack.requests.map((r) => (JSON.parse(r.body) as { text: string }).text).join('\n');
    expect(slackText).toContain('scale node group retail-prediction-nodegroup +1: done (3 → 4)');
    expect(slackText).toContain('scale deployment retail-forecast-api to 6: done (3 → 6)');
    expect(pagerDuty.requests).toHaveLength(0);
    // Remediation's own audit trail holds both actions, requested by the responder.
    expect(mockStores.remediation.audit.entries.map((a) => [a.action, a.status])).toEqual([
      ['scale-nodegroup', 'done'],
      ['scale-deployment', 'done'],
    ]);
  });

  it('a second capacity alarm inside the cooldown: the guard refuses, nothing moves, on-call is paged with why', async () => {
    await handler(alarmEvent('cap-1'), context);
    asg.resetHistory();
    pagerDuty.reset({ status: 202, body: '{"status":"success","dedup_key":"k"}' });

    const second = await handler(alarmEvent('cap-2'), context);

    expect(second.messages[0]?.outcome.actions.join('\n')).toContain('refused by cooldown');
    expect(asg).not.toHaveReceivedCommand(SetDesiredCapacityCommand);
    const pages = pagerDuty.requests.map((r) => JSON.parse(r.body) as { event_action: string; dedup_key: string; payload: { summary: string } });
    expect(pages).toHaveLength(1);
    expect(pages[0]?.event_action).toBe('trigger');
    expect(pages[0]?.payload.summary).toContain('refused by cooldown');
    expect(pages[0]?.dedup_key).toBe(second.messages[0]?.outcome.incidentId);
  });
});
