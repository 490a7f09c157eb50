// Unit tests: storm control's timing (when a group's batch is due), what a batch holds, and the in-memory group store's joins and batches.
import type { AlarmState } from '../../../shared/alarm/model';
import type { Severity } from '../../../shared/policy/schema';
import type { GroupIdentity, GroupMember } from '../../../shared/notify/group/model';
import { InMemoryGroupStore, type Join } from '../../../shared/notify/group/store';
import { allRecovered, batchDeliveryId, batchOf, dueOnJoin, type GroupHead, type StoredMember } from '../../../shared/notify/group/timing';

const WAIT = 30_000;
const INTERVAL = 300_000;
const GROUP = { wait: WAIT, interval: INTERVAL };
const T0 = Date.parse('2026-11-21T03:10:00.000Z');

const identity: GroupIdentity = { route: 'critical', key: [{ by: 'service', value: 'RetailPrediction' }], id: 'critical/service=RetailPrediction' };

const head = (overrides: Partial<GroupHead> = {}): GroupHead => ({
  identity,
  channels: ['pagerduty', 'slack', 'email'],
  waitMs: WAIT,
  intervalMs: INTERVAL,
  batches: 0,
  version: 1,
  resolved: false,
  ...overrides,
});

/** A member in `state`, changed `second` seconds after 03:10:00Z. */
const member = (alarmName: string, state: AlarmState = 'ALARM', second = 0, severity: Severity = 'warning'): GroupMember => ({
  alarmName,
  state,
  severity,
  changedAt: new Date(T0 + second * 1000).toISOString(),
  reason: `${alarmName} is ${state}`,
  messageId: `m-${alarmName}-${second}`,
  region: 'EU (Ireland)',
  consoleUrl: `https://console.aws.amazon.com/cloudwatch/home#alarmsV2:alarm/${alarmName}`,
  runbookUrl: 'https://runbooks.example.com/README.md',
});

const stored = (m: GroupMember, pending = true): StoredMember => ({ ...m, pending });

const joinOf = (m: GroupMember, dueAt: number): Join => ({ identity, channels: ['pagerduty', 'slack'], waitMs: WAIT, intervalMs: INTERVAL, member: m, dueAt });

describe('dueOnJoin', () => {
  it('a new group waits `wait` for the rest of the storm', () => {
    expect(dueOnJoin(undefined, GROUP, T0)).toBe(T0 + WAIT);
  });

  it('a batch already due stays due, earlier or later than now', () => {
    expect(dueOnJoin(head({ dueAt: T0 + 5_000 }), GROUP, T0 + 20_000)).toBe(T0 + 5_000);
    expect(dueOnJoin(head({ dueAt: T0 - 5_000 }), GROUP, T0)).toBe(T0 - 5_000);
    expect(dueOnJoin(head({ dueAt: T0 + 5_000, lastBatchAt: T0 - 1_000, batches: 1 }), GROUP, T0)).toBe(T0 + 5_000);
  });

  it('after a batch: one interval after it', () => {
    expect(dueOnJoin(head({ lastBatchAt: T0, batches: 1 }), GROUP, T0 + 60_000)).toBe(T0 + INTERVAL);
  });

  it('after a batch more than an interval ago: now', () => {
    expect(dueOnJoin(head({ lastBatchAt: T0, batches: 1 }), GROUP, T0 + INTERVAL + 1)).toBe(T0 + INTERVAL + 1);
    expect(dueOnJoin(head({ lastBatchAt: T0, batches: 1 }), GROUP, T0 + INTERVAL)).toBe(T0 + INTERVAL);
  });

  it('after a batch that resolved the group: a new episode, waiting `wait` again', () => {
    expect(dueOnJoin(head({ lastBatchAt: T0, batches: 3, resolved: true }), GROUP, T0 + 10_000)).toBe(T0 + 10_000 + WAIT);
  });

  it('a group with no batch due and none delivered yet waits `wait`', () => {
    expect(dueOnJoin(head(), GROUP, T0)).toBe(T0 + WAIT);
  });
});

