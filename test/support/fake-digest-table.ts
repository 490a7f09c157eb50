// Test double: the digest items of STATE_TABLE in memory, answering the DynamoDB commands the digest gate sends.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

type Item = Record<string, unknown> & { pk: string; sk: string };

const failed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/**
 * Mocks the document client so the gate's conditional writes behave as DynamoDB's would, item by
 * item. It knows only the expressions the gate uses and fails the test on any other, so a changed
 * expression cannot pass unnoticed.
 */
export function fakeDigestTable() {
  const items = new Map<string, Item>();
  const key = (k: { pk: unknown; sk: unknown }) => `${String(k.pk)}|${String(k.sk)}`;
  const mock = mockClient(DynamoDBDocumentClient);
  mock.on(PutCommand).callsFake((input: PutCommand['input']) => {
    const item = input.Item as Item;
    const old = items.get(key(item));
    if (input.ConditionExpression !== 'attribute_not_exists(pk) OR sentAt <= :cutoff') throw new Error(`unexpected condition ${input.ConditionExpression}`);
    const cutoff = input.ExpressionAttributeValues?.[':cutoff'] as number;
    if (old && !((old.sentAt as number) <= cutoff)) throw failed();
    items.set(key(item), { ...item });
    return { Attributes: input.ReturnValues === 'ALL_OLD' ? old : undefined };
  });
  mock.on(UpdateCommand).callsFake((input: UpdateCommand['input']) => {
    const k = input.Key as { pk: string; sk: string };
    const old = items.get(key(k));
    const values = input.ExpressionAttributeValues ?? {};
    if (input.UpdateExpression === 'ADD suppressedErrors :errors') {
      const base: Item = old ?? { ...k };
      items.set(key(k), { ...base, suppressedErrors: ((base.suppressedErrors as number) ?? 0) + (values[':errors'] as number) });
      return {};
    }
    if (input.UpdateExpression === 'SET sentAt = :never, suppressedErrors = :suppressed' && input.ConditionExpression === 'sentAt = :openedAt') {
      if (!old || old.sentAt !== values[':openedAt']) throw failed();
      items.set(key(k), { ...old, sentAt: values[':never'], suppressedErrors: values[':suppressed'] });
      return {};
    }
    throw new Error(`unexpected update ${input.UpdateExpression}`);
  });
  return { mock, items };
}
