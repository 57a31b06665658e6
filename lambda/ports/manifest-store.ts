import type { Descriptor } from '../oci/manifest';
import type { BlobRecord } from './blob-index';
import type { Page } from './page';

/**
 * What a listing shows of a manifest without reading it, computed at push time (core/manifests/tag-summary.ts)
 * and stored on the manifest item and on each tag the put writes.
 */
export interface ManifestSummary {
  mediaType: string;
  /** Bytes of the config and layers; for an index, the sum over its children's summaries. */
  size: number;
  /** `os/architecture[/variant]`, e.g. linux/arm64/v8; [] when unknown. */
  platforms: string[];
}

/** A tag as a listing shows it: one Query of tag items and one BatchGet of their manifests per page. */
export interface TagSummary {
  tag: string;
  digest: string;
  /** Stored with the tag at push time; absent on tags pushed before summaries existed. */
  summary?: ManifestSummary;
  /** When the tag was last put (ms); the manifest's pushedAt for tags stored before. */
  pushedAt?: number;
  lastPulledAt?: number;
  /** The manifest item's media type and byte size (what a tag without a summary shows); absent when the item is gone. */
  manifest?: { mediaType: string; size: number };
}

/** A page of tag summaries in lexical order, and whether more follow. */
export interface TagSummaryPage {
  items: TagSummary[];
  more: boolean;
}

/** A manifest as stored: small bodies inline, large ones in the blob store under bodyKey. */
export interface ManifestRecord {
  digest: string;
  mediaType: string;
  size: number;
  body?: Uint8Array;
  bodyKey?: string;
  /** Digest of the manifest this one refers to (OCI subject), for the referrers API. */
  subject?: string;
  artifactType?: string;
  annotations?: Record<string, string>;
  /** Blobs it names (config and layers), each once: the links its put renews. Absent on items stored before. */
  blobs?: string[];
  /** Manifests it names (an index's children): the manifest items its put renews. Absent on items stored before. */
  children?: string[];
  /** When it was last put (ms since the epoch). */
  pushedAt?: number;
  /** When it was last pulled, recorded at most about once an hour (see recordPull). */
  lastPulledAt?: number;
  /** When a write last created or renewed a reference to it (a put, a tag, an index naming it). */
  touchedAt?: number;
  /** Size and platforms computed at push time (absent on items stored before); copied into its tags. */
  summary?: ManifestSummary;
}

/** How a put is made: its time, and which of its tags may only be created, never moved. */
export interface PutManifestOptions {
  /** ms since the epoch: pushedAt and touchedAt of the manifest and of everything it names. */
  now: number;
  /** Tags (among those put) that are immutable: written only if absent or already at this digest. */
  immutableTags?: string[];
  /**
   * The manifest names blobs and manifests that need not exist yet (a registry mirror's fill: the upstream
   * holds them, and they are fetched when first pulled). They are stored as `blobs` and `children`, so the
   * collector keeps them once they arrive, but are neither checked nor renewed: no ReferenceMissingError.
   */
  referencesMayBeAbsent?: boolean;
  /**
   * The caller's read (readForPut) found the repository in the catalog: the put writes no catalog entry.
   * Otherwise the entry is put beside the manifest's transaction, never inside it (a hot item).
   */
  listed?: boolean;
}

/** What a manifest put reads before writing, in one request (readForPut). */
export interface PutReferences {
  /** The repository's links among the blobs named, by digest, with their collector marks. */
  links: Map<string, BlobRecord>;
  /** The repository's manifests among the children named, by digest, with their stored summaries. */
  manifests: Map<string, { summary?: ManifestSummary; condemned: boolean }>;
  /** Whether the repository has its catalog entry. */
  listed: boolean;
}

/**
 * Something the manifest names (a blob link or a child manifest, by digest) was deleted between the
 * caller's check and the put (the garbage collector got there first). Nothing was stored.
 */
export class ReferenceMissingError extends Error {
  constructor(readonly missing: string[]) {
    super(`manifest references ${missing.length} missing blob(s) or manifest(s): ${missing.join(', ')}`);
    this.name = 'ReferenceMissingError';
  }
}

/** An immutable tag already points at another manifest. Nothing of the write holding that tag was stored. */
export class ImmutableTagError extends Error {
  constructor(readonly tag: string) {
    super(`tag ${tag} is immutable and points at another manifest`);
    this.name = 'ImmutableTagError';
  }
}

