import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/**
 * Items of one partition whose sort key starts with `prefix`, after `afterSk`, at most `limit`
 * (following DynamoDB's 1 MB pages as needed). Returns one extra item when more exist.
 */
export async function queryPrefix(
  doc: DynamoDBDocumentClient, table: string, pk: string, prefix: string,
  opts: { limit: number; afterSk?: string; projection?: string },
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined = opts.afterSk ? { pk, sk: opts.afterSk } : undefined;
  do {
    const out = await doc.send(new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ExclusiveStartKey: startKey,
      Limit: opts.limit + 1 - items.length,
      ProjectionExpression: opts.projection,
    }));
    items.push(...((out.Items ?? []) as Item[]));
    startKey = out.LastEvaluatedKey;
  } while (startKey && items.length < opts.limit + 1);
  return items;
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
