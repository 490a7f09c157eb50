// Unit tests: incidents and their timelines in STATE_TABLE through aws-sdk-client-mock.
import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { dynamoIncidentStore, type Incident } from '../../../shared/responder/timeline';

const ddb = mockClient(DynamoDBDocumentClient);
const TABLE = 'firebreak-dev-state';
const ALARM = 'RetailPrediction-HighErrorRate';
const AT = '2026-11-21T03:13:05.123Z';
const ID = `${ALARM}@${AT}`;
const clock = () => Date.parse('2026-11-21T03:14:00.000Z');
const store = () => dynamoIncidentStore(TABLE, DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), clock);
const meta = { pk: `incident#${ID}`, sk: 'meta', id: ID, alarm: ALARM, service: 'retail-prediction', openedAt: AT, status: 'open', actionCount: 1 };
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

beforeEach(() => ddb.reset());

describe('incident store in STATE_TABLE', () => {
  it('opens an incident atomically: the alarm pointer only if absent, and the incident under incident#<id>', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    const incident = await store().openOrGet(ALARM, 'retail-prediction', AT);

    expect(incident).toEqual({ id: ID, alarm: ALARM, service: 'retail-prediction', openedAt: AT, status: 'open', actionCount: 0 });
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Put).toMatchObject({ TableName: TABLE, Item: { pk: `incident#open#${ALARM}`, sk: 'current', incidentId: ID }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(items[1]?.Put?.Item).toMatchObject({ pk: `incident#${ID}`, sk: 'meta', status: 'open', actionCount: 0 });
    expect(items[1]?.Put?.Item?.expiresAt).toBe(Math.floor(clock() / 1000) + 90 * 86_400);
  });

  it('keeps the StateChangeTime of the ALARM that opened an incident, and reads it back', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    const opened = await store().openOrGet(ALARM, 'retail-prediction', AT, '2026-11-21T03:14:07.412Z');
    expect(opened.alarmChangedAt).toBe('2026-11-21T03:14:07.412Z');
    expect(ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[1]?.Put?.Item).toMatchObject({ alarmChangedAt: '2026-11-21T03:14:07.412Z' });

    ddb.reset();
    ddb.on(GetCommand, { Key: { pk: `incident#open#${ALARM}`, sk: 'current' } }).resolves({ Item: { incidentId: ID } });
    ddb.on(GetCommand, { Key: { pk: `incident#${ID}`, sk: 'meta' } }).resolves({ Item: { ...meta, alarmChangedAt: '2026-11-21T03:14:07.412Z' } });
    expect(await store().current(ALARM)).toMatchObject({ id: ID, alarmChangedAt: '2026-11-21T03:14:07.412Z' });
  });

  it('returns the incident already open for the alarm without writing', async () => {
    ddb.on(GetCommand, { Key: { pk: `incident#open#${ALARM}`, sk: 'current' } }).resolves({ Item: { incidentId: ID } });
    ddb.on(GetCommand, { Key: { pk: `incident#${ID}`, sk: 'meta' } }).resolves({ Item: meta });
    const incident = await store().openOrGet(ALARM, 'retail-prediction', '2026-11-21T03:20:00.000Z');
    expect(incident).toMatchObject({ id: ID, actionCount: 1 });
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('uses the incident another invocation opened first when the pointer write loses the race', async () => {
    ddb.on(GetCommand, { Key: { pk: `incident#open#${ALARM}`, sk: 'current' } }).resolvesOnce({}).resolves({ Item: { incidentId: ID } });
    ddb.on(GetCommand, { Key: { pk: `incident#${ID}`, sk: 'meta' } }).resolves({ Item: meta });
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] }),
    );
    const incident = await store().openOrGet(ALARM, 'retail-prediction', '2026-11-21T03:13:06.000Z');
    expect(incident.id).toBe(ID);
  });

  it('records steps under the incident, in time order', async () => {
    ddb.on(PutCommand).resolves({});
    const s = store();
    await s.record(ID, { at: AT, kind: 'alarm-received', summary: 'a' });
    await s.record(ID, { at: AT, kind: 'diagnostics', summary: 'b', data: { values: { errorRate: 62 } } });
    const [first, second] = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item ?? {});
    expect(first).toMatchObject({ pk: `incident#${ID}`, kind: 'alarm-received', at: AT });
    expect(String(first?.sk) < String(second?.sk)).toBe(true);
    expect(String(first?.sk)).toMatch(/^step#2026-11-21T03:13:05.123Z#/);
  });

  it('reads every step back across pages', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ at: AT, kind: 'alarm-received', summary: 'a' }], LastEvaluatedKey: { pk: 'x', sk: 'y' } })
      .resolvesOnce({ Items: [{ at: AT, kind: 'decision', summary: 'b', data: { rule: 'cpu-high' } }] });
    const steps = await store().steps(ID);
    expect(steps.map((s) => s.kind)).toEqual(['alarm-received', 'decision']);
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({ ExpressionAttributeValues: { ':pk': `incident#${ID}`, ':step': 'step#' } });
  });

  it('counts actions with a conditional write, and says no once the budget is spent', async () => {
    ddb.on(UpdateCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    const s = store();
    expect(await s.claimAction(ID, 3)).toBe(true);
    expect(await s.claimAction(ID, 3)).toBe(false);
    const input = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toContain('actionCount < :limit');
    expect(input?.ExpressionAttributeValues).toMatchObject({ ':limit': 3 });
  });

  it('throws a DynamoDB failure that is not a condition', async () => {
    ddb.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    await expect(store().claimAction(ID, 3)).rejects.toThrow('ProvisionedThroughputExceeded');
  });

  it('resolves: stores the review draft, marks the incident, frees the alarm only if the pointer still names it', async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(DeleteCommand).rejects(conditionFailed());
    const incident: Incident = { id: ID, alarm: ALARM, service: 'retail-prediction', openedAt: AT, status: 'open', actionCount: 1 };
    await store().resolve(incident, '2026-11-21T03:40:00.000Z', '# Post-incident review');

    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ pk: `incident#${ID}`, sk: 'review', markdown: '# Post-incident review' }) });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { ExpressionAttributeValues: { ':resolved': 'resolved', ':at': '2026-11-21T03:40:00.000Z' } });
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: { pk: `incident#open#${ALARM}`, sk: 'current' }, ExpressionAttributeValues: { ':id': ID } });
  });

  it('claims a message once; a redelivery is refused until released', async () => {
    ddb.on(PutCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
    ddb.on(DeleteCommand).resolves({});
    const s = store();
    expect(await s.claimMessage('m-1')).toBe(true);
    expect(await s.claimMessage('m-1')).toBe(false);
    await s.releaseMessage('m-1');
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining({ pk: 'respond-msg#m-1' }), ConditionExpression: 'attribute_not_exists(pk)' });
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { Key: { pk: 'respond-msg#m-1', sk: 'message' } });
  });
});
