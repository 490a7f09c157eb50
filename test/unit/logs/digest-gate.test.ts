// Unit: the per-log-group rate limit of error digests, through conditional writes on STATE_TABLE (DynamoDB double).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { digestKey, dynamoDigestGate } from '../../../shared/logs/digest-gate';
import { installDynamoDouble } from '../../support/dynamodb-double';

const T0 = 1_772_442_000_000;

describe('dynamoDigestGate', () => {
  let table: ReturnType<typeof installDynamoDouble>;
  beforeEach(() => {
    table = installDynamoDouble();
  });
  afterEach(() => table.mock.restore());

  it('opens once per interval per log group and reports what it held back', async () => {
    const gate = dynamoDigestGate('state', table.client);
    expect(await gate.tryOpen('/g', 3, 300, T0)).toEqual({ open: true, suppressedErrors: 0, openedAt: T0 });
    expect(await gate.tryOpen('/g', 5, 300, T0 + 10_000)).toEqual({ open: false });
    expect(await gate.tryOpen('/g', 7, 300, T0 + 299_000)).toEqual({ open: false });
    expect(await gate.tryOpen('/other', 1, 300, T0 + 1_000)).toMatchObject({ open: true });
    expect(await gate.tryOpen('/g', 2, 300, T0 + 300_000)).toEqual({ open: true, suppressedErrors: 12, openedAt: T0 + 300_000 });
    expect(table.item('digest#/g', 'digest')).toMatchObject({ sentAt: T0 + 300_000, suppressedErrors: 0, logGroup: '/g' });
    // The next window starts from zero.
    expect(await gate.tryOpen('/g', 1, 300, T0 + 600_000)).toEqual({ open: true, suppressedErrors: 0, openedAt: T0 + 600_000 });
  });

  it('lets only one of many concurrent openings through', async () => {
    const gate = dynamoDigestGate('state', table.client);
    const decisions = await Promise.all(Array.from({ length: 8 }, () => gate.tryOpen('/g', 1, 300, T0)));
    expect(decisions.filter((d) => d.open)).toHaveLength(1);
    expect(table.item('digest#/g', 'digest')?.suppressedErrors).toBe(7);
  });

  it('writes under the digest#<logGroup> key with a TTL', async () => {
    await dynamoDigestGate('state', table.client).tryOpen('/aws/lambda/x', 1, 60, T0);
    const update = table.mock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.TableName).toBe('state');
    expect(update?.Key).toEqual(digestKey('/aws/lambda/x'));
    expect(update?.Key).toEqual({ pk: 'digest#/aws/lambda/x', sk: 'digest' });
    expect(table.item('digest#/aws/lambda/x', 'digest')?.expiresAt).toBeGreaterThan(T0 / 1000 + 60);
  });

  it('release lets the retried batch post, with what earlier batches held back', async () => {
    const gate = dynamoDigestGate('state', table.client);
    await gate.tryOpen('/g', 1, 300, T0);
    await gate.tryOpen('/g', 4, 300, T0 + 1_000); // held back: 4
    const opened = await gate.tryOpen('/g', 2, 300, T0 + 301_000);
    expect(opened).toEqual({ open: true, suppressedErrors: 4, openedAt: T0 + 301_000 });
    if (!opened.open) return;
    await gate.release('/g', opened);
    expect(await gate.tryOpen('/g', 2, 300, T0 + 302_000)).toEqual({ open: true, suppressedErrors: 4, openedAt: T0 + 302_000 });
  });

  it('release leaves alone a gate someone else opened since', async () => {
    const gate = dynamoDigestGate('state', table.client);
    await gate.tryOpen('/g', 1, 0, T0);
    await gate.tryOpen('/g', 1, 0, T0 + 5);
    await expect(gate.release('/g', { open: true, suppressedErrors: 0, openedAt: T0 })).resolves.toBeUndefined();
    expect(table.item('digest#/g', 'digest')?.sentAt).toBe(T0 + 5);
  });
});

describe('dynamoDigestGate errors', () => {
  it('throws DynamoDB failures other than a refused condition', async () => {
    const mock = mockClient(DynamoDBDocumentClient);
    mock.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 }));
    await expect(dynamoDigestGate('state', client).tryOpen('/g', 1, 300, T0)).rejects.toThrow('ProvisionedThroughputExceededException');
    mock.restore();
  });
});
