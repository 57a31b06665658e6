import { createHash, randomUUID } from 'node:crypto';
import { DigestAlgorithm } from '../../oci/digest';
import { OciError } from '../../oci/errors';
import { Descriptor, parseManifest } from '../../oci/manifest';
import { Reference } from '../../oci/names';
import type { BlobIndex } from '../../ports/blob-index';
import { ImmutableTagError, ManifestRecord, ManifestStore, ReferenceMissingError } from '../../ports/manifest-store';
import type { DepsUsing } from '../config';
import { canMakeTagsImmutable, tagIsImmutable } from '../policies/immutability';
import { immutableTagDenied, TagImmutability } from '../policies/tag-immutability';
import { storageKeys } from '../storage-layout';
import { TagCache } from './tag-cache';
import { summarize } from './tag-summary';

/** Manifests: validate and store, resolve by tag or digest, delete; referrers. */
export class ManifestService {
  /** The tag-immutability rules, cached per process (one per registry, as this service). */
  private readonly immutability: TagImmutability;

  /**
   * @param tags what pulls by tag resolved, kept briefly (off unless given); the host's writes must go
   * through pullCachingStore with the same cache (registryServices does both).
   */
  constructor(private readonly deps: DepsUsing<ManifestStore & BlobIndex>, private readonly tags = new TagCache(0, deps.now)) {
    this.immutability = new TagImmutability(deps.policies, deps.now);
  }

  /**
   * Resolves a reference to the manifest record, or throws MANIFEST_UNKNOWN. The pull path: a tag may come
   * from the tag cache (seconds old at most; this process's own writes are seen at once).
   */
  async resolve(repository: string, ref: Reference): Promise<ManifestRecord> {
    const { meta } = this.deps;
    if (ref.kind === 'digest') {
      const record = await meta.getManifest(repository, ref.digest.value);
      if (record) return record;
      throw new OciError('MANIFEST_UNKNOWN', `manifest ${ref.digest.value} not found in ${repository}`);
    }
    const tag = await this.tags.get(repository, ref.tag, () => meta.getTag(repository, ref.tag));
    if (!tag) throw new OciError('MANIFEST_UNKNOWN', `tag ${ref.tag} not found in ${repository}`);
    const record = tag.manifest ?? (await meta.getManifest(repository, tag.digest));
    if (!record) throw new OciError('MANIFEST_UNKNOWN', `tag ${ref.tag} points at a missing manifest`);
    return record;
  }

  /** The manifest bytes, read from the blob store when they are too large to be inline. */
  async body(record: ManifestRecord): Promise<Uint8Array> {
    if (record.body) return record.body;
    const stream = record.bodyKey ? await this.deps.blobs.get(record.bodyKey) : null;
    if (!stream) throw new Error(`manifest ${record.digest} has no stored body`);
    const chunks: Uint8Array[] = [];
    for await (const c of stream) chunks.push(c);
    return Buffer.concat(chunks);
  }

