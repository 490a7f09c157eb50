// Adapter: storm control's state in STATE_TABLE — one head item per group (its timing) and one item per member (its latest state).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expiresAfterDays } from '../../aws/dynamodb';
import type { ChannelName } from '../../policy/schema';
import { UnreadableInputError } from '../../read-failure';
import type { GroupIdentity, GroupMember } from './model';
import type { GroupHead, StoredMember } from './timing';

/** What a join asks for: the group, its grouped channels and timing, the member, and when its batch is due if none is. */
export interface Join {
  readonly identity: GroupIdentity;
  readonly channels: readonly ChannelName[];
  readonly waitMs: number;
  readonly intervalMs: number;
  readonly member: GroupMember;
  /** Epoch ms; kept only when the group has no batch due already. */
  readonly dueAt: number;
}

/** How a delivered batch leaves its group. */
export interface BatchDone {
  /** The head as read before the batch was delivered. */
  readonly head: GroupHead;
  /** The members the batch carried, with the state it carried. */
  readonly sent: readonly GroupMember[];
  /** Every member OK after the batch. */
  readonly resolved: boolean;
  readonly at: number;
  /**
   * Whether a batch went out. False when there was nothing to send (nothing new, or every change withheld
   * by a silence): the members are marked, but the batch is not counted and the interval does not restart.
   */
  readonly delivered?: boolean;
}

/** When the next batch is due if a member joined while this one was out: an interval after it, or after the last one sent. */
export function nextDueAfter(done: BatchDone): number {
  const { head, at } = done;
  if (done.delivered !== false) return at + head.intervalMs;
  return head.lastBatchAt === undefined ? at : Math.max(at, head.lastBatchAt + head.intervalMs);
}

export interface GroupStore {
  head(groupId: string): Promise<GroupHead | undefined>;
  /** Records the member's state unless a later one is recorded (true when recorded), and schedules the group's batch. */
  join(join: Join): Promise<boolean>;
  /** Every group's head, for the schedule to find the due ones. */
  heads(): Promise<GroupHead[]>;
  members(groupId: string): Promise<StoredMember[]>;
  /**
   * Clears `pending` on the members the batch sent (unless they changed since) and counts the batch; the
   * group's next batch is due after `interval` when a member joined meanwhile, else none is due.
   */
  finishBatch(done: BatchDone): Promise<void>;
}

/** Partition of every group's head: a stage has few grouped routes, and the schedule reads them all each minute. */
export const GROUP_PK = 'group';
/**
 * Days a group's items are kept once they no longer matter: a member after it went OK, a head after a batch
 * left its group resolved. A firing member and an unresolved group have no TTL, so an alarm that fires for
 * weeks never drops out of its group (which would let the group resolve its page while the alarm still fires).
 */
export const GROUP_RECORD_DAYS = 7;

const headKey = (groupId: string) => ({ pk: GROUP_PK, sk: groupId });
const memberKey = (groupId: string, alarmName: string) => ({ pk: `group#${groupId}`, sk: `member#${alarmName}` });

