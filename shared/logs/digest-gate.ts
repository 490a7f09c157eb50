// Adapter: rate-limits Slack error digests per log group with DynamoDB conditional writes on STATE_TABLE.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDb } from '../aws/dynamodb';

/** Whether a digest may be posted now, and how many errors earlier digests held back. */
export type GateDecision = { readonly open: true; readonly suppressedErrors: number; readonly openedAt: number } | { readonly open: false };

/** Decides whether a log group may have a digest posted now; state lives outside the process. */
export interface DigestGate {
  /** Opens the gate when the last digest of `logGroup` is at least `minIntervalSeconds` old; else counts `errors` as suppressed. */
  tryOpen(logGroup: string, errors: number, minIntervalSeconds: number, now: number): Promise<GateDecision>;
  /** Undoes an opening whose digest could not be posted, so the retried batch may post it. */
  release(logGroup: string, decision: Extract<GateDecision, { open: true }>): Promise<void>;
}

/** Partition key of a log group's digest state: `digest#<logGroup>`. */
export const digestKey = (logGroup: string) => ({ pk: `digest#${logGroup}`, sk: 'digest' });

/** Days a digest item outlives its last digest (the table's TTL removes it after). */
const DIGEST_ITEM_DAYS = 2;

interface DigestItem {
  readonly sentAt?: number;
  readonly suppressedErrors?: number;
}

/**
 * The DynamoDB gate. Opening is one conditional Put (`attribute_not_exists(pk) OR sentAt <= :cutoff`)
 * that returns the old item, so concurrent invocations for one log group cannot both post. A refused
 * opening adds the batch's errors to `suppressedErrors`, which the next digest reports.
 */
export function dynamoDigestGate(tableName: string, client: DynamoDBDocumentClient = dynamoDb): DigestGate {
  return {
    async tryOpen(logGroup, errors, minIntervalSeconds, now) {
      const expiresAt = Math.floor(now / 1000) + minIntervalSeconds + DIGEST_ITEM_DAYS * 86_400;
      try {
        const result = await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...digestKey(logGroup), sentAt: now, suppressedErrors: 0, expiresAt, logGroup },
            ConditionExpression: 'attribute_not_exists(pk) OR sentAt <= :cutoff',
            ExpressionAttributeValues: { ':cutoff': now - minIntervalSeconds * 1000 },
            ReturnValues: 'ALL_OLD',
          }),
        );
        const old = result.Attributes as DigestItem | undefined;
        return { open: true, suppressedErrors: old?.suppressedErrors ?? 0, openedAt: now };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: digestKey(logGroup),
          UpdateExpression: 'ADD suppressedErrors :errors',
          ExpressionAttributeValues: { ':errors': errors },
        }),
      );
      return { open: false };
    },

    async release(logGroup, decision) {
      try {
        // Back-date the opening so the retry finds the gate open, and restore what earlier batches held back
        // (the retried batch counts its own errors again).
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: digestKey(logGroup),
            UpdateExpression: 'SET sentAt = :never, suppressedErrors = :suppressed',
            ConditionExpression: 'sentAt = :openedAt',
            ExpressionAttributeValues: { ':never': 0, ':openedAt': decision.openedAt, ':suppressed': decision.suppressedErrors },
          }),
        );
      } catch (error) {
        // Someone else opened the gate since: their digest is the one that counts.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}
