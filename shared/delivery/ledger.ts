// Adapter: the per-channel delivery record that makes a retried or duplicated message notify nobody twice (notify and the responder).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expiresAfterDays } from '../aws/dynamodb';
import type { ChannelName } from '../policy/schema';
import { UnreadableInputError, whyUnreadable } from '../read-failure';

/** What a claim found: ours to send, already sent, or being sent by another invocation right now. */
export type ClaimResult = 'claimed' | 'already-delivered' | 'in-flight';

/** Records, per SNS MessageId and channel, that a delivery is under way or done. */
export interface DeliveryLedger {
  claim(messageId: string, channel: ChannelName): Promise<ClaimResult>;
  markDelivered(messageId: string, channel: ChannelName): Promise<void>;
  /** The delivery failed: the next attempt may claim it again. */
  release(messageId: string, channel: ChannelName, reason: string): Promise<void>;
}

/** How long a claim holds before another invocation may take it over (an invocation that died mid-send). */
export const CLAIM_LEASE_MS = 120_000;
/** Delivery records are kept long enough to outlive SNS and Lambda retries, then expire by TTL. */
export const DELIVERY_RECORD_DAYS = 7;

/** The ledger item of one message and channel in STATE_TABLE. */
export const deliveryKey = (messageId: string, channel: ChannelName) => ({ pk: `delivery#${messageId}`, sk: channel });

/** The ledger in STATE_TABLE, with conditional writes so concurrent duplicates cannot both claim. */
export class DynamoDbDeliveryLedger implements DeliveryLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(messageId: string, channel: ChannelName): Promise<ClaimResult> {
    const now = this.now();
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...deliveryKey(messageId, channel), status: 'sending', leaseUntil: now + CLAIM_LEASE_MS, claimedAt: new Date(now).toISOString(), expiresAt: expiresAfterDays(DELIVERY_RECORD_DAYS, now) },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :failed OR (#status = :sending AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed', ':sending': 'sending', ':now': now },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'claimed';
    } catch (error) {
      // Named as the ledger's, so a channel's failure does not read as the channel's own (no AWS credentials
      // on a laptop is the ledger in STATE_TABLE, not Slack).
      if (!(error instanceof ConditionalCheckFailedException)) throw new UnreadableInputError(this.source, error);
      return error.Item?.status?.S === 'delivered' ? 'already-delivered' : 'in-flight';
    }
  }

  async markDelivered(messageId: string, channel: ChannelName): Promise<void> {
    await this.settle(messageId, channel, 'delivered', { name: 'deliveredAt', value: new Date(this.now()).toISOString() });
  }

  async release(messageId: string, channel: ChannelName, reason: string): Promise<void> {
    await this.settle(messageId, channel, 'failed', { name: 'lastError', value: reason.slice(0, 500) });
  }

  /** Ends the claim as `status`, with the attribute that says when or why; the lease goes either way. */
  private async settle(messageId: string, channel: ChannelName, status: 'delivered' | 'failed', attribute: { name: 'deliveredAt' | 'lastError'; value: string }): Promise<void> {
    await this.send(
      new UpdateCommand({
        TableName: this.table,
        Key: deliveryKey(messageId, channel),
        UpdateExpression: `SET #status = :status, ${attribute.name} = :value REMOVE leaseUntil`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':value': attribute.value },
      }),
    );
  }

  private get source(): string {
    return `the delivery ledger in STATE_TABLE ${this.table}`;
  }

  private async send(command: UpdateCommand): Promise<void> {
    try {
      await this.client.send(command);
    } catch (error) {
      throw new Error(`could not record the delivery in ${this.source}: ${whyUnreadable(error)}`, { cause: error });
    }
  }
}

/** A ledger in memory: for dry runs (nothing is written anywhere) and for tests. */
export class InMemoryDeliveryLedger implements DeliveryLedger {
  readonly records = new Map<string, 'sending' | 'delivered' | 'failed'>();

  async claim(messageId: string, channel: ChannelName): Promise<ClaimResult> {
    const key = `${messageId}/${channel}`;
    const status = this.records.get(key);
    if (status === 'delivered') return 'already-delivered';
    if (status === 'sending') return 'in-flight';
    this.records.set(key, 'sending');
    return 'claimed';
  }

  async markDelivered(messageId: string, channel: ChannelName): Promise<void> {
    this.records.set(`${messageId}/${channel}`, 'delivered');
  }

  async release(messageId: string, channel: ChannelName): Promise<void> {
    this.records.set(`${messageId}/${channel}`, 'failed');
  }
}
