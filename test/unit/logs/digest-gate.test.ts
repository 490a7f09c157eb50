// Unit: the per-log-group rate limit of error digests, through conditional writes on STATE_TABLE.
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { digestKey, dynamoDigestGate } from '../../../shared/logs/digest-gate';
import { fakeDigestTable } from '../../support/fake-digest-table';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 }));
const T0 = 1_772_442_000_000;

describe('dynamoDigestGate', () => {
  let table: ReturnType<typeof fakeDigestTable>;
  beforeEach(() => {
    table = fakeDigestTable();
  });
  afterEach(() => table.mock.restore());

  it('opens once per interval per log group and counts what it held back', async () => {
    const gate = dynamoDigestGate('state', client);
    expect(await gate.tryOpen('/g', 3, 300, T0)).toEqual({ open: true, suppressedErrors: 0, openedAt: T0 });
    expect(await gate.tryOpen('/g', 5, 300, T0 + 10_000)).toEqual({ open: false });
    expect(await gate.tryOpen('/g', 7, 300, T0 + 299_000)).toEqual({ open: false });
    expect(await gate.tryOpen('/other', 1, 300, T0 + 1_000)).toMatchObject({ open: true });
    expect(await gate.tryOpen('/g', 2, 300, T0 + 300_000)).toEqual({ open: true, suppressedErrors: 12, openedAt: T0 + 300_000 });
    expect(table.items.get('digest#/g|digest')).toMatchObject({ sentAt: T0 + 300_000, suppressedErrors: 0, logGroup: '/g' });
  });

  it('writes under the digest#<logGroup> key with a TTL', async () => {
    await dynamoDigestGate('state', client).tryOpen('/aws/lambda/x', 1, 60, T0);
    const put = table.mock.commandCalls(PutCommand)[0]?.args[0].input;
    expect(put?.TableName).toBe('state');
    expect(put?.Item).toMatchObject({ ...digestKey('/aws/lambda/x'), pk: 'digest#/aws/lambda/x' });
    expect(put?.Item?.expiresAt).toBeGreaterThan(T0 / 1000 + 60);
  });

  it('release lets the retried batch post, keeping what earlier batches held back', async () => {
    const gate = dynamoDigestGate('state', client);
    await gate.tryOpen('/g', 1, 300, T0);
    await gate.tryOpen('/g', 4, 300, T0 + 1_000); // held back: 4
    const opened = await gate.tryOpen('/g', 2, 300, T0 + 301_000);
    expect(opened).toEqual({ open: true, suppressedErrors: 4, openedAt: T0 + 301_000 });
    if (!opened.open) return;
    await gate.release('/g', opened);
    expect(await gate.tryOpen('/g', 2, 300, T0 + 302_000)).toEqual({ open: true, suppressedErrors: 4, openedAt: T0 + 302_000 });
  });

  it('release leaves alone a gate someone else opened since', async () => {
    const gate = dynamoDigestGate('state', client);
    await gate.tryOpen('/g', 1, 0, T0);
    await gate.tryOpen('/g', 1, 0, T0 + 5);
    await expect(gate.release('/g', { open: true, suppressedErrors: 0, openedAt: T0 })).resolves.toBeUndefined();
    expect(table.items.get('digest#/g|digest')?.sentAt).toBe(T0 + 5);
  });
});

describe('dynamoDigestGate errors', () => {
  it('throws DynamoDB failures other than a refused condition', async () => {
    const mock = mockClient(DynamoDBDocumentClient);
    mock.on(PutCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    await expect(dynamoDigestGate('state', client).tryOpen('/g', 1, 300, T0)).rejects.toThrow('ProvisionedThroughputExceededException');
    mock.restore();
  });
});
