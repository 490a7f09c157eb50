// Integration tests: the scaleDeployment handler through KUBECONFIG against the strict Kubernetes API double.
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { RemediationEventResult } from '../../../shared/remediation/remediate-event';
import { loadEvent } from '../../support/events';
import { TestReceiver } from '../../support/receiver';
import { auditModuleWith, ledgerModuleWith, memoryRemediationStores } from '../../support/remediation-stores';
import { KubeApiDouble } from './kube-api-double';

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
const context = { functionName: 'firebreak-dev-scaleDeployment', awsRequestId: 'req-1' } as Context;

type Handler = (event: unknown, context: Context) => Promise<RemediationEventResult>;
let handler: Handler;
let api: KubeApiDouble;
let slack: TestReceiver;
const savedEnv = { ...process.env };

beforeAll(async () => {
  api = await KubeApiDouble.start();
  slack = await TestReceiver.start();
  Object.assign(process.env, {
    STAGE: 'dev',
    AWS_REGION: 'us-east-1',
    DRY_RUN: 'false',
    STATE_TABLE: 'firebreak-dev-state',
    KUBECONFIG: api.writeKubeconfig(),
    SLACK_WEBHOOK_URL: slack.url('/slack'),
  });
  ({ handler } = (await import('../../../functions/scaleDeployment/handler')) as unknown as { handler: Handler });
});
afterAll(async () => {
  process.env = savedEnv;
  await api.close();
  await slack.close();
});

beforeEach(() => {
  api.reset();
  slack.reset();
  ssm.reset();
  mockStores.reset();
  ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
  api.seedDeployment({ namespace: 'mlops', name: 'retail-forecast-api', replicas: 3 });
});

it('HighCPU ALARM scales mlops/retail-forecast-api to 6; OK inside the cooldown is refused and Slack told; after it, back to 3', async () => {
  const alarm = await handler(loadEvent('alarm-high-cpu-alarm'), context);

  expect(alarm.messages[0]?.outcomes).toEqual([expect.objectContaining({ status: 'done', before: 3, after: 6 })]);
  expect(api.deployment('mlops', 'retail-forecast-api')).toMatchObject({ spec: { replicas: 6 } });
  expect(api.writes().map((w) => `${w.method} ${w.path} ${w.headers['content-type']}`)).toEqual([
    'PATCH /apis/apps/v1/namespaces/mlops/deployments/retail-forecast-api/scale application/merge-patch+json',
  ]);

  const early = await handler(loadEvent('alarm-high-cpu-ok'), context);
  expect(early.messages[0]?.outcomes).toEqual([expect.objectContaining({ status: 'refused', guard: 'cooldown' })]);
  expect(slack.jsonBodies()).toEqual([expect.objectContaining({ text: expect.stringContaining('cooldown') })]);

  // The cooldown runs out.
  if (!mockStores.ledger.cooldownUntil.has('retail-forecast-api')) throw new Error('expected a cooldown lock');
  mockStores.ledger.cooldownUntil.set('retail-forecast-api', 0);
  const okEvent = loadEvent('alarm-high-cpu-ok');
  okEvent.Records[0]!.Sns.MessageId = 'a-later-ok-notification';
  const ok = await handler(okEvent, context);

  expect(ok.messages[0]?.outcomes).toEqual([expect.objectContaining({ status: 'done', before: 6, after: 3 })]);
  expect(api.deployment('mlops', 'retail-forecast-api')).toMatchObject({ spec: { replicas: 3 } });
});

it('a missing deployment fails the invocation with the API reason, so Lambda retries', async () => {
  api.reset();

  await expect(handler(loadEvent('alarm-high-cpu-alarm'), context)).rejects.toThrow(/404 NotFound: deployments.apps "retail-forecast-api" not found/);
  // Nothing was claimed or recorded as handled: the retry starts afresh.
  expect([...mockStores.ledger.messages.keys()]).toEqual([]);
});
