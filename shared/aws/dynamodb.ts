// Adapter: the DynamoDB document client for STATE_TABLE, created once per container.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3 }), {
  marshallOptions: { removeUndefinedValues: true },
});

/** Epoch seconds `days` from `now`: the value of the table's TTL attribute `expiresAt`. */
export const expiresAfterDays = (days: number, now: number = Date.now()): number =>
  Math.floor(now / 1000) + days * 86_400;
