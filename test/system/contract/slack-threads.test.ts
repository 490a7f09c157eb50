// Contract: the Slack threads of app mode (open, read, close), against the emulator's DynamoDB and the table the template declares.
import { DynamoDbSlackThreads, THREAD_RECORD_DAYS, threadKey, type SlackThread } from '../../../shared/slack/threads';
import { epochSeconds, expectTtlSeconds, stateTablePerFile, type StateTable } from './state-table';

let table: StateTable;
let alarmCounter = 0;
let alarm: string;
const OPENED = '2026-11-21T03:14:08.412Z';
const CLOSED = new Date('2026-11-21T03:44:08.000Z');
const threads = () => new DynamoDbSlackThreads(table.client, table.tableName);
const thread = (overrides: Partial<Omit<SlackThread, 'closedAt'>> = {}): Omit<SlackThread, 'closedAt'> => ({ key: alarm, channel: 'C0FIREBRK', ts: '1764820800.000100', openedAt: OPENED, ...overrides });

const stateTable = stateTablePerFile();
beforeAll(() => {
  table = stateTable();
});
beforeEach(() => {
  // Each test its own alarm, so no test reads another's thread.
  alarm = `RetailPrediction-Shard${String(++alarmCounter).padStart(2, '0')}-HighLatency`;
});

describe('DynamoDbSlackThreads against DynamoDB', () => {
  it('an opened thread reads back as it was recorded, open, and is stored with a number of epoch seconds two weeks out', async () => {
    await threads().open(thread());

    expect(await threads().get(alarm)).toEqual(thread());
    const { pk, sk } = threadKey(alarm);
    expect(await table.item(pk, sk)).toEqual({ pk: `slack-thread#${alarm}`, sk: 'thread', ...thread(), expiresAt: epochSeconds(Date.parse(OPENED)) + THREAD_RECORD_DAYS * 86_400 });
    expectTtlSeconds(await table.rawItem(pk, sk), epochSeconds(Date.parse(OPENED)) + THREAD_RECORD_DAYS * 86_400);
  });

  it('an alarm with no thread reads as undefined', async () => {
    expect(await threads().get(alarm)).toBeUndefined();
  });

  it('close sets closedAt and keeps the thread readable, its TTL counted from the close', async () => {
    await threads().open(thread());

    await threads().close(alarm, CLOSED);

    expect(await threads().get(alarm)).toEqual({ ...thread(), closedAt: CLOSED.toISOString() });
    const { pk, sk } = threadKey(alarm);
    expectTtlSeconds(await table.rawItem(pk, sk), epochSeconds(CLOSED.getTime()) + THREAD_RECORD_DAYS * 86_400);
  });

  it('close of an alarm with no thread is a no-op: nothing is written', async () => {
    await expect(threads().close(alarm, CLOSED)).resolves.toBeUndefined();

    const { pk, sk } = threadKey(alarm);
    expect(await table.item(pk, sk)).toBeUndefined();
    expect(await threads().get(alarm)).toBeUndefined();
  });

  it('a new parent after a close replaces the closed thread with an open one', async () => {
    await threads().open(thread());
    await threads().close(alarm, CLOSED);

    const next = thread({ ts: '1764824400.000200', openedAt: '2026-11-21T04:00:00.000Z' });
    await threads().open(next);

    expect(await threads().get(alarm)).toEqual(next);
  });

  it('threads of different alarms are kept apart', async () => {
    const other = `${alarm}-Other`;
    await threads().open(thread());
    await threads().open(thread({ key: other, channel: 'C0PLATFRM', ts: '1764820900.000300' }));
    await threads().close(other, CLOSED);

    expect(await threads().get(alarm)).toEqual(thread());
    expect(await threads().get(other)).toMatchObject({ channel: 'C0PLATFRM', closedAt: CLOSED.toISOString() });
  });

  it('a table that cannot be read fails the read naming the threads, never reads as no thread', async () => {
    const missing = new DynamoDbSlackThreads(table.client, 'no-such-table');

    await expect(missing.get(alarm)).rejects.toThrow(/the Slack threads in STATE_TABLE no-such-table/);
    await expect(missing.open(thread())).rejects.toThrow(/^could not record the Slack thread in the Slack threads in STATE_TABLE no-such-table: /);
    await expect(missing.close(alarm, CLOSED)).rejects.toThrow(/^could not close the Slack thread in /);
  });
});