/** A tag and the manifest it points at (with the manifest inline when small, to answer in one read). */
export interface TagRecord {
  tag: string;
  digest: string;
  /** The manifest record, body included, when its body is inline and at most TAG_COPY_MAX_BYTES. */
  manifest?: ManifestRecord;
}

/** Manifests with an inline body up to this size are copied into their tags, so a pull by tag costs one read. */
export const TAG_COPY_MAX_BYTES = 4096;

/** Tags written in one all-or-nothing write with their manifest and referrer items (DynamoDB: 100 items; one left spare). */
export const TAGS_PER_ATOMIC_WRITE = 97;

/**
 * Manifests, the tags that point at them and the referrers index of a repository (DynamoDB in production).
 * Methods throw only on backend faults.
 */
export interface ManifestStore {
  /** The manifest by digest, or null; may be a moment stale (one just deleted), never missing one put before the call. */
  getManifest(repository: string, digest: string): Promise<ManifestRecord | null>;
  getTag(repository: string, tag: string): Promise<TagRecord | null>;
  /** Which of these digests the repository does not hold as manifests, in the order given. */
  missingManifests(repository: string, digests: string[]): Promise<string[]>;
  /**
   * The manifests among these digests that the repository holds (consistent read), each with its stored
   * summary (undefined on items stored before summaries): an index's put checks its children with it.
   */
  manifestSummaries(repository: string, digests: string[]): Promise<Map<string, ManifestSummary | undefined>>;
  /**
   * What a put checks before writing (consistent reads, one BatchGet per 100 keys): the named blobs' links,
   * the named manifests, and the repository's catalog entry.
   */
  readForPut(repository: string, blobs: string[], manifests: string[]): Promise<PutReferences>;
  /**
   * Stores a manifest, points the tags at it and indexes it as a referrer. Atomic with up to
   * TAGS_PER_ATOMIC_WRITE tags; more are written in further writes after the first, which holds the
   * manifest: a tag never points at a manifest that is not stored, but a failure part way leaves some tags
   * (and the referrer entry, written last) unwritten, and a concurrent reader may see some tags before
   * others. The caller reports the failure; repeating the put completes it.
   * The first write also checks what the manifest names (`blobs` links and `children` manifests) without
   * writing them: each must exist and not be condemned by the collector; else ReferenceMissingError and
   * nothing is stored (not so with options.referencesMayBeAbsent). Checks of one item by many puts do not
   * conflict; the manifest item's own touchedAt keeps what it names live (README "Never losing a push"). ImmutableTagError when an immutable tag points elsewhere.
   * A re-put keeps the item's lastPulledAt.
   */
  putManifest(repository: string, manifest: ManifestRecord, tags: string[], options: PutManifestOptions): Promise<void>;
  /**
   * Sets lastPulledAt = at if the manifest exists and its lastPulledAt is absent or older than `notSince`;
   * false when nothing was written (absent, or recorded recently).
   */
  recordPull(repository: string, digest: string, at: number, notSince: number): Promise<boolean>;
  /**
   * Deletes a manifest, the tags pointing at it and its referrer entry; false when absent. A put of the
   * same manifest racing the delete is serialised: its tags either go with the manifest (put first) or
   * stay with the manifest it brought back (put after); no tag is left pointing at a deleted manifest.
   */
  deleteManifest(repository: string, digest: string): Promise<boolean>;
  /** Deletes one tag; false when absent. */
  deleteTag(repository: string, tag: string): Promise<boolean>;
  /** Tags of a repository in lexical order, after `last`, at most n. */
  listTags(repository: string, n: number, last?: string): Promise<Page>;
  /**
   * Tags after `last` whose name contains `contains` (all when absent), at most n, with their summaries and
   * their manifests' lastPulledAt: one Query of tag items, one BatchGet of the page's manifests (per 100).
   */
  listTagSummaries(repository: string, n: number, last?: string, contains?: string): Promise<TagSummaryPage>;
  /** The tags pointing at a digest, in lexical order, at most `limit` (a Query of the repository's tags). */
  tagsOf(repository: string, digest: string, limit: number): Promise<string[]>;
  /** How many tags a repository has (a counting Query). */
  countTags(repository: string): Promise<number>;
  /** Descriptors of the manifests whose subject is this digest. */
  listReferrers(repository: string, subject: string): Promise<Descriptor[]>;
}
