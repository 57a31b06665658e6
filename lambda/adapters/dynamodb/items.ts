import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

/** A table item, keys included. */
export type Item = Record<string, unknown>;

/** A table item's primary key. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/** The table one adapter works on, and the client to reach it. */
export interface TableRef {
  doc: DynamoDBDocumentClient;
  table: string;
}

/** A strongly consistent read of one item, or null. */
export async function getItem(t: TableRef, key: ItemKey): Promise<Item | null> {
  const out = await t.doc.send(new GetCommand({ TableName: t.table, Key: key, ConsistentRead: true }));
  return (out.Item as Item | undefined) ?? null;
}

/** An unconditional put. */
export async function putItem(t: TableRef, item: Item): Promise<void> {
  await t.doc.send(new PutCommand({ TableName: t.table, Item: item }));
}

/** Deletes one item; false when there was none. */
export async function deleteReturning(t: TableRef, key: ItemKey): Promise<boolean> {
  const out = await t.doc.send(new DeleteCommand({ TableName: t.table, Key: key, ReturnValues: 'ALL_OLD' }));
  return out.Attributes !== undefined;
}

/** Whether a write failed on its ConditionExpression (the one failure adapters turn into a result). */
export function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string }).name === 'ConditionalCheckFailedException';
}
