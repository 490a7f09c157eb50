// Contract: silences, their audit trail and what they held back, as transactions and conditional puts against the emulator's DynamoDB.
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InvalidInputError } from '../../../shared/errors';
import type { Silence } from '../../../shared/silence/model';
import { DynamoDbSilenceStore, HELD_RECORD_DAYS, SILENCE_PK, heldKey, silenceAuditKey, silenceKey, type HeldNotification } from '../../../shared/silence/store';
import { epochSeconds, expectTtlSeconds, stateTablePerFile, type StateTable } from './state-table';

const AUDIT_DAYS = 90;
const CREATED_AT = '2026-12-06T02:00:00.000Z';

let table: StateTable;
let counter = 0;
/** A silence id no other test has used: every silence shares one partition. */
let id: string;
const store = (client: DynamoDBDocumentClient = table.client) => new DynamoDbSilenceStore(client, table.tableName);

/** A fresh silence per call, so no test shares a mutable sample. */
const silence = (overrides: Partial<Silence> = {}): Silence => ({
  id,
  alarms: ['RetailPrediction-*', 'FeatureStore-HighLatency'],
  severities: ['critical', 'warning'],
  startsAt: '2026-12-06T02:00:00.000Z',
  // Not on a whole second: the item's TTL rounds its end up.
  endsAt: '2026-12-06T04:00:00.500Z',
  reason: 'migrating the feature store',
  createdBy: 'alice@example.com',
  createdAt: CREATED_AT,
  pauseRemediation: true,
  ...overrides,
});

const held = (overrides: Partial<HeldNotification> = {}): HeldNotification => ({
  holdId: id,
  at: '2026-12-06T02:30:00.000Z',
  messageId: 'sns-1',
  alarm: 'RetailPrediction-HighErrorRate',
  state: 'ALARM',
  severity: 'critical',
  channel: 'pagerduty',
  routes: ['critical-pages', 'retail'],
  ...overrides,
});

/**
 * The table's client, except that the first TransactWriteItems first runs `meanwhile`: another
 * writer changing the silence between the store reading it and writing it.
 */
function racingClient(meanwhile: () => Promise<unknown>): DynamoDBDocumentClient {
  let raced = false;
  const send = async (command: unknown) => {
    if (command instanceof TransactWriteCommand && !raced) {
      raced = true;
      await meanwhile();
    }
    return table.client.send(command as TransactWriteCommand);
  };
  return { send } as unknown as DynamoDBDocumentClient;
}

const stateTable = stateTablePerFile();
beforeAll(() => {
  table = stateTable();
});
beforeEach(() => {
  id = `sil-contract${String(++counter).padStart(2, '0')}`;
});

