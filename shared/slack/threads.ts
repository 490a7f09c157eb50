// Adapter: the Slack thread of each alarm in app mode — where its parent message is (channel, ts), kept in STATE_TABLE.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expiresAfterDays } from '../aws/dynamodb';
import { UnreadableInputError } from '../read-failure';

/** An alarm's thread: its parent message, and whether the alarm is still out of OK. */
export interface SlackThread {
  /** The alarm (or group) the thread is about. */
  readonly key: string;
  readonly channel: string;
  /** The parent message's ts: replies carry it as thread_ts; chat.update names it. */
  readonly ts: string;
  readonly openedAt: string;
  /** Set when the alarm went back to OK: the next ALARM starts a new thread. */
  readonly closedAt?: string;
}

export interface SlackThreads {
  /** The alarm's thread, open or closed (undefined when there is none). */
  get(key: string): Promise<SlackThread | undefined>;
  /** Records a new parent message as the alarm's open thread. */
  open(thread: Omit<SlackThread, 'closedAt'>): Promise<void>;
  /** The alarm is OK: its thread stays readable (remediation that finishes later still replies in it) but is no longer open. */
  close(key: string, at: Date): Promise<void>;
}

/** Days a thread record is kept after its last change: the remediation and the responder reply in it for as long as an incident lasts. */
export const THREAD_RECORD_DAYS = 14;

export const threadKey = (key: string) => ({ pk: `slack-thread#${key}`, sk: 'thread' });

export const isOpen = (thread: SlackThread | undefined): thread is SlackThread => thread !== undefined && thread.closedAt === undefined;

export class DynamoDbSlackThreads implements SlackThreads {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(key: string): Promise<SlackThread | undefined> {
    try {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: threadKey(key), ConsistentRead: true }));
      if (!Item) return undefined;
      const { pk: _pk, sk: _sk, expiresAt: _e, ...thread } = Item;
      return thread as SlackThread;
    } catch (error) {
      throw new UnreadableInputError(this.source, error);
    }
  }

  async open(thread: Omit<SlackThread, 'closedAt'>): Promise<void> {
    try {
      // A new parent replaces a closed thread; the record is the latest parent's.
      await this.client.send(new PutCommand({ TableName: this.table, Item: { ...threadKey(thread.key), ...thread, expiresAt: expiresAfterDays(THREAD_RECORD_DAYS, Date.parse(thread.openedAt)) } }));
    } catch (error) {
      throw new Error(`could not record the Slack thread in ${this.source}: ${new UnreadableInputError(this.source, error).message}`, { cause: error });
    }
  }

  async close(key: string, at: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: threadKey(key),
          UpdateExpression: 'SET closedAt = :at, expiresAt = :expiresAt',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at.toISOString(), ':expiresAt': expiresAfterDays(THREAD_RECORD_DAYS, at.getTime()) },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw new Error(`could not close the Slack thread in ${this.source}: ${new UnreadableInputError(this.source, error).message}`, { cause: error });
    }
  }

  private get source(): string {
    return `the Slack threads in STATE_TABLE ${this.table}`;
  }
}

/** Threads in memory: dry runs and tests. */
export class InMemorySlackThreads implements SlackThreads {
  readonly threads = new Map<string, SlackThread>();

  async get(key: string): Promise<SlackThread | undefined> {
    return this.threads.get(key);
  }

  async open(thread: Omit<SlackThread, 'closedAt'>): Promise<void> {
    this.threads.set(thread.key, { ...thread });
  }

  async close(key: string, at: Date): Promise<void> {
    const thread = this.threads.get(key);
    if (thread) this.threads.set(key, { ...thread, closedAt: at.toISOString() });
  }
}