  /** Validates and stores a manifest under its digest and the given tags. */
  async put(repository: string, ref: Reference, extraTags: string[], body: Uint8Array, contentType: string | undefined): Promise<ManifestRecord> {
    const { meta, blobs, config } = this.deps;
    const algorithm: DigestAlgorithm = ref.kind === 'digest' ? ref.digest.algorithm : 'sha256';
    const digest = `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;
    if (ref.kind === 'digest' && ref.digest.value !== digest) {
      throw new OciError('DIGEST_INVALID', `manifest body has digest ${digest}, not ${ref.digest.value}`);
    }
    const parsed = parseManifest(body, contentType);
    const requiredBlobs = unique(parsed.requiredBlobs);
    const requiredManifests = unique(parsed.requiredManifests);
    // One read: the links and child manifests it names (the config's link tells where its bytes are, for the
    // summary's platform) and whether the repository is listed yet.
    const refs = await meta.readForPut(repository, requiredBlobs, requiredManifests);
    const now = this.deps.now();
    const condemned = requiredBlobs.filter((d) => refs.links.get(d)?.gcState !== undefined);
    const rescued = await Promise.all(condemned.map((d) => meta.touchLink(repository, d, now, now)));
    const missing = [
      ...requiredBlobs.filter((d) => !refs.links.has(d) || rescued[condemned.indexOf(d)] === 'gone'),
      ...requiredManifests.filter((d) => !refs.manifests.has(d) || refs.manifests.get(d)!.condemned),
    ];
    if (missing.length > 0) throw referencesUnknown(missing);
    const children = new Map([...refs.manifests].map(([d, m]) => [d, m.summary]));
    const configLinks = { getLinkedBlob: async (_repository: string, d: string) => refs.links.get(d) ?? null };
    const summary = await summarize(repository, body, parsed, { blobIndex: configLinks, blobs, logger: this.deps.logger, children });
    const record: ManifestRecord = {
      // What it names: the store checks each in the put's own transaction (exists, not condemned), so the
      // collector cannot delete one between the read above and the put (it fails the put instead:
      // ReferenceMissingError); once stored, this young manifest keeps them live.
      blobs: requiredBlobs, children: requiredManifests,
      digest, mediaType: parsed.mediaType, size: body.length,
      subject: parsed.subject?.digest, artifactType: parsed.artifactType,
      annotations: parsed.subject ? referrerAnnotations(parsed.annotations) : undefined,
      summary,
    };
    if (body.length <= config.inlineManifestBytes) record.body = body;
    else {
      // A key per put: the collector deleting another repository's copy (or a superseded one) never takes this one.
      record.bodyKey = storageKeys.manifestBody(digest, randomUUID());
      await blobs.put(record.bodyKey, body);
    }
    const tags = unique([...(ref.kind === 'tag' ? [ref.tag] : []), ...extraTags]);
    // The store writes immutable tags only if absent or already here, inside the tag write itself: two
    // hosts racing to move one cannot both pass, whatever either read before.
    const immutable = await this.immutability.immutableAmong(repository, tags);
    try {
      await meta.putManifest(repository, record, tags, { now, immutableTags: immutable.tags, listed: refs.listed });
    } catch (err) {
      if (err instanceof ImmutableTagError) throw immutableTagDenied(err.tag, repository, immutable.rule, 'push');
      if (err instanceof ReferenceMissingError) throw referencesUnknown(err.missing);
      throw err;
    }
    return record;
  }

  /** Deletes a manifest by digest (with its tags) or just a tag. */
  async delete(repository: string, ref: Reference): Promise<void> {
    const { meta } = this.deps;
    await this.refuseDeletingImmutableTags(repository, ref);
    const found = ref.kind === 'digest'
      ? await meta.deleteManifest(repository, ref.digest.value)
      : await meta.deleteTag(repository, ref.tag);
    if (!found) throw new OciError('MANIFEST_UNKNOWN', `manifest ${ref.kind === 'tag' ? ref.tag : ref.digest.value} not found in ${repository}`);
  }

  /**
   * DENIED when the DELETE would remove an immutable tag: the tag itself, or (by digest) any immutable tag
   * pointing at the manifest. A tag's immutability depends only on its name, so deleting a tag cannot race
   * the check. A DELETE by digest can: a PUT giving this very digest a new immutable tag between the check
   * and the delete loses that tag with the manifest (the tag disappears; it never points at other bytes).
   * Closing that needs the store's delete to keep immutable tags, which it does not know of.
   */
  private async refuseDeletingImmutableTags(repository: string, ref: Reference): Promise<void> {
    const rule = await this.immutability.ruleFor(repository);
    if (!canMakeTagsImmutable(rule)) return;
    const { meta } = this.deps;
    if (ref.kind === 'tag') {
      if (tagIsImmutable(rule, ref.tag) && (await meta.getTag(repository, ref.tag))) {
        throw immutableTagDenied(ref.tag, repository, rule, 'delete');
      }
      return;
    }
    for await (const tag of immutableTagsOf(meta, repository, (t) => tagIsImmutable(rule, t))) {
      if (tag.digest === ref.digest.value) throw immutableTagDenied(tag.tag, repository, rule, 'delete');
    }
  }

  /** The referrers of a subject, optionally filtered by artifactType. */
  async referrers(repository: string, subject: string, artifactType?: string): Promise<Descriptor[]> {
    const all = await this.deps.meta.listReferrers(repository, subject);
    return artifactType ? all.filter((d) => d.artifactType === artifactType) : all;
  }
}

/** Annotations are kept only for referrer descriptors, and only when they fit beside them in one item. */
const MAX_REFERRER_ANNOTATION_BYTES = 64 * 1024;

/** A referrer's annotations as kept beside its descriptor (none when too large); also used by the mirror's copies. */
export function referrerAnnotations(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!annotations) return undefined;
  return JSON.stringify(annotations).length <= MAX_REFERRER_ANNOTATION_BYTES ? annotations : undefined;
}

/** Tags of a repository whose names pass `wanted`, read page by page (the store has no index of tags by digest). */
async function* immutableTagsOf(meta: ManifestStore, repository: string, wanted: (tag: string) => boolean) {
  let last: string | undefined;
  for (;;) {
    const page = await meta.listTags(repository, TAG_PAGE, last);
    const names = page.items.filter(wanted);
    for (let i = 0; i < names.length; i += TAG_READS_AT_ONCE) {
      const read = await Promise.all(names.slice(i, i + TAG_READS_AT_ONCE).map((t) => meta.getTag(repository, t)));
      for (const tag of read) if (tag) yield tag;
    }
    if (!page.more || page.items.length === 0) return;
    last = page.items[page.items.length - 1];
  }
}

const TAG_PAGE = 1000;
const TAG_READS_AT_ONCE = 16;

/** MANIFEST_BLOB_UNKNOWN naming what is missing (the client uploads it and puts the manifest again). */
function referencesUnknown(missing: string[]): OciError {
  return new OciError('MANIFEST_BLOB_UNKNOWN', `manifest references ${missing.length} unknown blob(s) or manifest(s): ${missing[0]}`, {
    detail: { missing },
  });
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
