// Adapter: the audit trail of the Slack app's buttons in STATE_TABLE — every click, allowed or refused, and what it did.
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expiresAfterDays } from '../aws/dynamodb';
import { logger } from '../logger';
import { AUDIT_RETENTION_DAYS } from '../remediation/audit';
import { UnreadableInputError } from '../read-failure';
import type { ClickAudit } from './interaction';

/** The same key scheme as every audit trail: `audit#<target>`, sorted by time; the target is the alarm's buttons. */
export const clickAuditKey = (entry: ClickAudit) => ({ pk: `audit#slack:${entry.alarm ?? 'unknown'}`, sk: `${entry.at}#${entry.user}#${entry.action}#${entry.outcome}` });

/** Writes one click's audit entry (and logs it). */
export function dynamoClickAudit(db: DynamoDBDocumentClient, table: string): (entry: ClickAudit) => Promise<void> {
  return async (entry) => {
    logger.info('Slack click audit', { audit: entry, alarm: entry.alarm });
    try {
      await db.send(new PutCommand({ TableName: table, Item: { ...clickAuditKey(entry), ...entry, target: `slack:${entry.alarm ?? 'unknown'}`, expiresAt: expiresAfterDays(AUDIT_RETENTION_DAYS, Date.parse(entry.at)) } }));
    } catch (error) {
      const source = `the audit trail in STATE_TABLE ${table}`;
      throw new Error(`could not record the click in ${source}: ${new UnreadableInputError(source, error).message}`, { cause: error });
    }
  };
}

/** Logs the click only: dry runs. */
export const loggingClickAudit = async (entry: ClickAudit): Promise<void> => {
  logger.info('DRY_RUN: Slack click audit (not written)', { audit: entry, alarm: entry.alarm });
};
