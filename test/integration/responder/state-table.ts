// Test support: STATE_TABLE as the condition-evaluating DynamoDB double, plus the Query the incident timeline reads with.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { installDynamoDouble } from '../../unit/remediation/support/dynamo-double';

export type StateTable = ReturnType<typeof installDynamoDouble>;

/** Installs the double; Query answers `pk = :pk AND begins_with(sk, :step)` in sort-key order, as DynamoDB does. */
export function installStateTable(): StateTable {
  const table = installDynamoDouble();
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
