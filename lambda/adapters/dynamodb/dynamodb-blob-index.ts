import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteItem } from '@aws-sdk/lib-dynamodb';
import { BlobIndex, BlobRecord, BlobRecordGoneError, RecordWrite, TouchOutcome, UploadTarget } from '../../ports/blob-index';
import type { GcState } from '../../ports/gc-store';
import { sessionOf } from './dynamodb-upload-sessions';
import { getItem, isConditionFailure, Item, keyString, putItem, readItems, TableRef, transactWrite } from './items';
import { keys } from './keys';
import { linkRecord } from './manifest-items';
import { missingKeys } from './query';
import { getSettledItem } from './settled-read';

/**
 * BlobIndex on the registry's table: one item per blob, one per repository link and its back-link in the
 * blob's partition (layout in keys.ts). Writes that reference a blob renew it in the same transaction,
 * which is what lets the garbage collector delete only what nothing renewed (README, "Storage lifecycle").
 */
export class DynamoDbBlobIndex implements BlobIndex {
  private readonly t: TableRef;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.t = { doc, table };
  }

  /** Eventually consistent unless asked (settled-read.ts): 10,000 pulls of one image read the same links. */
  async getLinkedBlob(repo: string, digest: string, read: { consistent?: boolean } = {}): Promise<BlobRecord | null> {
    const key = keys.link(repo, digest);
    return blobRecord(read.consistent ? await getItem(this.t, key) : await getSettledItem(this.t, key));
  }

  /** Strongly consistent: only pushes read blob records, and a re-upload may change one's objectKey. */
  async getBlob(digest: string): Promise<BlobRecord | null> {
    return blobRecord(await getItem(this.t, keys.blob(digest)));
  }

  async createBlob(record: BlobRecord, now: number): Promise<{ created: boolean; record: BlobRecord }> {
    const fresh = freshRecord(record, now);
    // A record deleted between the failed put and the read is put again: at most a few rounds.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.t.doc.send(new PutCommand({
          TableName: this.t.table, Item: { ...keys.blob(record.digest), ...fresh }, ConditionExpression: 'attribute_not_exists(pk)',
        }));
        return { created: true, record: fresh };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        const existing = await this.getBlob(record.digest);
        if (existing) return { created: false, record: existing };
        if (attempt >= 2) throw err;
      }
    }
  }

  async replaceBlob(record: BlobRecord, expectedObjectKey: string, now: number): Promise<boolean> {
    try {
      await this.t.doc.send(new PutCommand({
        TableName: this.t.table, Item: { ...keys.blob(record.digest), ...freshRecord(record, now) },
        ConditionExpression: 'attribute_not_exists(pk) OR objectKey = :expected',
        ExpressionAttributeValues: { ':expected': expectedObjectKey },
      }));
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return false;
    }
  }

  /**
   * One transaction: the blob record renewed (failing when absent or `deleting`), the link and the
   * back-link. The catalog item is put beside it, not in it: every link of a repository writes that one
   * item, and parallel layer uploads would keep cancelling each other's transactions on it.
   */
  async linkBlob(repo: string, record: BlobRecord, now: number): Promise<void> {
    const link = freshRecord(record, now);
    const [codes] = await Promise.all([
      transactWrite(this.t, [
        {
          Update: {
            TableName: this.t.table, Key: keys.blob(record.digest),
            UpdateExpression: 'SET touchedAt = :now REMOVE gcState, gcRun',
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(gcState) OR gcState = :condemned)',
            ExpressionAttributeValues: { ':now': now, ':condemned': 'condemned' satisfies GcState },
          },
        },
        { Put: { TableName: this.t.table, Item: { ...keys.link(repo, record.digest), ...link } } },
        { Put: { TableName: this.t.table, Item: { ...keys.backLink(record.digest, repo), repository: repo } } },
      ]),
      putItem(this.t, { ...keys.catalog(repo), name: repo }),
    ]);
    if (codes) throw new BlobRecordGoneError(record.digest);
  }

  async readUploadTarget(repo: string, digest: string, now: number, sessionId?: string): Promise<UploadTarget> {
    const wanted = [keys.blob(digest), keys.catalog(repo), ...(sessionId ? [keys.upload(sessionId)] : [])];
    const items = await readItems(this.t, wanted);
    const session = sessionId ? items.get(keyString(keys.upload(sessionId))) : undefined;
    return {
      // TTL deletes late (and emulators never do): an expired session is treated as gone.
      session: session && (session.expiresAt as number) * 1000 >= now ? sessionOf(session) : null,
      record: blobRecord(items.get(keyString(keys.blob(digest))) ?? null),
      listed: items.has(keyString(keys.catalog(repo))),
    };
  }

  /**
   * One transaction: the record's write (its condition is the only one), the link and back-link, the
   * session's delete. No catalog item: the caller lists a new repository first (a hot item otherwise).
   */
  async commitUpload(repo: string, record: BlobRecord, write: RecordWrite, now: number, sessionId?: string): Promise<boolean> {
    const fresh = freshRecord(record, now);
    const codes = await transactWrite(this.t, [
      this.recordWrite(fresh, write, now),
      { Put: { TableName: this.t.table, Item: { ...keys.link(repo, record.digest), ...fresh } } },
      { Put: { TableName: this.t.table, Item: { ...keys.backLink(record.digest, repo), repository: repo } } },
      ...(sessionId ? [{ Delete: { TableName: this.t.table, Key: keys.upload(sessionId) } }] : []),
    ]);
    if (codes && codes[0] !== 'ConditionalCheckFailed') throw new Error(`upload commit cancelled by an unexpected condition: ${codes.join(', ')}`);
    return codes === null;
  }

  private recordWrite(fresh: BlobRecord, write: RecordWrite, now: number): TransactWriteItem {
    const Key = keys.blob(fresh.digest);
    if (write.kind === 'create') {
      return { Put: { TableName: this.t.table, Item: { ...Key, ...fresh }, ConditionExpression: 'attribute_not_exists(pk)' } };
    }
    if (write.kind === 'replace') {
      return {
        Put: {
          TableName: this.t.table, Item: { ...Key, ...fresh },
          ConditionExpression: 'attribute_not_exists(pk) OR objectKey = :expected', ExpressionAttributeValues: { ':expected': write.objectKey },
        },
      };
    }
    return {
      Update: {
        TableName: this.t.table, Key, UpdateExpression: 'SET touchedAt = :now REMOVE gcState, gcRun',
        ConditionExpression: 'objectKey = :expected AND (attribute_not_exists(gcState) OR gcState = :condemned)',
        ExpressionAttributeValues: { ':now': now, ':expected': write.objectKey, ':condemned': 'condemned' satisfies GcState },
      },
    };
  }

  async touchLink(repo: string, digest: string, now: number, staleBefore: number): Promise<TouchOutcome> {
    try {
      const out = await this.t.doc.send(new UpdateCommand({
        TableName: this.t.table, Key: keys.link(repo, digest),
        UpdateExpression: 'SET touchedAt = :now REMOVE gcState, gcRun',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_exists(gcState) OR attribute_not_exists(touchedAt) OR touchedAt < :stale)',
        ExpressionAttributeValues: { ':now': now, ':stale': staleBefore },
        ReturnValues: 'ALL_OLD',
      }));
      return out.Attributes?.gcState !== undefined ? 'rescued' : 'touched';
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // Rare: the caller touches only links it read condemned or stale.
      return (await getItem(this.t, keys.link(repo, digest))) ? 'fresh' : 'gone';
    }
  }

  async unlinkBlob(repo: string, digest: string): Promise<boolean> {
    const codes = await transactWrite(this.t, [
      { Delete: { TableName: this.t.table, Key: keys.link(repo, digest), ConditionExpression: 'attribute_exists(pk)' } },
      { Delete: { TableName: this.t.table, Key: keys.backLink(digest, repo) } },
    ]);
    return codes === null;
  }

  async missingBlobs(repo: string, digests: string[]): Promise<string[]> {
    const missing = await missingKeys(this.t.doc, this.t.table, digests.map((d) => keys.link(repo, d)));
    return missing.map((k) => k.sk.slice('BLOB#'.length));
  }
}

/** A record or link as a write stores it: touched now, without the collector's marks. */
function freshRecord(record: BlobRecord, now: number): BlobRecord {
  return { digest: record.digest, size: record.size, objectKey: record.objectKey, touchedAt: now };
}

function blobRecord(item: Item | null): BlobRecord | null {
  return item ? linkRecord(item) : null;
}
