// Contract: the delivery ledger's conditional claim, against the emulator's DynamoDB and the table the template declares.
import { CLAIM_LEASE_MS, DELIVERY_RECORD_DAYS, DynamoDbDeliveryLedger, deliveryKey } from '../../../shared/delivery/ledger';
import { epochSeconds, expectTtlSeconds, stateTablePerFile, type StateTable } from './state-table';

let table: StateTable;
let now: number;
let messageCounter = 0;
let messageId: string;
const ledger = () => new DynamoDbDeliveryLedger(table.client, table.tableName, () => now);

const stateTable = stateTablePerFile();
beforeAll(() => {
  table = stateTable();
});
beforeEach(() => {
  now = Date.parse('2026-11-21T03:00:00Z');
  // Each test its own message, so no test reads another's records.
  messageId = `sns-${++messageCounter}`;
});

describe('DynamoDbDeliveryLedger against DynamoDB', () => {
  it('the first claim wins and stores a sending record whose expiresAt is epoch seconds a week out', async () => {
    expect(await ledger().claim(messageId, 'slack')).toBe('claimed');

    const { pk, sk } = deliveryKey(messageId, 'slack');
    expect(await table.item(pk, sk)).toMatchObject({ status: 'sending', leaseUntil: now + CLAIM_LEASE_MS, claimedAt: new Date(now).toISOString() });
    expectTtlSeconds(await table.rawItem(pk, sk), epochSeconds(now) + DELIVERY_RECORD_DAYS * 86_400);
    expect(await table.ttlAttribute()).toBe('expiresAt');
  });

  it('a second claim while the first is sending loses as in-flight, and leaves the first record alone', async () => {
    await ledger().claim(messageId, 'slack');
    const first = await table.item(deliveryKey(messageId, 'slack').pk, 'slack');
    now += 1_000;

    expect(await ledger().claim(messageId, 'slack')).toBe('in-flight');
    expect(await table.item(deliveryKey(messageId, 'slack').pk, 'slack')).toEqual(first);
  });

  it('a delivered channel loses every later claim as already-delivered (the old item comes back with the failure)', async () => {
    await ledger().claim(messageId, 'slack');
    await ledger().markDelivered(messageId, 'slack');

    now += CLAIM_LEASE_MS * 10;
    expect(await ledger().claim(messageId, 'slack')).toBe('already-delivered');
    const stored = await table.item(deliveryKey(messageId, 'slack').pk, 'slack');
    expect(stored).toMatchObject({ status: 'delivered', deliveredAt: '2026-11-21T03:00:00.000Z' });
    expect(stored).not.toHaveProperty('leaseUntil');
  });

  it('channels and messages are claimed independently', async () => {
    await ledger().claim(messageId, 'slack');
    expect(await ledger().claim(messageId, 'email')).toBe('claimed');
    expect(await ledger().claim(`${messageId}-other`, 'slack')).toBe('claimed');
  });

  it('a released (failed) delivery records why and can be claimed by the retry', async () => {
    await ledger().claim(messageId, 'slack');
    await ledger().release(messageId, 'slack', `Slack: HTTP 500 ${'x'.repeat(600)}`);

    const stored = await table.item(deliveryKey(messageId, 'slack').pk, 'slack');
    expect(stored).toMatchObject({ status: 'failed' });
    expect(String(stored?.lastError)).toHaveLength(500);
    expect(stored).not.toHaveProperty('leaseUntil');
    expect(await ledger().claim(messageId, 'slack')).toBe('claimed');
  });

  it('a claim left by an invocation that died is taken over only once its lease has run out', async () => {
    await ledger().claim(messageId, 'pagerduty');

    now += CLAIM_LEASE_MS - 1;
    expect(await ledger().claim(messageId, 'pagerduty')).toBe('in-flight');
    // leaseUntil < :now is strict: at the lease's last millisecond it still holds.
    now += 1;
    expect(await ledger().claim(messageId, 'pagerduty')).toBe('in-flight');
    now += 1;
    expect(await ledger().claim(messageId, 'pagerduty')).toBe('claimed');
    expect(await table.item(deliveryKey(messageId, 'pagerduty').pk, 'pagerduty')).toMatchObject({ leaseUntil: now + CLAIM_LEASE_MS });
  });

  it('of ten concurrent claims of one delivery exactly one wins', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => ledger().claim(messageId, 'email')));

    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r === 'in-flight')).toHaveLength(9);
  });
});
