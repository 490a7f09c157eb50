// Contract suite: one emulated account per test file with STATE_TABLE created exactly as the packaged template declares it.
import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type AttributeValue,
  type BillingMode,
  type KeySchemaElement,
  type TimeToLiveSpecification,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startEmulator, type Emulator } from '../emulator/moto';
import { packagedRegion, packagedTemplate } from '../stack/packaged';

/** Nothing in the contract suite is delivered to a Lambda function; moto needs an address all the same. */
const NO_LAMBDA_SERVICE = 'http://127.0.0.1:9';

type Item = Record<string, unknown>;

export interface StateTable {
  readonly emulator: Emulator;
  readonly tableName: string;
  /** A document client as the functions build theirs (shared/aws/dynamodb.ts), pointed at the emulator. */
  readonly client: DynamoDBDocumentClient;
  /** The low-level client, to read attribute types as DynamoDB stored them. */
  readonly raw: DynamoDBClient;
  /** The item under `pk`/`sk`, read consistently, or undefined. */
  item(pk: string, sk: string): Promise<Item | undefined>;
  /** The item as DynamoDB stored it (type descriptors kept), or undefined. */
  rawItem(pk: string, sk: string): Promise<Record<string, AttributeValue> | undefined>;
  /** Every item of one partition, in sort-key order. */
  partition(pk: string): Promise<Item[]>;
  /** The TTL attribute the table reports as enabled, if any. */
  ttlAttribute(): Promise<string | undefined>;
  /** Python tracebacks the emulator printed since the last call: each test checks for its own. */
  newTracebacks(): string[];
  close(): Promise<void>;
}

export interface StateTableProperties {
  TableName: string;
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: AttributeDefinition[];
  BillingMode: BillingMode;
  TimeToLiveSpecification: TimeToLiveSpecification;
}

/** `StateTable`'s Properties as `serverless package --stage prod` generated them. */
export function templateStateTable(): StateTableProperties {
  const resource = packagedTemplate().Resources.StateTable;
  if (!resource || resource.Type !== 'AWS::DynamoDB::Table') throw new Error('the packaged template declares no StateTable of type AWS::DynamoDB::Table');
  return resource.Properties as unknown as StateTableProperties;
}

/** Creates STATE_TABLE from the template's `StateTable` properties: its key schema, billing mode and TTL. */
export async function createStateTable(client: DynamoDBClient, properties: StateTableProperties): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: properties.TableName,
      KeySchema: properties.KeySchema,
      AttributeDefinitions: properties.AttributeDefinitions,
      BillingMode: properties.BillingMode,
    }),
  );
  await client.send(new UpdateTimeToLiveCommand({ TableName: properties.TableName, TimeToLiveSpecification: properties.TimeToLiveSpecification }));
}

/** Starts an emulator and creates STATE_TABLE in it from the packaged template, with its TTL. */
export async function startStateTable(): Promise<StateTable> {
  const emulator = await startEmulator(NO_LAMBDA_SERVICE);
  try {
    const properties = templateStateTable();
    // One attempt: a request the emulator failed must surface, not be retried into a pass.
    const raw = new DynamoDBClient({ endpoint: emulator.endpoint, region: packagedRegion(), credentials: emulator.admin, maxAttempts: 1 });
    await createStateTable(raw, properties);
    const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    const tableName = properties.TableName;
    let tracebacksSeen = emulator.tracebacks().length;
    return {
      emulator,
      tableName,
      client,
      raw,
      async item(pk, sk) {
        const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }));
        return Item;
      },
      async rawItem(pk, sk) {
        const { Item } = await raw.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }));
        return Item;
      },
      async partition(pk) {
        const items: Item[] = [];
        let ExclusiveStartKey: Item | undefined;
        do {
          const out = await client.send(
            new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true, ExclusiveStartKey }),
          );
          items.push(...(out.Items ?? []));
          ExclusiveStartKey = out.LastEvaluatedKey;
        } while (ExclusiveStartKey);
        return items;
      },
      async ttlAttribute() {
        const { TimeToLiveDescription } = await raw.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
        return TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED' ? TimeToLiveDescription.AttributeName : undefined;
      },
      newTracebacks() {
        const all = emulator.tracebacks();
        const fresh = all.slice(tracebacksSeen);
        tracebacksSeen = all.length;
        return fresh;
      },
      async close() {
        raw.destroy();
        await emulator.stop();
      },
    };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}

/** Epoch seconds, the unit of the table's TTL attribute. */
export const epochSeconds = (ms: number): number => Math.floor(ms / 1000);

/**
 * Asserts the stored `expiresAt` is a DynamoDB number in epoch seconds equal to `expected`: TTL ignores
 * a string, and a value in milliseconds would keep the item for ten thousand years.
 */
export function expectTtlSeconds(stored: Record<string, AttributeValue> | undefined, expected: number): void {
  expect(stored?.expiresAt).toEqual({ N: String(expected) });
  expect(expected).toBeLessThan(10_000_000_000);
}

/**
 * One emulator and state table for a test file: started before its first test, closed after its last,
 * and each test fails on any internal error the emulator printed while it ran.
 */
export function stateTablePerFile(): () => StateTable {
  let table: StateTable | undefined;
  beforeAll(async () => {
    table = await startStateTable();
  }, 60_000);
  afterAll(async () => {
    await table?.close();
  });
  afterEach(() => {
    expect(table?.newTracebacks()).toEqual([]);
  });
  return () => {
    if (!table) throw new Error('the state table did not start (see the beforeAll failure)');
    return table;
  };
}
