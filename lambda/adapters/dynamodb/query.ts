import {
  BatchGetCommand, DynamoDBDocumentClient, QueryCommand, QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Page } from '../../ports/page';
import { prefixes, repoPk, TAGS_BY_NAME } from './keys';

type Item = Record<string, unknown>;

/**
 * The one pagination loop: runs a Query page after page (DynamoDB answers at most 1 MB at a time) until
 * no page is left or `limit` items are in hand. Without a limit, every matching item.
 */
export async function queryAll(
  doc: DynamoDBDocumentClient, input: QueryCommandInput, limit?: number,
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey = input.ExclusiveStartKey;
  do {
    const out = await doc.send(new QueryCommand({
      ...input, ExclusiveStartKey: startKey, Limit: limit === undefined ? undefined : limit - items.length,
    }));
    items.push(...((out.Items ?? []) as Item[]));
    startKey = out.LastEvaluatedKey;
  } while (startKey && (limit === undefined || items.length < limit));
  return items;
}

/**
 * Items of one partition whose sort key starts with `prefix`, after `afterSk`, at most `limit`.
 * Returns one extra item when more exist.
 */
export async function queryPrefix(
  doc: DynamoDBDocumentClient, table: string, pk: string, prefix: string,
  opts: { limit: number; afterSk?: string; projection?: string },
): Promise<Item[]> {
  return queryAll(doc, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
    ExclusiveStartKey: opts.afterSk ? { pk, sk: opts.afterSk } : undefined,
    ProjectionExpression: opts.projection,
  }, opts.limit + 1);
}

/** A page of the names under `prefix` in one partition (tags of a repository, the catalog), after `last`, at most n. */
export async function pageOfNames(
  doc: DynamoDBDocumentClient, table: string, pk: string, prefix: string, n: number, last: string | undefined,
): Promise<Page> {
  if (n === 0) return { items: [], more: false };
  const items = await queryPrefix(doc, table, pk, prefix, {
    limit: n, afterSk: last === undefined ? undefined : `${prefix}${last}`, projection: 'sk',
  });
  const names = items.map((i) => (i.sk as string).slice(prefix.length));
  return { items: names.slice(0, n), more: names.length > n };
}

/**
 * A page of a repository's tag names from the TagsByName index, after `last`, at most n: index items are
 * keys only, so one Query (1 MB) covers about 10,000 names where the table's tag items fill 1 MB with about
 * 200. Eventually consistent (an index has no other read): a tag written or deleted a moment ago may be
 * missing or still listed. The filter on the TAG# sort key keeps any other item carrying `tag` out.
 * Falls back to the table while the index does not exist yet or is being built (a table updated in place).
 */
export async function pageOfTagNames(doc: DynamoDBDocumentClient, table: string, repo: string, n: number, last: string | undefined): Promise<Page> {
  if (n === 0) return { items: [], more: false };
  const pk = repoPk(repo);
  try {
    const items = await queryAll(doc, {
      TableName: table, IndexName: TAGS_BY_NAME.name,
      KeyConditionExpression: last === undefined ? '#pk = :pk' : '#pk = :pk AND #tag > :last',
      FilterExpression: 'begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': TAGS_BY_NAME.partitionKey, '#tag': TAGS_BY_NAME.sortKey, '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefixes.tag, ...(last === undefined ? {} : { ':last': last }) },
      ProjectionExpression: '#tag',
    }, n + 1);
    const names = items.map((i) => i.tag as string);
    return { items: names.slice(0, n), more: names.length > n };
  } catch (err) {
    if (!isIndexNotReady(err)) throw err;
    return pageOfNames(doc, table, pk, prefixes.tag, n, last);
  }
}

/** DynamoDB's answer to a Query of an index that is missing or still backfilling. */
function isIndexNotReady(err: unknown): boolean {
  const e = err as { name?: string; message?: string };
  return e.name === 'ValidationException' && /index/i.test(e.message ?? '');
}

/** Which of these keys have no item, by BatchGet in groups of 100 (retrying unprocessed keys). */
export async function missingKeys(
  doc: DynamoDBDocumentClient, table: string, wanted: { pk: string; sk: string }[],
): Promise<{ pk: string; sk: string }[]> {
  const found = new Set<string>();
  for (let i = 0; i < wanted.length; i += 100) {
    let request: Record<string, unknown>[] | undefined = wanted.slice(i, i + 100);
    for (let attempt = 0; request && request.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 1000)));
      const out = await doc.send(new BatchGetCommand({
        RequestItems: { [table]: { Keys: request, ProjectionExpression: 'pk, sk', ConsistentRead: true } },
      }));
      for (const item of out.Responses?.[table] ?? []) found.add(`${item.pk}\u0000${item.sk}`);
      request = out.UnprocessedKeys?.[table]?.Keys as Record<string, unknown>[] | undefined;
      if (attempt > 8 && request?.length) throw new Error('DynamoDB kept keys unprocessed');
    }
  }
  return wanted.filter((k) => !found.has(`${k.pk}\u0000${k.sk}`));
}
