// Adapter: cooldowns, action budgets and seen messages in STATE_TABLE, taken with DynamoDB conditional writes.
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { expiresAfterDays } from '../aws/dynamodb';
import type { ActionLedger, LedgerClaim, LedgerVerdict, RemediationOutcome } from './types';

/** Days a seen-message record is kept: longer than SNS and Lambda keep retrying. */
export const MESSAGE_RECORD_DAYS = 7;
/** A message still 'started' after this long was left by an invocation that died (Lambda's limit is 900 s). */
export const STALE_START_SECONDS = 900;
/** Transactions that collide on the same items are retried this many times before the error is thrown. */
export const TRANSACTION_CONFLICT_ATTEMPTS = 5;

/** Keys of STATE_TABLE items this adapter owns; the prefixes keep them apart from notify's `delivery#`. */
export const ledgerKeys = {
  cooldown: (targetId: string) => ({ pk: `cooldown#${targetId}`, sk: 'lock' }),
  targetBudget: (targetId: string, windowStart: number) => ({ pk: `budget#${targetId}`, sk: `window#${windowStart}` }),
  globalBudget: (windowStart: number) => ({ pk: 'budget#global', sk: `window#${windowStart}` }),
  message: (messageId: string, actionKey: string) => ({ pk: `remediation-msg#${messageId}`, sk: actionKey }),
};

/** Start (epoch s) of the fixed budget window `now` falls in. */
export const windowStartOf = (now: Date, windowSeconds: number): number =>
  Math.floor(now.getTime() / 1000 / windowSeconds) * windowSeconds;

