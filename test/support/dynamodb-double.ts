// Test double: an in-memory table that evaluates DynamoDB condition and update expressions the way
// DynamoDB does (the subset Firebreak uses), wired to the real SDK through aws-sdk-client-mock.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

type Item = Record<string, unknown>;
type Names = Record<string, string> | undefined;
type Values = Record<string, unknown> | undefined;

/** A table keyed on pk + sk. */
export class DynamoDbDouble {
  readonly items = new Map<string, Item>();
  readonly mock = mockClient(DynamoDBDocumentClient);

  constructor() {
    this.mock.on(PutCommand).callsFake((input) => this.put(input));
    this.mock.on(UpdateCommand).callsFake((input) => this.update(input));
    this.mock.on(GetCommand).callsFake((input) => ({ Item: structuredClone(this.items.get(keyOf(input.Key))) }));
    this.mock.on(DeleteCommand).callsFake((input) => {
      this.items.delete(keyOf(input.Key));
      return {};
    });
  }

  get(pk: string, sk: string): Item | undefined {
    return this.items.get(keyOf({ pk, sk }));
  }

  restore(): void {
    this.mock.restore();
  }

  private put(input: { Item: Item; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values; ReturnValuesOnConditionCheckFailure?: string }) {
    const key = keyOf(input.Item);
    this.check(this.items.get(key), input);
    this.items.set(key, structuredClone(input.Item));
    return {};
  }

  private update(input: { Key: Item; UpdateExpression: string; ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values; ReturnValuesOnConditionCheckFailure?: string; ReturnValues?: string }) {
    const key = keyOf(input.Key);
    const old = this.items.get(key);
    this.check(old, input);
    const item: Item = { ...structuredClone(old ?? {}), ...input.Key };
    applyUpdate(item, input.UpdateExpression, input.ExpressionAttributeNames, input.ExpressionAttributeValues);
    this.items.set(key, item);
    return { Attributes: input.ReturnValues === 'ALL_NEW' ? structuredClone(item) : undefined };
  }

  private check(old: Item | undefined, input: { ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values; ReturnValuesOnConditionCheckFailure?: string }) {
    if (!input.ConditionExpression) return;
    if (evaluate(input.ConditionExpression, old ?? {}, input.ExpressionAttributeNames, input.ExpressionAttributeValues)) return;
    throw new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: { httpStatusCode: 400 },
      Item: input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && old ? marshall(old) : undefined,
    });
  }
}

const keyOf = (key: Item) => `${String(key.pk)}\u0000${String(key.sk)}`;

// --- condition expressions: OR / AND / NOT, parentheses, functions, comparisons ---

type Token = string;
const TOKEN = /\s*(attribute_not_exists|attribute_exists|AND|OR|NOT|<>|<=|>=|[()=<>,]|[#:]?[A-Za-z_][\w.]*)/y;

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (expression.slice(TOKEN.lastIndex).trim() !== '') {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(expression);
    if (!m) throw new Error(`DynamoDbDouble cannot read the expression at: ${expression.slice(at)}`);
    tokens.push(m[1]!);
  }
  return tokens;
}

function evaluate(expression: string, item: Item, names: Names, values: Values): boolean {
  const tokens = tokenize(expression);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++]!;
  const operand = (token: Token): unknown => {
    if (token.startsWith(':')) {
      if (!values || !(token in values)) throw new Error(`missing value ${token}`);
      return values[token];
    }
    return item[resolveName(token, names)];
  };
  const primary = (): boolean => {
    const t = next();
    if (t === '(') {
      const v = or();
      next(); // ')'
      return v;
    }
    if (t === 'NOT') return !primary();
    if (t === 'attribute_not_exists' || t === 'attribute_exists') {
      next(); // '('
      const path = resolveName(next(), names);
      next(); // ')'
      return t === 'attribute_exists' ? item[path] !== undefined : item[path] === undefined;
    }
    const left = operand(t);
    const op = next();
    const right = operand(next());
    if (left === undefined || right === undefined) return op === '<>' ? left !== right : false;
    switch (op) {
      case '=': return left === right;
      case '<>': return left !== right;
      case '<': return (left as number) < (right as number);
      case '<=': return (left as number) <= (right as number);
      case '>': return (left as number) > (right as number);
      case '>=': return (left as number) >= (right as number);
      default: throw new Error(`DynamoDbDouble: unsupported operator ${op}`);
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
  return or();
}

function resolveName(token: string, names: Names): string {
  if (!token.startsWith('#')) return token;
  const name = names?.[token];
  if (!name) throw new Error(`missing name ${token}`);
  return name;
}

// --- update expressions: SET a = :v, b = if_not_exists(b, :z) + :n, REMOVE c, ADD d :n ---

function applyUpdate(item: Item, expression: string, names: Names, values: Values): void {
  const clauses = expression.split(/\b(SET|REMOVE|ADD)\b/).map((s) => s.trim()).filter(Boolean);
  for (let c = 0; c < clauses.length; c += 2) {
    const kind = clauses[c];
    const body = clauses[c + 1] ?? '';
    for (const part of body.split(',').map((p) => p.trim()).filter(Boolean)) {
      if (kind === 'REMOVE') {
        delete item[resolveName(part, names)];
      } else if (kind === 'ADD') {
        const [path, value] = part.split(/\s+/);
        const name = resolveName(path!, names);
        item[name] = ((item[name] as number | undefined) ?? 0) + (values?.[value!] as number);
      } else if (kind === 'SET') {
        const [path, rhs] = part.split('=').map((s) => s.trim());
        item[resolveName(path!, names)] = setValue(rhs!, item, names, values);
      }
    }
  }
}

function setValue(rhs: string, item: Item, names: Names, values: Values): unknown {
  const term = (t: string): unknown => {
    const ifNotExists = /^if_not_exists\(\s*([#\w]+)\s*,\s*(:\w+)\s*\)$/.exec(t);
    if (ifNotExists) return item[resolveName(ifNotExists[1]!, names)] ?? values?.[ifNotExists[2]!];
    return t.startsWith(':') ? values?.[t] : item[resolveName(t, names)];
  };
  const sum = /^(.+?)\s*([+-])\s*(:\w+)$/.exec(rhs);
  if (sum) return (term(sum[1]!) as number) + (sum[2] === '+' ? 1 : -1) * (values?.[sum[3]!] as number);
  return term(rhs);
}
