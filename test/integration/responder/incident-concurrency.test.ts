// The incident store's conditional writes under concurrency, against the DynamoDB double that evaluates conditions atomically.
import { dynamoIncidentStore } from '../../../shared/responder/timeline';
import { installDynamoDouble } from '../../support/dynamodb-double';

type StateTable = ReturnType<typeof installDynamoDouble>;

const ALARM = 'RetailPrediction-HighErrorRate';
let table: StateTable;

beforeEach(() => {
  table = installDynamoDouble();
});
afterEach(() => table.mock.restore());

describe('incident store under concurrency', () => {
  it('ten concurrent alarms open one incident between them', async () => {
    const store = dynamoIncidentStore('firebreak-dev-state', table.client);
    const incidents = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.openOrGet(ALARM, 'retail-prediction', `2026-11-21T03:13:0${i}.000Z`)),
    );
    expect(new Set(incidents.map((i) => i.id)).size).toBe(1);
    expect([...table.items.keys()].filter((k) => k.endsWith('|meta'))).toHaveLength(1);
  });

  it('the responder’s own breaker lets exactly N of many concurrent actions through', async () => {
    const store = dynamoIncidentStore('firebreak-dev-state', table.client);
    const incident = await store.openOrGet(ALARM, 'retail-prediction', '2026-11-21T03:13:05.123Z');
    const claims = await Promise.all(Array.from({ length: 10 }, () => store.claimAction(incident.id, 3)));
    expect(claims.filter(Boolean)).toHaveLength(3);
    expect(table.item(`incident#${incident.id}`, 'meta')?.actionCount).toBe(3);
  });

  it('a resolved incident frees the alarm: the next ALARM opens a new one, with its steps kept apart', async () => {
    const store = dynamoIncidentStore('firebreak-dev-state', table.client);
    const first = await store.openOrGet(ALARM, 'retail-prediction', '2026-11-21T03:13:05.123Z');
    await store.record(first.id, { at: '2026-11-21T03:13:06.000Z', kind: 'alarm-received', summary: 'first' });
    await store.resolve(first, '2026-11-21T03:40:00.000Z', '# review');
    expect(await store.current(ALARM)).toBeUndefined();

    const second = await store.openOrGet(ALARM, 'retail-prediction', '2026-11-21T05:00:00.000Z');
    expect(second.id).not.toBe(first.id);
    await store.record(second.id, { at: '2026-11-21T05:00:01.000Z', kind: 'alarm-received', summary: 'second' });
    expect((await store.steps(first.id)).map((s) => s.summary)).toEqual(['first']);
    expect((await store.steps(second.id)).map((s) => s.summary)).toEqual(['second']);
    expect(table.item(`incident#${first.id}`, 'meta')).toMatchObject({ status: 'resolved', resolvedAt: '2026-11-21T03:40:00.000Z' });
  });
});
