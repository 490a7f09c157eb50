// Contract: incidents and their timelines (TransactWrite, conditional writes, paged Query), against the emulator's DynamoDB.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoIncidentStore, incidentId, incidentPk, INCIDENT_RETENTION_DAYS, MESSAGE_MARKER_DAYS, type IncidentStore } from '../../../shared/responder/timeline';
import { epochSeconds, expectTtlSeconds, stateTablePerFile, type StateTable } from './state-table';

const NOW = Date.parse('2026-11-21T03:13:05.123Z');

let table: StateTable;
let store: IncidentStore;
let alarmCounter = 0;
/** An alarm no other test has used: its open-incident pointer is one item per alarm. */
let alarm: string;

const stateTable = stateTablePerFile();
beforeAll(() => {
  table = stateTable();
  store = dynamoIncidentStore(table.tableName, table.client, () => NOW);
});
beforeEach(() => {
  alarm = `RetailPrediction-HighErrorRate-${++alarmCounter}`;
});

const opened = (i: number) => `2026-11-21T03:13:${String(i).padStart(2, '0')}.000Z`;

describe('opening an incident', () => {
  it('writes the pointer and the incident in one transaction, both expiring in epoch seconds', async () => {
    const incident = await store.openOrGet(alarm, 'retail-prediction', opened(5), '2026-11-21T03:13:00.000Z');

    expect(incident).toEqual({ id: incidentId(alarm, opened(5)), alarm, service: 'retail-prediction', openedAt: opened(5), alarmChangedAt: '2026-11-21T03:13:00.000Z', status: 'open', actionCount: 0 });
    expect(await table.item(`incident#open#${alarm}`, 'current')).toMatchObject({ incidentId: incident.id });
    expect(await store.current(alarm)).toEqual(incident);
    const expiresAt = epochSeconds(NOW) + INCIDENT_RETENTION_DAYS * 86_400;
    expectTtlSeconds(await table.rawItem(`incident#open#${alarm}`, 'current'), expiresAt);
    expectTtlSeconds(await table.rawItem(incidentPk(incident.id), 'meta'), expiresAt);
  });

  it('an alarm with an open incident gets that incident back, not a new one', async () => {
    const first = await store.openOrGet(alarm, 'retail-prediction', opened(5));

    expect(await store.openOrGet(alarm, 'retail-prediction', opened(9))).toEqual(first);
    expect(await table.item(incidentPk(incidentId(alarm, opened(9))), 'meta')).toBeUndefined();
  });

  it('ten concurrent alarms open one incident between them: every losing transaction writes nothing', async () => {
    const incidents = await Promise.all(Array.from({ length: 10 }, (_, i) => store.openOrGet(alarm, 'retail-prediction', opened(i))));

    expect(new Set(incidents.map((i) => i.id)).size).toBe(1);
    const metas = await Promise.all(Array.from({ length: 10 }, (_, i) => table.item(incidentPk(incidentId(alarm, opened(i))), 'meta')));
    expect(metas.filter(Boolean)).toHaveLength(1);
  });

  it('a cancelled open writes no incident: the pointer’s condition fails and the incident put is rolled back', async () => {
    // A pointer to an incident that cannot be read, so openOrGet goes on to the transaction and loses it.
    await table.client.send(
      new PutCommand({ TableName: table.tableName, Item: { pk: `incident#open#${alarm}`, sk: 'current', incidentId: 'gone' } }),
    );

    await expect(store.openOrGet(alarm, 'retail-prediction', opened(5))).rejects.toThrow(/opened concurrently but cannot be read/);

    expect(await table.item(incidentPk(incidentId(alarm, opened(5))), 'meta')).toBeUndefined();
    expect(await table.item(`incident#open#${alarm}`, 'current')).toMatchObject({ incidentId: 'gone' });
  });
});