describe('batchOf', () => {
  it('carries only the pending members as changed, oldest change first (then by name), every member by name', () => {
    const members = [
      stored(member('c-latest', 'ALARM', 9)),
      stored(member('a-sent', 'ALARM', 1), false),
      stored(member('d-first', 'ALARM', 2)),
      stored(member('b-tied', 'OK', 5)),
      stored(member('a-tied', 'ALARM', 5)),
    ];

    const batch = batchOf(head(), members);

    expect(batch?.changed.map((m) => m.alarmName)).toEqual(['d-first', 'a-tied', 'b-tied', 'c-latest']);
    expect(batch?.members.map((m) => m.alarmName)).toEqual(['a-sent', 'a-tied', 'b-tied', 'c-latest', 'd-first']);
  });

  it('members come out as GroupMembers, without `pending`', () => {
    const batch = batchOf(head(), [stored(member('a')), stored(member('b'), false)]);

    expect(batch?.changed).toEqual([member('a')]);
    expect(batch?.members).toEqual([member('a'), member('b')]);
  });

  it('is numbered one more than the batches delivered so far, for its group', () => {
    expect(batchOf(head(), [stored(member('a'))])).toMatchObject({ group: identity, number: 1 });
    expect(batchOf(head({ batches: 4 }), [stored(member('a'))])?.number).toBe(5);
  });

  it('its severity is the worst among the members, a member not changed in it included', () => {
    expect(batchOf(head(), [stored(member('a', 'ALARM', 0, 'info')), stored(member('b', 'ALARM', 0, 'warning'))])?.severity).toBe('warning');
    expect(batchOf(head(), [stored(member('a', 'ALARM', 0, 'info')), stored(member('b', 'ALARM', 0, 'critical'), false)])?.severity).toBe('critical');
    expect(batchOf(head(), [stored(member('a', 'ALARM', 0, 'info'))])?.severity).toBe('info');
  });

  it('a member that recovered does not make the batch louder than the members still firing; all recovered, the worst of them', () => {
    expect(batchOf(head(), [stored(member('a', 'ALARM', 0, 'warning')), stored(member('b', 'OK', 0, 'critical'))])?.severity).toBe('warning');
    expect(batchOf(head(), [stored(member('a', 'OK', 0, 'warning')), stored(member('b', 'OK', 0, 'critical'))])?.severity).toBe('critical');
  });

  it('is undefined when no member is pending', () => {
    expect(batchOf(head(), [stored(member('a'), false), stored(member('b'), false)])).toBeUndefined();
    expect(batchOf(head(), [])).toBeUndefined();
  });
});

describe('allRecovered and batchDeliveryId', () => {
  it('allRecovered: every member OK, and at least one member', () => {
    expect(allRecovered([{ state: 'OK' }, { state: 'OK' }])).toBe(true);
    expect(allRecovered([{ state: 'OK' }, { state: 'ALARM' }])).toBe(false);
    expect(allRecovered([{ state: 'OK' }, { state: 'INSUFFICIENT_DATA' }])).toBe(false);
    expect(allRecovered([])).toBe(false);
  });

  it('batchDeliveryId names the group and when the batch fell due, and is the same on every retry of the batch', () => {
    const batch = { changed: [member('a'), member('b', 'ALARM', 2)] };

    expect(batchDeliveryId(head({ dueAt: T0 + WAIT }), batch)).toMatch(new RegExp(`^group#critical/service=RetailPrediction#${T0 + WAIT}#`));
    expect(batchDeliveryId(head({ dueAt: T0 + WAIT, batches: 2, version: 9 }), { changed: [member('a'), member('b', 'ALARM', 2)] })).toBe(batchDeliveryId(head({ dueAt: T0 + WAIT }), batch));
  });

  it('batchDeliveryId differs for another batch: due later, grown meanwhile, or carrying another change', () => {
    const first = batchDeliveryId(head({ dueAt: T0 + WAIT }), { changed: [member('a')] });

    expect(batchDeliveryId(head({ dueAt: T0 + WAIT + INTERVAL }), { changed: [member('a')] })).not.toBe(first);
    expect(batchDeliveryId(head({ dueAt: T0 + WAIT }), { changed: [member('a'), member('b')] })).not.toBe(first);
    expect(batchDeliveryId(head({ dueAt: T0 + WAIT }), { changed: [member('a', 'OK', 40)] })).not.toBe(first);
  });

  it('batchDeliveryId of a group that resolved and started again is not its first batch\'s', () => {
    const firstEpisode = batchDeliveryId(head({ dueAt: T0 + WAIT }), { changed: [member('a')] });
    const secondEpisode = batchDeliveryId(head({ dueAt: T0 + 3_600_000 + WAIT, batches: 1, resolved: true, lastBatchAt: T0 + WAIT }), { changed: [member('a', 'ALARM', 3_600)] });

    expect(secondEpisode).not.toBe(firstEpisode);
  });
});

