// Adapter: silences in STATE_TABLE — one item per silence (TTL at its end), its audit trail, and what each hold withheld.
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expiresAfterDays } from '../aws/dynamodb';
import type { AlarmState } from '../alarm/model';
import { InvalidInputError } from '../errors';
import type { ChannelName, Severity } from '../policy/schema';
import { UnreadableInputError } from '../read-failure';
import type { Silence } from './model';

/** One notification a silence or window withheld: who would have been told, about what, and what held it. */
export interface HeldNotification {
  /** The hold's id: a silence's id or `window:<name>`. */
  readonly holdId: string;
  /** When the alarm changed state (the same on every retry of the message). */
  readonly at: string;
  readonly messageId: string;
  readonly alarm: string;
  readonly state: AlarmState;
  readonly severity: Severity;
  readonly channel: ChannelName;
  /** The routes that named the channel. */
  readonly routes: readonly string[];
}

/** A change of a silence, as the audit trail keeps it. */
export interface SilenceChange {
  readonly change: 'added' | 'expired';
  readonly at: string;
  readonly by: string;
  readonly silence: Silence;
}

/** Where silences live. Reads throw UnreadableInputError naming STATE_TABLE; a live notify must not guess. */
export interface SilenceStore {
  /** Every stored silence: active, future, and ended ones the table's TTL has not removed yet. */
  list(): Promise<Silence[]>;
  /** Stores a new silence and its audit entry, together. */
  add(silence: Silence): Promise<void>;
  /** Ends a silence now (its end becomes `at`), with its audit entry; InvalidInputError when there is none or it already ended. */
  expire(id: string, by: string, at: Date): Promise<Silence>;
  /** Records one withheld notification (the same message and channel twice is one record). */
  recordHeld(held: HeldNotification): Promise<void>;
  /** What a hold withheld so far, oldest first. */
  heldBy(holdId: string): Promise<HeldNotification[]>;
  /** The audit trail of a silence, oldest first. */
  changes(id: string): Promise<SilenceChange[]>;
}

/** A new silence id: `sil-` and 10 base-36 characters. */
export const newSilenceId = (): string => `sil-${BigInt(`0x${randomBytes(8).toString('hex')}`).toString(36).padStart(10, '0').slice(-10)}`;

/** Partition of every silence; one partition, because a stage has a handful and notify reads them all on each message. */
export const SILENCE_PK = 'silence';
/** Days a withheld-notification record is kept. */
export const HELD_RECORD_DAYS = 30;
/** Days a silence's audit entries are kept, as the remediation audit trail's. */
const AUDIT_DAYS = 90;

export const silenceKey = (id: string) => ({ pk: SILENCE_PK, sk: id });
/** Per message and channel, so a redelivered message that is withheld again is the same record. */
export const heldKey = (held: Pick<HeldNotification, 'holdId' | 'messageId' | 'channel'>) => ({ pk: `held#${held.holdId}`, sk: `${held.messageId}#${held.channel}` });
/** The same key scheme as the remediation audit trail: `audit#<target>`, sorted by time. */
export const silenceAuditKey = (id: string, at: string, change: SilenceChange['change']) => ({ pk: `audit#silence:${id}`, sk: `${at}#${id}#${change}` });

/** TTL of a silence's item: the table removes it once it ended (DynamoDB's TTL runs within a day or two of that). */
const silenceExpiry = (silence: Silence) => Math.ceil(Date.parse(silence.endsAt) / 1000);

