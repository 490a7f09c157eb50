// Test double: an in-memory STATE_TABLE that evaluates DynamoDB condition and update expressions the way the service does.
import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

type Item = Record<string, unknown>;
type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;

/**
 * Evaluates the subset of the condition-expression grammar Firebreak writes: comparisons (= <> < <= > >=)
 * between attribute paths and values, attribute_exists / attribute_not_exists, AND, OR, NOT and parentheses.
 * A comparison with a missing attribute is false, as in DynamoDB.
 */
export function evaluateCondition(expression: string, item: Item | undefined, names: Names, values: Values): boolean {
  const tokens = expression.match(/\(|\)|<>|<=|>=|=|<|>|,|[#:]?[A-Za-z_][\w]*/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const t = tokens[pos++];
    if (t === undefined) throw new Error(`Unexpected end of expression: ${expression}`);
    return t;
  };
  const attrName = (token: string) => (token.startsWith('#') ? (names?.[token] ?? fail(`undefined name ${token}`)) : token);
  const operand = (token: string): { present: boolean; value: unknown } => {
    if (token.startsWith(':')) {
      if (!values || !(token in values)) fail(`undefined value ${token}`);
      return { present: true, value: values?.[token] };
    }
    const name = attrName(token);
    return item && name in item ? { present: true, value: item[name] } : { present: false, value: undefined };
  };
  const fail = (message: string): never => {
    throw new Error(`ValidationException: ${message} in ${expression}`);
  };

  const primary = (): boolean => {
    const t = next();
    if (t === '(') {
      const v = or();
      if (next() !== ')') fail('expected )');
      return v;
    }
    if (t === 'NOT') return !primary();
    if (t === 'attribute_exists' || t === 'attribute_not_exists') {
      if (next() !== '(') fail('expected (');
      const { present } = operand(next());
      if (next() !== ')') fail('expected )');
      return t === 'attribute_exists' ? present : !present;
    }
    const left = operand(t);
    const op = next();
    const right = operand(next());
    if (!left.present || !right.present) return false;
    const [a, b] = [left.value, right.value] as [number | string, number | string];
    if (typeof a !== typeof b) return op === '<>';
    switch (op) {
      case '=':
        return a === b;
      case '<>':
        return a !== b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
      default:
        return fail(`unknown operator ${op}`);
    }
  };
  const and = (): boolean => {
    let v = primary();
    while (peek() === 'AND') {
      next();
      const r = primary();
      v = v && r;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (peek() === 'OR') {
      next();
      const r = and();
      v = v || r;
    }
    return v;
  };
  const result = or();
  if (pos !== tokens.length) fail(`unexpected ${tokens[pos]}`);
  return result;
}

/** Applies `SET a = :x, b = :y` and `ADD n :k` clauses to a copy of the item. */
export function applyUpdate(expression: string, item: Item, names: Names, values: Values): Item {
  const updated = { ...item };
  const clauses = expression.split(/\b(SET|ADD|REMOVE)\b/).map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < clauses.length; i += 2) {
    const keyword = clauses[i];
    const body = clauses[i + 1] ?? '';
    for (const part of body.split(',').map((p) => p.trim())) {
      const name = (token: string) => (token.startsWith('#') ? (names?.[token] ?? '') : token);
      if (keyword === 'SET') {
        const [path, value] = part.split('=').map((s) => s.trim()) as [string, string];
        updated[name(path)] = values?.[value];
      } else if (keyword === 'ADD') {
        const [path, value] = part.split(/\s+/) as [string, string];
        const current = updated[name(path)];
        updated[name(path)] = (typeof current === 'number' ? current : 0) + (values?.[value] as number);
      } else if (keyword === 'REMOVE') {
        delete updated[name(part)];
      }
    }
  }
  return updated;
}

type Write =
  | { Put: { Item: Item; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values } }
  | { Update: { Key: Item; UpdateExpression: string; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values; ReturnValuesOnConditionCheckFailure?: string } }
  | { Delete: { Key: Item; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values } };

/**
 * Installs the double on DynamoDBDocumentClient. Each request waits a random few milliseconds first, so
 * concurrent callers interleave; each write (and each transaction, all or nothing) is then applied atomically.
 */
export function installDynamoDouble(options: { conflictRate?: number } = {}) {
  const items = new Map<string, Item>();
  const keyOf = (key: Item) => `${String(key.pk)}|${String(key.sk)}`;
  const mock = mockClient(DynamoDBDocumentClient);
  const jitter = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
  const stats = { transactions: 0, conflicts: 0 };

  const check = (condition: string | undefined, current: Item | undefined, names: Names, values: Values) =>
    condition === undefined || evaluateCondition(condition, current, names, values);

  mock.on(GetCommand).callsFake(async (input: { Key: Item }) => {
    await jitter();
    const found = items.get(keyOf(input.Key));
    return { Item: found ? { ...found } : undefined };
  });

  mock.on(PutCommand).callsFake(async (input: { Item: Item; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values; ReturnValuesOnConditionCheckFailure?: string }) => {
    await jitter();
    const k = keyOf(input.Item);
    const current = items.get(k);
    if (!check(input.ConditionExpression, current, input.ExpressionAttributeNames, input.ExpressionAttributeValues)) {
      // As DynamoDB does, the old item comes back (marshalled) only when asked for with ALL_OLD.
      const old = input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && current ? marshall(current, { removeUndefinedValues: true }) : undefined;
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: old });
    }
    items.set(k, { ...input.Item });
    return {};
  });

  mock.on(UpdateCommand).callsFake(async (input: { Key: Item; UpdateExpression: string; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values; ReturnValues?: string }) => {
    await jitter();
    const k = keyOf(input.Key);
    const current = items.get(k);
    if (!check(input.ConditionExpression, current, input.ExpressionAttributeNames, input.ExpressionAttributeValues)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    const updated = applyUpdate(input.UpdateExpression, { ...(current ?? input.Key) }, input.ExpressionAttributeNames, input.ExpressionAttributeValues);
    items.set(k, updated);
    return input.ReturnValues === 'ALL_NEW' ? { Attributes: structuredClone(updated) } : {};
  });

  mock.on(DeleteCommand).callsFake(async (input: { Key: Item; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values }) => {
    await jitter();
    const k = keyOf(input.Key);
    if (!check(input.ConditionExpression, items.get(k), input.ExpressionAttributeNames, input.ExpressionAttributeValues)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    items.delete(k);
    return {};
  });

  mock.on(TransactWriteCommand).callsFake(async (input: { TransactItems: Write[] }) => {
    await jitter();
    stats.transactions++;
    if (options.conflictRate && Math.random() < options.conflictRate) {
      stats.conflicts++;
      throw new TransactionCanceledException({
        message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
        $metadata: {},
        CancellationReasons: input.TransactItems.map((_, i) => ({ Code: i === 0 ? 'TransactionConflict' : 'None' })),
      });
    }
    // Evaluate every condition against the state before the transaction; apply all or nothing.
    const reasons = input.TransactItems.map((write) => {
      const op = 'Put' in write ? write.Put : 'Update' in write ? write.Update : write.Delete;
      const key = 'Put' in write ? write.Put.Item : (op as { Key: Item }).Key;
      const current = items.get(keyOf(key));
      const ok = check(op.ConditionExpression, current, op.ExpressionAttributeNames, op.ExpressionAttributeValues);
      if (ok) return { Code: 'None' };
      const returnOld = 'Update' in write && write.Update.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
      return { Code: 'ConditionalCheckFailed', Item: returnOld && current ? marshall(current) : undefined };
    });
    if (reasons.some((r) => r.Code !== 'None')) {
      throw new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
        $metadata: {},
        CancellationReasons: reasons,
      });
    }
    for (const write of input.TransactItems) {
      if ('Put' in write) items.set(keyOf(write.Put.Item), { ...write.Put.Item });
      else if ('Delete' in write) items.delete(keyOf(write.Delete.Key));
      else {
        const k = keyOf(write.Update.Key);
        items.set(k, applyUpdate(write.Update.UpdateExpression, { ...(items.get(k) ?? write.Update.Key) }, write.Update.ExpressionAttributeNames, write.Update.ExpressionAttributeValues));
      }
    }
    return {};
  });

  // Query on the partition key, optionally narrowed by a sort-key prefix, answered in sort-key order.
  mock.on(QueryCommand).callsFake(async (input: { KeyConditionExpression: string; ExpressionAttributeValues: Values; ScanIndexForward?: boolean }) => {
    await jitter();
    const m = /^pk = (:\w+)(?: AND begins_with\(sk, (:\w+)\))?$/.exec(input.KeyConditionExpression);
    if (!m) throw new Error(`DynamoDB double cannot answer the key condition ${input.KeyConditionExpression}`);
    const pk = input.ExpressionAttributeValues?.[m[1]!];
    const prefix = m[2] ? String(input.ExpressionAttributeValues?.[m[2]]) : '';
    const found = [...items.values()]
      .filter((item) => item.pk === pk && String(item.sk).startsWith(prefix))
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk)));
    return { Items: (input.ScanIndexForward === false ? found.reverse() : found).map((item) => structuredClone(item)) };
  });

  return {
    mock,
    items,
    stats,
    item: (pk: string, sk: string) => items.get(`${pk}|${sk}`),
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  };
}
