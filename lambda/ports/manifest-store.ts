import type { Descriptor } from '../oci/manifest';
import type { Page } from './page';

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

/** Tags written in one all-or-nothing write with their manifest, catalog and referrer items (DynamoDB: 100 items). */
export const TAGS_PER_ATOMIC_WRITE = 97;

/**
 * Manifests, the tags that point at them and the referrers index of a repository (DynamoDB in production).
 * Methods throw only on backend faults.
 */
export interface ManifestStore {
  getManifest(repository: string, digest: string): Promise<ManifestRecord | null>;
  getTag(repository: string, tag: string): Promise<TagRecord | null>;
  /** Which of these digests the repository does not hold as manifests, in the order given. */
  missingManifests(repository: string, digests: string[]): Promise<string[]>;
  /**
   * Stores a manifest, points the tags at it and indexes it as a referrer. Atomic with up to
   * TAGS_PER_ATOMIC_WRITE tags; more are written in further writes after the first, which holds the
   * manifest: a tag never points at a manifest that is not stored, but a failure part way leaves some tags
   * (and the referrer entry, written last) unwritten, and a concurrent reader may see some tags before
   * others. The caller reports the failure; repeating the put completes it.
   */
  putManifest(repository: string, manifest: ManifestRecord, tags: string[]): Promise<void>;
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
  /** Descriptors of the manifests whose subject is this digest. */
  listReferrers(repository: string, subject: string): Promise<Descriptor[]>;
}
