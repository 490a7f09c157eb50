// Test support: the remediation engine's STATE_TABLE ports (action ledger, audit trail) in memory, for handler tests.
// Their DynamoDB adapters are proved against the emulator in test/system/contract/.
import type { AuditEntry, AuditTrail } from '../../shared/remediation/types';
import { MemoryLedger } from '../unit/remediation/support/fixtures';

/** An audit trail that keeps every entry it is given, in order. */
export class MemoryAuditTrail implements AuditTrail {
  readonly entries: AuditEntry[] = [];
  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(structuredClone(entry));
  }
}

/**
 * One ledger and one audit trail for a test file. A handler builds its adapters once per container, so the
 * same instances live across tests and `reset` empties them in place.
 */
export function memoryRemediationStores() {
  const ledger = new MemoryLedger();
  const audit = new MemoryAuditTrail();
  return {
    ledger,
    audit,
    reset() {
      ledger.cooldownUntil.clear();
      ledger.used.clear();
      ledger.messages.clear();
      ledger.released.length = 0;
      audit.entries.length = 0;
    },
  };
}

/**
 * `jest.mock` factories that hand a handler these fakes where it would build the DynamoDB adapters:
 * `jest.mock('<path>/shared/remediation/ledger', () => ledgerModuleWith(mockStores))`.
 */
export const ledgerModuleWith = (stores: ReturnType<typeof memoryRemediationStores>) => ({
  ...jest.requireActual('../../shared/remediation/ledger'),
  dynamoActionLedger: () => stores.ledger,
});
export const auditModuleWith = (stores: ReturnType<typeof memoryRemediationStores>) => ({
  ...jest.requireActual('../../shared/remediation/audit'),
  dynamoAuditTrail: () => stores.audit,
});