describe('InMemoryGroupStore.join', () => {
  it('records a new member as pending and schedules the group at the dueAt it was given', async () => {
    const store = new InMemoryGroupStore();

    expect(await store.join(joinOf(member('a'), T0 + WAIT))).toBe(true);

    expect(await store.members(identity.id)).toEqual([stored(member('a'))]);
    expect(await store.head(identity.id)).toEqual({ identity, channels: ['pagerduty', 'slack'], waitMs: WAIT, intervalMs: INTERVAL, dueAt: T0 + WAIT, lastBatchAt: undefined, batches: 0, version: 1, resolved: false });
    expect(await store.heads()).toHaveLength(1);
  });

  it('a later change of a member replaces the earlier one', async () => {
    const store = new InMemoryGroupStore();
    await store.join(joinOf(member('a', 'ALARM', 0), T0 + WAIT));

    expect(await store.join(joinOf(member('a', 'OK', 60), T0 + WAIT))).toBe(true);

    expect(await store.members(identity.id)).toEqual([stored(member('a', 'OK', 60))]);
  });

  it('an earlier change arriving late is ignored, and so is the same change again', async () => {
    const store = new InMemoryGroupStore();
    await store.join(joinOf(member('a', 'OK', 60), T0 + WAIT));

    expect(await store.join(joinOf(member('a', 'ALARM', 0), T0 + WAIT))).toBe(false);
    expect(await store.join(joinOf(member('a', 'OK', 60), T0 + WAIT))).toBe(false);

    expect(await store.members(identity.id)).toEqual([stored(member('a', 'OK', 60))]);
  });

  it('a batch already due keeps its time when more members join; every join counts in the version', async () => {
    const store = new InMemoryGroupStore();
    await store.join(joinOf(member('a', 'ALARM', 0), T0 + WAIT));
    await store.join(joinOf(member('b', 'ALARM', 5), T0 + 5_000 + WAIT));
    await store.join(joinOf(member('a', 'ALARM', 0), T0 + 9_000 + WAIT));

    expect(await store.head(identity.id)).toMatchObject({ dueAt: T0 + WAIT, version: 3 });
    expect((await store.members(identity.id)).map((m) => m.alarmName)).toEqual(['a', 'b']);
  });

  it('keeps groups apart', async () => {
    const store = new InMemoryGroupStore();
    const other: GroupIdentity = { route: 'critical', key: [{ by: 'service', value: 'Checkout' }], id: 'critical/service=Checkout' };
    await store.join(joinOf(member('a'), T0 + WAIT));
    await store.join({ ...joinOf(member('x'), T0 + 1_000 + WAIT), identity: other });

    expect((await store.members(identity.id)).map((m) => m.alarmName)).toEqual(['a']);
    expect((await store.members(other.id)).map((m) => m.alarmName)).toEqual(['x']);
    expect((await store.heads()).map((h) => [h.identity.id, h.dueAt])).toEqual([
      [identity.id, T0 + WAIT],
      [other.id, T0 + 1_000 + WAIT],
    ]);
    expect(await store.members('nobody')).toEqual([]);
    expect(await store.head('nobody')).toBeUndefined();
  });
});

describe('InMemoryGroupStore.finishBatch', () => {
  /** A store with members a and b joined, and the batch the schedule would deliver at T0 + WAIT. */
  async function dueGroup() {
    const store = new InMemoryGroupStore();
    await store.join(joinOf(member('a', 'ALARM', 0), T0 + WAIT));
    await store.join(joinOf(member('b', 'ALARM', 2), T0 + WAIT));
    const before = (await store.head(identity.id))!;
    const batch = batchOf(before, await store.members(identity.id))!;
    return { store, before, batch };
  }
  const at = T0 + WAIT + 500;

  it('clears pending on what the batch sent, counts it, and leaves nothing due', async () => {
    const { store, before, batch } = await dueGroup();

    await store.finishBatch({ head: before, sent: batch.changed, resolved: false, at });

    expect((await store.members(identity.id)).map((m) => [m.alarmName, m.pending])).toEqual([
      ['a', false],
      ['b', false],
    ]);
    expect(await store.head(identity.id)).toMatchObject({ batches: 1, lastBatchAt: at, dueAt: undefined, resolved: false, version: 2 });
    // The next member to join comes one interval after this batch.
    expect(dueOnJoin(await store.head(identity.id), GROUP, at + 1_000)).toBe(at + INTERVAL);
  });

  it('a member that changed while the batch was out stays pending, with its new state', async () => {
    const { store, before, batch } = await dueGroup();
    await store.join(joinOf(member('b', 'OK', 20), T0 + 20_000 + WAIT));

    await store.finishBatch({ head: before, sent: batch.changed, resolved: false, at });

    const members = await store.members(identity.id);
    expect(members.find((m) => m.alarmName === 'a')?.pending).toBe(false);
    expect(members.find((m) => m.alarmName === 'b')).toEqual(stored(member('b', 'OK', 20)));
    expect(batchOf((await store.head(identity.id))!, members)?.changed.map((m) => m.alarmName)).toEqual(['b']);
  });

  it('a join while the batch was out makes the next batch due one interval later, and the group not resolved', async () => {
    const { store, before, batch } = await dueGroup();
    await store.join(joinOf(member('c', 'ALARM', 25), T0 + 25_000 + WAIT));

    await store.finishBatch({ head: before, sent: batch.changed, resolved: true, at });

    expect(await store.head(identity.id)).toMatchObject({ batches: 1, lastBatchAt: at, dueAt: at + INTERVAL, resolved: false });
    expect((await store.members(identity.id)).filter((m) => m.pending).map((m) => m.alarmName)).toEqual(['c']);
  });

  it('a batch that left every member OK resolves the group: the next alarm waits `wait` again', async () => {
    const store = new InMemoryGroupStore();
    await store.join(joinOf(member('a', 'OK', 0), T0 + WAIT));
    const before = (await store.head(identity.id))!;
    const batch = batchOf(before, await store.members(identity.id))!;

    await store.finishBatch({ head: before, sent: batch.changed, resolved: allRecovered(batch.members), at });

    const after = await store.head(identity.id);
    expect(after).toMatchObject({ resolved: true, dueAt: undefined, batches: 1 });
    expect(dueOnJoin(after, GROUP, at + 60_000)).toBe(at + 60_000 + WAIT);
  });
});
