// Adapter: the DynamoDB document client for STATE_TABLE, created once per container.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** A document client as every part of Firebreak uses one: SDK retries, attributes left undefined not written. */
export const documentClient = (options: { readonly region?: string } = {}): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ ...options, maxAttempts: 3 }), { marshallOptions: { removeUndefinedValues: true } });

export const dynamoDb = documentClient();

/** Epoch seconds `days` from `now`: the value of the table's TTL attribute `expiresAt`. */
export const expiresAfterDays = (days: number, now: number = Date.now()): number =>
  Math.floor(now / 1000) + days * 86_400;
