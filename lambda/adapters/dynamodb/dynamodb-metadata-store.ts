import { randomUUID } from 'node:crypto';
import {
  DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Descriptor } from '../../oci/manifest';
import type {
  BlobRecord, ManifestRecord, MetadataStore, Page, TagRecord, UploadSession,
} from '../../ports/metadata-store';
import { UploadConflictError } from '../../ports/metadata-store';
import { CATALOG_PK, keys, prefixes, repoPk, UPLOADS_BY_EXPIRY } from './keys';
import { missingKeys, queryPrefix } from './query';

/** Manifests up to this size are copied into their tag items so a pull by tag costs one read. */
const TAG_COPY_MAX_BYTES = 4096;

/** MetadataStore on one DynamoDB table (layout in keys.ts). */
export class DynamoDbMetadataStore implements MetadataStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async getLinkedBlob(repo: string, digest: string): Promise<BlobRecord | null> {
    return blobRecord(await this.get(keys.link(repo, digest)));
  }

  async getBlob(digest: string): Promise<BlobRecord | null> {
    return blobRecord(await this.get(keys.blob(digest)));
  }

  async createBlob(record: BlobRecord): Promise<{ created: boolean; record: BlobRecord }> {
    try {
      await this.doc.send(new PutCommand({
        TableName: this.table, Item: { ...keys.blob(record.digest), ...record }, ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return { created: true, record };
    } catch (err) {
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
      const existing = await this.getBlob(record.digest);
      if (!existing) throw err;
      return { created: false, record: existing };
    }
  }

  async linkBlob(repo: string, record: BlobRecord): Promise<void> {
    await Promise.all([
      this.put({ ...keys.link(repo, record.digest), ...record }),
      this.put({ ...keys.catalog(repo), name: repo }),
    ]);
  }

  async unlinkBlob(repo: string, digest: string): Promise<boolean> {
    return this.deleteReturning(keys.link(repo, digest));
  }

  async missingBlobs(repo: string, digests: string[]): Promise<string[]> {
    const missing = await missingKeys(this.doc, this.table, digests.map((d) => keys.link(repo, d)));
    return missing.map((k) => k.sk.slice('BLOB#'.length));
  }

  async missingManifests(repo: string, digests: string[]): Promise<string[]> {
    const missing = await missingKeys(this.doc, this.table, digests.map((d) => keys.manifest(repo, d)));
    return missing.map((k) => k.sk.slice('MANIFEST#'.length));
  }

  async getManifest(repo: string, digest: string): Promise<ManifestRecord | null> {
    return manifestRecord(await this.get(keys.manifest(repo, digest)));
  }

  async getTag(repo: string, tag: string): Promise<TagRecord | null> {
    const item = await this.get(keys.tag(repo, tag));
    if (!item) return null;
    return { tag, digest: item.digest as string, manifest: manifestRecord(item.manifest as Record<string, unknown>) ?? undefined };
  }

  async putManifest(repo: string, m: ManifestRecord, tags: string[]): Promise<void> {
    const stored = { ...m, annotations: encodeAnnotations(m.annotations) };
    const copy = m.body && m.size <= TAG_COPY_MAX_BYTES ? stored : undefined;
    // Which write a tag item comes from, so a racing deleteManifest removes only tags written before it.
    const writeId = randomUUID();
    const items: Record<string, unknown>[] = [
      { ...keys.manifest(repo, m.digest), ...stored },
      ...tags.map((tag) => ({ ...keys.tag(repo, tag), tag, digest: m.digest, manifest: copy, writeId })),
      { ...keys.catalog(repo), name: repo },
    ];
    if (m.subject) {
      const descriptor = { mediaType: m.mediaType, digest: m.digest, size: m.size, artifactType: m.artifactType, annotations: encodeAnnotations(m.annotations) };
      items.push({ ...keys.referrer(repo, m.subject, m.digest), descriptor });
    }
    // All or nothing: a tag never points at a manifest that was not stored.
    for (let i = 0; i < items.length; i += 100) {
      await this.doc.send(new TransactWriteCommand({
        TransactItems: items.slice(i, i + 100).map((Item) => ({ Put: { TableName: this.table, Item } })),
      }));
    }
  }

  /**
   * A PUT of the same manifest may race the delete. Tags seen before the manifest item is deleted and not
   * rewritten since go with it; tags that appear later go only while the manifest is still absent: when
   * a PUT has brought it back, they are that PUT's and stay (as does its referrer entry).
   */
  async deleteManifest(repo: string, digest: string): Promise<boolean> {
    const manifestKey = keys.manifest(repo, digest);
    const before = await this.tagsPointingAt(repo, digest);
    const out = await this.doc.send(new DeleteCommand({ TableName: this.table, Key: manifestKey, ReturnValues: 'ALL_OLD' }));
    if (!out.Attributes) return false;
    await Promise.all(before.map((t) => this.deleteTagIfUnchanged(t, digest)));
    const later = (await this.tagsPointingAt(repo, digest)).map(({ pk, sk }) => ({ pk, sk }));
    const subject = out.Attributes.subject as string | undefined;
    if (subject) later.push(keys.referrer(repo, subject, digest));
    await Promise.all(later.map((key) => this.deleteWhileAbsent(manifestKey, key)));
    return true;
  }

  private async deleteTagIfUnchanged(t: TagKey, digest: string): Promise<void> {
    try {
      await this.doc.send(new DeleteCommand({
        TableName: this.table, Key: { pk: t.pk, sk: t.sk },
        ConditionExpression: t.writeId === undefined ? 'attribute_not_exists(writeId) AND digest = :digest' : 'writeId = :writeId',
        ExpressionAttributeValues: t.writeId === undefined ? { ':digest': digest } : { ':writeId': t.writeId },
      }));
    } catch (err) {
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
    }
  }

  /** Deletes `key` if the manifest item is absent; a transaction conflict (a racing PUT) is retried. */
  private async deleteWhileAbsent(manifestKey: { pk: string; sk: string }, key: { pk: string; sk: string }): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.doc.send(new TransactWriteCommand({
          TransactItems: [
            { ConditionCheck: { TableName: this.table, Key: manifestKey, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Delete: { TableName: this.table, Key: key } },
          ],
        }));
        return;
      } catch (err) {
        const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
        if (e.name !== 'TransactionCanceledException') throw err;
        if (e.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return; // the manifest is back
        if (attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    }
  }

  async deleteTag(repo: string, tag: string): Promise<boolean> {
    return this.deleteReturning(keys.tag(repo, tag));
  }

  async listTags(repo: string, n: number, last?: string): Promise<Page> {
    return this.page(repoPk(repo), prefixes.tag, n, last);
  }

  async repositoryExists(repo: string): Promise<boolean> {
    return (await this.get(keys.catalog(repo))) !== null;
  }

  async listRepositories(n: number, last?: string): Promise<Page> {
    return this.page(CATALOG_PK, prefixes.repo, n, last);
  }

  async listReferrers(repo: string, subject: string): Promise<Descriptor[]> {
    const items = await queryPrefix(this.doc, this.table, repoPk(repo), prefixes.referrers(subject), { limit: 10000 });
    return items.map((i) => {
      const d = i.descriptor as Descriptor & { annotations?: unknown };
      return { ...d, annotations: decodeAnnotations(d.annotations) };
    });
  }

  async createUpload(session: UploadSession): Promise<void> {
    try {
      await this.doc.send(new PutCommand({
        TableName: this.table, Item: uploadItem(session), ConditionExpression: 'attribute_not_exists(pk)',
      }));
    } catch (err) {
      // The id is random: an item already there is this very write, retried by the SDK after a lost answer.
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
    }
  }

  async getUpload(id: string): Promise<UploadSession | null> {
    const item = await this.get(keys.upload(id));
    // TTL deletes late (and emulators never do): an expired session is treated as gone.
    if (!item || (item.expiresAt as number) * 1000 < this.now()) return null;
    return sessionOf(item);
  }

  async updateUpload(session: UploadSession, expectedOffset: number): Promise<void> {
    try {
      await this.doc.send(new PutCommand({
        TableName: this.table,
        Item: uploadItem(session),
        ConditionExpression: 'attribute_exists(pk) AND #offset = :expected',
        ExpressionAttributeNames: { '#offset': 'offset' },
        ExpressionAttributeValues: { ':expected': expectedOffset },
      }));
    } catch (err) {
      if ((err as { name?: string }).name === 'ConditionalCheckFailedException') throw new UploadConflictError(session.id);
      throw err;
    }
  }

  async deleteUpload(id: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.table, Key: keys.upload(id) }));
  }

  async listExpiredUploads(beforeSeconds: number, limit: number): Promise<UploadSession[]> {
    const ids: string[] = [];
    for (const shard of UPLOADS_BY_EXPIRY.shards) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await this.doc.send(new QueryCommand({
          TableName: this.table,
          IndexName: UPLOADS_BY_EXPIRY.name,
          KeyConditionExpression: '#shard = :shard AND #expires < :before',
          ExpressionAttributeNames: { '#shard': UPLOADS_BY_EXPIRY.partitionKey, '#expires': UPLOADS_BY_EXPIRY.sortKey },
          ExpressionAttributeValues: { ':shard': shard, ':before': beforeSeconds },
          Limit: limit - ids.length,
          ExclusiveStartKey: startKey,
        }));
        ids.push(...(out.Items ?? []).map((i) => (i.pk as string).slice('UPLOAD#'.length)));
        startKey = out.LastEvaluatedKey;
      } while (startKey && ids.length < limit);
      if (ids.length >= limit) break;
    }
    // The index is eventually consistent and keys only: read each session itself, skipping any renewed or gone.
    const items = await Promise.all(ids.map((id) => this.get(keys.upload(id))));
    return items.filter((i): i is Record<string, unknown> => i !== null && (i.expiresAt as number) < beforeSeconds).map(sessionOf);
  }

  private async page(pk: string, prefix: string, n: number, last: string | undefined): Promise<Page> {
    if (n === 0) return { items: [], more: false };
    const items = await queryPrefix(this.doc, this.table, pk, prefix, {
      limit: n, afterSk: last === undefined ? undefined : `${prefix}${last}`, projection: 'sk',
    });
    const names = items.map((i) => (i.sk as string).slice(prefix.length));
    return { items: names.slice(0, n), more: names.length > n };
  }

  private async tagsPointingAt(repo: string, digest: string): Promise<TagKey[]> {
    const found: TagKey[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: 'digest = :digest',
        ExpressionAttributeValues: { ':pk': repoPk(repo), ':prefix': prefixes.tag, ':digest': digest },
        ProjectionExpression: 'pk, sk, writeId',
        ExclusiveStartKey: startKey,
      }));
      found.push(...(out.Items ?? []).map((i) => ({ pk: i.pk as string, sk: i.sk as string, writeId: i.writeId as string | undefined })));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  private async get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | null> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
    return (out.Item as Record<string, unknown> | undefined) ?? null;
  }

  private async put(item: Record<string, unknown>): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.table, Item: item }));
  }

  private async deleteReturning(key: { pk: string; sk: string }): Promise<boolean> {
    const out = await this.doc.send(new DeleteCommand({ TableName: this.table, Key: key, ReturnValues: 'ALL_OLD' }));
    return out.Attributes !== undefined;
  }
}

