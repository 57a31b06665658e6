import type { BlobFacts, GcMarks, GcRunRecord, LinkFacts, ManifestFacts, RepositorySnapshot } from '../../ports/gc-store';
import type { Item } from './items';

/** Sort-key prefixes of a repository partition's items, as keys.ts lays them out. */
const TAG = 'TAG#';
const MANIFEST = 'MANIFEST#';
const LINK = 'BLOB#';

/** Groups one repository partition's items into what the collector decides on (other kinds are ignored). */
export function repositoryOf(repository: string, items: Item[]): RepositorySnapshot {
  const snapshot: RepositorySnapshot = { repository, tags: [], manifests: [], links: [] };
  for (const item of items) addRepositoryItem(snapshot, item);
  return snapshot;
}

/** Adds one item of a repository's partition to its snapshot. */
export function addRepositoryItem(snapshot: RepositorySnapshot, item: Item): void {
  const sk = item.sk as string;
  if (sk.startsWith(TAG)) snapshot.tags.push({ tag: sk.slice(TAG.length), digest: item.digest as string });
  else if (sk.startsWith(MANIFEST)) snapshot.manifests.push(manifestFacts(item));
  else if (sk.startsWith(LINK)) snapshot.links.push(linkFacts(item));
}

function manifestFacts(item: Item): ManifestFacts {
  const blobs = stringList(item.blobs);
  const children = stringList(item.children);
  return {
    ...marks(item),
    digest: item.digest as string,
    mediaType: item.mediaType as string,
    size: Number(item.size ?? 0),
    subject: item.subject as string | undefined,
    blobs,
    children,
    // Only items stored before blobs/children need their body read (a whole table of bodies is a lot of memory).
    body: blobs && children ? undefined : item.body as Uint8Array | undefined,
    bodyKey: item.bodyKey as string | undefined,
    pushedAt: optionalNumber(item.pushedAt),
    lastPulledAt: optionalNumber(item.lastPulledAt),
  };
}

function linkFacts(item: Item): LinkFacts {
  return { ...marks(item), digest: item.digest as string, size: Number(item.size ?? 0) };
}

/** A blob record item (sk BLOB) as the collector sees it. */
export function blobFacts(item: Item): BlobFacts {
  return { ...marks(item), digest: item.digest as string, size: Number(item.size ?? 0), objectKey: item.objectKey as string };
}

/** The marks every collectable item carries; absent attributes stay absent. */
function marks(item: Item): GcMarks {
  return {
    touchedAt: optionalNumber(item.touchedAt),
    gcState: item.gcState as GcMarks['gcState'],
    gcRun: item.gcRun as string | undefined,
  };
}

/** A run record item's attributes (keys excluded). */
export function runAttributes(r: GcRunRecord): Item {
  return { ...r };
}

/** A run record as stored. */
export function runRecord(item: Item): GcRunRecord {
  const { pk: _pk, sk: _sk, ...rest } = item;
  return rest as unknown as GcRunRecord;
}

/** A list written as a DynamoDB list or string set (the document client reads a set as a Set). */
function stringList(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Set) return [...v] as string[];
  return v as string[];
}

function optionalNumber(v: unknown): number | undefined {
  return v === undefined || v === null ? undefined : Number(v);
}
