/**
 * What the metadata contracts need of the garbage collector: its marks set on items, and read back, behind
 * the ports (the collector's own port, GcStore, has its contract elsewhere). One implementation per backend.
 */
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys, prefixes } from '../../../lambda/adapters/dynamodb/keys';
import type { GcMarks, GcState } from '../../../lambda/ports/gc-store';
import type { MetadataStore } from '../../../lambda/ports/metadata-store';
import type { MemoryMetadataStore } from '../../unit/fakes/memory-metadata-store';

/** Sets and reads the collector's marks on the items of one store. */
export interface CollectorMarks {
  /** Marks a stored blob record, link or manifest with `state` by run 'contract-run'. */
  mark(item: MarkedItem, state: GcState): Promise<void>;
  /** The marks of a stored item, or null when it is absent. */
  marksOf(item: MarkedItem): Promise<GcMarks | null>;
  /** Repositories whose back-link the blob has. */
  backLinks(digest: string): Promise<string[]>;
}

/** An item the collector marks. */
export type MarkedItem =
  | { kind: 'blob'; digest: string }
  | { kind: 'link'; repository: string; digest: string }
  | { kind: 'manifest'; repository: string; digest: string };

/** The marks factory a contract gets beside its store factory. */
export type CollectorMarksOf = (store: MetadataStore) => CollectorMarks;

const RUN = 'contract-run';

/** Marks on the in-memory fakes' maps. */
export function memoryMarks(store: MetadataStore): CollectorMarks {
  const meta = store as MemoryMetadataStore;
  const stored = (item: MarkedItem): (GcMarks & object) | undefined => {
    if (item.kind === 'blob') return meta.blobIndex.blobs.get(item.digest);
    if (item.kind === 'link') return meta.blobIndex.links.get(`${item.repository}@${item.digest}`);
    return meta.manifestStore.manifests.get(`${item.repository}@${item.digest}`);
  };
  return {
    async mark(item, state) {
      const s = stored(item);
      if (!s) throw new Error(`no ${item.kind} to mark`);
      Object.assign(s, { gcState: state, gcRun: RUN });
    },
    async marksOf(item) {
      const s = stored(item);
      return s ? { touchedAt: s.touchedAt, gcState: s.gcState, gcRun: s.gcRun } : null;
    },
    async backLinks(digest) {
      return [...meta.blobIndex.links.keys()].filter((k) => k.endsWith(`@${digest}`)).map((k) => k.slice(0, -digest.length - 1)).sort();
    },
  };
}

/** Marks written and read with plain item requests on the table. */
export function dynamoDbMarks(doc: DynamoDBDocumentClient, table: string): CollectorMarks {
  const keyOf = (item: MarkedItem) => (item.kind === 'blob' ? keys.blob(item.digest)
    : item.kind === 'link' ? keys.link(item.repository, item.digest) : keys.manifest(item.repository, item.digest));
  return {
    async mark(item, state) {
      await doc.send(new UpdateCommand({
        TableName: table, Key: keyOf(item), UpdateExpression: 'SET gcState = :s, gcRun = :r',
        ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':s': state, ':r': RUN },
      }));
    },
    async marksOf(item) {
      const out = await doc.send(new GetCommand({ TableName: table, Key: keyOf(item), ConsistentRead: true }));
      if (!out.Item) return null;
      const { touchedAt, gcState, gcRun } = out.Item;
      return { touchedAt: touchedAt === undefined ? undefined : Number(touchedAt), gcState, gcRun };
    },
    async backLinks(digest) {
      const out = await doc.send(new QueryCommand({
        TableName: table, ConsistentRead: true, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.blob(digest).pk, ':prefix': prefixes.backLink },
      }));
      return (out.Items ?? []).map((i) => (i.sk as string).slice(prefixes.backLink.length)).sort();
    },
  };
}