const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** The real ActionLedger over STATE_TABLE. */
export function dynamoActionLedger(db: DynamoDBDocumentClient, tableName: string): ActionLedger {
  const budgetLabels = (c: LedgerClaim) => [
    `target ${c.targetId} has used its budget of ${c.targetBudget} actions per ${c.windowSeconds} s`,
    `the global budget of ${c.globalBudget} actions per ${c.windowSeconds} s is used up`,
  ];

  const refuseEmptyBudget = (c: LedgerClaim): LedgerVerdict | undefined => {
    const [perTarget, global] = budgetLabels(c);
    if (c.targetBudget <= 0) return { ok: false, guard: 'budget', reason: perTarget ?? '' };
    if (c.globalBudget <= 0) return { ok: false, guard: 'budget', reason: global ?? '' };
    return undefined;
  };

  return {
    async claim(c) {
      const empty = refuseEmptyBudget(c);
      if (empty) return empty;
      const now = epochSeconds(c.now);
      const windowStart = windowStartOf(c.now, c.windowSeconds);
      const budgetExpiry = windowStart + c.windowSeconds + 86_400;
      const claimId = randomUUID();
      const budgetUpdate = (key: Record<string, string>, limit: number) => ({
        Update: {
          TableName: tableName,
          Key: key,
          UpdateExpression: 'ADD #used :one SET #expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(#used) OR #used < :limit',
          ExpressionAttributeNames: { '#used': 'used', '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expiresAt': budgetExpiry },
        },
      });
      const input = {
        TransactItems: [
          {
            Update: {
              TableName: tableName,
              Key: ledgerKeys.cooldown(c.targetId),
              UpdateExpression: 'SET #until = :until, #claimId = :claimId, #expiresAt = :expiresAt',
              ConditionExpression: 'attribute_not_exists(#until) OR #until <= :now',
              ExpressionAttributeNames: { '#until': 'until', '#claimId': 'claimId', '#expiresAt': 'expiresAt' },
              ExpressionAttributeValues: { ':until': now + c.cooldownSeconds, ':claimId': claimId, ':now': now, ':expiresAt': now + c.cooldownSeconds + 86_400 },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
            },
          },
          budgetUpdate(ledgerKeys.targetBudget(c.targetId, windowStart), c.targetBudget),
          budgetUpdate(ledgerKeys.globalBudget(windowStart), c.globalBudget),
        ],
      };

      for (let attempt = 1; ; attempt++) {
        try {
          await db.send(new TransactWriteCommand(input));
          return { ok: true, claimId };
        } catch (error) {
          if (!(error instanceof TransactionCanceledException) && (error as { name?: unknown } | null)?.name !== 'TransactionCanceledException') throw error;
          const canceled = error as TransactionCanceledException;
          const codes = (canceled.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
          const [cooldown, perTarget, global] = codes;
          if (cooldown === 'ConditionalCheckFailed') {
            const until = Number(canceled.CancellationReasons?.[0]?.Item?.until?.N);
            const when = Number.isFinite(until) ? ` until ${new Date(until * 1000).toISOString()}` : '';
            return { ok: false, guard: 'cooldown', reason: `target ${c.targetId} is in its ${c.cooldownSeconds} s cooldown${when}` };
          }
          const [perTargetLabel, globalLabel] = budgetLabels(c);
          if (perTarget === 'ConditionalCheckFailed') return { ok: false, guard: 'budget', reason: perTargetLabel ?? '' };
          if (global === 'ConditionalCheckFailed') return { ok: false, guard: 'budget', reason: globalLabel ?? '' };
          // Only TransactionConflict (another invocation touching the same items) is worth another go.
          if (!codes.includes('TransactionConflict') || attempt >= TRANSACTION_CONFLICT_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt));
        }
      }
    },

    async peek(c) {
      const empty = refuseEmptyBudget(c);
      if (empty) return empty;
      const windowStart = windowStartOf(c.now, c.windowSeconds);
      const get = (key: Record<string, string>) => db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      const [cooldown, perTarget, global] = await Promise.all([
        get(ledgerKeys.cooldown(c.targetId)),
        get(ledgerKeys.targetBudget(c.targetId, windowStart)),
        get(ledgerKeys.globalBudget(windowStart)),
      ]);
      const until = cooldown.Item?.until as number | undefined;
      if (until !== undefined && until > epochSeconds(c.now)) {
        return { ok: false, guard: 'cooldown', reason: `target ${c.targetId} is in its ${c.cooldownSeconds} s cooldown until ${new Date(until * 1000).toISOString()}` };
      }
      const [perTargetLabel, globalLabel] = budgetLabels(c);
      if (((perTarget.Item?.used as number | undefined) ?? 0) >= c.targetBudget) return { ok: false, guard: 'budget', reason: perTargetLabel ?? '' };
      if (((global.Item?.used as number | undefined) ?? 0) >= c.globalBudget) return { ok: false, guard: 'budget', reason: globalLabel ?? '' };
      return { ok: true, claimId: 'peek' };
    },

    async release(c, claimId) {
      const windowStart = windowStartOf(c.now, c.windowSeconds);
      const giveBack = (key: Record<string, string>) => ({
        Update: {
          TableName: tableName,
          Key: key,
          UpdateExpression: 'ADD #used :minusOne',
          ConditionExpression: '#used > :zero',
          ExpressionAttributeNames: { '#used': 'used' },
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        },
      });
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: tableName,
                Key: ledgerKeys.cooldown(c.targetId),
                ConditionExpression: '#claimId = :claimId',
                ExpressionAttributeNames: { '#claimId': 'claimId' },
                ExpressionAttributeValues: { ':claimId': claimId },
              },
            },
            giveBack(ledgerKeys.targetBudget(c.targetId, windowStart)),
            giveBack(ledgerKeys.globalBudget(windowStart)),
          ],
        }),
      );
    },

    async startMessage(messageId, actionKey, now) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...ledgerKeys.message(messageId, actionKey),
              status: 'started',
              startedAt: epochSeconds(now),
              expiresAt: expiresAfterDays(MESSAGE_RECORD_DAYS, now.getTime()),
            },
            // A 'started' record older than any invocation can live was left by one that died (timeout): take it over.
            ConditionExpression: 'attribute_not_exists(pk) OR (#status = :started AND #startedAt < :staleBefore)',
            ExpressionAttributeNames: { '#status': 'status', '#startedAt': 'startedAt' },
            ExpressionAttributeValues: { ':started': 'started', ':staleBefore': epochSeconds(now) - STALE_START_SECONDS },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },

    async finishMessage(messageId, actionKey, outcome, at) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: ledgerKeys.message(messageId, actionKey),
          UpdateExpression: 'SET #status = :status, #outcome = :outcome, #finishedAt = :at',
          ExpressionAttributeNames: { '#status': 'status', '#outcome': 'outcome', '#finishedAt': 'finishedAt' },
          ExpressionAttributeValues: { ':status': outcome.status, ':outcome': outcome, ':at': at.toISOString() },
        }),
      );
    },

    async reportFailed(messageId, actionKey) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: ledgerKeys.message(messageId, actionKey),
          UpdateExpression: 'SET #reportPending = :true',
          ConditionExpression: 'attribute_exists(#outcome)',
          ExpressionAttributeNames: { '#reportPending': 'reportPending', '#outcome': 'outcome' },
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    },

    async takePendingReport(messageId, actionKey) {
      try {
        const { Attributes } = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: ledgerKeys.message(messageId, actionKey),
            UpdateExpression: 'SET #reportPending = :false',
            // Only one concurrent redelivery wins the pending report; the others are duplicates.
            ConditionExpression: '#reportPending = :true',
            ExpressionAttributeNames: { '#reportPending': 'reportPending' },
            ExpressionAttributeValues: { ':true': true, ':false': false },
            ReturnValues: 'ALL_NEW',
          }),
        );
        if (!Attributes?.outcome || typeof Attributes.finishedAt !== 'string') return undefined;
        return { outcome: Attributes.outcome as RemediationOutcome, at: new Date(Attributes.finishedAt) };
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return undefined;
        throw error;
      }
    },

    async forgetMessage(messageId, actionKey) {
      await db.send(new DeleteCommand({ TableName: tableName, Key: ledgerKeys.message(messageId, actionKey) }));
    },
  };
}