describe('DynamoDbSilenceStore against DynamoDB', () => {
  it('add stores the silence under silence/<id> with expiresAt its end in epoch seconds, and its audit entry in the same transaction', async () => {
    const added = silence();

    await store().add(silence());

    expect(await table.item(SILENCE_PK, id)).toEqual({ ...silenceKey(id), ...added, expiresAt: Math.ceil(Date.parse(added.endsAt) / 1000) });
    const stored = await table.rawItem(SILENCE_PK, id);
    expectTtlSeconds(stored, epochSeconds(Date.parse('2026-12-06T04:00:00Z')) + 1);
    expect(stored).toMatchObject({ alarms: { L: [{ S: 'RetailPrediction-*' }, { S: 'FeatureStore-HighLatency' }] }, pauseRemediation: { BOOL: true } });
    expect(await table.ttlAttribute()).toBe('expiresAt');

    const { pk, sk } = silenceAuditKey(id, CREATED_AT, 'added');
    expect(pk).toBe(`audit#silence:${id}`);
    expect(await table.partition(pk)).toEqual([
      { pk, sk, target: `silence:${id}`, change: 'added', at: CREATED_AT, by: 'alice@example.com', silence: added, expiresAt: epochSeconds(Date.parse(CREATED_AT)) + AUDIT_DAYS * 86_400 },
    ]);
    expectTtlSeconds(await table.rawItem(pk, sk), epochSeconds(Date.parse(CREATED_AT)) + AUDIT_DAYS * 86_400);
  });

  it('a silence without severities is stored without the attribute and listed without it', async () => {
    await store().add(silence({ severities: undefined, pauseRemediation: false }));

    const stored = await table.item(SILENCE_PK, id);
    expect(stored).not.toHaveProperty('severities');
    expect(stored).toMatchObject({ pauseRemediation: false });
    const listed = (await store().list()).find((s) => s.id === id);
    expect(listed).not.toHaveProperty('severities');
  });

  it('add with a taken id is refused as InvalidInputError, and neither the silence nor the audit trail changes', async () => {
    await store().add(silence());
    const first = await table.item(SILENCE_PK, id);

    await expect(store().add(silence({ reason: 'someone else', createdBy: 'bob@example.com', createdAt: '2026-12-06T02:10:00.000Z' }))).rejects.toThrow(InvalidInputError);

    expect(await table.item(SILENCE_PK, id)).toEqual(first);
    // The audit put carried no condition of its own: only the cancelled transaction kept it out.
    expect(await table.partition(`audit#silence:${id}`)).toHaveLength(1);
    expect(await store().changes(id)).toEqual([{ change: 'added', at: CREATED_AT, by: 'alice@example.com', silence: silence() }]);
  });

  it('list returns every stored silence as it was added, without the key and TTL attributes', async () => {
    const other = `${id}b`;
    await store().add(silence());
    await store().add(silence({ id: other, alarms: ['Checkout-*'], endsAt: '2026-12-07T00:00:00.000Z' }));

    const listed = await store().list();

    expect(listed.filter((s) => s.id === id || s.id === other)).toEqual([silence(), silence({ id: other, alarms: ['Checkout-*'], endsAt: '2026-12-07T00:00:00.000Z' })]);
    for (const s of listed) {
      expect(s).not.toHaveProperty('pk');
      expect(s).not.toHaveProperty('expiresAt');
    }
  });

  it('expire ends the silence now: endsAt and expiresAt move to that moment, expiredBy is set, and an expired entry joins the audit trail', async () => {
    await store().add(silence());
    const at = new Date('2026-12-06T03:15:00.250Z');

    const ended = await store().expire(id, 'bob@example.com', at);

    expect(ended).toEqual(silence({ endsAt: at.toISOString(), expiredBy: 'bob@example.com' }));
    expect(await table.item(SILENCE_PK, id)).toEqual({ ...silenceKey(id), ...ended, expiresAt: Math.ceil(at.getTime() / 1000) });
    expectTtlSeconds(await table.rawItem(SILENCE_PK, id), epochSeconds(at.getTime()) + 1);
    expect((await store().list()).find((s) => s.id === id)).toEqual(ended);

    const { pk, sk } = silenceAuditKey(id, at.toISOString(), 'expired');
    expect(await table.item(pk, sk)).toEqual({
      pk,
      sk,
      target: `silence:${id}`,
      change: 'expired',
      at: at.toISOString(),
      by: 'bob@example.com',
      silence: ended,
      expiresAt: epochSeconds(at.getTime()) + AUDIT_DAYS * 86_400,
    });
    expect(await store().changes(id)).toEqual([
      { change: 'added', at: CREATED_AT, by: 'alice@example.com', silence: silence() },
      { change: 'expired', at: at.toISOString(), by: 'bob@example.com', silence: ended },
    ]);
  });

  it('expire of an unknown id is refused as InvalidInputError and writes nothing', async () => {
    await expect(store().expire(id, 'bob@example.com', new Date('2026-12-06T03:00:00Z'))).rejects.toThrow(new InvalidInputError(`there is no silence ${id} (npm run silence -- list shows them)`));

    expect(await table.item(SILENCE_PK, id)).toBeUndefined();
    expect(await table.partition(`audit#silence:${id}`)).toEqual([]);
  });

  it('expire of a silence that already ended is refused, also at its very end, and leaves it and its trail alone', async () => {
    await store().add(silence());
    const first = await table.item(SILENCE_PK, id);

    await expect(store().expire(id, 'bob@example.com', new Date('2026-12-06T04:00:00.500Z'))).rejects.toThrow(new InvalidInputError(`silence ${id} already ended at 2026-12-06T04:00:00.500Z`));
    await store().expire(id, 'bob@example.com', new Date('2026-12-06T03:00:00Z'));
    await expect(store().expire(id, 'carol@example.com', new Date('2026-12-06T03:30:00Z'))).rejects.toThrow(InvalidInputError);

    expect(await table.item(SILENCE_PK, id)).toEqual({ ...first, endsAt: '2026-12-06T03:00:00.000Z', expiredBy: 'bob@example.com', expiresAt: epochSeconds(Date.parse('2026-12-06T03:00:00Z')) });
    expect((await store().changes(id)).map((c) => [c.change, c.by])).toEqual([
      ['added', 'alice@example.com'],
      ['expired', 'bob@example.com'],
    ]);
  });

  it('expire loses its endsAt condition when the silence was expired between its read and its write, and moves nothing back', async () => {
    await store().add(silence());
    const racing = store(racingClient(() => store().expire(id, 'carol@example.com', new Date('2026-12-06T02:45:00Z'))));

    await expect(racing.expire(id, 'bob@example.com', new Date('2026-12-06T03:00:00Z'))).rejects.toThrow(
      new InvalidInputError('could not expire the silence: it was changed meanwhile (or its id is taken); list the silences and try again'),
    );

    expect(await table.item(SILENCE_PK, id)).toMatchObject({ endsAt: '2026-12-06T02:45:00.000Z', expiredBy: 'carol@example.com' });
    expect((await store().changes(id)).map((c) => [c.change, c.by, c.at])).toEqual([
      ['added', 'alice@example.com', CREATED_AT],
      ['expired', 'carol@example.com', '2026-12-06T02:45:00.000Z'],
    ]);
  });

  it('recordHeld keeps one item per message and channel, with expiresAt in epoch seconds 30 days after the change', async () => {
    await store().recordHeld(held());
    await store().recordHeld(held());
    await store().recordHeld(held({ channel: 'slack', routes: ['retail'] }));

    const { pk, sk } = heldKey(held());
    expect(pk).toBe(`held#${id}`);
    expect(sk).toBe('sns-1#pagerduty');
    const items = await table.partition(pk);
    expect(items).toEqual([
      { pk, sk, ...held(), expiresAt: epochSeconds(Date.parse(held().at)) + HELD_RECORD_DAYS * 86_400 },
      { pk, sk: 'sns-1#slack', ...held({ channel: 'slack', routes: ['retail'] }), expiresAt: epochSeconds(Date.parse(held().at)) + HELD_RECORD_DAYS * 86_400 },
    ]);
    const stored = await table.rawItem(pk, sk);
    expectTtlSeconds(stored, epochSeconds(Date.parse(held().at)) + HELD_RECORD_DAYS * 86_400);
    expect(stored?.routes).toEqual({ L: [{ S: 'critical-pages' }, { S: 'retail' }] });
  });

  it('heldBy returns what one hold withheld, oldest change first (not in key order), without key and TTL attributes', async () => {
    // Key order is by message id: sns-a sorts first but changed last.
    await store().recordHeld(held({ messageId: 'sns-a', at: '2026-12-06T03:40:00.000Z' }));
    await store().recordHeld(held({ messageId: 'sns-c', at: '2026-12-06T02:05:00.000Z', state: 'OK', channel: 'email' }));
    await store().recordHeld(held({ messageId: 'sns-b', at: '2026-12-06T03:00:00.000Z' }));
    await store().recordHeld(held({ holdId: 'window:nightly-batch', messageId: 'sns-d' }));

    expect(await store().heldBy(id)).toEqual([
      held({ messageId: 'sns-c', at: '2026-12-06T02:05:00.000Z', state: 'OK', channel: 'email' }),
      held({ messageId: 'sns-b', at: '2026-12-06T03:00:00.000Z' }),
      held({ messageId: 'sns-a', at: '2026-12-06T03:40:00.000Z' }),
    ]);
    expect(await store().heldBy('window:nightly-batch')).toEqual([held({ holdId: 'window:nightly-batch', messageId: 'sns-d' })]);
    expect(await store().heldBy(`${id}-none`)).toEqual([]);
  });
});
