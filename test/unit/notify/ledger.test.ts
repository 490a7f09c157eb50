import { CLAIM_LEASE_MS, DynamoDbDeliveryLedger } from '../../../shared/notify/ledger';
import { installDynamoDouble } from '../../support/dynamodb-double';

describe('DynamoDbDeliveryLedger (against a table that evaluates the conditions)', () => {
  let table: ReturnType<typeof installDynamoDouble>;
  let now: number;
  const ledger = () => new DynamoDbDeliveryLedger(table.client, 'state', () => now);

  beforeEach(() => {
    table = installDynamoDouble();
    now = Date.parse('2026-11-21T03:00:00Z');
  });
  afterEach(() => table.mock.restore());

  it('claims once; a second claim while sending sees it in flight', async () => {
    expect(await ledger().claim('m1', 'slack')).toBe('claimed');
    expect(await ledger().claim('m1', 'slack')).toBe('in-flight');
    expect(table.item('delivery#m1', 'slack')).toMatchObject({ status: 'sending', expiresAt: Math.floor(now / 1000) + 7 * 86_400 });
  });

  it('a delivered channel is never claimed again; other channels are independent', async () => {
    await ledger().claim('m1', 'slack');
    await ledger().markDelivered('m1', 'slack');
    expect(await ledger().claim('m1', 'slack')).toBe('already-delivered');
    expect(await ledger().claim('m1', 'email')).toBe('claimed');
    expect(await ledger().claim('m2', 'slack')).toBe('claimed');
  });

  it('a released (failed) delivery can be claimed by the retry', async () => {
    await ledger().claim('m1', 'slack');
    await ledger().release('m1', 'slack', 'Slack: HTTP 500');
    expect(table.item('delivery#m1', 'slack')).toMatchObject({ status: 'failed', lastError: 'Slack: HTTP 500' });
    expect(await ledger().claim('m1', 'slack')).toBe('claimed');
  });

  it('a claim left by an invocation that died can be taken over once its lease has run out', async () => {
    await ledger().claim('m1', 'pagerduty');
    now += CLAIM_LEASE_MS - 1;
    expect(await ledger().claim('m1', 'pagerduty')).toBe('in-flight');
    now += 2;
    expect(await ledger().claim('m1', 'pagerduty')).toBe('claimed');
  });

  it('of ten concurrent claims exactly one wins', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => ledger().claim('m1', 'email')));
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
  });
});
