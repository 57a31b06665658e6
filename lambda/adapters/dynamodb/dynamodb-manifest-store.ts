import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, TransactWriteItem, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Descriptor } from '../../oci/manifest';
import {
  ImmutableTagError, ManifestRecord, ManifestStore, ManifestSummary, PutManifestOptions, PutReferences, ReferenceMissingError, TAG_COPY_MAX_BYTES,
  TagRecord, TagSummaryPage,
} from '../../ports/manifest-store';
import type { Page } from '../../ports/page';
import { deleteReturning, getItem, isConditionFailure, Item, ItemKey, putItem, TableRef, transactWrite } from './items';
import { CATALOG_PK, keys, prefixes, repoPk } from './keys';
import { deleteManifestItems } from './manifest-delete';
import {
  descriptorOf, linkRecord, MANIFEST_ATTRIBUTES, manifestAttributes, manifestRecord, referrerDescriptor, summaryOf, tagCopyAttributes,
} from './manifest-items';
import { missingKeys, pageOfTagNames, queryPrefix } from './query';
import { getSettledItem } from './settled-read';
import { batchGet, countTagItems, tagsPointingAt, tagSummaryPage } from './tag-summaries';

/** Items one TransactWriteItems may hold. */
const TRANSACTION_MAX_ITEMS = 100;

/** References renewed in the manifest's own transaction (the rest of it: the manifest item). */
const REFERENCES_WITH_MANIFEST = TRANSACTION_MAX_ITEMS - 1;

/** One item of a transaction, and what its failed condition means. */
interface Write {
  item: TransactWriteItem;
  /** A digest the manifest names: its condition fails when the item is gone. */
  reference?: string;
  /** An immutable tag: its condition fails when it points elsewhere. */
  tag?: string;
}

