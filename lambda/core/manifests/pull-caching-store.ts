import type { BlobRecord } from '../../ports/blob-index';
import type { ManifestRecord } from '../../ports/manifest-store';
import type { MetadataStore } from '../../ports/metadata-store';
import { ReadCache, TagCache } from './tag-cache';

/** The caches pulls read through (tag-cache.ts), one per kind of item, all with one period. */
export interface PullCaches {
  /** Tags, read through by ManifestService.resolve only. */
  tags: TagCache;
  /** Manifests by digest (bodies up to MANIFEST_CACHE_MAX_BYTES). */
  manifests: ReadCache<ManifestRecord>;
  /** Blob links, except reads that ask for consistency (a mount). */
  links: ReadCache<BlobRecord>;
}

/** Largest manifest kept: 1,000 manifests of 16 KB are 16 MB at most (inline bodies reach 64 KiB). */
export const MANIFEST_CACHE_MAX_BYTES = 16 * 1024;

/** The pull caches of one process, kept `seconds` (0 = off). */
export function pullCaches(seconds: number, now: () => number): PullCaches {
  return { tags: new TagCache(seconds, now), manifests: new ReadCache(seconds, now), links: new ReadCache(seconds, now) };
}

/**
 * The MetadataStore calls that change nothing the caches keep: reads, upload sessions, and a pull's time
 * (recorded after a pull: forgetting then would empty the caches the pull just filled). Every other call
 * may write what they keep and forgets its repository.
 */
const KEEP_CACHES = new Set<string>([
  'getLinkedBlob', 'getBlob', 'missingBlobs', 'getManifest', 'getTag', 'missingManifests', 'manifestSummaries', 'listTags',
  'listReferrers', 'listTagSummaries', 'tagsOf', 'countTags', 'getUpload', 'listExpiredUploads', 'repositoryExists',
  'listRepositories', 'readForPut', 'readUploadTarget', 'createUpload', 'updateUpload', 'deleteUpload', 'recordPull',
]);

/**
 * `meta` with manifests by digest and blob links read through the caches, and every call not in
 * KEEP_CACHES (a push, a delete, a link, the mirror's fill, a HEAD's renewal, and any write added later)
 * followed by forgetting the repository its first argument names from every cache, also
 * when it fails (it may have written part). Tags are not read through here: a push's immutability checks
 * must see the tag as it is; pulls read them through `caches.tags` in ManifestService.resolve.
 */
export function pullCachingStore(meta: MetadataStore, caches: PullCaches): MetadataStore {
  const forget = (repository: unknown) => {
    if (typeof repository !== 'string') return;
    for (const cache of Object.values(caches)) cache.forget(repository);
  };
  const getManifest: MetadataStore['getManifest'] = (repo, digest) =>
    caches.manifests.get(repo, digest, () => meta.getManifest(repo, digest), (m) => m.size <= MANIFEST_CACHE_MAX_BYTES);
  const getLinkedBlob: MetadataStore['getLinkedBlob'] = (repo, digest, read) =>
    (read?.consistent ? meta.getLinkedBlob(repo, digest, read) : caches.links.get(repo, digest, () => meta.getLinkedBlob(repo, digest, read)));
  return new Proxy(meta, {
    get(target, property, receiver) {
      if (property === 'getManifest') return getManifest;
      if (property === 'getLinkedBlob') return getLinkedBlob;
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (typeof property !== 'string' || KEEP_CACHES.has(property)) return value.bind(target);
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } finally {
          forget(args[0]);
        }
      };
    },
  });
}
