import { BatchGetCommand, QueryCommand, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { TagSummary, TagSummaryPage } from '../../ports/manifest-store';
import type { Item, ItemKey, TableRef } from './items';
import { keys, prefixes, repoPk } from './keys';
import { summaryOf } from './manifest-items';

/** Keys one BatchGetItem may ask for. */
const BATCH_GET_MAX_KEYS = 100;

/**
 * A page of a repository's tags with what a listing shows: one Query of TAG# items (the summary and
 * pushedAt the put stored on them; `contains` as a filter), then one BatchGet of the page's manifest
 * items for lastPulledAt (and media type and size, for tags stored before summaries).
 */
export async function tagSummaryPage(t: TableRef, repo: string, n: number, last?: string, contains?: string): Promise<TagSummaryPage> {
  if (n === 0) return { items: [], more: false };
  const tagItems = await queryTags(t, repo, {
    want: n + 1, after: last,
    filter: contains === undefined ? undefined : { expression: 'contains(#tag, :q)', names: { '#tag': 'tag' }, values: { ':q': contains } },
    projection: ['sk', 'digest', 'summary', 'pushedAt'],
  });
  const page = tagItems.slice(0, n);
  const manifests = await manifestFacts(t, repo, [...new Set(page.map((i) => i.digest as string))]);
  const items = page.map((i): TagSummary => {
    const digest = i.digest as string;
    const m = manifests.get(digest);
    return {
      tag: (i.sk as string).slice(prefixes.tag.length), digest, summary: summaryOf(i.summary),
      pushedAt: numberOf(i.pushedAt) ?? numberOf(m?.pushedAt), lastPulledAt: numberOf(m?.lastPulledAt),
      manifest: m ? { mediaType: String(m.mediaType ?? ''), size: Number(m.size ?? 0) } : undefined,
    };
  });
  return { items, more: tagItems.length > n };
}

/** Tag names pointing at `digest`, at most `limit`: the repository's tag items read with a filter. */
export async function tagsPointingAt(t: TableRef, repo: string, digest: string, limit: number): Promise<string[]> {
  const items = await queryTags(t, repo, {
    want: limit, filter: { expression: '#digest = :digest', names: { '#digest': 'digest' }, values: { ':digest': digest } }, projection: ['sk'],
  });
  return items.map((i) => (i.sk as string).slice(prefixes.tag.length));
}

/** How many tag items a repository has: a counting Query, page after page (1 MB each). */
export async function countTagItems(t: TableRef, repo: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await t.doc.send(new QueryCommand({ ...tagQuery(t, repo), Select: 'COUNT', ExclusiveStartKey: start }));
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
}

function tagQuery(t: TableRef, repo: string): QueryCommandInput {
  return {
    TableName: t.table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': repoPk(repo), ':prefix': prefixes.tag },
  };
}

/**
 * Tag items in order until `want` are in hand. Without a filter, Limit = want (one request for a page of
 * up to 1 MB of items); with one, DynamoDB's Limit would count the items it filters out, so pages are read
 * whole (1 MB each) until enough match.
 */
async function queryTags(
  t: TableRef, repo: string,
  q: { want: number; after?: string; filter?: TagFilter; projection: string[] },
): Promise<Item[]> {
  const base = tagQuery(t, repo);
  const names: Record<string, string> = { ...Object.fromEntries(q.projection.map((a) => [`#${a}`, a])), ...q.filter?.names };
  const pk = repoPk(repo);
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined = q.after === undefined ? undefined : { pk, sk: `${prefixes.tag}${q.after}` };
  do {
    const out = await t.doc.send(new QueryCommand({
      ...base,
      ExpressionAttributeValues: { ...base.ExpressionAttributeValues, ...q.filter?.values },
      ExpressionAttributeNames: names,
      ProjectionExpression: q.projection.map((a) => `#${a}`).join(', '),
      FilterExpression: q.filter?.expression,
      Limit: q.filter ? undefined : q.want - items.length,
      ExclusiveStartKey: start,
    }));
    items.push(...((out.Items ?? []) as Item[]));
    start = out.LastEvaluatedKey;
  } while (start && items.length < q.want);
  return items.slice(0, q.want);
}

/** A FilterExpression with its attribute names and values. */
interface TagFilter {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** The manifest items' lastPulledAt, pushedAt, media type and size, by digest (eventually consistent). */
async function manifestFacts(t: TableRef, repo: string, digests: string[]): Promise<Map<string, Item>> {
  const items = await batchGet(t, digests.map((d) => keys.manifest(repo, d)), ['digest', 'mediaType', 'size', 'pushedAt', 'lastPulledAt'], false);
  return new Map(items.map((i) => [i.digest as string, i]));
}

/** Items by key, 100 keys a BatchGetItem (unprocessed keys retried), projected to `attributes`. */
export async function batchGet(t: TableRef, wanted: ItemKey[], attributes: string[], consistent: boolean): Promise<Item[]> {
  const found: Item[] = [];
  const names = Object.fromEntries(attributes.map((a) => [`#${a}`, a]));
  for (let i = 0; i < wanted.length; i += BATCH_GET_MAX_KEYS) {
    let request: Record<string, unknown>[] | undefined = wanted.slice(i, i + BATCH_GET_MAX_KEYS).map((k) => ({ ...k }));
    for (let attempt = 0; request && request.length > 0; attempt++) {
      if (attempt > 8) throw new Error('DynamoDB kept keys unprocessed');
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 1000)));
      const out = await t.doc.send(new BatchGetCommand({
        RequestItems: {
          [t.table]: {
            Keys: request, ConsistentRead: consistent,
            ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names,
          },
        },
      }));
      found.push(...((out.Responses?.[t.table] ?? []) as Item[]));
      request = out.UnprocessedKeys?.[t.table]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return found;
}

function numberOf(v: unknown): number | undefined {
  return v === undefined || v === null ? undefined : Number(v);
}
