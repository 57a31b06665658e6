import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { BlobIndex, BlobRecord, TouchOutcome } from '../../ports/blob-index';
import { deleteReturning, getItem, isConditionFailure, Item, putItem, TableRef } from './items';
import { keys } from './keys';
import { missingKeys } from './query';

/** BlobIndex on the registry's table: one item per blob, one per repository link (layout in keys.ts). */
export class DynamoDbBlobIndex implements BlobIndex {
  private readonly t: TableRef;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.t = { doc, table };
  }

  async getLinkedBlob(repo: string, digest: string): Promise<BlobRecord | null> {
    return blobRecord(await getItem(this.t, keys.link(repo, digest)));
  }

  async getBlob(digest: string): Promise<BlobRecord | null> {
    return blobRecord(await getItem(this.t, keys.blob(digest)));
  }

  async createBlob(record: BlobRecord, _now: number): Promise<{ created: boolean; record: BlobRecord }> {
    try {
      await this.t.doc.send(new PutCommand({
        TableName: this.t.table, Item: { ...keys.blob(record.digest), ...record }, ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return { created: true, record };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const existing = await this.getBlob(record.digest);
      if (!existing) throw err;
      return { created: false, record: existing };
    }
  }

  async linkBlob(repo: string, record: BlobRecord, _now: number): Promise<void> {
    await Promise.all([
      putItem(this.t, { ...keys.link(repo, record.digest), ...record }),
      putItem(this.t, { ...keys.catalog(repo), name: repo }),
    ]);
  }

  async replaceBlob(_record: BlobRecord, _expectedObjectKey: string, _now: number): Promise<boolean> {
    throw new Error('not implemented');
  }

  async touchLink(_repo: string, _digest: string, _now: number, _staleBefore: number): Promise<TouchOutcome> {
    throw new Error('not implemented');
  }

  async unlinkBlob(repo: string, digest: string): Promise<boolean> {
    return deleteReturning(this.t, keys.link(repo, digest));
  }

  async missingBlobs(repo: string, digests: string[]): Promise<string[]> {
    const missing = await missingKeys(this.t.doc, this.t.table, digests.map((d) => keys.link(repo, d)));
    return missing.map((k) => k.sk.slice('BLOB#'.length));
  }
}

function blobRecord(item: Item | null): BlobRecord | null {
  if (!item) return null;
  return { digest: item.digest as string, size: Number(item.size), objectKey: item.objectKey as string };
}
