import {
  DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, TransactWriteCommandInput, UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  BlobFacts, GcRunRecord, GcStore, ManifestFacts, RegistrySnapshot, RepositorySnapshot,
} from '../../ports/gc-store';
import { addRepositoryItem, blobFacts, repositoryOf, runAttributes, runRecord } from './gc-items';
import { getItem, isConditionFailure, Item, ItemKey, TableRef } from './items';
import { GC_RUNS_PK, keys, prefixes, repoPk } from './keys';
import { queryAll } from './query';

/** Segments of the snapshot's parallel Scan. */
const SCAN_SEGMENTS = 4;

/** Condition: the item exists, is older than :before, and no collector holds it `deleting`. */
const CONDEMNABLE = 'attribute_exists(pk) AND (attribute_not_exists(touchedAt) OR touchedAt < :before) '
  + 'AND (attribute_not_exists(gcState) OR gcState = :condemned)';

/** Manifests a delete can require to be gone: a transaction holds 100 items, the deletes take two. */
const MAX_ABSENT_CHECKS = 98;

/** One item of a TransactWriteItems. */
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Condition: `run` holds the item condemned. */
const HELD = 'gcState = :condemned AND gcRun = :run';

/** GcStore on the registry's table (layout in keys.ts); every write is conditional as the port says. */
export class DynamoDbGcStore implements GcStore {
  private readonly t: TableRef;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.t = { doc, table };
  }

  async snapshot(): Promise<RegistrySnapshot> {
    const repositories = new Map<string, RepositorySnapshot>();
    const blobs: BlobFacts[] = [];
    const uploadIds: string[] = [];
    const segments = Array.from({ length: SCAN_SEGMENTS }, (_, segment) => this.scanSegment(segment, (item) => {
      const pk = item.pk as string;
      if (pk.startsWith('REPO#')) {
        const name = pk.slice('REPO#'.length);
        let repo = repositories.get(name);
        if (!repo) repositories.set(name, (repo = { repository: name, tags: [], manifests: [], links: [] }));
        addRepositoryItem(repo, item);
      } else if (pk.startsWith('BLOB#') && item.sk === 'BLOB') {
        blobs.push(blobFacts(item));
      } else if (pk.startsWith('UPLOAD#')) {
        uploadIds.push(pk.slice('UPLOAD#'.length));
      }
    }));
    await Promise.all(segments);
    return { repositories: [...repositories.values()].sort((a, b) => a.repository.localeCompare(b.repository)), blobs, uploadIds };
  }

  private async scanSegment(segment: number, each: (item: Item) => void): Promise<void> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.t.doc.send(new ScanCommand({
        TableName: this.t.table, Segment: segment, TotalSegments: SCAN_SEGMENTS, ConsistentRead: true, ExclusiveStartKey: startKey,
      }));
      for (const item of out.Items ?? []) each(item as Item);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }

  async readRepository(repository: string): Promise<RepositorySnapshot> {
    const items = await queryAll(this.t.doc, {
      TableName: this.t.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': repoPk(repository) }, ConsistentRead: true,
    });
    return repositoryOf(repository, items);
  }

  async readBlob(digest: string): Promise<BlobFacts | null> {
    const item = await getItem(this.t, keys.blob(digest));
    return item ? blobFacts(item) : null;
  }

  async blobLinked(digest: string): Promise<boolean> {
    const out = await this.t.doc.send(new QueryCommand({
      TableName: this.t.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.blob(digest).pk, ':prefix': prefixes.backLink },
      ConsistentRead: true, Limit: 1, ProjectionExpression: 'pk',
    }));
    return (out.Items?.length ?? 0) > 0;
  }

  async uploadStored(id: string): Promise<boolean> {
    return (await getItem(this.t, keys.upload(id))) !== null;
  }

  condemnManifest(repository: string, digest: string, run: string, touchedBefore: number): Promise<boolean> {
    return this.condemn(keys.manifest(repository, digest), run, touchedBefore);
  }

  condemnLink(repository: string, digest: string, run: string, touchedBefore: number): Promise<boolean> {
    return this.condemn(keys.link(repository, digest), run, touchedBefore);
  }

  condemnBlob(digest: string, run: string, touchedBefore: number): Promise<boolean> {
    return this.condemn(keys.blob(digest), run, touchedBefore);
  }

  releaseManifest(repository: string, digest: string, run: string): Promise<boolean> {
    return this.release(keys.manifest(repository, digest), run);
  }

  releaseLink(repository: string, digest: string, run: string): Promise<boolean> {
    return this.release(keys.link(repository, digest), run);
  }

  releaseBlob(digest: string, run: string): Promise<boolean> {
    return this.release(keys.blob(digest), run);
  }

  async deleteCondemnedManifest(repository: string, digest: string, run: string, absent: string[] = []): Promise<ManifestFacts | null> {
    if (absent.length > MAX_ABSENT_CHECKS) return null; // cannot be checked in one transaction: kept
    const key = keys.manifest(repository, digest);
    // Read first (a transaction returns no old item): while `run` holds the mark, nothing rewrites the item.
    const item = await getItem(this.t, key);
    if (!item || item.gcState !== 'condemned' || item.gcRun !== run) return null;
    const deleted = await this.transact([
      { Delete: { TableName: this.t.table, Key: key, ConditionExpression: HELD, ExpressionAttributeValues: { ':condemned': 'condemned', ':run': run } } },
      ...this.absentChecks(repository, absent),
    ]);
    if (!deleted) return null;
    const facts = repositoryOf(repository, [item]).manifests[0]!;
    if (facts.subject) await this.deleteWhileAbsent(key, keys.referrer(repository, facts.subject, digest));
    return facts;
  }

  /** Deletes `key` while the manifest item is absent: a PUT that brought the manifest back keeps its referrer entry. */
  private async deleteWhileAbsent(manifestKey: ItemKey, key: ItemKey): Promise<void> {
    await this.transact([
      { ConditionCheck: { TableName: this.t.table, Key: manifestKey, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Delete: { TableName: this.t.table, Key: key } },
    ]);
  }

  async deleteCondemnedLink(repository: string, digest: string, run: string, absent: string[] = []): Promise<boolean> {
    if (absent.length > MAX_ABSENT_CHECKS) return false;
    return this.transact([
      {
        Delete: {
          TableName: this.t.table, Key: keys.link(repository, digest), ConditionExpression: HELD,
          ExpressionAttributeValues: { ':condemned': 'condemned', ':run': run },
        },
      },
      { Delete: { TableName: this.t.table, Key: keys.backLink(digest, repository) } },
      ...this.absentChecks(repository, absent),
    ]);
  }

  /** Conditions that these manifests of the repository are gone. */
  private absentChecks(repository: string, digests: string[]): TransactItem[] {
    return digests.map((d) => ({ ConditionCheck: { TableName: this.t.table, Key: keys.manifest(repository, d), ConditionExpression: 'attribute_not_exists(pk)' } }));
  }

  /** One transaction; false when a condition failed, retried when it conflicted with another (a racing PUT). */
  private async transact(items: TransactItem[]): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.t.doc.send(new TransactWriteCommand({ TransactItems: items }));
        return true;
      } catch (err) {
        const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
        if (e.name !== 'TransactionCanceledException') throw err;
        if (e.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
        if (attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    }
  }

  async markBlobDeleting(digest: string, run: string): Promise<boolean> {
    return this.conditionalUpdate(keys.blob(digest), 'SET gcState = :deleting', HELD, { ':condemned': 'condemned', ':run': run, ':deleting': 'deleting' });
  }

  async deleteDeletingBlob(digest: string, objectKey: string): Promise<boolean> {
    try {
      await this.t.doc.send(new DeleteCommand({
        TableName: this.t.table, Key: keys.blob(digest), ConditionExpression: 'gcState = :deleting AND objectKey = :key',
        ExpressionAttributeValues: { ':deleting': 'deleting', ':key': objectKey },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async putRun(record: GcRunRecord): Promise<void> {
    await this.t.doc.send(new PutCommand({ TableName: this.t.table, Item: { ...keys.gcRun(record.startedAt, record.runId), ...runAttributes(record) } }));
  }

  async listRuns(limit: number): Promise<GcRunRecord[]> {
    if (limit <= 0) return [];
    const items = await queryAll(this.t.doc, {
      TableName: this.t.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': GC_RUNS_PK, ':prefix': prefixes.gcRun }, ScanIndexForward: false, ConsistentRead: true,
    }, limit);
    return items.map(runRecord);
  }

  private condemn(key: ItemKey, run: string, touchedBefore: number): Promise<boolean> {
    return this.conditionalUpdate(key, 'SET gcState = :condemned, gcRun = :run', CONDEMNABLE, {
      ':condemned': 'condemned', ':run': run, ':before': touchedBefore,
    });
  }

  private release(key: ItemKey, run: string): Promise<boolean> {
    return this.conditionalUpdate(key, 'REMOVE gcState, gcRun', HELD, { ':condemned': 'condemned', ':run': run });
  }

  /** One conditional UpdateItem; false when its condition failed. */
  private async conditionalUpdate(key: ItemKey, update: string, condition: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.t.doc.send(new UpdateCommand({
        TableName: this.t.table, Key: key, UpdateExpression: update, ConditionExpression: condition, ExpressionAttributeValues: values,
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
}
