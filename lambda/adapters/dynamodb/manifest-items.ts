import type { Descriptor } from '../../oci/manifest';
import type { BlobRecord } from '../../ports/blob-index';
import type { GcState } from '../../ports/gc-store';
import type { ManifestRecord, ManifestSummary } from '../../ports/manifest-store';
import type { Item } from './items';

/** Every attribute a put writes to a manifest item (a re-put removes those the new record lacks). */
export const MANIFEST_ATTRIBUTES = [
  'digest', 'mediaType', 'size', 'body', 'bodyKey', 'subject', 'artifactType', 'annotations', 'blobs', 'children',
  'pushedAt', 'touchedAt', 'summary',
] as const;

/** A manifest as its item stores it (annotations as JSON), put at `now`. lastPulledAt is kept by the item, not written. */
export function manifestAttributes(m: ManifestRecord, now: number): Item {
  return {
    digest: m.digest, mediaType: m.mediaType, size: m.size, body: m.body, bodyKey: m.bodyKey, subject: m.subject,
    artifactType: m.artifactType, annotations: encodeAnnotations(m.annotations), blobs: m.blobs, children: m.children,
    pushedAt: now, touchedAt: now, summary: m.summary,
  };
}

/** What a tag keeps of its manifest (to answer a pull in one read): not the collector's bookkeeping. */
export function tagCopyAttributes(m: ManifestRecord): Item {
  return {
    digest: m.digest, mediaType: m.mediaType, size: m.size, body: m.body, subject: m.subject,
    artifactType: m.artifactType, annotations: encodeAnnotations(m.annotations),
  };
}

/** The referrer entry's descriptor of a manifest that has a subject. */
export function referrerDescriptor(m: ManifestRecord): Item {
  return { mediaType: m.mediaType, digest: m.digest, size: m.size, artifactType: m.artifactType, annotations: encodeAnnotations(m.annotations) };
}

/** A manifest item (or a tag's inline copy) as the port's record. */
export function manifestRecord(item: Item | null | undefined): ManifestRecord | null {
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
    blobs: item.blobs as string[] | undefined,
    children: item.children as string[] | undefined,
    pushedAt: optionalNumber(item.pushedAt),
    lastPulledAt: optionalNumber(item.lastPulledAt),
    touchedAt: optionalNumber(item.touchedAt),
    summary: summaryOf(item.summary),
  };
}

/** A blob record or link item as the port's record (touchedAt and gcState when stored). */
export function linkRecord(item: Item): BlobRecord {
  const record: BlobRecord = { digest: item.digest as string, size: Number(item.size), objectKey: item.objectKey as string };
  if (item.touchedAt !== undefined) record.touchedAt = Number(item.touchedAt);
  if (item.gcState !== undefined) record.gcState = item.gcState as GcState;
  return record;
}

/** A stored summary as the port's (numbers come back from DynamoDB as numbers; absent on older items). */
export function summaryOf(stored: unknown): ManifestSummary | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const s = stored as Record<string, unknown>;
  const platforms = Array.isArray(s.platforms) ? s.platforms.filter((p): p is string => typeof p === 'string') : [];
  return { mediaType: String(s.mediaType ?? ''), size: Number(s.size ?? 0), platforms };
}

function optionalNumber(value: unknown): number | undefined {
  return value === undefined ? undefined : Number(value);
}

/** A referrer item's descriptor as the port returns it. */
export function descriptorOf(item: Item): Descriptor {
  const d = item.descriptor as Descriptor & { annotations?: unknown };
  return { ...d, annotations: decodeAnnotations(d.annotations) };
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