/** A tag item's key and the write that put it there (absent on items written before writeId existed). */
interface TagKey {
  pk: string;
  sk: string;
  writeId?: string;
}

/** A session as stored: its keys and its UploadsByExpiry partition added. */
function uploadItem(session: UploadSession): Record<string, unknown> {
  return { ...keys.upload(session.id), ...session, [UPLOADS_BY_EXPIRY.partitionKey]: keys.uploadShard(session.id) };
}

/** A session item without its keys. */
function sessionOf(item: Record<string, unknown>): UploadSession {
  const { pk: _pk, sk: _sk, [UPLOADS_BY_EXPIRY.partitionKey]: _shard, ...session } = item;
  return session as unknown as UploadSession;
}

function blobRecord(item: Record<string, unknown> | null): BlobRecord | null {
  if (!item) return null;
  return { digest: item.digest as string, size: Number(item.size), objectKey: item.objectKey as string };
}

function manifestRecord(item: Record<string, unknown> | null | undefined): ManifestRecord | null {
  if (!item) return null;
  return {
    digest: item.digest as string,
    mediaType: item.mediaType as string,
    size: Number(item.size),
    body: item.body as Uint8Array | undefined,
    bodyKey: item.bodyKey as string | undefined,
    subject: item.subject as string | undefined,
    artifactType: item.artifactType as string | undefined,
    annotations: decodeAnnotations(item.annotations),
  };
}

/**
 * Annotations are kept as a JSON string: a DynamoDB map refuses an empty key, which an annotation map
 * may have. Items written before this was so hold a map, read as it is.
 */
function encodeAnnotations(annotations: Record<string, string> | undefined): string | undefined {
  return annotations === undefined ? undefined : JSON.stringify(annotations);
}

function decodeAnnotations(stored: unknown): Record<string, string> | undefined {
  if (typeof stored === 'string') return JSON.parse(stored) as Record<string, string>;
  return stored as Record<string, string> | undefined;
}
