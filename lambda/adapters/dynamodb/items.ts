import {
  BatchGetCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, TransactWriteItem,
} from '@aws-sdk/lib-dynamodb';
import { BackendUnavailableError } from '../../ports/backend-errors';

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

/** A read of one item, or null: strongly consistent unless `consistent: false` (half the read units, may lag a write). */
export async function getItem(t: TableRef, key: ItemKey, opts: { consistent?: boolean } = {}): Promise<Item | null> {
  const out = await t.doc.send(new GetCommand({ TableName: t.table, Key: key, ConsistentRead: opts.consistent ?? true }));
  return (out.Item as Item | undefined) ?? null;
}

/** Keys one BatchGetItem may ask for. */
const BATCH_GET_MAX_KEYS = 100;

/** An item's key as one string, to find a read item by its key. */
export function keyString(key: ItemKey): string {
  return `${key.pk}\u0000${key.sk}`;
}

/**
 * Whole items by key, with strongly consistent BatchGets (100 keys each, unprocessed keys retried): several
 * items one operation needs, in one request. Absent items are absent from the map (keyed by keyString).
 */
export async function readItems(t: TableRef, wanted: ItemKey[]): Promise<Map<string, Item>> {
  const found = new Map<string, Item>();
  for (let i = 0; i < wanted.length; i += BATCH_GET_MAX_KEYS) {
    let request: Record<string, unknown>[] | undefined = wanted.slice(i, i + BATCH_GET_MAX_KEYS).map((k) => ({ pk: k.pk, sk: k.sk }));
    for (let attempt = 0; request && request.length > 0; attempt++) {
      if (attempt > 8) throw new Error('DynamoDB kept keys unprocessed');
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 1000)));
      const out = await t.doc.send(new BatchGetCommand({ RequestItems: { [t.table]: { Keys: request, ConsistentRead: true } } }));
      for (const item of (out.Responses?.[t.table] ?? []) as Item[]) found.set(keyString(item as unknown as ItemKey), item);
      request = out.UnprocessedKeys?.[t.table]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return found;
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

/** Attempts of a transaction that other transactions on the same items keep cancelling (TransactionConflict). */
const CONFLICT_ATTEMPTS = 6;

/**
 * Runs one TransactWriteItems. Returns null when it committed, or each item's cancellation reason code
 * (in item order, 'None' for items that did not fail) when a condition failed. A conflict with another
 * transaction on the same items is retried with backoff and jitter (concurrent pushes naming the same
 * layers do that); past the attempts it is a backend failure (503, the client retries).
 */
export async function transactWrite(t: TableRef, items: TransactWriteItem[]): Promise<string[] | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      await t.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return null;
    } catch (err) {
      const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
      if (e.name !== 'TransactionCanceledException') throw err;
      const codes = items.map((_, i) => e.CancellationReasons?.[i]?.Code ?? 'None');
      if (codes.includes('ConditionalCheckFailed')) return codes;
      if (!codes.includes('TransactionConflict')) throw err;
      if (attempt >= CONFLICT_ATTEMPTS) throw new BackendUnavailableError('DynamoDB', err);
      await new Promise((r) => setTimeout(r, (10 + Math.random() * 20) * 2 ** attempt));
    }
  }
}
