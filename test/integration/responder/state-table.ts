// Test support: STATE_TABLE as the condition-evaluating DynamoDB double, plus the Query the incident timeline reads with.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { evaluateCondition, installDynamoDouble } from '../../unit/remediation/support/dynamo-double';

export type StateTable = ReturnType<typeof installDynamoDouble>;

type Item = Record<string, unknown>;

/**
 * Installs the double; Put also returns the old item on a failed condition when asked (ALL_OLD), as the
 * delivery ledger reads it; Query answers `pk = :pk AND begins_with(sk, :step)` in sort-key order, as DynamoDB does. */
export function installStateTable(): StateTable {
  const table = installDynamoDouble();
  table.mock.on(PutCommand).callsFake(
    async (input: { Item: Item; ConditionExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Item; ReturnValuesOnConditionCheckFailure?: string }) => {
      const key = `${String(input.Item.pk)}|${String(input.Item.sk)}`;
      const current = table.items.get(key);
      if (input.ConditionExpression && !evaluateCondition(input.ConditionExpression, current, input.ExpressionAttributeNames, input.ExpressionAttributeValues)) {
        const old = input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && current ? marshall(current, { removeUndefinedValues: true }) : undefined;
        throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: old });
      }
      table.items.set(key, { ...input.Item });
      return {};
    },
  );
  table.mock.on(QueryCommand).callsFake(async (input: { KeyConditionExpression: string; ExpressionAttributeValues: Record<string, string> }) => {
    if (input.KeyConditionExpression !== 'pk = :pk AND begins_with(sk, :step)') throw new Error(`state table double cannot answer ${input.KeyConditionExpression}`);
    const values = input.ExpressionAttributeValues;
    return {
      Items: [...table.items.values()]
        .filter((item) => item.pk === values[':pk'] && String(item.sk).startsWith(values[':step'] ?? ''))
        .sort((a, b) => String(a.sk).localeCompare(String(b.sk))),
    };
  });
  return table;
}