/** ManifestStore on the registry's table: manifest, tag and referrer items in the repository's partition. */
export class DynamoDbManifestStore implements ManifestStore {
  private readonly t: TableRef;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.t = { doc, table };
  }

  /** Eventually consistent, strongly on a miss (settled-read.ts): a manifest's content never changes. */
  async getManifest(repo: string, digest: string): Promise<ManifestRecord | null> {
    return manifestRecord(await getSettledItem(this.t, keys.manifest(repo, digest)));
  }

  /** Strongly consistent: a tag moves (pulls spare it through the core's tag cache, tag-cache.ts). */
  async getTag(repo: string, tag: string): Promise<TagRecord | null> {
    const item = await getItem(this.t, keys.tag(repo, tag));
    if (!item) return null;
    return { tag, digest: item.digest as string, manifest: manifestRecord(item.manifest as Item | undefined) ?? undefined };
  }

  async missingManifests(repo: string, digests: string[]): Promise<string[]> {
    const missing = await missingKeys(this.t.doc, this.t.table, digests.map((d) => keys.manifest(repo, d)));
    return missing.map((k) => k.sk.slice('MANIFEST#'.length));
  }

  async manifestSummaries(repo: string, digests: string[]): Promise<Map<string, ManifestSummary | undefined>> {
    const found = new Map<string, ManifestSummary | undefined>();
    for (const item of await batchGet(this.t, digests.map((d) => keys.manifest(repo, d)), ['digest', 'summary'], true)) {
      found.set(item.digest as string, summaryOf(item.summary));
    }
    return found;
  }

  async readForPut(repo: string, blobs: string[], manifests: string[]): Promise<PutReferences> {
    const wanted = [...unique(blobs).map((d) => keys.link(repo, d)), ...unique(manifests).map((d) => keys.manifest(repo, d)), keys.catalog(repo)];
    const items = await batchGet(this.t, wanted, ['pk', 'sk', 'digest', 'size', 'objectKey', 'touchedAt', 'gcState', 'summary'], true);
    const read: PutReferences = { links: new Map(), manifests: new Map(), listed: false };
    for (const item of items) {
      const sk = item.sk as string;
      if (item.pk === CATALOG_PK) read.listed = true;
      else if (sk.startsWith('BLOB#')) read.links.set(item.digest as string, linkRecord(item));
      else read.manifests.set(item.digest as string, { summary: summaryOf(item.summary), condemned: item.gcState !== undefined });
    }
    return read;
  }

  /**
   * See the port for what is atomic. The first transaction holds the manifest item, its tags and a
   * ConditionCheck of up to REFERENCES_WITH_MANIFEST references (checks of one item by many transactions
   * do not conflict, so pushes sharing base layers never cancel each other), then the rest of the tags and
   * the referrer entry, 100 items a transaction. References beyond that are renewed first (touchedAt, the
   * condemned mark removed) in transactions of their own: those are then protected from a collector racing
   * the put only by the grace period (the collector condemns nothing touched within it). The catalog entry
   * is put beside the first transaction, and only for a repository the caller did not find listed.
   */
  async putManifest(repo: string, m: ManifestRecord, tags: string[], options: PutManifestOptions): Promise<void> {
    const { now } = options;
    const immutable = new Set(options.immutableTags ?? []);
    const copy = m.body && m.size <= TAG_COPY_MAX_BYTES ? tagCopyAttributes(m) : undefined;
    // Which write a tag item comes from, so a racing deleteManifest removes only tags written before it.
    const writeId = randomUUID();
    const refs: ItemKey[] = options.referencesMayBeAbsent ? [] : [
      ...unique(m.blobs ?? []).map((d) => keys.link(repo, d)),
      ...unique(m.children ?? []).map((d) => keys.manifest(repo, d)),
    ];
    const digests = options.referencesMayBeAbsent ? [] : [...unique(m.blobs ?? []), ...unique(m.children ?? [])];
    const overflow = refs.splice(REFERENCES_WITH_MANIFEST).map((key, i) => this.renewal(key, now, { reference: digests[REFERENCES_WITH_MANIFEST + i] }));
    for (let i = 0; i < overflow.length; i += TRANSACTION_MAX_ITEMS) await this.write(overflow.slice(i, i + TRANSACTION_MAX_ITEMS));
    const checks = refs.map((key, i) => this.check(key, { reference: digests[i] }));
    const rest: Write[] = tags.map((tag) => this.tagPut(repo, tag, m.digest, { tag, digest: m.digest, manifest: copy, writeId, summary: m.summary, pushedAt: now }, immutable.has(tag)));
    if (m.subject) {
      rest.push({ item: { Put: { TableName: this.t.table, Item: { ...keys.referrer(repo, m.subject, m.digest), descriptor: referrerDescriptor(m) } } } });
    }
    const first = [this.manifestUpdate(repo, m, now), ...checks];
    const room = TRANSACTION_MAX_ITEMS - first.length;
    // A new repository's catalog entry: beside the transaction (a failed put may leave it listed and empty).
    await Promise.all([
      this.write([...first, ...rest.slice(0, room)]),
      options.listed ? undefined : putItem(this.t, { ...keys.catalog(repo), name: repo }),
    ]);
    for (let i = room; i < rest.length; i += TRANSACTION_MAX_ITEMS) await this.write(rest.slice(i, i + TRANSACTION_MAX_ITEMS));
  }

  async recordPull(repo: string, digest: string, at: number, notSince: number): Promise<boolean> {
    try {
      await this.t.doc.send(new UpdateCommand({
        TableName: this.t.table, Key: keys.manifest(repo, digest),
        UpdateExpression: 'SET lastPulledAt = :at',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastPulledAt) OR lastPulledAt < :notSince)',
        ExpressionAttributeValues: { ':at': at, ':notSince': notSince },
      }));
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return false;
    }
  }

  /** One transaction; a failed condition becomes the port's error for what failed it. */
  private async write(writes: Write[]): Promise<void> {
    const codes = await transactWrite(this.t, writes.map((w) => w.item));
    if (!codes) return;
    const failed = writes.filter((_, i) => codes[i] === 'ConditionalCheckFailed');
    const missing = failed.flatMap((w) => (w.reference ? [w.reference] : []));
    if (missing.length > 0) throw new ReferenceMissingError(missing);
    const tag = failed.find((w) => w.tag !== undefined)?.tag;
    if (tag !== undefined) throw new ImmutableTagError(tag);
    throw new Error(`manifest transaction cancelled by an unexpected condition: ${codes.join(', ')}`);
  }

  /** The manifest item, updated in place so that it keeps lastPulledAt; a re-put clears the collector's mark. */
  private manifestUpdate(repo: string, m: ManifestRecord, now: number): Write {
    const attributes = manifestAttributes(m, now);
    const names: Record<string, string> = { '#gcState': 'gcState', '#gcRun': 'gcRun' };
    const values: Record<string, unknown> = {};
    const set: string[] = [];
    const remove = ['#gcState', '#gcRun'];
    for (const name of MANIFEST_ATTRIBUTES) {
      names[`#${name}`] = name;
      if (attributes[name] === undefined) remove.push(`#${name}`);
      else {
        set.push(`#${name} = :${name}`);
        values[`:${name}`] = attributes[name];
      }
    }
    return {
      item: {
        Update: {
          TableName: this.t.table, Key: keys.manifest(repo, m.digest),
          UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
          ExpressionAttributeNames: names, ExpressionAttributeValues: values,
        },
      },
    };
  }

  /** Checks that a link or a child manifest exists and is not condemned, writing nothing (no conflict with other checks). */
  private check(key: ItemKey, w: { reference: string }): Write {
    return {
      ...w,
      item: {
        ConditionCheck: {
          TableName: this.t.table, Key: key, ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gcState)',
        },
      },
    };
  }

  /** Renews a link or a child manifest (touched now, condemned mark removed), on the condition that it exists. */
  private renewal(key: ItemKey, now: number, w: { reference: string }): Write {
    return {
      ...w,
      item: {
        Update: {
          TableName: this.t.table, Key: key, UpdateExpression: 'SET touchedAt = :now REMOVE gcState, gcRun',
          ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':now': now },
        },
      },
    };
  }

  /** A tag's put; an immutable tag's only if it is new or already at this digest. */
  private tagPut(repo: string, tag: string, digest: string, attributes: Item, immutable: boolean): Write {
    const Item = { ...keys.tag(repo, tag), ...attributes };
    if (!immutable) return { item: { Put: { TableName: this.t.table, Item } } };
    return {
      tag,
      item: {
        Put: {
          TableName: this.t.table, Item,
          ConditionExpression: 'attribute_not_exists(pk) OR digest = :digest', ExpressionAttributeValues: { ':digest': digest },
        },
      },
    };
  }

  async deleteManifest(repo: string, digest: string): Promise<boolean> {
    return deleteManifestItems(this.t, repo, digest);
  }

  async deleteTag(repo: string, tag: string): Promise<boolean> {
    return deleteReturning(this.t, keys.tag(repo, tag));
  }

  async listTags(repo: string, n: number, last?: string): Promise<Page> {
    return pageOfTagNames(this.t.doc, this.t.table, repo, n, last);
  }

  async listTagSummaries(repo: string, n: number, last?: string, contains?: string): Promise<TagSummaryPage> {
    return tagSummaryPage(this.t, repo, n, last, contains);
  }

  async tagsOf(repo: string, digest: string, limit: number): Promise<string[]> {
    return tagsPointingAt(this.t, repo, digest, limit);
  }

  async countTags(repo: string): Promise<number> {
    return countTagItems(this.t, repo);
  }

  async listReferrers(repo: string, subject: string): Promise<Descriptor[]> {
    const items = await queryPrefix(this.t.doc, this.t.table, repoPk(repo), prefixes.referrers(subject), { limit: 10000 });
    return items.map(descriptorOf);
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