export class DynamoDbSilenceStore implements SilenceStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async list(): Promise<Silence[]> {
    const items = await this.query(SILENCE_PK);
    return items.map(toSilence);
  }

  async add(silence: Silence): Promise<void> {
    await this.write('add the silence', [
      { Put: { TableName: this.table, Item: { ...silenceKey(silence.id), ...silence, expiresAt: silenceExpiry(silence) }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: this.table, Item: this.auditItem({ change: 'added', at: silence.createdAt, by: silence.createdBy, silence }) } },
    ]);
  }

  async expire(id: string, by: string, at: Date): Promise<Silence> {
    const current = (await this.list()).find((s) => s.id === id);
    if (!current) throw new InvalidInputError(`there is no silence ${id} (npm run silence -- list shows them)`);
    if (Date.parse(current.endsAt) <= at.getTime()) throw new InvalidInputError(`silence ${id} already ended at ${current.endsAt}`);
    const ended: Silence = { ...current, endsAt: at.toISOString(), expiredBy: by };
    await this.write('expire the silence', [
      {
        Put: {
          TableName: this.table,
          Item: { ...silenceKey(id), ...ended, expiresAt: silenceExpiry(ended) },
          // Nobody changed it since it was read: an end already moved is not moved back.
          ConditionExpression: 'endsAt = :end',
          ExpressionAttributeValues: { ':end': current.endsAt },
        },
      },
      { Put: { TableName: this.table, Item: this.auditItem({ change: 'expired', at: ended.endsAt, by, silence: ended }) } },
    ]);
    return ended;
  }

  async recordHeld(held: HeldNotification): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.table, Item: { ...heldKey(held), ...held, expiresAt: expiresAfterDays(HELD_RECORD_DAYS, Date.parse(held.at)) } }));
    } catch (error) {
      throw new Error(`could not record a withheld notification in ${this.source}: ${new UnreadableInputError(this.source, error).message}`, { cause: error });
    }
  }

  async heldBy(holdId: string): Promise<HeldNotification[]> {
    const items = await this.query(`held#${holdId}`);
    const held = items.map(({ pk: _pk, sk: _sk, expiresAt: _e, ...rest }) => rest as unknown as HeldNotification);
    return held.sort((a, b) => a.at.localeCompare(b.at));
  }

  async changes(id: string): Promise<SilenceChange[]> {
    const items = await this.query(`audit#silence:${id}`);
    return items.map((i) => ({ change: i.change, at: i.at, by: i.by, silence: i.silence }) as SilenceChange);
  }

  private auditItem(change: SilenceChange) {
    return { ...silenceAuditKey(change.silence.id, change.at, change.change), target: `silence:${change.silence.id}`, ...change, expiresAt: expiresAfterDays(AUDIT_DAYS, Date.parse(change.at)) };
  }

  private async query(pk: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const out = await this.client.send(
          new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true, ExclusiveStartKey: start }),
        );
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start);
    } catch (error) {
      throw new UnreadableInputError(this.source, error);
    }
    return items;
  }

  private async write(doing: string, items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<void> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (error instanceof TransactionCanceledException || error instanceof ConditionalCheckFailedException) {
        throw new InvalidInputError(`could not ${doing}: it was changed meanwhile (or its id is taken); list the silences and try again`);
      }
      throw new Error(`could not ${doing} in ${this.source}: ${new UnreadableInputError(this.source, error).message}`, { cause: error });
    }
  }

  private get source(): string {
    return `the silences in STATE_TABLE ${this.table}`;
  }
}

/** A silence item as stored, back to a Silence (the key and TTL attributes dropped). */
function toSilence(item: Record<string, unknown>): Silence {
  const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...silence } = item;
  return silence as unknown as Silence;
}

/** Silences in memory: for dry runs with none stored, and for tests. */
export class InMemorySilenceStore implements SilenceStore {
  readonly silences = new Map<string, Silence>();
  readonly held: HeldNotification[] = [];
  readonly audit: SilenceChange[] = [];

  constructor(silences: readonly Silence[] = []) {
    for (const s of silences) this.silences.set(s.id, s);
  }

  async list(): Promise<Silence[]> {
    return [...this.silences.values()];
  }

  async add(silence: Silence): Promise<void> {
    if (this.silences.has(silence.id)) throw new InvalidInputError(`could not add the silence: its id is taken`);
    this.silences.set(silence.id, silence);
    this.audit.push({ change: 'added', at: silence.createdAt, by: silence.createdBy, silence });
  }

  async expire(id: string, by: string, at: Date): Promise<Silence> {
    const current = this.silences.get(id);
    if (!current) throw new InvalidInputError(`there is no silence ${id} (npm run silence -- list shows them)`);
    if (Date.parse(current.endsAt) <= at.getTime()) throw new InvalidInputError(`silence ${id} already ended at ${current.endsAt}`);
    const ended: Silence = { ...current, endsAt: at.toISOString(), expiredBy: by };
    this.silences.set(id, ended);
    this.audit.push({ change: 'expired', at: ended.endsAt, by, silence: ended });
    return ended;
  }

  async recordHeld(held: HeldNotification): Promise<void> {
    if (!this.held.some((h) => h.holdId === held.holdId && h.messageId === held.messageId && h.channel === held.channel)) this.held.push(held);
  }

  async heldBy(holdId: string): Promise<HeldNotification[]> {
    return this.held.filter((h) => h.holdId === holdId);
  }

  async changes(id: string): Promise<SilenceChange[]> {
    return this.audit.filter((c) => c.silence.id === id);
  }
}
