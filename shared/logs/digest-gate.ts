// Adapter: rate-limits Slack error digests per log group with DynamoDB conditional writes on STATE_TABLE.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
  /** Errors of batches whose digest was held back since the last digest. */
  readonly suppressedErrors?: number;
}

/**
 * The DynamoDB gate. Opening is one conditional update (`attribute_not_exists(pk) OR sentAt <= :cutoff`),
 * so concurrent invocations for one log group cannot both post. A refused opening adds the batch's
 * errors to `suppressedErrors`; an opening reads that count and takes exactly it back off, so errors
 * held back by a concurrent invocation in between are kept for the next digest.
 */
export function dynamoDigestGate(tableName: string, client: DynamoDBDocumentClient = dynamoDb): DigestGate {
  const add = (logGroup: string, errors: number, extra: { condition?: string; values?: Record<string, unknown>; set?: string } = {}) =>
    client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: digestKey(logGroup),
        UpdateExpression: `${extra.set ? `SET ${extra.set} ` : ''}ADD suppressedErrors :errors`,
        ConditionExpression: extra.condition,
        ExpressionAttributeValues: { ':errors': errors, ...extra.values },
      }),
    );

  return {
    async tryOpen(logGroup, errors, minIntervalSeconds, now) {
      const expiresAt = Math.floor(now / 1000) + minIntervalSeconds + DIGEST_ITEM_DAYS * 86_400;
      let item: DigestItem | undefined;
      try {
        const result = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: digestKey(logGroup),
            UpdateExpression: 'SET sentAt = :now, expiresAt = :expiresAt, logGroup = :logGroup',
            ConditionExpression: 'attribute_not_exists(pk) OR sentAt <= :cutoff',
            ExpressionAttributeValues: { ':now': now, ':expiresAt': expiresAt, ':logGroup': logGroup, ':cutoff': now - minIntervalSeconds * 1000 },
            ReturnValues: 'ALL_NEW',
          }),
        );
        item = result.Attributes as DigestItem | undefined;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        await add(logGroup, errors);
        return { open: false };
      }
      const suppressedErrors = item?.suppressedErrors ?? 0;
      if (suppressedErrors > 0) await add(logGroup, -suppressedErrors);
      return { open: true, suppressedErrors, openedAt: now };
    },

    async release(logGroup, decision) {
      try {
        // Back-date the opening so the retry finds the gate open, and give back the count this opening
        // took off (the retried batch counts its own errors again).
        await add(logGroup, decision.suppressedErrors, {
          set: 'sentAt = :never',
          condition: 'sentAt = :openedAt',
          values: { ':never': 0, ':openedAt': decision.openedAt },
        });
      } catch (error) {
        // Someone else opened the gate since: their digest is the one that counts.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}
