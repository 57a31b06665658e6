import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Descriptor } from '../../oci/manifest';
import type { ManifestRecord, ManifestStore, PutManifestOptions, TagRecord } from '../../ports/manifest-store';
import { TAG_COPY_MAX_BYTES } from '../../ports/manifest-store';
import type { Page } from '../../ports/page';
import { deleteReturning, getItem, Item, TableRef } from './items';
import { keys, prefixes, repoPk } from './keys';
import { deleteManifestItems } from './manifest-delete';
import { descriptorOf, manifestAttributes, manifestRecord, referrerDescriptor } from './manifest-items';
import { missingKeys, pageOfNames, queryPrefix } from './query';

/** Items one TransactWriteItems may hold. */
const TRANSACTION_MAX_ITEMS = 100;

/** ManifestStore on the registry's table: manifest, tag and referrer items in the repository's partition. */
export class DynamoDbManifestStore implements ManifestStore {
  private readonly t: TableRef;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.t = { doc, table };
  }

  async getManifest(repo: string, digest: string): Promise<ManifestRecord | null> {
    return manifestRecord(await getItem(this.t, keys.manifest(repo, digest)));
  }

  async getTag(repo: string, tag: string): Promise<TagRecord | null> {
    const item = await getItem(this.t, keys.tag(repo, tag));
    if (!item) return null;
    return { tag, digest: item.digest as string, manifest: manifestRecord(item.manifest as Item | undefined) ?? undefined };
  }

  async missingManifests(repo: string, digests: string[]): Promise<string[]> {
    const missing = await missingKeys(this.t.doc, this.t.table, digests.map((d) => keys.manifest(repo, d)));
    return missing.map((k) => k.sk.slice('MANIFEST#'.length));
  }

  /** See the port for what is atomic: the first transaction holds the manifest, the last its referrer entry. */
  async putManifest(repo: string, m: ManifestRecord, tags: string[], _options: PutManifestOptions): Promise<void> {
    const stored = manifestAttributes(m);
    const copy = m.body && m.size <= TAG_COPY_MAX_BYTES ? stored : undefined;
    // Which write a tag item comes from, so a racing deleteManifest removes only tags written before it.
    const writeId = randomUUID();
    const items: Item[] = [
      { ...keys.manifest(repo, m.digest), ...stored },
      ...tags.map((tag) => ({ ...keys.tag(repo, tag), tag, digest: m.digest, manifest: copy, writeId })),
      { ...keys.catalog(repo), name: repo },
    ];
    if (m.subject) items.push({ ...keys.referrer(repo, m.subject, m.digest), descriptor: referrerDescriptor(m) });
    for (let i = 0; i < items.length; i += TRANSACTION_MAX_ITEMS) {
      await this.t.doc.send(new TransactWriteCommand({
        TransactItems: items.slice(i, i + TRANSACTION_MAX_ITEMS).map((Item) => ({ Put: { TableName: this.t.table, Item } })),
      }));
    }
  }

  async recordPull(_repo: string, _digest: string, _at: number, _notSince: number): Promise<boolean> {
    throw new Error('not implemented');
  }

  async deleteManifest(repo: string, digest: string): Promise<boolean> {
    return deleteManifestItems(this.t, repo, digest);
  }

  async deleteTag(repo: string, tag: string): Promise<boolean> {
    return deleteReturning(this.t, keys.tag(repo, tag));
  }

  async listTags(repo: string, n: number, last?: string): Promise<Page> {
    return pageOfNames(this.t.doc, this.t.table, repoPk(repo), prefixes.tag, n, last);
  }

  async listReferrers(repo: string, subject: string): Promise<Descriptor[]> {
    const items = await queryPrefix(this.t.doc, this.t.table, repoPk(repo), prefixes.referrers(subject), { limit: 10000 });
    return items.map(descriptorOf);
  }
}
