// Adapters for DRY_RUN: nothing is written anywhere — seen messages kept per container, the audit trail only logged.
import { logger } from '../logger';
import type { ActionLedger, AuditTrail, LedgerVerdict, RemediationOutcome } from './types';

/**
 * A ledger for dry runs. Cooldowns and budgets are only looked at (through `peekFrom`, the STATE_TABLE
 * ledger, when a table is configured; otherwise they always allow); seen messages live in this
 * container's memory. `claim` and `release` are never called in a dry run and refuse to write.
 */
export function dryRunLedger(peekFrom?: ActionLedger): ActionLedger {
  const messages = new Map<string, { outcome?: RemediationOutcome; at?: Date; reportPending: boolean }>();
  const noWrites = (): never => {
    throw new Error('A dry run takes no cooldown or budget');
  };
  return {
    claim: async () => noWrites(),
    release: async () => noWrites(),
    peek: async (claim): Promise<LedgerVerdict> => (peekFrom ? peekFrom.peek(claim) : { ok: true, claimId: 'dry-run' }),
    async startMessage(messageId, actionKey) {
      const key = `${messageId}#${actionKey}`;
      if (messages.has(key)) return false;
      messages.set(key, { reportPending: false });
      return true;
    },
    async finishMessage(messageId, actionKey, outcome, at) {
      messages.set(`${messageId}#${actionKey}`, { outcome, at, reportPending: false });
    },
    async reportFailed(messageId, actionKey) {
      const record = messages.get(`${messageId}#${actionKey}`);
      if (record) record.reportPending = true;
    },
    async takePendingReport(messageId, actionKey) {
      const record = messages.get(`${messageId}#${actionKey}`);
      if (!record?.reportPending || !record.outcome || !record.at) return undefined;
      record.reportPending = false;
      return { outcome: record.outcome, at: record.at };
    },
    async forgetMessage(messageId, actionKey) {
      messages.delete(`${messageId}#${actionKey}`);
    },
  };
}

/** The audit trail of a dry run: the same entries, logged instead of stored. */
export const loggingAuditTrail: AuditTrail = {
  async record(entry) {
    logger.info('Remediation audit (dry run, not stored)', { audit: entry, alarm: entry.alarm, target: entry.target });
  },
};
