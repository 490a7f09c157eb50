// Contract: storm control's group heads and members as conditional puts and updates, against the emulator's DynamoDB.
import type { GroupIdentity, GroupMember } from '../../../shared/notify/group/model';
import { DynamoDbGroupStore, GROUP_PK, GROUP_RECORD_DAYS, type Join } from '../../../shared/notify/group/store';
import type { StoredMember } from '../../../shared/notify/group/timing';
import { epochSeconds, expectTtlSeconds, stateTablePerFile, type StateTable } from './state-table';

const T0 = Date.parse('2026-12-06T03:00:00.000Z');
const WAIT_MS = 30_000;
const INTERVAL_MS = 300_000;
const iso = (ms: number) => new Date(ms).toISOString();

let table: StateTable;
let counter = 0;
/** A group no other test has used: every head shares one partition. */
let identity: GroupIdentity;
const groups = () => new DynamoDbGroupStore(table.client, table.tableName);
const headItem = () => table.item(GROUP_PK, identity.id);
const memberPk = () => `group#${identity.id}`;

const member = (overrides: Partial<GroupMember> = {}): GroupMember => ({
  alarmName: 'Checkout-HighErrorRate',
  state: 'ALARM',
  severity: 'critical',
  changedAt: iso(T0),
  reason: 'Threshold Crossed: 1 datapoint [12.0 (06/12/26 02:59:00)] was greater than the threshold (5.0).',
  messageId: 'sns-1',
  region: 'eu-west-1',
  consoleUrl: 'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/Checkout-HighErrorRate',
  runbookUrl: 'https://runbooks.example.com/checkout',
  ...overrides,
});

const join = (overrides: Partial<Join> = {}): Join => ({
  identity,
  channels: ['slack', 'pagerduty'],
  waitMs: WAIT_MS,
  intervalMs: INTERVAL_MS,
  member: member(),
  dueAt: T0 + WAIT_MS,
  ...overrides,
});

/** The member as the batch carried it: its stored state without `pending`. */
const sent = ({ pending: _pending, ...m }: StoredMember): GroupMember => m;

const stateTable = stateTablePerFile();
beforeAll(() => {
  table = stateTable();
});
beforeEach(() => {
  const service = `checkout-${++counter}`;
  identity = { route: 'storm', key: [{ by: 'service', value: service }, { by: 'severity', value: 'critical' }], id: `storm/service=${service},severity=critical` };
});

