/**
 * The DynamoDB behaviour Stratus relies on (conditional writes, transactions, paging, the item
 * size limit), checked with AWS SDK v3 against the suite's DynamoDB (DynamoDB Local by default).
 */
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamoDbClientConfig } from '../backend-env';

const client = new DynamoDBClient(dynamoDbClientConfig());
const ddb = DynamoDBDocumentClient.from(client);
const TableName = `stratus-ddb-test-${randomUUID().slice(0, 8)}`;

async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as Error).name;
  }
  throw new Error('expected the DynamoDB call to fail');
}

beforeAll(async () => {
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
});
afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
  client.destroy();
});

test('the table is created and active', async () => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName }));
  expect(Table?.TableStatus).toBe('ACTIVE');
});

test('a conditional put on an existing key fails with ConditionalCheckFailedException', async () => {
  const Item = { pk: 'repo#library/alpine', sk: 'tag#latest', digest: 'sha256:aaa' };
  const put = (item: typeof Item) =>
    ddb.send(new PutCommand({ TableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
  await put(Item);
  expect(await errorName(put({ ...Item, digest: 'sha256:bbb' }))).toBe('ConditionalCheckFailedException');
  const { Item: stored } = await ddb.send(new GetCommand({ TableName, Key: { pk: Item.pk, sk: Item.sk } }));
  expect(stored?.digest).toBe('sha256:aaa');
});

test('TransactWriteItems with one failing condition writes nothing', async () => {
  const pk = `txn#${randomUUID()}`;
  await ddb.send(new PutCommand({ TableName, Item: { pk, sk: 'existing', v: 1 } }));
  const name = await errorName(
    ddb.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName, Item: { pk, sk: 'new', v: 2 } } },
          { Put: { TableName, Item: { pk, sk: 'existing', v: 3 }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    ),
  );
  expect(name).toBe('TransactionCanceledException');
  expect((await ddb.send(new GetCommand({ TableName, Key: { pk, sk: 'new' } }))).Item).toBeUndefined();
  expect((await ddb.send(new GetCommand({ TableName, Key: { pk, sk: 'existing' } }))).Item?.v).toBe(1);
});

test('Query pages with Limit and ExclusiveStartKey, in sort-key order', async () => {
  const pk = `query#${randomUUID()}`;
  const sks = Array.from({ length: 7 }, (_, i) => `tag#${String(i).padStart(2, '0')}`);
  for (const sk of [...sks].reverse()) await ddb.send(new PutCommand({ TableName, Item: { pk, sk } }));
  const seen: string[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  let pages = 0;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        Limit: 3,
        ExclusiveStartKey,
      }),
    );
    seen.push(...(page.Items ?? []).map((item) => item.sk as string));
    ExclusiveStartKey = page.LastEvaluatedKey;
    pages++;
  } while (ExclusiveStartKey);
  expect(seen).toEqual(sks);
  expect(pages).toBeGreaterThanOrEqual(3);
});

test('an item over 400 KB is rejected with ValidationException', async () => {
  const big = 'x'.repeat(401 * 1024);
  expect(await errorName(ddb.send(new PutCommand({ TableName, Item: { pk: 'big', sk: 'big', body: big } }))))
    .toBe('ValidationException');
  // just under the limit is fine
  await ddb.send(new PutCommand({ TableName, Item: { pk: 'big', sk: 'ok', body: 'x'.repeat(390 * 1024) } }));
});
