// Contract: the remediation audit trail as put items in STATE_TABLE, against the emulator's DynamoDB.
import { AUDIT_RETENTION_DAYS, auditKey, dynamoAuditTrail } from '../../../shared/remediation/audit';
import type { AuditEntry } from '../../../shared/remediation/types';
import { epochSeconds, expectTtlSeconds, stateTablePerFile, type StateTable } from './state-table';

let table: StateTable;
let targetCounter = 0;
let target: string;

const entry = (overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  at: '2026-11-21T05:00:00.000Z',
  alarm: 'RetailPrediction-HighCPU',
  alarmState: 'ALARM',
  messageId: 'msg-1',
  target,
  action: 'scale-nodegroup',
  status: 'done',
  dryRun: false,
  requestedBy: 'scaleNodegroup',
  before: 3,
  after: 4,
  ...overrides,
});

const stateTable = stateTablePerFile();
beforeAll(() => {
  table = stateTable();
});
beforeEach(() => {
  target = `ng-${++targetCounter}`;
});

describe('dynamoAuditTrail against DynamoDB', () => {
  it('stores each entry under audit#<target>, with expiresAt in epoch seconds 90 days after the entry', async () => {
    const recorded = entry();

    await dynamoAuditTrail(table.client, table.tableName).record(recorded);

    const { pk, sk } = auditKey(recorded);
    expect(pk).toBe(`audit#${target}`);
    expect(await table.item(pk, sk)).toEqual({ pk, sk, ...recorded, expiresAt: expect.any(Number) });
    expectTtlSeconds(await table.rawItem(pk, sk), epochSeconds(Date.parse(recorded.at)) + AUDIT_RETENTION_DAYS * 86_400);
  });

  it('recording the same entry twice (an SDK retry of a put that landed) leaves one unchanged item', async () => {
    const audit = dynamoAuditTrail(table.client, table.tableName);

    await audit.record(entry());
    await audit.record(entry());

    expect(await table.partition(`audit#${target}`)).toHaveLength(1);
  });

  it('entries of one target are kept apart per message and action, and read back in time order', async () => {
    const audit = dynamoAuditTrail(table.client, table.tableName);

    await audit.record(entry({ at: '2026-11-21T05:10:00.000Z', messageId: 'msg-2' }));
    await audit.record(entry({ at: '2026-11-21T05:00:00.000Z', messageId: 'msg-1', status: 'refused', guard: 'cooldown', reason: 'in cooldown', before: undefined, after: undefined }));
    await audit.record(entry({ at: '2026-11-21T05:00:00.000Z', messageId: 'msg-1', action: 'scale-deployment' }));

    const items = await table.partition(`audit#${target}`);
    expect(items.map((i) => [i.at, i.messageId, i.action, i.status])).toEqual([
      ['2026-11-21T05:00:00.000Z', 'msg-1', 'scale-deployment', 'done'],
      ['2026-11-21T05:00:00.000Z', 'msg-1', 'scale-nodegroup', 'refused'],
      ['2026-11-21T05:10:00.000Z', 'msg-2', 'scale-nodegroup', 'done'],
    ]);
    // Fields an entry leaves undefined are not written at all.
    expect(items[1]).not.toHaveProperty('before');
    expect(items[1]).toMatchObject({ guard: 'cooldown', reason: 'in cooldown' });
  });
});
