import { Digest, parseDigest } from '../../oci/digest';
import { OciError } from '../../oci/errors';
import { parseName } from '../../oci/names';
import type { BlobIndex, BlobRecord } from '../../ports/blob-index';
import type { DepsUsing, RegistryDeps } from '../config';
import { contentRange, requestedRange } from '../http/byte-range';
import { emptyResponse, RegistryResponse } from '../../shared/http-types';
import type { RouteCall } from '../services';

/**
 * How often a HEAD renews a link it finds (ms). A client that saw "exists" then has at least the grace
 * period less this to push the manifest naming the blob (README, "Never losing a push"); the grace period
 * is at least an hour, and renewing at most hourly keeps HEADs reads, not writes.
 */
export const TOUCH_INTERVAL = 60 * 60 * 1000;

/** HEAD /v2/<name>/blobs/<digest>: size and digest from metadata (or, for a cold mirrored blob, the upstream's), no bytes. */
export async function headBlob({ deps, mirror, params }: RouteCall): Promise<RegistryResponse> {
  const repository = parseName(params.name!);
  const digest = parseDigest(params.digest!);
  // Consistent: a HEAD is how a pusher asks "upload it?", and a miss read eventually would cost a second read.
  const record = await linked(deps, repository, digest, { renewStale: true, consistent: true });
  const size = record?.size ?? (await mirror?.headBlob(repository, digest))?.size;
  if (size === undefined) throw blobUnknown(repository, digest);
  return emptyResponse(200, {
    'content-length': String(size),
    'content-type': 'application/octet-stream',
    'docker-content-digest': digest.value,
    etag: `"${digest.value}"`,
  });
}

/**
 * GET /v2/<name>/blobs/<digest>: a redirect to a presigned URL, or the bytes streamed (proxy delivery). A
 * mirrored repository's cold blob is filled from the upstream first (or redirected to the host that fills it).
 */
export async function getBlob({ deps, mirror, req, params, caller }: RouteCall): Promise<RegistryResponse> {
  const repository = parseName(params.name!);
  const digest = parseDigest(params.digest!);
  let record = await linked(deps, repository, digest, { renewStale: false });
  if (!record && mirror) {
    const filled = await mirror.getBlob(repository, digest);
    if (filled?.kind === 'elsewhere') return emptyResponse(307, { location: filled.location, 'docker-content-digest': digest.value });
    record = filled?.record ?? null;
  }
  if (!record) throw blobUnknown(repository, digest);
  if (deps.config.blobDelivery === 'proxy') return streamed(deps, record, req.headers.range);
  // A presigned URL never outlives the token that asked for it.
  const tokenLeft = caller.expiresAt === undefined ? Infinity : caller.expiresAt - Math.floor(deps.now() / 1000);
  const ttl = Math.max(1, Math.min(deps.config.presignTtlSeconds, tokenLeft));
  const url = await deps.blobs.presignGet(record.objectKey, ttl);
  return emptyResponse(307, { location: url, 'docker-content-digest': record.digest });
}

/** DELETE /v2/<name>/blobs/<digest>: unlinks the blob from the repository. */
export async function deleteBlob({ deps, params }: RouteCall): Promise<RegistryResponse> {
  const repository = parseName(params.name!);
  const digest = parseDigest(params.digest!);
  if (!(await deps.meta.unlinkBlob(repository, digest.value))) {
    throw new OciError('BLOB_UNKNOWN', `blob ${digest.value} not found in ${repository}`);
  }
  return emptyResponse(202, { 'docker-content-digest': digest.value });
}

/**
 * The repository's link to the blob, or null. A link the collector condemned is rescued before the answer
 * (a 200 is a promise the blob stays for the grace period); with `renewStale`, a link not renewed for
 * TOUCH_INTERVAL is renewed too. When the collector deleted it meanwhile, null. Read eventually consistent
 * (with a consistent retry on a miss) unless `consistent`.
 */
async function linked(
  deps: DepsUsing<BlobIndex>, repository: string, digest: Digest, opts: { renewStale: boolean; consistent?: boolean },
): Promise<BlobRecord | null> {
  const record = await deps.meta.getLinkedBlob(repository, digest.value, { consistent: opts.consistent });
  if (!record) return null;
  const now = deps.now();
  const stale = opts.renewStale && (record.touchedAt ?? 0) < now - TOUCH_INTERVAL;
  if (record.gcState !== undefined || stale) {
    if ((await deps.meta.touchLink(repository, digest.value, now, now - TOUCH_INTERVAL)) === 'gone') return null;
  }
  return record;
}

function blobUnknown(repository: string, digest: Digest): OciError {
  return new OciError('BLOB_UNKNOWN', `blob ${digest.value} not found in ${repository}`, { detail: { digest: digest.value } });
}

/**
 * The blob's bytes (or the range asked for) streamed from the store through the registry: for clients that
 * cannot reach the store's address. Access was checked like any GET; the stream is read as the client reads.
 */
async function streamed(deps: RegistryDeps, record: BlobRecord, rangeHeader: string | undefined): Promise<RegistryResponse> {
  const range = requestedRange(rangeHeader, record.size);
  const stream = await deps.blobs.get(record.objectKey, range);
  if (!stream) throw new OciError('BLOB_UNKNOWN', `blob ${record.digest} has no bytes in storage`, { detail: { digest: record.digest } });
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'docker-content-digest': record.digest,
    etag: `"${record.digest}"`,
    'accept-ranges': 'bytes',
    'content-length': String(range ? range.end - range.start + 1 : record.size),
  };
  if (range) headers['content-range'] = contentRange(range, record.size);
  return { status: range ? 206 : 200, headers, stream };
}
