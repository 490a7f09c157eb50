// Responder adapter: incidents and their timelines in STATE_TABLE (pk `incident#<id>`), and the responder's per-incident action count.
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { dynamoDb, expiresAfterDays } from '../aws/dynamodb';

/** Incidents and their steps are kept this long, then DynamoDB's TTL removes them. */
export const INCIDENT_RETENTION_DAYS = 90;
/** A message marker outlives SNS's redelivery window by far. */
export const MESSAGE_MARKER_DAYS = 2;

export type StepKind = 'alarm-received' | 'diagnostics' | 'decision' | 'action' | 'outcome' | 'escalation' | 'resolved';

/** One line of an incident's timeline. */
export interface TimelineStep {
  /** ISO time. */
  readonly at: string;
  readonly kind: StepKind;
  readonly summary: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface Incident {
  readonly id: string;
  readonly alarm: string;
  readonly service: string;
  readonly openedAt: string;
  /** StateChangeTime of the ALARM that opened it; absent when a breaker re-evaluation opened it. */
  readonly alarmChangedAt?: string;
  readonly status: 'open' | 'resolved';
  /** Actions the responder has taken on it (scaling, opening or extending a breaker). */
  readonly actionCount: number;
  readonly resolvedAt?: string;
}

/** Where incidents live; an interface so the use case can be tested without DynamoDB. */
export interface IncidentStore {
  /** The open incident of `alarm`, creating it (once, even under concurrency) when there is none; `alarmChangedAt` is kept on a new one. */
  openOrGet(alarm: string, service: string, at: string, alarmChangedAt?: string): Promise<Incident>;
  /** The open incident of `alarm`, if any. */
  current(alarm: string): Promise<Incident | undefined>;
  record(incidentId: string, step: TimelineStep): Promise<void>;
  /** Every step, oldest first. */
  steps(incidentId: string): Promise<TimelineStep[]>;
  /** Counts one more action if fewer than `max` were taken; false when the responder's own breaker is open. */
  claimAction(incidentId: string, max: number): Promise<boolean>;
  /** Gives back a claimed action that changed nothing (refused by the kill switch, or already as asked). */
  releaseAction(incidentId: string): Promise<void>;
  /** Marks the incident resolved, stores its review draft, and frees the alarm for a new incident. */
  resolve(incident: Incident, at: string, reviewMarkdown: string): Promise<void>;
  /** Claims an SNS message for processing; false when it was already handled or is being handled. */
  claimMessage(messageId: string): Promise<boolean>;
  /** Releases a claim after a failure so Lambda's retry of the same message can run. */
  releaseMessage(messageId: string): Promise<void>;
}

export const incidentPk = (id: string): string => `incident#${id}`;
const pointerPk = (alarm: string): string => `incident#open#${alarm}`;
const messagePk = (messageId: string): string => `respond-msg#${messageId}`;
/** Ids read as the alarm and the time its incident opened, e.g. `RetailPrediction-HighErrorRate@2026-11-21T03:13:05.123Z`. */
export const incidentId = (alarm: string, openedAt: string): string => `${alarm}@${openedAt}`;

// Steps recorded in one millisecond keep their order through this sequence.
let sequence = 0;
const stepSk = (at: string): string => `step#${at}#${String(sequence++ % 1_000_000).padStart(6, '0')}#${randomUUID().slice(0, 8)}`;

const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed'));

/** The DynamoDB store in `table`. */
export function dynamoIncidentStore(table: string, client: DynamoDBDocumentClient = dynamoDb, clock: () => number = Date.now): IncidentStore {
  const readIncident = async (id: string): Promise<Incident | undefined> => {
    const out = await client.send(new GetCommand({ TableName: table, Key: { pk: incidentPk(id), sk: 'meta' }, ConsistentRead: true }));
    return out.Item ? toIncident(out.Item) : undefined;
  };
  const current = async (alarm: string): Promise<Incident | undefined> => {
    const out = await client.send(new GetCommand({ TableName: table, Key: { pk: pointerPk(alarm), sk: 'current' }, ConsistentRead: true }));
    const id = out.Item?.incidentId;
    return typeof id === 'string' ? readIncident(id) : undefined;
  };
  /** Adds `delta` to an open incident's action count when `condition` (over `:limit`) holds; false when it does not. */
  const countAction = async (id: string, delta: number, condition: string, limit: number): Promise<boolean> => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: incidentPk(id), sk: 'meta' },
          UpdateExpression: 'ADD actionCount :delta',
          ConditionExpression: `attribute_exists(pk) AND (${condition})`,
          ExpressionAttributeValues: { ':delta': delta, ':limit': limit },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };
  return {
    current,
    async openOrGet(alarm, service, at, alarmChangedAt) {
      const existing = await current(alarm);
      if (existing) return existing;
      const id = incidentId(alarm, at);
      const expiresAt = expiresAfterDays(INCIDENT_RETENTION_DAYS, clock());
      const incident: Incident = { id, alarm, service, openedAt: at, ...(alarmChangedAt !== undefined ? { alarmChangedAt } : {}), status: 'open', actionCount: 0 };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table,
                  Item: { pk: pointerPk(alarm), sk: 'current', incidentId: id, expiresAt },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              { Put: { TableName: table, Item: { pk: incidentPk(id), sk: 'meta', ...incident, expiresAt } } },
            ],
          }),
        );
        return incident;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Another invocation opened it first: use theirs.
        const theirs = await current(alarm);
        if (!theirs) throw new Error(`Incident for ${alarm} was opened concurrently but cannot be read`, { cause: error });
        return theirs;
      }
    },
    async record(id, step) {
      await client.send(
        new PutCommand({
          TableName: table,
          Item: { pk: incidentPk(id), sk: stepSk(step.at), ...step, expiresAt: expiresAfterDays(INCIDENT_RETENTION_DAYS, clock()) },
        }),
      );
    },
    async steps(id) {
      const steps: TimelineStep[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const out = await client.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :step)',
            ExpressionAttributeValues: { ':pk': incidentPk(id), ':step': 'step#' },
            ConsistentRead: true,
            ExclusiveStartKey,
          }),
        );
        for (const item of out.Items ?? []) steps.push({ at: String(item.at), kind: item.kind as StepKind, summary: String(item.summary), data: item.data });
        ExclusiveStartKey = out.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return steps;
    },
    // ADD counts from zero when the attribute is missing; the condition makes the check and the count one atomic step.
    claimAction: (id, max) => countAction(id, 1, 'attribute_not_exists(actionCount) OR actionCount < :limit', max),
    // Never below zero: a give-back without its claim (a retry after the count was already returned) changes nothing.
    releaseAction: async (id) => void (await countAction(id, -1, 'actionCount > :limit', 0)),
    async resolve(incident, at, reviewMarkdown) {
      const expiresAt = expiresAfterDays(INCIDENT_RETENTION_DAYS, clock());
      await client.send(new PutCommand({ TableName: table, Item: { pk: incidentPk(incident.id), sk: 'review', markdown: reviewMarkdown, createdAt: at, expiresAt } }));
      await client.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: incidentPk(incident.id), sk: 'meta' },
          UpdateExpression: 'SET #status = :resolved, resolvedAt = :at',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':resolved': 'resolved', ':at': at },
        }),
      );
      try {
        await client.send(
          new DeleteCommand({
            TableName: table,
            Key: { pk: pointerPk(incident.alarm), sk: 'current' },
            ConditionExpression: 'incidentId = :id',
            ExpressionAttributeValues: { ':id': incident.id },
          }),
        );
      } catch (error) {
        // The pointer already names a newer incident: leave it.
        if (!isConditionFailure(error)) throw error;
      }
    },
    async claimMessage(messageId) {
      try {
        await client.send(
          new PutCommand({
            TableName: table,
            Item: { pk: messagePk(messageId), sk: 'message', expiresAt: expiresAfterDays(MESSAGE_MARKER_DAYS, clock()) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    async releaseMessage(messageId) {
      await client.send(new DeleteCommand({ TableName: table, Key: { pk: messagePk(messageId), sk: 'message' } }));
    },
  };
}

function toIncident(item: Record<string, unknown>): Incident {
  return {
    id: String(item.id),
    alarm: String(item.alarm),
    service: String(item.service),
    openedAt: String(item.openedAt),
    ...(typeof item.alarmChangedAt === 'string' ? { alarmChangedAt: item.alarmChangedAt } : {}),
    status: item.status === 'resolved' ? 'resolved' : 'open',
    actionCount: typeof item.actionCount === 'number' ? item.actionCount : 0,
    resolvedAt: typeof item.resolvedAt === 'string' ? item.resolvedAt : undefined,
  };
}
