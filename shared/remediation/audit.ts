// Adapter: the remediation audit trail in STATE_TABLE — one item per action or refusal, also logged.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { expiresAfterDays } from '../aws/dynamodb';
import { logger } from '../logger';
import type { AuditEntry, AuditTrail } from './types';

/** Days an audit item is kept before the table's TTL removes it. */
export const AUDIT_RETENTION_DAYS = 90;

/** Key of an audit item: per target, sorted by time, unique per message and action. */
export const auditKey = (entry: Pick<AuditEntry, 'target' | 'at' | 'messageId' | 'action'>) => ({
  pk: `audit#${entry.target}`,
  sk: `${entry.at}#${entry.messageId}#${entry.action}`,
});

/** The real AuditTrail: a put per entry plus a structured log line. */
export function dynamoAuditTrail(db: DynamoDBDocumentClient, tableName: string): AuditTrail {
  return {
    async record(entry) {
      logger.info('Remediation audit', { audit: entry, alarm: entry.alarm, target: entry.target });
      await db.send(
        new PutCommand({
          TableName: tableName,
          // Same key, same content: an SDK retry of a put that already landed rewrites it unchanged.
          Item: { ...auditKey(entry), ...entry, expiresAt: expiresAfterDays(AUDIT_RETENTION_DAYS, Date.parse(entry.at)) },
        }),
      );
    },
  };
}
