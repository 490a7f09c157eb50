// Adapter: replay protection for slackActions — each verified Slack request's signature is claimed once in STATE_TABLE.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UnreadableInputError } from '../read-failure';
import { SLACK_REQUEST_MAX_AGE_S } from './signature';

/** Whether a signature was seen before: the first sight of a request acts, a replay does nothing. */
export type SlackRequestClaim = 'first' | 'replay';

/**
 * Remembers the signatures of verified Slack requests. A signature covers the timestamp and the body, so the same
 * signature twice is the same request twice: a replay inside the window `verifySlackRequest` accepts.
 */
export interface SlackRequestLedger {
  /** Claims `signature`, received `at`: 'first' the first time, 'replay' every time after. */
  claim(signature: string, at: Date): Promise<SlackRequestClaim>;
}

/**
 * Seconds a claim is kept. A request accepted at `at` carries a timestamp at most {@link SLACK_REQUEST_MAX_AGE_S}
 * ahead of `at`, and that timestamp is refused {@link SLACK_REQUEST_MAX_AGE_S} after it: past twice the window
 * no replay of it can verify, so the claim may go.
 */
export const SLACK_REQUEST_RECORD_S = 2 * SLACK_REQUEST_MAX_AGE_S;

/** The ledger item of one request signature in STATE_TABLE. */
export const slackRequestKey = (signature: string) => ({ pk: `slack-request#${signature}`, sk: 'request' });

/** The ledger in STATE_TABLE: a conditional put, so of two deliveries of one request (even concurrent) one is first. */
export class DynamoDbSlackRequestLedger implements SlackRequestLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async claim(signature: string, at: Date): Promise<SlackRequestClaim> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          // TTL deletes expired items late (up to days): until then an expired claim still reads as a replay, which only errs safe.
          Item: { ...slackRequestKey(signature), claimedAt: at.toISOString(), expiresAt: Math.floor(at.getTime() / 1000) + SLACK_REQUEST_RECORD_S },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'first';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'replay';
      // Not knowing is not 'first': acting on a request that may be a replay is what the ledger exists to prevent.
      throw new UnreadableInputError(`the Slack request ledger in STATE_TABLE ${this.table}`, error);
    }
  }
}

/** A ledger in memory: for dry runs (nothing is written anywhere) and for tests. Claims never expire. */
export class InMemorySlackRequestLedger implements SlackRequestLedger {
  /** Each claimed signature and when it was first claimed. */
  readonly claims = new Map<string, Date>();

  async claim(signature: string, at: Date): Promise<SlackRequestClaim> {
    if (this.claims.has(signature)) return 'replay';
    this.claims.set(signature, at);
    return 'first';
  }
}
