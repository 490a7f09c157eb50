// Adapter: which PagerDuty incidents notify opened and has not resolved yet, so a silence never withholds the resolve of a page that went out.
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expiresAfterDays } from '../aws/dynamodb';
import { UnreadableInputError } from '../read-failure';

/** The open PagerDuty incidents notify triggered, by dedup_key. */
export interface OpenPages {
  isOpen(dedupKey: string): Promise<boolean>;
  /** A trigger for the key was delivered. */
  opened(dedupKey: string, at: Date): Promise<void>;
  /** A resolve for the key was delivered. */
  resolved(dedupKey: string, at: Date): Promise<void>;
}

/** Days a page's record is kept after its last change: longer than any incident stays open unattended. */
export const PAGE_RECORD_DAYS = 30;

export const pageKey = (dedupKey: string) => ({ pk: `page#${dedupKey}`, sk: 'page' });

export class DynamoDbOpenPages implements OpenPages {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async isOpen(dedupKey: string): Promise<boolean> {
    try {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: pageKey(dedupKey), ConsistentRead: true }));
      return Item?.open === true;
    } catch (error) {
      throw new UnreadableInputError(this.source, error);
    }
  }

  opened(dedupKey: string, at: Date): Promise<void> {
    return this.put(dedupKey, true, at);
  }

  resolved(dedupKey: string, at: Date): Promise<void> {
    return this.put(dedupKey, false, at);
  }

  private async put(dedupKey: string, open: boolean, at: Date): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.table, Item: { ...pageKey(dedupKey), open, changedAt: at.toISOString(), expiresAt: expiresAfterDays(PAGE_RECORD_DAYS, at.getTime()) } }),
      );
    } catch (error) {
      throw new Error(`could not record the page in ${this.source}: ${new UnreadableInputError(this.source, error).message}`, { cause: error });
    }
  }

  private get source(): string {
    return `the open PagerDuty pages in STATE_TABLE ${this.table}`;
  }
}

/** Open pages in memory: dry runs and tests. */
export class InMemoryOpenPages implements OpenPages {
  readonly open = new Set<string>();

  constructor(open: Iterable<string> = []) {
    for (const key of open) this.open.add(key);
  }

  async isOpen(dedupKey: string): Promise<boolean> {
    return this.open.has(dedupKey);
  }

  async opened(dedupKey: string): Promise<void> {
    this.open.add(dedupKey);
  }

  async resolved(dedupKey: string): Promise<void> {
    this.open.delete(dedupKey);
  }
}
