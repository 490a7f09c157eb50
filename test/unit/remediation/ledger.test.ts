// Unit tests: how the action ledger answers a transaction DynamoDB cancelled for a collision; its conditions and
// transactions themselves are proved against the emulator in test/system/contract/action-ledger.test.ts.
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { dynamoActionLedger, TRANSACTION_CONFLICT_ATTEMPTS } from '../../../shared/remediation/ledger';
import type { LedgerClaim } from '../../../shared/remediation/types';
import { NOW } from './support/fixtures';

const claim: LedgerClaim = { targetId: 'retail-prediction-nodegroup', cooldownSeconds: 600, targetBudget: 3, globalBudget: 10, windowSeconds: 3600, now: NOW };

// The emulator applies transactions one at a time and never answers TransactionConflict, so this answer is given here.
const cancelled = (codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

const mock = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', maxAttempts: 1 }));
beforeEach(() => mock.reset());
afterAll(() => mock.restore());

describe('dynamoActionLedger on a transaction conflict', () => {
  it('retries a transaction that collided with another, then gives up with the error', async () => {
    mock.on(TransactWriteCommand).rejects(cancelled(['TransactionConflict', 'None', 'None']));

    await expect(dynamoActionLedger(client, 'state').claim(claim)).rejects.toThrow(/TransactionConflict/);
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(TRANSACTION_CONFLICT_ATTEMPTS);
  });

  it('a retry after a collision can win', async () => {
    mock.on(TransactWriteCommand).rejectsOnce(cancelled(['None', 'TransactionConflict', 'None'])).resolves({});

    expect(await dynamoActionLedger(client, 'state').claim(claim)).toEqual({ ok: true, claimId: expect.any(String) });
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('a condition that failed is a verdict at once, not retried, even beside a conflict', async () => {
    mock.on(TransactWriteCommand).rejects(cancelled(['None', 'ConditionalCheckFailed', 'TransactionConflict']));

    expect(await dynamoActionLedger(client, 'state').claim(claim)).toMatchObject({ ok: false, guard: 'budget' });
    expect(mock.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});
