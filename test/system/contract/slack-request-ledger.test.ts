// Contract: the Slack request ledger's conditional claim, against the emulator's DynamoDB and the table the template declares.
import { UnreadableInputError } from '../../../shared/read-failure';
import { DynamoDbSlackRequestLedger, SLACK_REQUEST_RECORD_S, slackRequestKey } from '../../../shared/slack/request-ledger';
import { epochSeconds, expectTtlSeconds, stateTablePerFile, type StateTable } from './state-table';

let table: StateTable;
let signatureCounter = 0;
let signature: string;
const AT = new Date('2026-11-21T03:00:00Z');
const ledger = () => new DynamoDbSlackRequestLedger(table.client, table.tableName);

const stateTable = stateTablePerFile();
beforeAll(() => {
  table = stateTable();
});
beforeEach(() => {
  // Each test its own signature, so no test reads another's claim.
  signature = `v0=${String(++signatureCounter).padStart(64, '0')}`;
});

describe('DynamoDbSlackRequestLedger against DynamoDB', () => {
  it('the first claim is first and stores a record whose expiresAt is a number of epoch seconds ten minutes out', async () => {
    expect(await ledger().claim(signature, AT)).toBe('first');

    const { pk, sk } = slackRequestKey(signature);
    expect(await table.item(pk, sk)).toEqual({ pk: `slack-request#${signature}`, sk: 'request', claimedAt: AT.toISOString(), expiresAt: epochSeconds(AT.getTime()) + 600 });
    expectTtlSeconds(await table.rawItem(pk, sk), epochSeconds(AT.getTime()) + SLACK_REQUEST_RECORD_S);
    expect(await table.ttlAttribute()).toBe('expiresAt');
  });

  it('a second claim of the signature is a replay, and leaves the first record alone', async () => {
    await ledger().claim(signature, AT);
    const { pk, sk } = slackRequestKey(signature);
    const first = await table.item(pk, sk);

    expect(await ledger().claim(signature, new Date(AT.getTime() + 5_000))).toBe('replay');
    expect(await table.item(pk, sk)).toEqual(first);
  });

  it('different signatures are claimed independently', async () => {
    await ledger().claim(signature, AT);

    const other = `${signature.slice(0, -1)}x`;
    expect(await ledger().claim(other, AT)).toBe('first');
    expect(await ledger().claim(other, AT)).toBe('replay');
  });

  it('of ten concurrent claims of one signature exactly one is first', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => ledger().claim(signature, AT)));

    expect(results.filter((r) => r === 'first')).toHaveLength(1);
    expect(results.filter((r) => r === 'replay')).toHaveLength(9);
  });

  it('a failure other than the condition is an UnreadableInputError naming the ledger, never first', async () => {
    const missing = new DynamoDbSlackRequestLedger(table.client, 'no-such-table');

    const claim = missing.claim(signature, AT);
    await expect(claim).rejects.toBeInstanceOf(UnreadableInputError);
    await expect(claim).rejects.toThrow(/^could not read the Slack request ledger in STATE_TABLE no-such-table: /);
  });
});
