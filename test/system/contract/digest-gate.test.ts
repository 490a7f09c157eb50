// Contract: the per-log-group rate limit of error digests as conditional updates, against the emulator's DynamoDB.
import { digestKey, dynamoDigestGate, type DigestGate } from '../../../shared/logs/digest-gate';
import { epochSeconds, expectTtlSeconds, stateTablePerFile, type StateTable } from './state-table';

const T0 = 1_772_442_000_000;

let table: StateTable;
let gate: DigestGate;
let groupCounter = 0;
/** A log group no other test has used: its gate is one item per group. */
let group: string;
const stored = () => table.item(digestKey(group).pk, 'digest');

const stateTable = stateTablePerFile();
beforeAll(() => {
  table = stateTable();
  gate = dynamoDigestGate(table.tableName, table.client);
});
beforeEach(() => {
  group = `/aws/lambda/retail-forecast-api-${++groupCounter}`;
});

describe('dynamoDigestGate against DynamoDB', () => {
  it('the first opening wins and writes digest#<logGroup> with expiresAt in epoch seconds', async () => {
    expect(await gate.tryOpen(group, 3, 60, T0)).toEqual({ open: true, suppressedErrors: 0, openedAt: T0 });

    expect(await stored()).toEqual({ ...digestKey(group), sentAt: T0, logGroup: group, expiresAt: expect.any(Number) });
    expectTtlSeconds(await table.rawItem(digestKey(group).pk, 'digest'), epochSeconds(T0) + 60 + 2 * 86_400);
  });

  it('opens once per interval per log group, counts what it held back, and the next window starts from zero', async () => {
    expect(await gate.tryOpen(group, 3, 300, T0)).toEqual({ open: true, suppressedErrors: 0, openedAt: T0 });
    expect(await gate.tryOpen(group, 5, 300, T0 + 10_000)).toEqual({ open: false });
    expect(await gate.tryOpen(group, 7, 300, T0 + 299_999)).toEqual({ open: false });
    expect(await stored()).toMatchObject({ sentAt: T0, suppressedErrors: 12 });
    expect(await gate.tryOpen(`${group}-other`, 1, 300, T0 + 1_000)).toMatchObject({ open: true });

    // sentAt <= :cutoff: exactly one interval later the gate is open again.
    expect(await gate.tryOpen(group, 2, 300, T0 + 300_000)).toEqual({ open: true, suppressedErrors: 12, openedAt: T0 + 300_000 });
    expect(await stored()).toMatchObject({ sentAt: T0 + 300_000, suppressedErrors: 0, logGroup: group });
    expect(await gate.tryOpen(group, 1, 300, T0 + 600_000)).toEqual({ open: true, suppressedErrors: 0, openedAt: T0 + 600_000 });
  });

  it('of 10 concurrent openings exactly one wins; the other nine batches’ errors are kept for the next digest', async () => {
    const decisions = await Promise.all(Array.from({ length: 10 }, () => gate.tryOpen(group, 1, 300, T0)));

    expect(decisions.filter((d) => d.open)).toHaveLength(1);
    expect(await stored()).toMatchObject({ sentAt: T0, suppressedErrors: 9 });
  });

  it('release lets the retried batch post, with what earlier batches held back', async () => {
    await gate.tryOpen(group, 1, 300, T0);
    await gate.tryOpen(group, 4, 300, T0 + 1_000);
    const opened = await gate.tryOpen(group, 2, 300, T0 + 301_000);
    expect(opened).toEqual({ open: true, suppressedErrors: 4, openedAt: T0 + 301_000 });
    if (!opened.open) return;

    await gate.release(group, opened);

    expect(await stored()).toMatchObject({ sentAt: 0, suppressedErrors: 4 });
    expect(await gate.tryOpen(group, 2, 300, T0 + 302_000)).toEqual({ open: true, suppressedErrors: 4, openedAt: T0 + 302_000 });
  });

  it('release loses its condition and leaves alone a gate someone else opened since', async () => {
    await gate.tryOpen(group, 1, 0, T0);
    await gate.tryOpen(group, 1, 0, T0 + 5);

    await expect(gate.release(group, { open: true, suppressedErrors: 3, openedAt: T0 })).resolves.toBeUndefined();

    const item = await stored();
    expect(item?.sentAt).toBe(T0 + 5);
    // Neither opening held anything back, and the refused release gave back none of its 3.
    expect(item).not.toHaveProperty('suppressedErrors');
  });
});