describe('the timeline', () => {
  it('steps come back oldest first, steps of one millisecond in the order recorded, without the meta or review items', async () => {
    const incident = await store.openOrGet(alarm, 'retail-prediction', opened(5));
    const summaries = ['received', 'diagnosed', 'decided', 'acted'];
    for (const summary of summaries) await store.record(incident.id, { at: '2026-11-21T03:13:06.000Z', kind: 'decision', summary });
    await store.record(incident.id, { at: '2026-11-21T03:13:04.000Z', kind: 'alarm-received', summary: 'earlier', data: { state: 'ALARM', nested: { n: 1 } } });
    await store.resolve(incident, '2026-11-21T03:40:00.000Z', '# review');

    const steps = await store.steps(incident.id);

    expect(steps.map((s) => s.summary)).toEqual(['earlier', ...summaries]);
    expect(steps[0]).toEqual({ at: '2026-11-21T03:13:04.000Z', kind: 'alarm-received', summary: 'earlier', data: { state: 'ALARM', nested: { n: 1 } } });
    const stepItem = (await table.partition(incidentPk(incident.id))).find((i) => String(i.sk).startsWith('step#'));
    expectTtlSeconds(await table.rawItem(incidentPk(incident.id), String(stepItem?.sk)), epochSeconds(NOW) + INCIDENT_RETENTION_DAYS * 86_400);
  });

  it('a timeline larger than one Query page (1 MB) is read across pages, every step once and in order', async () => {
    const incident = await store.openOrGet(alarm, 'retail-prediction', opened(5));
    // Six steps of ~300 KB each: DynamoDB answers a Query with at most 1 MB, so this takes at least two pages.
    const bulk = 'x'.repeat(300_000);
    for (let i = 0; i < 6; i++) await store.record(incident.id, { at: `2026-11-21T03:14:0${i}.000Z`, kind: 'diagnostics', summary: `step ${i}`, data: { bulk } });
    const send = jest.spyOn(table.client, 'send');

    const steps = await store.steps(incident.id);

    const pages = send.mock.calls.filter(([command]) => command.constructor.name === 'QueryCommand').length;
    send.mockRestore();
    expect(pages).toBeGreaterThan(1);
    expect(steps.map((s) => s.summary)).toEqual(['step 0', 'step 1', 'step 2', 'step 3', 'step 4', 'step 5']);
    expect(steps.every((s) => (s.data?.bulk as string).length === 300_000)).toBe(true);
  });

  it('a resolved incident frees the alarm: the next ALARM opens a new one, with its steps kept apart', async () => {
    const first = await store.openOrGet(alarm, 'retail-prediction', opened(5));
    await store.record(first.id, { at: '2026-11-21T03:13:06.000Z', kind: 'alarm-received', summary: 'first' });

    await store.resolve(first, '2026-11-21T03:40:00.000Z', '# review');

    expect(await store.current(alarm)).toBeUndefined();
    expect(await table.item(incidentPk(first.id), 'meta')).toMatchObject({ status: 'resolved', resolvedAt: '2026-11-21T03:40:00.000Z' });
    expect(await table.item(incidentPk(first.id), 'review')).toMatchObject({ markdown: '# review', createdAt: '2026-11-21T03:40:00.000Z' });
    const second = await store.openOrGet(alarm, 'retail-prediction', '2026-11-21T05:00:00.000Z');
    expect(second.id).not.toBe(first.id);
    await store.record(second.id, { at: '2026-11-21T05:00:01.000Z', kind: 'alarm-received', summary: 'second' });
    expect((await store.steps(first.id)).map((s) => s.summary)).toEqual(['first']);
    expect((await store.steps(second.id)).map((s) => s.summary)).toEqual(['second']);
  });

  it('resolving an older incident leaves the pointer to a newer one alone', async () => {
    const first = await store.openOrGet(alarm, 'retail-prediction', opened(5));
    await store.resolve(first, '2026-11-21T03:40:00.000Z', '# first');
    const second = await store.openOrGet(alarm, 'retail-prediction', '2026-11-21T05:00:00.000Z');

    await store.resolve(first, '2026-11-21T05:01:00.000Z', '# first, again');

    expect(await store.current(alarm)).toEqual(second);
  });
});

describe('the responder’s own breaker and message claims', () => {
  it('of 10 concurrent action claims on an incident with a limit of 3, exactly 3 win and the stored count is 3', async () => {
    const incident = await store.openOrGet(alarm, 'retail-prediction', opened(5));

    const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimAction(incident.id, 3)));

    expect(claims.filter(Boolean)).toHaveLength(3);
    expect(await table.item(incidentPk(incident.id), 'meta')).toMatchObject({ actionCount: 3 });
    expect((await store.current(alarm))?.actionCount).toBe(3);
  });

  it('an action given back frees its place under the limit, and the count never goes below zero', async () => {
    const incident = await store.openOrGet(alarm, 'retail-prediction', opened(5));
    expect(await store.claimAction(incident.id, 1)).toBe(true);
    expect(await store.claimAction(incident.id, 1)).toBe(false);

    await store.releaseAction(incident.id);
    expect(await table.item(incidentPk(incident.id), 'meta')).toMatchObject({ actionCount: 0 });
    await store.releaseAction(incident.id);
    expect(await table.item(incidentPk(incident.id), 'meta')).toMatchObject({ actionCount: 0 });
    expect(await store.claimAction(incident.id, 1)).toBe(true);
  });

  it('giving back an action of an incident that does not exist creates nothing', async () => {
    await store.releaseAction(incidentId(alarm, opened(5)));
    expect(await table.item(incidentPk(incidentId(alarm, opened(5))), 'meta')).toBeUndefined();
  });

  it('an action claim on an incident that does not exist loses and creates nothing', async () => {
    expect(await store.claimAction(incidentId(alarm, opened(5)), 3)).toBe(false);
    expect(await table.item(incidentPk(incidentId(alarm, opened(5))), 'meta')).toBeUndefined();
  });

  it('a message is claimed once, even by 10 concurrent deliveries; released, it can be claimed again', async () => {
    const messageId = `sns-${alarmCounter}`;

    const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimMessage(messageId)));

    expect(claims.filter(Boolean)).toHaveLength(1);
    expectTtlSeconds(await table.rawItem(`respond-msg#${messageId}`, 'message'), epochSeconds(NOW) + MESSAGE_MARKER_DAYS * 86_400);
    expect(await store.claimMessage(messageId)).toBe(false);
    await store.releaseMessage(messageId);
    expect(await store.claimMessage(messageId)).toBe(true);
  });
});
