// Unit: the digest gate passes on DynamoDB failures other than a refused condition; its conditions themselves are
// proved against the emulator in test/system/contract/digest-gate.test.ts.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { dynamoDigestGate } from '../../../shared/logs/digest-gate';

const T0 = 1_772_442_000_000;

describe('dynamoDigestGate errors', () => {
  it('throws DynamoDB failures other than a refused condition', async () => {
    const mock = mockClient(DynamoDBDocumentClient);
    mock.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 }));
    await expect(dynamoDigestGate('state', client).tryOpen('/g', 1, 300, T0)).rejects.toThrow('ProvisionedThroughputExceededException');
    mock.restore();
  });
});
