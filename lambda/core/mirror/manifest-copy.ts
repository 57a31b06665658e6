import { createHash, randomUUID } from 'node:crypto';
import type { Digest, DigestAlgorithm } from '../../oci/digest';
import { OciError } from '../../oci/errors';
import { parseManifest } from '../../oci/manifest';
import type { BlobIndex } from '../../ports/blob-index';
import type { ManifestRecord, ManifestStore } from '../../ports/manifest-store';
import type { UpstreamManifest } from '../../ports/upstream-registry';
import type { DepsUsing } from '../config';
import { referrerAnnotations } from '../manifests/manifest-service';
import { summarize } from '../manifests/tag-summary';
import { storageKeys } from '../storage-layout';

/** An upstream sent a manifest whose bytes do not have the digest asked for: nothing of it is stored. */
export class UpstreamDigestMismatch extends Error {
  constructor(readonly expected: string, readonly actual: string) {
    super(`upstream sent content with digest ${actual}, not ${expected}`);
    this.name = 'UpstreamDigestMismatch';
  }
}

/** The digest of bytes (`algorithm:hex`). */
export function digestOf(bytes: Uint8Array, algorithm: DigestAlgorithm): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/**
 * Stores a manifest as the upstream sent it (exact bytes, its media type, its digest) under `tags`. Its
 * blobs and children need not be here yet (they are filled when pulled); they are recorded, so the
 * collector keeps them once they arrive. UpstreamDigestMismatch when the bytes are not `expected`.
 */
export async function storeUpstreamManifest(
  deps: DepsUsing<ManifestStore & BlobIndex>, repository: string, manifest: UpstreamManifest, expected: Digest, tags: string[],
): Promise<ManifestRecord> {
  const { meta, blobs, config, logger } = deps;
  const digest = digestOf(manifest.bytes, expected.algorithm);
  if (digest !== expected.value) throw new UpstreamDigestMismatch(expected.value, digest);
  let parsed;
  try {
    parsed = parseManifest(manifest.bytes, manifest.mediaType);
  } catch (err) {
    if (!(err instanceof OciError)) throw err;
    throw new OciError('MANIFEST_INVALID', `the upstream's manifest ${digest} cannot be mirrored: ${err.message}`);
  }
  const requiredBlobs = [...new Set(parsed.requiredBlobs)];
  const children = [...new Set(parsed.requiredManifests)];
  const childSummaries = children.length > 0 ? await meta.manifestSummaries(repository, children) : new Map();
  const summary = await summarize(repository, manifest.bytes, parsed, { blobIndex: meta, blobs, logger, children: childSummaries });
  const record: ManifestRecord = {
    digest, mediaType: parsed.mediaType, size: manifest.bytes.length,
    blobs: requiredBlobs, children,
    subject: parsed.subject?.digest, artifactType: parsed.artifactType,
    annotations: parsed.subject ? referrerAnnotations(parsed.annotations) : undefined,
    summary,
  };
  if (manifest.bytes.length <= config.inlineManifestBytes) record.body = manifest.bytes;
  else {
    record.bodyKey = storageKeys.manifestBody(digest, randomUUID());
    await blobs.put(record.bodyKey, manifest.bytes);
  }
  await meta.putManifest(repository, record, tags, { now: deps.now(), referencesMayBeAbsent: true });
  return record;
}

/** Points tags at a manifest the repository already holds (a mirrored tag that moved to a known digest). */
export async function tagStoredManifest(deps: DepsUsing<ManifestStore>, repository: string, record: ManifestRecord, tags: string[]): Promise<void> {
  await deps.meta.putManifest(repository, record, tags, { now: deps.now(), referencesMayBeAbsent: true });
}