export class DynamoDbGroupStore implements GroupStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async head(groupId: string): Promise<GroupHead | undefined> {
    const { Item } = await this.read(() => this.client.send(new GetCommand({ TableName: this.table, Key: headKey(groupId), ConsistentRead: true })));
    return Item ? toHead(Item) : undefined;
  }

  async join(join: Join): Promise<boolean> {
    const { identity, member } = join;
    const ttl = member.state === 'OK' ? { expiresAt: expiresAfterDays(GROUP_RECORD_DAYS, Date.parse(member.changedAt) || Date.now()) } : {};
    let recorded = true;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...memberKey(identity.id, member.alarmName), ...member, pending: true, ...ttl },
          // A later state change is never replaced by an earlier one that arrived late (or again).
          ConditionExpression: 'attribute_not_exists(pk) OR changedAt < :changedAt',
          ExpressionAttributeValues: { ':changedAt': member.changedAt },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw this.writeError('record the group member', error);
      recorded = false;
    }
    // Always, so a retry after the member was recorded but the head was not still schedules the batch.
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: headKey(identity.id),
          UpdateExpression:
            'SET #identity = :identity, #channels = :channels, waitMs = :wait, intervalMs = :interval, dueAt = if_not_exists(dueAt, :due), batches = if_not_exists(batches, :zero) REMOVE expiresAt ADD version :one',
          ExpressionAttributeNames: { '#identity': 'identity', '#channels': 'channels' },
          ExpressionAttributeValues: {
            ':identity': identity,
            ':channels': [...join.channels],
            ':wait': join.waitMs,
            ':interval': join.intervalMs,
            ':due': join.dueAt,
            ':zero': 0,
            ':one': 1,
          },
        }),
      );
    } catch (error) {
      throw this.writeError('schedule the group batch', error);
    }
    return recorded;
  }

  async heads(): Promise<GroupHead[]> {
    return (await this.query(GROUP_PK)).map(toHead);
  }

  async members(groupId: string): Promise<StoredMember[]> {
    return (await this.query(`group#${groupId}`)).map(({ pk: _pk, sk: _sk, expiresAt: _e, ...member }) => member as unknown as StoredMember);
  }

  async finishBatch(done: BatchDone): Promise<void> {
    const { head, sent, at } = done;
    for (const member of sent) {
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: memberKey(head.identity.id, member.alarmName),
            UpdateExpression: 'SET pending = :no',
            // A member that changed while the batch was out stays pending for the next one.
            ConditionExpression: 'changedAt = :changedAt',
            ExpressionAttributeValues: { ':no': false, ':changedAt': member.changedAt },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw this.writeError('mark the group member sent', error);
      }
    }
    const delivered = done.delivered !== false;
    const counted = delivered ? { set: 'batches = :batches, lastBatchAt = :at, ', values: { ':batches': head.batches + 1, ':at': at } } : { set: '', values: {} };
    // A resolved group is kept a while (its next storm is a new episode), then removed by TTL.
    const settled = done.resolved ? { set: ', expiresAt = :expiresAt', remove: '', values: { ':expiresAt': expiresAfterDays(GROUP_RECORD_DAYS, at) } } : { set: '', remove: ', expiresAt', values: {} };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: headKey(head.identity.id),
          UpdateExpression: `SET ${counted.set}resolved = :resolved${settled.set} REMOVE dueAt${settled.remove}`,
          // No member joined since the head was read: nothing waits.
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ...counted.values, ':resolved': done.resolved, ...settled.values, ':version': head.version },
        }),
      );
      return;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw this.writeError('record the group batch', error);
    }
    // A member joined while the batch was delivered: the next batch comes one interval later.
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: headKey(head.identity.id),
          UpdateExpression: `SET ${counted.set}resolved = :resolved, dueAt = :next REMOVE expiresAt`,
          ExpressionAttributeValues: { ...counted.values, ':resolved': false, ':next': nextDueAfter(done) },
        }),
      );
    } catch (error) {
      throw this.writeError('record the group batch', error);
    }
  }

  private async query(pk: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.read(() =>
        this.client.send(new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true, ExclusiveStartKey: start })),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  private async read<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new UnreadableInputError(this.source, error);
    }
  }

  private writeError(doing: string, error: unknown): Error {
    return new Error(`could not ${doing} in ${this.source}: ${new UnreadableInputError(this.source, error).message}`, { cause: error });
  }

  private get source(): string {
    return `the alarm groups in STATE_TABLE ${this.table}`;
  }
}

function toHead(item: Record<string, unknown>): GroupHead {
  return {
    identity: item.identity as GroupIdentity,
    channels: (item.channels as ChannelName[] | undefined) ?? [],
    waitMs: Number(item.waitMs),
    intervalMs: Number(item.intervalMs),
    dueAt: item.dueAt === undefined ? undefined : Number(item.dueAt),
    lastBatchAt: item.lastBatchAt === undefined ? undefined : Number(item.lastBatchAt),
    batches: Number(item.batches ?? 0),
    version: Number(item.version ?? 0),
    resolved: item.resolved === true,
  };
}

/** Groups in memory: dry runs (a dry run cannot wait, so its groups are only planned) and tests. */
export class InMemoryGroupStore implements GroupStore {
  readonly groups = new Map<string, GroupHead>();
  readonly memberships = new Map<string, Map<string, StoredMember>>();

  async head(groupId: string): Promise<GroupHead | undefined> {
    return this.groups.get(groupId);
  }

  async join(join: Join): Promise<boolean> {
    const id = join.identity.id;
    const members = this.memberships.get(id) ?? new Map<string, StoredMember>();
    this.memberships.set(id, members);
    const current = members.get(join.member.alarmName);
    const recorded = !current || current.changedAt < join.member.changedAt;
    if (recorded) members.set(join.member.alarmName, { ...join.member, pending: true });
    const head = this.groups.get(id);
    this.groups.set(id, {
      identity: join.identity,
      channels: join.channels,
      waitMs: join.waitMs,
      intervalMs: join.intervalMs,
      dueAt: head?.dueAt ?? join.dueAt,
      lastBatchAt: head?.lastBatchAt,
      batches: head?.batches ?? 0,
      version: (head?.version ?? 0) + 1,
      resolved: head?.resolved ?? false,
    });
    return recorded;
  }

  async heads(): Promise<GroupHead[]> {
    return [...this.groups.values()];
  }

  async members(groupId: string): Promise<StoredMember[]> {
    return [...(this.memberships.get(groupId)?.values() ?? [])];
  }

  async finishBatch(done: BatchDone): Promise<void> {
    const id = done.head.identity.id;
    const members = this.memberships.get(id);
    for (const m of done.sent) {
      const current = members?.get(m.alarmName);
      if (current && current.changedAt === m.changedAt) members!.set(m.alarmName, { ...current, pending: false });
    }
    const now = this.groups.get(id)!;
    const joined = now.version !== done.head.version;
    const delivered = done.delivered !== false;
    this.groups.set(id, {
      ...now,
      batches: delivered ? done.head.batches + 1 : now.batches,
      lastBatchAt: delivered ? done.at : now.lastBatchAt,
      resolved: joined ? false : done.resolved,
      dueAt: joined ? nextDueAfter(done) : undefined,
    });
  }
}