describe('DynamoDbGroupStore against DynamoDB', () => {
  it('an OK member expires a week after it went OK, and a group a batch left resolved a week after that batch; a join takes the group\'s TTL away again', async () => {
    const okAt = T0 + 60_000;
    await groups().join(join({ member: member({ state: 'OK', changedAt: iso(okAt) }) }));
    expectTtlSeconds(await table.rawItem(memberPk(), 'member#Checkout-HighErrorRate'), epochSeconds(okAt) + GROUP_RECORD_DAYS * 86_400);

    const head = (await groups().head(identity.id))!;
    const [stored] = await groups().members(identity.id);
    const batchAt = okAt + WAIT_MS;
    await groups().finishBatch({ head, sent: [sent(stored!)], resolved: true, at: batchAt });
    expectTtlSeconds(await table.rawItem(GROUP_PK, identity.id), epochSeconds(batchAt) + GROUP_RECORD_DAYS * 86_400);

    await groups().join(join({ member: member({ alarmName: 'Checkout-HighLatency', messageId: 'sns-9', changedAt: iso(batchAt + 1_000) }) }));
    expect((await headItem())?.expiresAt).toBeUndefined();
  });

  it('the first join records the member pending and creates the head: dueAt, version 1 and no batch yet, numbers stored as numbers; neither a firing member nor an open group expires', async () => {
    expect(await groups().join(join())).toBe(true);

    expect(await table.partition(memberPk())).toEqual([{ pk: memberPk(), sk: 'member#Checkout-HighErrorRate', ...member(), pending: true }]);
    const storedMember = await table.rawItem(memberPk(), 'member#Checkout-HighErrorRate');
    expect(storedMember?.pending).toEqual({ BOOL: true });

    expect(await headItem()).toEqual({ pk: GROUP_PK, sk: identity.id, identity, channels: ['slack', 'pagerduty'], waitMs: WAIT_MS, intervalMs: INTERVAL_MS, dueAt: T0 + WAIT_MS, batches: 0, version: 1 });
    const storedHead = await table.rawItem(GROUP_PK, identity.id);
    // The schedule compares dueAt with a number and finishBatch's condition compares version with one.
    expect(storedHead).toMatchObject({ dueAt: { N: String(T0 + WAIT_MS) }, version: { N: '1' }, batches: { N: '0' }, waitMs: { N: String(WAIT_MS) } });
    expect(storedHead?.channels).toEqual({ L: [{ S: 'slack' }, { S: 'pagerduty' }] });
    expect(storedHead?.identity).toHaveProperty('M');

    expect(await groups().head(identity.id)).toEqual({ identity, channels: ['slack', 'pagerduty'], waitMs: WAIT_MS, intervalMs: INTERVAL_MS, dueAt: T0 + WAIT_MS, batches: 0, version: 1, resolved: false });
    expect(await groups().head(`${identity.id}-none`)).toBeUndefined();
  });

  it('a second member keeps the batch already due (if_not_exists), counts the join in version and takes the newest timing', async () => {
    await groups().join(join());

    expect(await groups().join(join({ member: member({ alarmName: 'Checkout-HighLatency', messageId: 'sns-2', changedAt: iso(T0 + 5_000) }), dueAt: T0 + 99_000, waitMs: 60_000, channels: ['email'] }))).toBe(true);

    expect(await groups().head(identity.id)).toMatchObject({ dueAt: T0 + WAIT_MS, version: 2, waitMs: 60_000, channels: ['email'], batches: 0 });
    expect(await groups().members(identity.id)).toEqual([
      { ...member(), pending: true },
      { ...member({ alarmName: 'Checkout-HighLatency', messageId: 'sns-2', changedAt: iso(T0 + 5_000) }), pending: true },
    ]);
  });

  it('a later state replaces the member; an earlier or equal one is refused (false) and leaves it alone, but still updates the head', async () => {
    await groups().join(join());
    const ok = member({ state: 'OK', changedAt: iso(T0 + 60_000), messageId: 'sns-2', reason: 'Threshold Crossed: no datapoints were greater than the threshold.' });
    expect(await groups().join(join({ member: ok }))).toBe(true);
    const recorded = await table.rawItem(memberPk(), 'member#Checkout-HighErrorRate');

    // changedAt < :changedAt: the late ALARM and the redelivered OK are both refused.
    expect(await groups().join(join({ member: member({ messageId: 'sns-1-late' }) }))).toBe(false);
    expect(await groups().join(join({ member: ok, channels: ['email'], intervalMs: 600_000 }))).toBe(false);

    expect(await table.rawItem(memberPk(), 'member#Checkout-HighErrorRate')).toEqual(recorded);
    expect(await groups().members(identity.id)).toEqual([{ ...ok, pending: true }]);
    expect(await groups().head(identity.id)).toMatchObject({ version: 4, channels: ['email'], intervalMs: 600_000, dueAt: T0 + WAIT_MS });
  });

  it('of ten concurrent joins of one alarm the latest state is the one kept, and every join is counted in version', async () => {
    const joins = Array.from({ length: 10 }, (_, i) => join({ member: member({ changedAt: iso(T0 + i * 1_000), messageId: `sns-${i}`, state: i % 2 ? 'OK' : 'ALARM' }) }));

    const recorded = await Promise.all([...joins].reverse().map((j) => groups().join(j)));

    expect(recorded.filter(Boolean).length).toBeGreaterThanOrEqual(1);
    expect(await groups().members(identity.id)).toEqual([{ ...member({ changedAt: iso(T0 + 9_000), messageId: 'sns-9', state: 'OK' }), pending: true }]);
    expect(await groups().head(identity.id)).toMatchObject({ version: 10, dueAt: T0 + WAIT_MS, batches: 0 });
  });

  it('heads returns every group’s head', async () => {
    const first = identity;
    const second: GroupIdentity = { ...identity, key: [{ by: 'service', value: 'payments' }], id: `${identity.id}-payments` };
    await groups().join(join());
    await groups().join(join({ identity: second, dueAt: T0 + 10_000 }));

    const heads = (await groups().heads()).filter((h) => h.identity.id === first.id || h.identity.id === second.id);

    expect(heads).toEqual([
      { identity: first, channels: ['slack', 'pagerduty'], waitMs: WAIT_MS, intervalMs: INTERVAL_MS, dueAt: T0 + WAIT_MS, batches: 0, version: 1, resolved: false },
      { identity: second, channels: ['slack', 'pagerduty'], waitMs: WAIT_MS, intervalMs: INTERVAL_MS, dueAt: T0 + 10_000, batches: 0, version: 1, resolved: false },
    ]);
  });

  it('finishBatch with no join meanwhile clears the members sent, counts the batch, removes dueAt and records resolved', async () => {
    await groups().join(join({ member: member({ state: 'OK' }) }));
    await groups().join(join({ member: member({ alarmName: 'Checkout-HighLatency', state: 'OK', messageId: 'sns-2' }) }));
    const head = (await groups().head(identity.id))!;
    const at = T0 + WAIT_MS + 2_000;

    await groups().finishBatch({ head, sent: (await groups().members(identity.id)).map(sent), resolved: true, at });

    const stored = await headItem();
    expect(stored).not.toHaveProperty('dueAt');
    expect(stored).toMatchObject({ batches: 1, lastBatchAt: at, resolved: true, version: 2 });
    expect(await table.rawItem(GROUP_PK, identity.id)).toMatchObject({ lastBatchAt: { N: String(at) }, resolved: { BOOL: true } });
    expect(await groups().head(identity.id)).toEqual({ ...head, dueAt: undefined, lastBatchAt: at, batches: 1, resolved: true });
    expect((await groups().members(identity.id)).map((m) => [m.alarmName, m.pending])).toEqual([
      ['Checkout-HighErrorRate', false],
      ['Checkout-HighLatency', false],
    ]);
    expect((await table.rawItem(memberPk(), 'member#Checkout-HighErrorRate'))?.pending).toEqual({ BOOL: false });

    // With dueAt removed, the next join schedules a batch afresh.
    await groups().join(join({ member: member({ state: 'ALARM', changedAt: iso(at + 1_000), messageId: 'sns-3' }), dueAt: at + 1_000 + WAIT_MS }));
    expect(await groups().head(identity.id)).toMatchObject({ dueAt: at + 1_000 + WAIT_MS, version: 3, batches: 1 });
  });

  it('finishBatch after a join meanwhile makes the next batch due one interval later, not resolved, and a member that changed stays pending', async () => {
    await groups().join(join());
    const head = (await groups().head(identity.id))!;
    const carried = (await groups().members(identity.id)).map(sent);
    // While the batch is delivered, the alarm recovers and another one joins.
    await groups().join(join({ member: member({ state: 'OK', changedAt: iso(T0 + 40_000), messageId: 'sns-2' }) }));
    await groups().join(join({ member: member({ alarmName: 'Checkout-HighLatency', changedAt: iso(T0 + 41_000), messageId: 'sns-3' }) }));
    const at = T0 + WAIT_MS + 15_000;

    await groups().finishBatch({ head, sent: carried, resolved: true, at });

    expect(await headItem()).toMatchObject({ dueAt: at + INTERVAL_MS, resolved: false, batches: 1, lastBatchAt: at, version: 3 });
    expect((await table.rawItem(GROUP_PK, identity.id))?.dueAt).toEqual({ N: String(at + INTERVAL_MS) });
    expect(await groups().members(identity.id)).toEqual([
      { ...member({ state: 'OK', changedAt: iso(T0 + 40_000), messageId: 'sns-2' }), pending: true },
      { ...member({ alarmName: 'Checkout-HighLatency', changedAt: iso(T0 + 41_000), messageId: 'sns-3' }), pending: true },
    ]);
  });

  it('finishBatch of a batch with nothing new (sent none) still counts it and records resolved as given', async () => {
    await groups().join(join());
    const head = (await groups().head(identity.id))!;

    await groups().finishBatch({ head, sent: [], resolved: false, at: T0 + WAIT_MS });

    const stored = await headItem();
    expect(stored).not.toHaveProperty('dueAt');
    expect(stored).toMatchObject({ batches: 1, lastBatchAt: T0 + WAIT_MS, resolved: false, version: 1 });
    expect(await groups().members(identity.id)).toEqual([{ ...member(), pending: true }]);
  });

  it('finishBatch of nothing delivered (every change withheld) marks the members but counts no batch; with a join meanwhile the next is due an interval after the last one sent', async () => {
    await groups().join(join());
    const head = (await groups().head(identity.id))!;
    const [only] = await groups().members(identity.id);

    await groups().finishBatch({ head, sent: [sent(only!)], resolved: false, at: T0 + WAIT_MS, delivered: false });

    const stored = await headItem();
    expect(stored).not.toHaveProperty('dueAt');
    expect(stored).not.toHaveProperty('lastBatchAt');
    expect(stored).toMatchObject({ batches: 0, resolved: false });
    expect(await groups().members(identity.id)).toEqual([{ ...member(), pending: false }]);

    const again = (await groups().head(identity.id))!;
    await groups().join(join({ member: member({ alarmName: 'Checkout-HighLatency', messageId: 'sns-7' }) }));
    await groups().finishBatch({ head: again, sent: [], resolved: false, at: T0 + 2 * WAIT_MS, delivered: false });
    // Never a batch sent: the joined member is due at once.
    expect(await headItem()).toMatchObject({ batches: 0, dueAt: T0 + 2 * WAIT_MS, resolved: false });
  });
});
