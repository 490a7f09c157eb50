// Contract: the open PagerDuty pages notify keeps in STATE_TABLE, against the emulator's DynamoDB.
import { DynamoDbOpenPages, PAGE_RECORD_DAYS, pageKey } from '../../../shared/notify/pages';
import { epochSeconds, expectTtlSeconds, stateTablePerFile, type StateTable } from './state-table';

const OPENED_AT = new Date('2026-12-06T03:00:00.750Z');
const RESOLVED_AT = new Date('2026-12-07T09:30:00.000Z');

let table: StateTable;
let counter = 0;
/** A dedup_key no other test has used: each page is one item. */
let dedupKey: string;
const pages = () => new DynamoDbOpenPages(table.client, table.tableName);
const stored = () => table.item(pageKey(dedupKey).pk, 'page');

const stateTable = stateTablePerFile();
beforeAll(() => {
  table = stateTable();
});
beforeEach(() => {
  // An alarm's page is keyed by its ARN (shared/notify/format/pagerduty.ts).
  dedupKey = `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:RetailPrediction-HighErrorRate-${++counter}`;
});

describe('DynamoDbOpenPages against DynamoDB', () => {
  it('opened stores page#<dedup_key> open, with expiresAt in epoch seconds 30 days after the change', async () => {
    await pages().opened(dedupKey, OPENED_AT);

    expect(await pages().isOpen(dedupKey)).toBe(true);
    expect(await stored()).toEqual({ pk: `page#${dedupKey}`, sk: 'page', open: true, changedAt: OPENED_AT.toISOString(), expiresAt: epochSeconds(OPENED_AT.getTime()) + PAGE_RECORD_DAYS * 86_400 });
    const raw = await table.rawItem(`page#${dedupKey}`, 'page');
    expectTtlSeconds(raw, epochSeconds(OPENED_AT.getTime()) + PAGE_RECORD_DAYS * 86_400);
    // isOpen compares with `=== true`: a string "true" would read as closed.
    expect(raw?.open).toEqual({ BOOL: true });
    expect(await table.ttlAttribute()).toBe('expiresAt');
  });

  it('resolved closes the page and moves its changedAt and expiresAt to the resolve', async () => {
    await pages().opened(dedupKey, OPENED_AT);

    await pages().resolved(dedupKey, RESOLVED_AT);

    expect(await pages().isOpen(dedupKey)).toBe(false);
    expect(await stored()).toEqual({ ...pageKey(dedupKey), open: false, changedAt: RESOLVED_AT.toISOString(), expiresAt: epochSeconds(RESOLVED_AT.getTime()) + PAGE_RECORD_DAYS * 86_400 });
    expect((await table.rawItem(pageKey(dedupKey).pk, 'page'))?.open).toEqual({ BOOL: false });
  });

  it('a page never opened is not open and isOpen writes nothing', async () => {
    expect(await pages().isOpen(dedupKey)).toBe(false);
    expect(await stored()).toBeUndefined();
  });

  it('a resolved page opened again is open, and pages are kept apart by dedup_key', async () => {
    const group = `firebreak:group:prod:storm/service=checkout-${counter},severity=critical`;
    await pages().opened(dedupKey, OPENED_AT);
    await pages().resolved(dedupKey, RESOLVED_AT);
    await pages().opened(group, OPENED_AT);

    await pages().opened(dedupKey, new Date(RESOLVED_AT.getTime() + 60_000));

    expect(await pages().isOpen(dedupKey)).toBe(true);
    expect(await pages().isOpen(group)).toBe(true);
    expect(await pages().isOpen(`${dedupKey}-other`)).toBe(false);
    await pages().resolved(group, RESOLVED_AT);
    expect(await pages().isOpen(group)).toBe(false);
    expect(await pages().isOpen(dedupKey)).toBe(true);
    expect(await table.partition(pageKey(group).pk)).toEqual([expect.objectContaining({ sk: 'page', open: false })]);
  });
});
